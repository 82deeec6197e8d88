/**
 * \summary Device-type taxonomy: every `device_type` a fingerprint rule may set, its category
 * (`medical`, `infrastructure`, `other`) and, for medical types, the FDA classification of the
 * typical device of that type: product code, device class (I, II, III) and 21 CFR regulation.
 *
 * A type maps to the product code of its most common form; a specific device may be cleared
 * under a neighbouring code (a monitor with arrhythmia alarms is MHX, one without is MWI), so
 * `fda_*` are stated with the rule's certainty and are evidence, not a regulatory finding.
 *
 * Sources: FDA Product Classification database
 * (https://www.accessdata.fda.gov/scripts/cdrh/cfdocs/cfpcd/classification.cfm, searched by
 * product code) and 21 CFR Parts 862–892 (https://www.ecfr.gov/current/title-21/chapter-I/subchapter-H).
 * `verified: 'lookup'` marks entries checked against an FDA or 510(k)-database page while this
 * table was written (URL in `source`); `'reference'` entries cite the database and regulation
 * and were not individually re-checked — confirm before relying on them for compliance.
 */

export type DeviceCategory = 'medical' | 'infrastructure' | 'other';
export type FdaClass = 'I' | 'II' | 'III';

export interface DeviceTypeEntry {
  /** snake_case identifier (`devices --json` device_type; fingerprints/vocabulary/device-types.txt). */
  id: string;
  /** Human name. */
  name: string;
  category: DeviceCategory;
  /** FDA classification of the typical device of this type (medical types only). */
  fda?: { productCode: string; deviceClass: FdaClass; regulation: string };
  /** Where the classification comes from. */
  source: string;
  verified?: 'lookup' | 'reference';
}

const pcd = (code: string, reg: string) =>
  `FDA Product Classification, product code ${code} (accessdata.fda.gov/scripts/cdrh/cfdocs/cfpcd/classification.cfm); 21 CFR ${reg} (ecfr.gov/current/title-21/section-${reg})`;

function medical(id: string, name: string, productCode: string, deviceClass: FdaClass, regulation: string, verified: 'lookup' | 'reference' = 'reference', extra = ''): DeviceTypeEntry {
  return { id, name, category: 'medical', fda: { productCode, deviceClass, regulation }, source: pcd(productCode, regulation) + extra, verified };
}

function nonMedical(id: string, name: string, category: 'infrastructure' | 'other'): DeviceTypeEntry {
  return { id, name, category, source: 'not a medical device: no FDA classification' };
}

export const DEVICE_TYPES: readonly DeviceTypeEntry[] = [
  // Monitoring
  medical('patient_monitor', 'Patient monitor (physiological, with arrhythmia detection/alarms)', 'MHX', 'II', '870.1025'),
  medical('vital_signs_monitor', 'Vital signs monitor (without arrhythmia detection or alarms)', 'MWI', 'II', '870.2300'),
  medical('central_station', 'Central monitoring station (physiological monitor network)', 'MSX', 'II', '870.2300'),
  medical('telemetry_transmitter', 'Physiological telemetry transmitter/receiver', 'DRG', 'II', '870.2910'),
  medical('pulse_oximeter', 'Pulse oximeter', 'DQA', 'II', '870.2700'),
  medical('nibp_monitor', 'Non-invasive blood pressure monitor', 'DXN', 'II', '870.1130'),
  medical('capnograph', 'Capnograph (carbon dioxide gas analyser)', 'CCK', 'II', '868.1400'),
  medical('fetal_monitor', 'Fetal/perinatal monitor', 'HGM', 'II', '884.2740'),
  medical('hemodynamic_system', 'Hemodynamic / cath-lab recording system (programmable diagnostic computer)', 'DQK', 'II', '870.1425'),
  // Cardiology / neurology diagnostics
  medical('ecg', 'Electrocardiograph (resting ECG)', 'DPS', 'II', '870.2340'),
  medical('holter_recorder', 'Holter / ambulatory ECG recorder', 'DSH', 'II', '870.2800'),
  medical('eeg', 'Electroencephalograph', 'GWQ', 'II', '882.1400'),
  medical('spirometer', 'Diagnostic spirometer', 'BZG', 'II', '868.1840'),
  // Therapy
  medical('infusion_pump', 'Infusion pump (large volume)', 'FRN', 'II', '880.5725'),
  medical('syringe_pump', 'Syringe infusion pump', 'FRN', 'II', '880.5725'),
  medical('pca_pump', 'Patient-controlled analgesia pump', 'MEA', 'II', '880.5725'),
  medical('ventilator', 'Continuous ventilator (facility use)', 'CBK', 'II', '868.5895'),
  medical('anesthesia_machine', 'Anesthesia gas machine / workstation', 'BSZ', 'II', '868.5160'),
  medical('defibrillator', 'Automated external defibrillator', 'MKJ', 'III', '870.5310', 'lookup', '; checked: fda.innolitics.com/submissions/CV/subpart-f—cardiovascular-therapeutic-devices/870.5310 (MKJ, class III)'),
  medical('hemodialysis_machine', 'Hemodialysis system (high permeability)', 'KDI', 'II', '876.5860', 'reference', '; regulation checked: 510k.innolitics.com/search/K250508 (Baxter AK 98 dialysis machine, 876.5860)'),
  medical('infant_incubator', 'Infant incubator', 'FMZ', 'II', '880.5400'),
  medical('electrosurgical_unit', 'Electrosurgical generator', 'GEI', 'II', '878.4400'),
  medical('surgical_robot', 'Computer-assisted surgical system', 'NAY', 'II', '876.1500'),
  medical('thermal_regulation_system', 'Patient thermal regulating system', 'DWJ', 'II', '870.5900'),
  medical('sequential_compression', 'Compressible limb sleeve / sequential compression', 'JOW', 'II', '870.5800'),
  medical('hospital_bed', 'AC-powered adjustable hospital bed', 'FNL', 'II', '880.5100'),
  medical('sterilizer', 'Steam sterilizer', 'FLE', 'II', '880.6880'),
  // Imaging
  medical('ct_scanner', 'Computed tomography X-ray system', 'JAK', 'II', '892.1750'),
  medical('mri_scanner', 'Magnetic resonance diagnostic device', 'LNH', 'II', '892.1000'),
  medical('ultrasound', 'Pulsed echo ultrasonic imaging system', 'IYO', 'II', '892.1560'),
  medical('xray_radiographic', 'Stationary radiographic X-ray system', 'KPR', 'II', '892.1680'),
  medical('xray_digital', 'Digital radiography (solid state X-ray imager)', 'MQB', 'II', '892.1680'),
  medical('xray_mobile', 'Mobile X-ray system', 'IZL', 'II', '892.1720'),
  medical('fluoroscopy', 'Image-intensified fluoroscopic X-ray system', 'JAA', 'II', '892.1650'),
  medical('angiography', 'Interventional fluoroscopic X-ray system', 'OWB', 'II', '892.1650'),
  medical('mammography', 'Mammographic X-ray system', 'IZH', 'II', '892.1710'),
  medical('nuclear_medicine', 'Emission computed tomography system (SPECT/PET)', 'KPS', 'II', '892.1200'),
  medical('bone_densitometer', 'Bone densitometer', 'KGI', 'II', '892.1170'),
  medical('dental_xray', 'Extraoral source dental X-ray system', 'EHD', 'II', '872.1800'),
  medical('ophthalmic_oct', 'Optical coherence tomography (ophthalmic)', 'OBO', 'II', '886.1570'),
  medical('radiation_therapy', 'Medical charged-particle radiation therapy system (linac)', 'IYE', 'II', '892.5050'),
  medical('treatment_planning', 'Radiation therapy treatment planning system', 'MUJ', 'II', '892.5050'),
  medical('pacs', 'Picture archiving and communication system (image management)', 'LLZ', 'II', '892.2050'),
  medical('imaging_workstation', 'Radiological image processing / review workstation', 'LLZ', 'II', '892.2050'),
  // Laboratory and point of care
  medical('chemistry_analyzer', 'Clinical chemistry analyser (photometric, discrete)', 'JJE', 'I', '862.2160'),
  medical('hematology_analyzer', 'Automated differential cell counter', 'GKZ', 'II', '864.5220'),
  medical('blood_gas_analyzer', 'Blood gas / pH analyser', 'CHL', 'II', '862.1120'),
  medical('coagulation_analyzer', 'Coagulation instrument', 'JPA', 'II', '864.5400'),
  medical('glucose_meter', 'Blood glucose test system', 'NBW', 'II', '862.1345'),
  // Data systems
  medical('medical_device_gateway', 'Medical device data system (MDDS) / device integration gateway', 'OUG', 'I', '880.6310'),
  // Issue 16: types the product catalogue (fingerprints/products/) needs. Where the product code
  // of the typical device was not certain when written, the entry says so in its source and the
  // classification regulation (which was) carries the weight.
  medical('insulin_pump', 'Insulin infusion pump', 'LZG', 'II', '880.5725'),
  medical('implantable_cardiac_device', 'Implantable cardiac rhythm device (pacemaker, ICD, CRT-D)', 'LWS', 'III', '870.3610', 'reference', '; product code LWS is the ICD code, pacemakers are LWP under the same regulation: not individually verified'),
  medical('cardiac_device_programmer', 'Programmer / remote monitor for implanted cardiac devices', 'KRG', 'III', '870.3700', 'reference', '; product code not individually verified, regulation 21 CFR 870.3700 (pacemaker programmers) is'),
  medical('neurostimulator_programmer', 'Clinician programmer for an implanted neurostimulator', 'EZW', 'III', '876.5310', 'reference', '; product code and regulation not individually verified (sacral nerve stimulator programmers are cleared with the implant PMA)'),
  medical('sleep_therapy_device', 'CPAP / non-continuous ventilator (sleep apnoea therapy)', 'BZD', 'II', '868.5905'),
  medical('stress_test_system', 'Exercise stress ECG system', 'DRQ', 'II', '870.2340', 'reference', '; product code not individually verified; regulation is that of electrocardiographs'),
  medical('cardiology_information_system', 'Cardiology image and ECG management system', 'LLZ', 'II', '892.2050'),
  medical('ecg_management_system', 'ECG management / analysis system (programmable diagnostic computer)', 'DQK', 'II', '870.1425'),
  medical('physiological_data_gateway', 'Bedside device connectivity hub / integration engine (MDDS)', 'OUG', 'I', '880.6310'),
  medical('infusion_management_system', 'Infusion pump server / drug library manager (MDDS-like)', 'OUG', 'I', '880.6310', 'reference', '; infusion system software may instead be cleared with the pump under 880.5725 (FRN)'),
  medical('radiographic_digitizer', 'Computed radiography (CR) reader', 'MQB', 'II', '892.1680', 'reference', '; CR readers are cleared under 892.1680 as solid state/digital imagers or 892.2030 digitisers: code not individually verified'),
  medical('pet_ct', 'PET/CT or SPECT/CT system', 'KPS', 'II', '892.1200'),
  medical('cyclotron', 'Radionuclide production cyclotron (PET tracer)', 'KPS', 'II', '892.1200', 'reference', '; cyclotrons are drug-production equipment regulated with the radiopharmaceutical, not as a device: code given is the PET system it supplies'),
  medical('endoscopy_system', 'Endoscopic video imaging system', 'FET', 'II', '876.1500', 'reference', '; product code not individually verified, regulation 21 CFR 876.1500 (endoscope and accessories) is'),
  medical('immunoassay_analyzer', 'Immunoassay analyser', 'JJE', 'I', '862.2160', 'reference', '; analyser hardware is classified as a discrete photometric chemistry analyser (862.2160); the assays carry their own codes'),
  medical('microbiology_analyzer', 'Microbiology system (blood culture, identification and susceptibility, specimen processing)', 'MDB', 'II', '866.2560', 'reference', '; product code not individually verified, regulation 21 CFR 866.2560 (microbial growth monitor) is'),
  medical('molecular_analyzer', 'Molecular diagnostics / nucleic acid analyser', 'OOI', 'II', '862.2570', 'reference', '; product code not individually verified, regulation 21 CFR 862.2570 (instrumentation for clinical multiplex test systems) is'),
  medical('dna_sequencer', 'High-throughput DNA sequence analyser', 'PFF', 'II', '862.2265'),
  medical('flow_cytometer', 'Flow cytometric / cell sorting instrument', 'OYE', 'II', '864.5220', 'reference', '; product code not individually verified, regulation 21 CFR 864.5220 (automated differential cell counter) is'),
  medical('urinalysis_analyzer', 'Automated urinalysis system', 'KQO', 'I', '862.2900', 'reference', '; product code not individually verified, regulation 21 CFR 862.2900 (automated urinalysis system) is'),
  medical('blood_bank_analyzer', 'Automated blood grouping and antibody test system', 'KSZ', 'II', '864.9175', 'reference', '; product code not individually verified, regulation 21 CFR 864.9175 is'),
  medical('lab_automation', 'Laboratory automation / specimen processing line', 'JQW', 'I', '862.2050', 'reference', '; regulation 21 CFR 862.2050 (general purpose laboratory equipment); product code not individually verified'),
  medical('lab_information_system', 'Laboratory / microbiology data management system', 'JQP', 'I', '862.2100', 'reference', '; calculator/data processing module for clinical use (862.2100); product code not individually verified'),
  medical('pharmacy_compounder', 'Pharmacy IV compounder / automation', 'NEP', 'II', '880.5440', 'reference', '; compounders are cleared as IV fluid transfer sets (880.5440); product code not individually verified'),
  medical('electrophysiology_system', 'EEG / EMG / neurodiagnostic system', 'GWQ', 'II', '882.1400'),
  medical('ophthalmic_device', 'Ophthalmic diagnostic device (fundus camera, perimeter, biometer)', 'HKI', 'II', '886.1120', 'reference', '; product code not individually verified, regulation 21 CFR 886.1120 (ophthalmic camera) is'),
  medical('dental_imaging', 'Dental intraoral / CBCT imaging system', 'OAS', 'II', '892.1750', 'reference', '; CBCT is cleared under 892.1750 (computed tomography); product code not individually verified'),
  medical('fluoroscopy_c_arm', 'Mobile C-arm fluoroscopic X-ray system', 'OXO', 'II', '892.1650', 'reference', '; product code not individually verified, regulation 21 CFR 892.1650 is'),
  medical('lithotripter', 'Extracorporeal shock wave lithotripter', 'LNS', 'II', '876.5990'),
  medical('peritoneal_dialysis', 'Peritoneal dialysis cycler', 'FKX', 'II', '876.5630'),
  medical('apheresis_system', 'Apheresis / cell separation system', 'LKN', 'II', '864.9245'),
  medical('patient_warming', 'Patient warming / fluid warming system', 'DWJ', 'II', '870.5900'),
  medical('feeding_pump', 'Enteral feeding pump', 'LZH', 'II', '880.5725', 'reference', '; product code and regulation not individually verified'),
  medical('cardiac_output_monitor', 'Cardiac output / hemodynamic monitor', 'DXG', 'II', '870.1435'),
  medical('cerebral_oximeter', 'Cerebral / tissue oximeter', 'MUD', 'II', '870.2700'),
  medical('phototherapy', 'Neonatal phototherapy unit', 'LBI', 'II', '880.5700'),
  medical('heart_lung_machine', 'Cardiopulmonary bypass system', 'DTQ', 'II', '870.4220'),
  medical('surgical_navigation', 'Stereotaxic surgical navigation system', 'HAW', 'II', '882.4560'),
  medical('ecmo', 'Extracorporeal membrane oxygenation system', 'BYS', 'II', '870.4100', 'reference', '; product code not individually verified, regulation 21 CFR 870.4100 is'),
  nonMedical('medication_cabinet', 'Automated medication dispensing cabinet (not an FDA-listed device class)', 'other'),
  nonMedical('medical_gas_system', 'Medical air / vacuum plant and gas alarm panel (NFPA 99 equipment)', 'other'),
  nonMedical('mobile_medical_app', 'Phone or cloud app of a medical device (the network sees the phone)', 'other'),
  nonMedical('clinical_information_system', 'Clinical / hospital information system (EMR, portal, RIS)', 'other'),
  nonMedical('embedded_component', 'Embedded OS / network stack component (not a device)', 'other'),
  // Not medical devices
  nonMedical('printer', 'Printer', 'other'),
  nonMedical('label_printer', 'Label / wristband printer', 'other'),
  nonMedical('workstation', 'PC / workstation', 'other'),
  nonMedical('server', 'Server', 'other'),
  nonMedical('thin_client', 'Thin client', 'other'),
  nonMedical('ip_camera', 'IP camera', 'other'),
  nonMedical('nurse_call', 'Nurse call system', 'other'),
  nonMedical('wireless_handset', 'Wireless handset / communication badge', 'other'),
  nonMedical('ip_phone', 'IP phone', 'infrastructure'),
  nonMedical('network_switch', 'Network switch', 'infrastructure'),
  nonMedical('router', 'Router', 'infrastructure'),
  nonMedical('wireless_access_point', 'Wireless access point', 'infrastructure'),
  nonMedical('firewall', 'Firewall', 'infrastructure'),
  nonMedical('dhcp_server', 'DHCP / network service appliance', 'infrastructure'),
];

const byId = new Map(DEVICE_TYPES.map((t) => [t.id, t]));

/** The taxonomy entry for a device type id, or undefined. */
export function deviceType(id: string): DeviceTypeEntry | undefined {
  return byId.get(id);
}

/** DICOM (0008,0060) Modality → device type of the equipment that acquires it. */
export const DICOM_MODALITY_TYPES: Readonly<Record<string, string>> = {
  CT: 'ct_scanner',
  MR: 'mri_scanner',
  US: 'ultrasound',
  CR: 'xray_radiographic',
  DX: 'xray_digital',
  MG: 'mammography',
  XA: 'angiography',
  RF: 'fluoroscopy',
  NM: 'nuclear_medicine',
  PT: 'nuclear_medicine',
  OPT: 'ophthalmic_oct',
  IO: 'dental_xray',
  PX: 'dental_xray',
  BMD: 'bone_densitometer',
  ECG: 'ecg',
  RTIMAGE: 'radiation_therapy',
};

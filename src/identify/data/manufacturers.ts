/**
 * \summary Manufacturer knowledge as data: for each manufacturer its canonical name, the
 * spellings seen in the wild (IEEE registry organisation names, DICOM (0008,0070) Manufacturer,
 * LLDP-MED Manufacturer Name, HL7 MSH-3/PRT, DHCP option 60 vendor classes, CMMS exports) and
 * the exact IEEE registry organisation names whose MAC blocks it owns. The prefixes of those
 * blocks are listed in `manufacturer-ouis.ts` (generated from oui-data; a test keeps it in sync).
 *
 * Acquired brands that were folded into their buyer map to the buyer (CareFusion and Alaris →
 * BD, Hospira and Smiths Medical → ICU Medical, Datex-Ohmeda/Marquette → GE Healthcare,
 * Physio-Control → Stryker, Welch Allyn and Mortara → Hillrom, Toshiba Medical → Canon Medical
 * Systems, Hitachi Medical and SonoSite → Fujifilm Healthcare, Covidien/Puritan Bennett →
 * Medtronic, Maquet → Getinge, Gambro → Baxter), so reconciliation sees one manufacturer where a
 * CMMS still uses the old name.
 *
 * Sources: IEEE Registration Authority MA-L/MA-M/MA-S registry as shipped in the oui-data npm
 * package (organisation names, verbatim); company names as each company states them on its own
 * website (domain given per entry); DICOM spellings as written in the vendor's DICOM
 * conformance statements; acquisitions from the companies' own announcements.
 */

export interface ManufacturerEntry {
  /** Display name used in `devices --json` and in fingerprints/vocabulary/manufacturers.txt. */
  canonical: string;
  /** Other spellings of the same manufacturer (compared with `manufacturerKey`). */
  aliases: readonly string[];
  /**
   * Lower-case name prefixes that also identify the manufacturer ("philips medical" matches
   * "Philips Medical Systems Nederland B.V."). Only for prefixes no other company starts with.
   */
  namePrefixes?: readonly string[];
  /** IEEE registry organisation names (exact, first line of the oui-data entry) this manufacturer owns. */
  ouiOrganisations: readonly string[];
  /** Makes medical devices (false: IT and network vendors seen on hospital networks). */
  medical: boolean;
  /**
   * Issue 16: also makes things that are not medical devices (consumer electronics, lighting,
   * industrial automation, cameras, research instruments), so its MAC blocks alone do not make a
   * device medical. Manufacturers with `medical: true` and without this flag make only medical
   * devices: a device whose only evidence is their MAC block is category `medical`, weakly.
   */
  diversified?: true;
  /** Where the names come from. */
  source: string;
  /** Not a real company: used only by the lab fixtures. */
  fictional?: boolean;
}

const IEEE = 'IEEE RA registry via oui-data (organisation names)';
const IEEE_SMALL = `${IEEE}; a medical device maker by its registered name and product range, reviewed by name only (issue 16)`;

export const MANUFACTURERS: readonly ManufacturerEntry[] = [
  {
    canonical: 'Philips',
    aliases: ['Philips', 'Koninklijke Philips', 'Philips Healthcare', 'Philips Medical Systems', 'Philips Medical Systems Nederland', 'Philips Patient Monitoring', 'Philips Medizin Systeme Boeblingen', 'Philips Electronics', 'PHILIPS', 'Invivo', 'Philips Respironics', 'Respironics', 'Phillips', 'Capsule Technologies', 'Capsule Tech', 'Qualcomm Life', 'Philips Capsule'],
    namePrefixes: ['philips medical', 'philips healthcare', 'philips patient'],
    ouiOrganisations: ['Philips Medical Systems - Cardiac and Monitoring Systems (CM', 'Philips Patient Monitoring', 'Philips Healthcare PCCI', 'Philips', 'Philips Electronics Nederland BV', 'PHILIPS ELECTRONICS UK LTD', 'N.V. PHILIPS INDUSTRIAL ACTIVITIES', 'PHILIPS APELDOORN B.V.', 'Philips CFT', 'Philips Consumer Communications', 'PHILIPS BROADBAND NETWORKS', 'PHILIPS MULTIMEDIA NETWORK', 'Philips Lifeline', 'Philips CareServant', 'Philips Personal Health Solutions', 'Philips Oral Healthcare, Inc.', 'Invivo Research Inc.', 'Respironics, Inc.'],
    medical: true, diversified: true,
    source: `${IEEE}; philips.com; DICOM "Philips Medical Systems" / "Philips Healthcare" (Philips DICOM conformance statements); Respironics (2008) and Invivo (2004) acquisitions. Excluded: Philips Lighting (now Signify), Philips Analytical X-Ray (now Malvern Panalytical)`,
  },
  {
    canonical: 'GE Healthcare',
    aliases: ['GE Healthcare', 'GE HealthCare Technologies', 'GE MEDICAL SYSTEMS', 'GE Medical Systems', 'GE Medical Systems Information Technologies', 'GEMS', 'GEMS IT', 'GE', 'General Electric Healthcare', 'Datex-Ohmeda', 'Datex Ohmeda', 'Datex', 'Ohmeda', 'Marquette', 'Marquette Medical Systems', 'Marquette Hellige', 'Instrumentarium', 'OEC Medical Systems', 'Kretztechnik', 'Corometrics'],
    namePrefixes: ['ge medical', 'ge healthcare', 'datex'],
    ouiOrganisations: ['GE Healthcare', 'GE Medical System(China) Co., Ltd.', 'GE Medical System China Co. Ltd.', 'DATEX DIVISION OF', 'COROMETRICS MEDICAL SYSTEMS', 'Hellige GMBH'],
    medical: true, diversified: true,
    source: `${IEEE}; gehealthcare.com; DICOM "GE MEDICAL SYSTEMS" (GE CT/MR conformance statements); Datex-Ohmeda/Instrumentarium (2003), Marquette (1998), Corometrics and Hellige (via Marquette) acquisitions. General Electric Company blocks are not medical and are excluded`,
  },
  {
    canonical: 'Siemens Healthineers',
    aliases: ['Siemens Healthineers', 'SIEMENS', 'Siemens', 'Siemens Healthcare', 'Siemens Healthcare GmbH', 'Siemens Medical Solutions', 'Siemens Medical Solutions USA', 'Siemens Medical Systems', 'Siemens Healthcare Diagnostics', 'Acuson'],
    namePrefixes: ['siemens healthcare', 'siemens medical', 'siemens healthineers'],
    ouiOrganisations: ['Siemens Healthcare Diagnostics Manufacturing Ltd', 'Siemens Healthcare Diagnostics, Inc', 'Siemens AG, Healthcare Sector', 'Siemens Healthcare Diagnostics', 'ACUSON COMPUTED SONOGRAPHY'],
    medical: true, diversified: true,
    source: `${IEEE}; siemens-healthineers.com; DICOM "SIEMENS" (syngo conformance statements); Acuson acquisition (2000). Other Siemens AG blocks (automation, building technologies) are not medical and are excluded`,
  },
  {
    canonical: 'Canon Medical Systems',
    aliases: ['Canon Medical Systems', 'Canon Medical', 'CANON_MEC', 'TOSHIBA_MEC', 'Toshiba Medical Systems', 'Toshiba Medical', 'Toshiba America Medical Systems', 'TOSHIBA'],
    ouiOrganisations: ['CANON ELECTRON TUBES & DEVICES CO., LTD.', 'Toshiba Electron Tubes & Devices Co., Ltd.'],
    medical: true, diversified: true,
    source: `${IEEE}; global.medical.canon; DICOM "TOSHIBA" / "CANON_MEC" (Toshiba/Canon conformance statements); Canon acquired Toshiba Medical Systems (2016); Toshiba Electron Tubes & Devices was renamed Canon Electron Tubes & Devices (X-ray tubes and detectors)`,
  },
  {
    canonical: 'Fujifilm Healthcare',
    aliases: ['FUJIFILM Healthcare', 'FUJIFILM Corporation', 'FUJIFILM', 'Fujifilm', 'FUJIFILM Medical Systems', 'FUJI PHOTO FILM', 'FUJIFILM SonoSite', 'SonoSite', 'Hitachi Medical', 'Hitachi Medical Corporation', 'Hitachi Healthcare', 'Hitachi Aloka', 'Aloka'],
    namePrefixes: ['fujifilm medical', 'fujifilm healthcare'],
    ouiOrganisations: ['FUJIFILM Healthcare Corporation', 'FUJIFILM Corporation', 'FUJI PHOTO FILM CO., LTD.', 'SonoSite, Inc.', 'Hitachi Aloka Medical, Ltd.'],
    medical: true, diversified: true,
    source: `${IEEE}; fujifilm.com/healthcare; DICOM "FUJIFILM Corporation"/"FUJI PHOTO FILM Co., ltd." (FCR conformance statements); SonoSite (2012) and Hitachi diagnostic imaging (2021) acquisitions. FUJIFILM Business Innovation (office printers) excluded`,
  },
  { canonical: 'Agfa HealthCare', aliases: ['Agfa HealthCare', 'Agfa', 'AGFA', 'Agfa-Gevaert', 'Agfa Healthcare NV'], ouiOrganisations: ['AGFA CORPORATION'], medical: true, diversified: true, source: `${IEEE}; agfahealthcare.com; DICOM "Agfa" (Agfa HealthCare conformance statements). AGFA NDT excluded (non-destructive testing)` },
  { canonical: 'Carestream Health', aliases: ['Carestream Health', 'Carestream', 'CARESTREAM', 'Carestream Dental', 'Kodak Health Group', 'Eastman Kodak Health Group'], ouiOrganisations: ['Carestream Health, Inc.', 'Carestream Healthcare International Company Limited', 'Carestream Dental LLC'], medical: true, source: `${IEEE}; carestream.com; Carestream was Kodak's Health Group until 2007` },
  { canonical: 'Hologic', aliases: ['Hologic', 'HOLOGIC', 'Hologic Inc', 'Lorad'], ouiOrganisations: [], medical: true, source: 'hologic.com; DICOM "HOLOGIC, Inc." (Selenia Dimensions conformance statement). No IEEE block registered under its name' },
  { canonical: 'Konica Minolta', aliases: ['Konica Minolta', 'KONICA MINOLTA', 'Konica Minolta Healthcare', 'Konica Minolta Medical & Graphic'], ouiOrganisations: ['KONICA MINOLTA HOLDINGS, INC.'], medical: true, diversified: true, source: `${IEEE}; konicaminolta.com/healthcare (also makes office printers)` },
  { canonical: 'Shimadzu', aliases: ['Shimadzu', 'SHIMADZU', 'Shimadzu Corporation'], ouiOrganisations: ['SHIMADZU CORPORATION'], medical: true, diversified: true, source: `${IEEE}; shimadzu.com (medical X-ray and laboratory instruments)` },
  { canonical: 'Samsung Medison', aliases: ['Samsung Medison', 'SAMSUNG MEDISON', 'Medison', 'MEDISON', 'Samsung Healthcare'], ouiOrganisations: ['Medison Co., Ltd.', 'MEDISON Xray Co., Ltd'], medical: true, diversified: true, source: `${IEEE}; samsunghealthcare.com; Samsung acquired Medison (2011)` },
  { canonical: 'Mindray', aliases: ['Mindray', 'MINDRAY', 'Shenzhen Mindray Bio-Medical Electronics', 'Mindray DS USA', 'Mindray North America', 'Mindray Medical'], namePrefixes: ['mindray'], ouiOrganisations: ['Mindray Co., Ltd.', 'Mindray DS USA, Inc.', 'Mindray North America', 'Shenzhen Mindray Animal Medical Technology Co.,LTD'], medical: true, source: `${IEEE}; mindray.com` },
  { canonical: 'Nihon Kohden', aliases: ['Nihon Kohden', 'NIHON KOHDEN', 'Nihon Kohden Corporation', 'Nihon Kohden America'], ouiOrganisations: ['NIHON KOHDEN AMERICA'], medical: true, source: `${IEEE}; nihonkohden.com` },
  { canonical: 'Spacelabs Healthcare', aliases: ['Spacelabs Healthcare', 'Spacelabs', 'SPACELABS', 'Spacelabs Medical'], ouiOrganisations: ['SPACELABS MEDICAL'], medical: true, source: `${IEEE}; spacelabshealthcare.com` },
  { canonical: 'Dräger', aliases: ['Dräger', 'Draeger', 'Drager', 'DRAEGER', 'Dräger Medical', 'Draeger Medical', 'Draeger Medical Systems', 'Drägerwerk', 'Draegerwerk', 'Dräger Medical GmbH'], namePrefixes: ['draeger', 'dräger', 'drägerwerk', 'draegerwerk'], ouiOrganisations: ['Draeger Medical', 'Draeger Medical Systems, Inc.', 'Drägerwerk AG & Co. KG aA'], medical: true, source: `${IEEE}; draeger.com` },
  { canonical: 'Hamilton Medical', aliases: ['Hamilton Medical', 'HAMILTON MEDICAL', 'Hamilton Medical AG', 'HAMILTON Bonaduz', 'Hamilton Bonaduz AG'], ouiOrganisations: ['HAMILTON Bonaduz AG'], medical: true, source: `${IEEE}; hamilton-medical.com (Hamilton Medical AG, Bonaduz, part of the Hamilton group registered as HAMILTON Bonaduz AG)` },
  { canonical: 'BD', aliases: ['BD', 'Becton Dickinson', 'Becton, Dickinson and Company', 'Becton Dickinson and Company', 'CareFusion', 'Carefusion', 'Alaris', 'Alaris Medical Systems', 'Cardinal Health Alaris'], ouiOrganisations: ['Becton, Dickinson and Company', 'Becton Dickinson', 'Carefusion', 'ALARIS MEDICAL SYSTEMS, INC.'], medical: true, source: `${IEEE}; bd.com; BD acquired CareFusion (Alaris, Pyxis) in 2015` },
  { canonical: 'B. Braun', aliases: ['B. Braun', 'B.Braun', 'B Braun', 'B. Braun Melsungen', 'B. Braun Medical', 'BBraun'], ouiOrganisations: ['B.Braun Melsungen AG'], medical: true, source: `${IEEE}; bbraun.com` },
  { canonical: 'Baxter', aliases: ['Baxter', 'Baxter International', 'Baxter Healthcare', 'Gambro', 'Vantive'], ouiOrganisations: ['Baxter International Inc', 'Gambro Lundia AB'], medical: true, source: `${IEEE}; baxter.com; Gambro acquisition (2013)` },
  { canonical: 'ICU Medical', aliases: ['ICU Medical', 'Hospira', 'Smiths Medical', 'Smiths Medical ASD'], ouiOrganisations: ['ICU Medical, Inc.'], medical: true, source: `${IEEE}; icumed.com; Hospira infusion systems (2017) and Smiths Medical (2022) acquisitions` },
  { canonical: 'Fresenius Kabi', aliases: ['Fresenius Kabi', 'Fresenius Vial', 'FRESENIUS-VIAL', 'Fresenius Kabi AG'], ouiOrganisations: ['FRESENIUS-VIAL'], medical: true, source: `${IEEE}; fresenius-kabi.com (Fresenius Vial, infusion pumps, is part of Fresenius Kabi)` },
  { canonical: 'Fresenius Medical Care', aliases: ['Fresenius Medical Care', 'FMC', 'Fresenius Medical Care Deutschland', 'Fresenius Medical Care North America'], namePrefixes: ['fresenius medical care'], ouiOrganisations: ['Fresenius Medical Care Deutschland GmbH', 'Fresenius Medical Care R&D (Shanghai) Co.,Ltd.', 'FRESENIUS MEDICAL CARE'], medical: true, source: `${IEEE}; freseniusmedicalcare.com` },
  { canonical: 'Medtronic', aliases: ['Medtronic', 'MEDTRONIC', 'Medtronic MiniMed', 'Covidien', 'Nellcor', 'Puritan Bennett', 'Nellcor Puritan Bennett'], ouiOrganisations: ['Medtronic CRM', 'Medtronic Diabetes', 'Medtronic', 'PURITAN BENNETT'], medical: true, source: `${IEEE}; medtronic.com; Covidien (Nellcor, Puritan Bennett) acquisition (2015)` },
  { canonical: 'Masimo', aliases: ['Masimo', 'MASIMO', 'Masimo Corporation'], ouiOrganisations: ['Masimo Corp', 'Masimo Corporation'], medical: true, source: `${IEEE}; masimo.com` },
  { canonical: 'Hillrom', aliases: ['Hillrom', 'Hill-Rom', 'Hill-Rom Services', 'Welch Allyn', 'WelchAllyn', 'Mortara', 'Mortara Instrument'], ouiOrganisations: ['Hill-Rom', 'Welch Allyn, Inc.', 'Mortara Instrument, Inc.'], medical: true, source: `${IEEE}; hillrom.com (a Baxter company since 2021); Welch Allyn (2015) and Mortara (2017) acquisitions` },
  { canonical: 'Stryker', aliases: ['Stryker', 'Stryker Corporation', 'Physio-Control', 'Physio Control'], ouiOrganisations: ['Stryker Corporation', 'Physio-Control, Inc'], medical: true, source: `${IEEE}; stryker.com; Physio-Control acquisition (2016)` },
  { canonical: 'ZOLL Medical', aliases: ['ZOLL Medical', 'ZOLL', 'Zoll', 'ZOLL Lifecor'], ouiOrganisations: ['ZOLL Lifecor Corporation'], medical: true, source: `${IEEE}; zoll.com` },
  { canonical: 'Edwards Lifesciences', aliases: ['Edwards Lifesciences', 'Edwards'], ouiOrganisations: ['Edwards Lifesciences LLC'], medical: true, source: `${IEEE}; edwards.com` },
  { canonical: 'Getinge', aliases: ['Getinge', 'Maquet', 'MAQUET', 'Maquet Critical Care', 'Maquet Cardiovascular'], namePrefixes: ['maquet', 'getinge'], ouiOrganisations: ['Maquet Cardiopulmonary AG', 'Maquet Critical Care AB', 'Maquet CardioVascular', 'Maquet GmbH', 'Getinge Sterilization AB'], medical: true, source: `${IEEE}; getinge.com (Maquet is a Getinge brand)` },
  { canonical: 'Varian', aliases: ['Varian', 'Varian Medical Systems', 'VARIAN'], ouiOrganisations: ['VARIAN'], medical: true, source: `${IEEE}; varian.com (a Siemens Healthineers company since 2021, still branded Varian)` },
  { canonical: 'Elekta', aliases: ['Elekta', 'ELEKTA', 'Elekta AB', 'IMPAC Medical Systems'], ouiOrganisations: [], medical: true, source: 'elekta.com; DICOM "ELEKTA" (MOSAIQ conformance statements). No IEEE block under its name' },
  { canonical: 'Accuray', aliases: ['Accuray', 'Accuray Incorporated', 'TomoTherapy'], ouiOrganisations: [], medical: true, source: 'accuray.com. No IEEE block under its name' },
  { canonical: 'Intuitive Surgical', aliases: ['Intuitive Surgical', 'Intuitive'], ouiOrganisations: ['Intuitive Surgical, Inc'], medical: true, source: `${IEEE}; intuitive.com` },
  { canonical: 'Olympus', aliases: ['Olympus', 'OLYMPUS', 'Olympus Medical Systems'], ouiOrganisations: ['OLYMPUS CORPORATION', 'OLYMPUS IMAGE SYSTEMS, INC.', 'Olympus Soft Imaging Solutions GmbH'], medical: true, diversified: true, source: `${IEEE}; olympus-global.com. Olympus NDT (now Evident) excluded` },
  { canonical: 'KARL STORZ', aliases: ['KARL STORZ', 'Karl Storz', 'Karl Storz Imaging', 'KARL STORZ SE'], ouiOrganisations: ['Karl Storz Imaging'], medical: true, source: `${IEEE}; karlstorz.com` },
  { canonical: 'Abbott', aliases: ['Abbott', 'Abbott Laboratories', 'Abbott Diagnostics', 'Abbott Point of Care', 'i-STAT', 'St. Jude Medical'], namePrefixes: ['abbott diagnostics'], ouiOrganisations: ['Abbott Diagnostics', 'Abbott Point of Care', 'Abbott Diagnostics Technologies AS'], medical: true, source: `${IEEE}; abbott.com. Abbott Medical Optics (sold to Johnson & Johnson in 2017) excluded` },
  { canonical: 'Roche Diagnostics', aliases: ['Roche Diagnostics', 'Roche', 'ROCHE', 'Roche Diagnostics GmbH'], namePrefixes: ['roche diagnostics'], ouiOrganisations: ['Roche Diagnostics GmbH', 'Roche Diagnostics International Ltd.', 'Roche Diagnostics'], medical: true, source: `${IEEE}; diagnostics.roche.com` },
  { canonical: 'Beckman Coulter', aliases: ['Beckman Coulter', 'BECKMAN COULTER', 'Beckman'], ouiOrganisations: ['Beckman Coulter K.K.', 'Beckman Coulter Inc', 'BECKMAN LAB. AUTOMATION DIV.'], medical: true, source: `${IEEE}; beckmancoulter.com` },
  { canonical: 'Sysmex', aliases: ['Sysmex', 'SYSMEX', 'Sysmex Corporation'], ouiOrganisations: ['Sysmex Corporation'], medical: true, source: `${IEEE}; sysmex.com` },
  { canonical: 'Bio-Rad', aliases: ['Bio-Rad', 'Bio-Rad Laboratories', 'BIO-RAD'], ouiOrganisations: ['Bio-Rad Laboratories, Inc.'], medical: true, diversified: true, source: `${IEEE}; bio-rad.com` },
  { canonical: 'Terumo', aliases: ['Terumo', 'TERUMO', 'Terumo Corporation'], ouiOrganisations: ['TERUMO CORPORATION'], medical: true, diversified: true, source: `${IEEE}; terumo.com` },
  { canonical: 'Nipro', aliases: ['Nipro', 'NIPRO', 'Nipro Diagnostics'], ouiOrganisations: ['Nipro Diagnostics, Inc'], medical: true, diversified: true, source: `${IEEE}; nipro.co.jp` },
  { canonical: 'Schiller', aliases: ['Schiller', 'SCHILLER', 'Schiller AG'], ouiOrganisations: ['SCHILLER AG'], medical: true, source: `${IEEE}; schiller.ch` },
  { canonical: 'Esaote', aliases: ['Esaote', 'ESAOTE'], ouiOrganisations: ['ESAOTE S.p.A.'], medical: true, source: `${IEEE}; esaote.com` },
  { canonical: 'Planmeca', aliases: ['Planmeca', 'PLANMECA'], ouiOrganisations: ['Planmeca Oy'], medical: true, source: `${IEEE}; planmeca.com` },
  { canonical: 'Dentsply Sirona', aliases: ['Dentsply Sirona', 'Sirona', 'SIRONA', 'Sirona Dental Systems'], ouiOrganisations: ['SIRONA DENTAL SYSTEMS GmbH & Co. KG'], medical: true, source: `${IEEE}; dentsplysirona.com` },
  { canonical: 'Carl Zeiss Meditec', aliases: ['Carl Zeiss Meditec', 'ZEISS', 'Carl Zeiss', 'Zeiss'], ouiOrganisations: ['CARL ZEISS', 'Carl Zeiss AG'], medical: true, diversified: true, source: `${IEEE}; zeiss.com/meditec` },
  { canonical: 'Heidelberg Engineering', aliases: ['Heidelberg Engineering', 'HEIDELBERG ENGINEERING'], ouiOrganisations: ['Heidelberg Engineering GmbH'], medical: true, source: `${IEEE}; heidelbergengineering.com` },
  { canonical: 'Topcon', aliases: ['Topcon', 'TOPCON', 'Topcon Healthcare'], ouiOrganisations: ['TOPCON CORPORATION'], medical: true, diversified: true, source: `${IEEE}; topconhealthcare.com. Topcon Positioning Systems excluded` },
  { canonical: 'NIDEK', aliases: ['NIDEK', 'Nidek'], ouiOrganisations: ['NIDEK CO.,LTD'], medical: true, source: `${IEEE}; nidek.com` },
  { canonical: 'ResMed', aliases: ['ResMed', 'RESMED'], ouiOrganisations: ['ResMed Ltd', 'RESMED PTY LTD'], medical: true, source: `${IEEE}; resmed.com` },
  { canonical: 'Nonin Medical', aliases: ['Nonin Medical', 'Nonin'], ouiOrganisations: ['Nonin Medical Inc.'], medical: true, source: `${IEEE}; nonin.com` },
  { canonical: 'Edan Instruments', aliases: ['Edan Instruments', 'EDAN', 'Edan'], ouiOrganisations: ['Edan Instruments, Inc.'], medical: true, source: `${IEEE}; edan.com` },
  { canonical: 'Biotronik', aliases: ['Biotronik', 'BIOTRONIK'], ouiOrganisations: ['BIOTRONIK GmbH & Co'], medical: true, source: `${IEEE}; biotronik.com` },
  { canonical: 'Boston Scientific', aliases: ['Boston Scientific', 'BSC'], ouiOrganisations: ['Boston Scientific'], medical: true, source: `${IEEE}; bostonscientific.com` },
  { canonical: 'Criticare Technologies', aliases: ['Criticare Technologies', 'Criticare', 'Criticare Systems'], ouiOrganisations: ['Criticare Systems, Inc'], medical: true, source: `${IEEE}; criticaretechnologies.com` },
  { canonical: 'Mennen Medical', aliases: ['Mennen Medical', 'MENNEN'], ouiOrganisations: ['MENNEN MEDICAL INC.'], medical: true, source: `${IEEE}; mennenmedical.com` },
  { canonical: 'Vyaire Medical', aliases: ['Vyaire Medical', 'Vyaire', 'Viasys Healthcare'], ouiOrganisations: ['VIASYS Healthcare GmbH'], medical: true, source: `${IEEE}; vyaire.com (Viasys → CareFusion respiratory → Vyaire, 2016)` },
  { canonical: 'Compumedics', aliases: ['Compumedics'], ouiOrganisations: ['Compumedics Ltd', 'Compumedics Germany GmbH'], medical: true, source: `${IEEE}; compumedics.com.au` },
  { canonical: 'Laerdal Medical', aliases: ['Laerdal Medical', 'Laerdal'], ouiOrganisations: ['Laerdal Medical'], medical: true, source: `${IEEE}; laerdal.com` },
  { canonical: 'Spectrum Medical', aliases: ['Spectrum Medical'], ouiOrganisations: ['Spectrum Medical Limited'], medical: true, source: `${IEEE}; spectrummedical.com` },
  { canonical: 'Eitan Medical', aliases: ['Eitan Medical', 'Q Core Medical', 'Q-Core Medical', 'QCORE'], ouiOrganisations: ['Q Core Medical Ltd', 'QCORE Medical'], medical: true, source: `${IEEE}; eitanmedical.com (Q Core Medical renamed Eitan Medical, Sapphire infusion pumps)` },
  { canonical: 'Ivenix', aliases: ['Ivenix'], ouiOrganisations: ['Ivenix, Inc.'], medical: true, source: `${IEEE}; ivenix.com (Fresenius Kabi company since 2022, Ivenix infusion system)` },
  { canonical: 'CAS Medical Systems', aliases: ['CAS Medical Systems', 'CASMED'], ouiOrganisations: ['CAS Medical Systems, Inc'], medical: true, source: `${IEEE}; casmed.com` },
  { canonical: 'Omron Healthcare', aliases: ['Omron Healthcare', 'OMRON HEALTHCARE'], ouiOrganisations: ['Omron Healthcare Co., Ltd', 'OMRON HEALTHCARE Co., Ltd.'], medical: true, diversified: true, source: `${IEEE}; omronhealthcare.com` },
  { canonical: 'Breas Medical', aliases: ['Breas Medical', 'Breas'], ouiOrganisations: ['Breas Medical AB'], medical: true, source: `${IEEE}; breas.com` },
  { canonical: 'Air Liquide Medical Systems', aliases: ['Air Liquide Medical Systems'], ouiOrganisations: ['AIR LIQUIDE MEDICAL SYSTEMS'], medical: true, diversified: true, source: `${IEEE}; airliquidehealthcare.com` },
  { canonical: 'Huntleigh Healthcare', aliases: ['Huntleigh Healthcare', 'Huntleigh', 'Arjo Huntleigh'], ouiOrganisations: ['Huntleigh Healthcare'], medical: true, source: `${IEEE}; huntleigh-diagnostics.com` },
  { canonical: 'SunTech Medical', aliases: ['SunTech Medical', 'SunTech'], ouiOrganisations: ['SunTech Medical, Inc.'], medical: true, source: `${IEEE}; suntechmed.com` },
  { canonical: 'Bionet', aliases: ['Bionet', 'BIONET'], ouiOrganisations: ['Bionet Co., Ltd.'], medical: true, source: `${IEEE}; ebionet.com` },
  { canonical: 'Alpinion Medical Systems', aliases: ['Alpinion Medical Systems', 'ALPINION'], ouiOrganisations: ['Alpinion Medical Systems'], medical: true, source: `${IEEE}; alpinion.com` },
  { canonical: 'CHISON Medical', aliases: ['CHISON Medical', 'CHISON', 'Chison Medical Technologies'], ouiOrganisations: ['CHISON Medical Technologies Co., Ltd.'], medical: true, source: `${IEEE}; chison.com` },
  { canonical: 'Excel Medical', aliases: ['Excel Medical', 'Excel Medical Electronics'], ouiOrganisations: ['Excel Medical Electronics LLC'], medical: true, source: `${IEEE}; excel-medical.com` },
  { canonical: 'Cardinal Health', aliases: ['Cardinal Health'], ouiOrganisations: ['Cardinal Health'], medical: true, diversified: true, source: `${IEEE}; cardinalhealth.com` },
  { canonical: 'Ascom', aliases: ['Ascom', 'ASCOM', 'Ascom Wireless Solutions'], ouiOrganisations: ['Ascom Tateco AB', 'Ascom Danmark A/S', 'ASCOM INFRASYS AG'], medical: true, diversified: true, source: `${IEEE}; ascom.com (nurse call and clinical alarm messaging)` },
  { canonical: 'Rauland', aliases: ['Rauland', 'Rauland-Borg', 'RAULAND'], ouiOrganisations: ['RAULAND-BORG CORPORATION'], medical: true, source: `${IEEE}; rauland.com (nurse call)` },
  { canonical: 'Vocera', aliases: ['Vocera', 'Vocera Communications'], ouiOrganisations: ['Vocera Communications'], medical: false, source: `${IEEE}; vocera.com (clinical communication badges, a Stryker company)` },
  { canonical: 'Sectra', aliases: ['Sectra', 'SECTRA', 'Sectra Imtec'], ouiOrganisations: [], medical: true, source: 'sectra.com; DICOM "SECTRA" (Sectra PACS conformance statements). No IEEE block under its name' },
  { canonical: 'Merge Healthcare', aliases: ['Merge Healthcare', 'Merge', 'MERGE', 'Merge Technologies', 'Merative'], ouiOrganisations: [], medical: true, source: 'merative.com (Merge PACS, Merge DICOM Toolkit). No IEEE block under its name' },
  // Issue 16: manufacturers named by the CISA ICSMA advisories (../shared/advisories) that the
  // table lacked; no IEEE blocks recorded for them yet.
  { canonical: 'Illumina', aliases: ['Illumina', 'Illumina Inc'], ouiOrganisations: ['Illumina'], medical: true, source: 'illumina.com (MiSeqDx, NextSeq 550Dx clinical sequencers); CISA ICSMA-23-117-01' },
  { canonical: 'Insulet', aliases: ['Insulet', 'Insulet Corporation', 'Omnipod'], ouiOrganisations: [], medical: true, source: 'insulet.com (Omnipod); CISA ICSMA-20-079-01' },
  { canonical: 'Natus Medical', aliases: ['Natus Medical', 'Natus', 'Natus Medical Incorporated', 'Excel-Tech', 'Xltek'], ouiOrganisations: [], medical: true, source: 'natus.com (NeuroWorks EEG, Xltek); CISA ICSMA-18-165-01' },
  { canonical: 'Contec Medical Systems', aliases: ['Contec Medical Systems', 'Contec Health', 'CONTEC Medical', 'Contec Medical Systems Co'], ouiOrganisations: [], medical: true, source: 'contecmed.com (CMS8000 patient monitor); CISA ICSMA-22-244-01, ICSMA-25-030-01. Not CONTEC CO., LTD. (industrial PCs), whose IEEE blocks are not recorded here' },
  { canonical: 'Change Healthcare', aliases: ['Change Healthcare', 'McKesson Medical Imaging', 'McKesson Technologies', 'McKesson', 'Optum Change Healthcare'], ouiOrganisations: [], medical: true, source: 'changehealthcare.com (Change Healthcare Cardiology, formerly McKesson Cardiology/Horizon Cardiology, PeerVue); CISA ICSMA-18-277-02, ICSMA-19-241-01' },
  { canonical: 'Swisslog Healthcare', aliases: ['Swisslog Healthcare', 'Swisslog', 'Translogic'], ouiOrganisations: [], medical: true, source: 'swisslog-healthcare.com (TransLogic pneumatic tube, Nexus control panel); CISA ICSMA-21-215-01' },
  { canonical: 'Softneta', aliases: ['Softneta', 'Softneta UAB'], ouiOrganisations: [], medical: true, source: 'softneta.com (MedDream PACS, DICOM viewer); CISA ICSMA-23-248-01' },
  { canonical: 'OFFIS', aliases: ['OFFIS', 'OFFIS e.V.', 'OFFIS DICOM Team', 'DCMTK'], ouiOrganisations: [], medical: false, source: 'dicom.offis.de (DCMTK, an open-source DICOM toolkit, not a device); CISA ICSMA-22-174-01' },
  { canonical: 'Orthanc', aliases: ['Orthanc', 'Orthanc Team', 'Osimis', 'Osimis SA'], ouiOrganisations: [], medical: false, source: 'orthanc-server.com (open-source DICOM server, not a cleared device); CISA ICSMA-24-023-01, ICSMA-25-037-02' },
  { canonical: 'MicroDicom', aliases: ['MicroDicom', 'MicroDicom Ltd'], ouiOrganisations: [], medical: false, source: 'microdicom.com (free DICOM viewer, not a cleared device); CISA ICSMA-24-060-01, ICSMA-24-163-01, ICSMA-25-037-01' },
  { canonical: 'Santesoft', aliases: ['Santesoft', 'Santesoft Ltd', 'Santesoft LTD'], ouiOrganisations: [], medical: false, source: 'santesoft.com (Sante DICOM Viewer, FFT Imaging); CISA ICSMA-23-285-01, ICSMA-23-285-02, ICSMA-24-058-01, ICSMA-24-065-01' },
  { canonical: 'Medixant', aliases: ['Medixant', 'RadiAnt'], ouiOrganisations: [], medical: false, source: 'radiantviewer.com (RadiAnt DICOM Viewer); CISA ICSMA-25-051-01' },
  { canonical: 'SOOIL Developments', aliases: ['SOOIL Developments', 'SOOIL Development', 'SOOIL', 'SOOIL Developments Co'], ouiOrganisations: [], medical: true, source: 'sooil.com (Dana Diabecare RS insulin pump); CISA ICSMA-21-012-01' },
  { canonical: 'Ypsomed', aliases: ['Ypsomed', 'Ypsomed AG'], ouiOrganisations: [], medical: true, source: 'ypsomed.com (mylife insulin pump app and cloud); CISA ICSMA-21-196-01' },
  { canonical: 'Qardio', aliases: ['Qardio', 'Qardio Inc'], ouiOrganisations: [], medical: true, source: 'getqardio.com (QardioArm blood pressure monitor); CISA ICSMA-25-044-01' },
  { canonical: 'AliveCor', aliases: ['AliveCor', 'AliveCor Inc'], ouiOrganisations: [], medical: true, source: 'alivecor.com (KardiaMobile ECG); CISA ICSMA-22-298-01' },
  { canonical: 'Dario Health', aliases: ['Dario Health', 'DarioHealth', 'LabStyle Innovations'], ouiOrganisations: [], medical: true, source: 'dariohealth.com (Dario blood glucose monitoring system); CISA ICSMA-25-058-01' },
  { canonical: 'BPL Medical Technologies', aliases: ['BPL Medical Technologies', 'BPL Medical', 'BPL'], ouiOrganisations: ['BPL MEDICAL TECHNOLOGIES PRIVATE LIMITED'], medical: true, source: 'bplmedicaltechnologies.com (PWS-01-BT weighing scale, Be Well app); CISA ICSMA-24-254-01' },
  { canonical: 'BeaconMedaes', aliases: ['BeaconMedaes', 'Beacon Medaes', 'Beacon Medical Products'], ouiOrganisations: ['Beacon Medical Products LLC d.b.a. BeaconMedaes'], medical: true, source: 'beaconmedaes.com (TotalAlert medical air and gas alarm systems); CISA ICSMA-18-144-01' },
  { canonical: 'BMC Medical', aliases: ['BMC Medical', '3B Medical', 'BMC Medical Co'], ouiOrganisations: [], medical: true, source: 'bmc-medical.com, 3bproducts.com (Luna CPAP); CISA ICSMA-17-227-01' },
  { canonical: 'Innokas', aliases: ['Innokas', 'Innokas Yhtymä', 'Innokas Medical', 'Innokas Group'], ouiOrganisations: ['Innokas Group'], medical: true, source: 'innokas.com (VC150 vital signs monitor, contract manufacturer); CISA ICSMA-21-007-01' },
  { canonical: 'i-SENS', aliases: ['i-SENS', 'i-SENS Inc', 'iSENS', 'CareSens'], ouiOrganisations: [], medical: true, source: 'i-sens.com (SmartLog diabetes management software, CareSens meters); CISA ICSMA-17-250-01' },
  { canonical: 'Ossur', aliases: ['Ossur', 'Össur', 'Ossur hf'], ouiOrganisations: [], medical: true, source: 'ossur.com (prosthetics, Logic mobile app); CISA ICSMA-24-354-01' },
  { canonical: 'LifePoint Informatics', aliases: ['LifePoint Informatics', 'LifePoint'], ouiOrganisations: [], medical: false, source: 'lifepoint.com (laboratory patient portal, not a device); CISA ICSMA-22-095-01' },
  { canonical: 'OpenClinic GA', aliases: ['OpenClinic GA', 'OpenClinic'], ouiOrganisations: [], medical: false, source: 'sourceforge.net/projects/open-clinic (open-source hospital information system, not a device); CISA ICSMA-20-184-01' },
  { canonical: 'Johnson & Johnson MedTech', aliases: ['Johnson & Johnson MedTech', 'Johnson & Johnson', 'Ethicon', 'Ethicon Endo-Surgery', 'DePuy Synthes', 'Biosense Webster', 'Johnson and Johnson'], ouiOrganisations: ['JOHNSON & JOHNSON MEDICAL, INC'], medical: true, diversified: true, source: 'jnjmedtech.com (Ethicon Endo-Surgery Gen11 generator, Biosense Webster CARTO, DePuy Synthes); CISA ICSMA-17-332-01; Johnson & Johnson also makes consumer products: diversified' },
  // Issue 16: small IEEE registrants that make only medical devices, by their registered names
  // (organisation name verbatim in ouiOrganisations). Their MAC blocks alone make a device weakly
  // medical. Chosen from every oui-data organisation whose name says medical, diagnostics, surgical,
  // dialysis, cardiac or patient, dropping the ones that are not device makers (hospitality,
  // automotive diagnostics, HVAC, contract manufacturers, Philips Analytical X-Ray).
  { canonical: 'ACIST Medical Systems', aliases: ['ACIST Medical Systems'], ouiOrganisations: ['ACIST Medical Systems, Inc.'], medical: true, source: IEEE_SMALL },
  { canonical: 'ACOMA Medical Industry', aliases: ['ACOMA Medical Industry'], ouiOrganisations: ['ACOMA Medical Industry Co,. Ltd.'], medical: true, source: IEEE_SMALL },
  { canonical: 'AMEDTEC Medizintechnik', aliases: ['AMEDTEC Medizintechnik'], ouiOrganisations: ['AMEDTEC Medizintechnik Aue GmbH'], medical: true, source: IEEE_SMALL },
  { canonical: 'AMF Medical', aliases: ['AMF Medical'], ouiOrganisations: ['AMF Medical SA'], medical: true, source: IEEE_SMALL },
  { canonical: 'Advanced Ventilation Applications', aliases: ['Advanced Ventilation Applications'], ouiOrganisations: ['Advanced Ventilation Applications, Inc.'], medical: true, source: IEEE_SMALL },
  { canonical: 'BMT Medical Technology', aliases: ['BMT Medical Technology'], ouiOrganisations: ['BMT Medical Technology s.r.o.'], medical: true, source: IEEE_SMALL },
  { canonical: 'Beijing QS Medical Technology', aliases: ['Beijing QS Medical Technology'], ouiOrganisations: ['Beijing QS Medical Technology Co., Ltd.'], medical: true, source: IEEE_SMALL },
  { canonical: 'Camtronics Medical Systems', aliases: ['Camtronics Medical Systems'], ouiOrganisations: ['CAMTRONICS MEDICAL SYSTEMS'], medical: true, source: IEEE_SMALL },
  { canonical: 'Cardiac Recorders', aliases: ['Cardiac Recorders'], ouiOrganisations: ['CARDIAC RECORDERS, INC.'], medical: true, source: IEEE_SMALL },
  { canonical: 'Cirtec Medical Systems', aliases: ['Cirtec Medical Systems'], ouiOrganisations: ['CIRTEC MEDICAL SYSTEMS'], medical: true, source: IEEE_SMALL },
  { canonical: 'CMA Microdialysis', aliases: ['CMA Microdialysis'], ouiOrganisations: ['CMA/Microdialysis AB'], medical: true, source: IEEE_SMALL },
  { canonical: 'CMT Medical Technologies', aliases: ['CMT Medical Technologies'], ouiOrganisations: ['CMT Medical technologies'], medical: true, source: IEEE_SMALL },
  { canonical: 'Calypso Medical', aliases: ['Calypso Medical'], ouiOrganisations: ['Calypso Medical'], medical: true, source: IEEE_SMALL },
  { canonical: 'CMR Surgical', aliases: ['CMR Surgical'], ouiOrganisations: ['Cambridge Medical Robotics Ltd'], medical: true, source: IEEE_SMALL },
  { canonical: 'CardioNet', aliases: ['CardioNet'], ouiOrganisations: ['CardioNet, Inc'], medical: true, source: IEEE_SMALL },
  { canonical: 'CardioTek', aliases: ['CardioTek'], ouiOrganisations: ['CardioTek B.V.'], medical: true, source: IEEE_SMALL },
  { canonical: 'Cardiopulmonary Corp', aliases: ['Cardiopulmonary Corp'], ouiOrganisations: ['Cardiopulmonary Corp'], medical: true, source: IEEE_SMALL },
  { canonical: 'Cheetah Medical', aliases: ['Cheetah Medical'], ouiOrganisations: ['Cheetah Medical'], medical: true, source: IEEE_SMALL },
  { canonical: 'Clarity Medical', aliases: ['Clarity Medical'], ouiOrganisations: ['Clarity Medical Pvt Ltd'], medical: true, source: IEEE_SMALL },
  { canonical: 'Comfit HealthCare Devices', aliases: ['Comfit HealthCare Devices'], ouiOrganisations: ['Comfit HealthCare Devices Limited'], medical: true, source: IEEE_SMALL },
  { canonical: 'Credo Diagnostics Biomedical', aliases: ['Credo Diagnostics Biomedical'], ouiOrganisations: ['Credo Diagnostics Biomedical Pte. Ltd. Taiwan branch(SINGAPORE)'], medical: true, source: IEEE_SMALL },
  { canonical: 'Diatek Patient Management', aliases: ['Diatek Patient Management'], ouiOrganisations: ['DIATEK PATIENT MANAGMENT'], medical: true, source: IEEE_SMALL },
  { canonical: 'Deymed Diagnostic', aliases: ['Deymed Diagnostic'], ouiOrganisations: ['Deymed Diagnostic'], medical: true, source: IEEE_SMALL },
  { canonical: 'Dovideq Medical Systems', aliases: ['Dovideq Medical Systems'], ouiOrganisations: ['Dovideq Medical Systems BV'], medical: true, source: IEEE_SMALL },
  { canonical: 'EBI Patient Care', aliases: ['EBI Patient Care'], ouiOrganisations: ['EBI Patient Care, Inc.'], medical: true, source: IEEE_SMALL },
  { canonical: 'EGMedical', aliases: ['EGMedical'], ouiOrganisations: ['EGMedical, s.r.o.'], medical: true, source: IEEE_SMALL },
  { canonical: 'EUROIMMUN', aliases: ['EUROIMMUN'], ouiOrganisations: ['EUROIMMUN Medizinische Labordiagnostika AG'], medical: true, source: IEEE_SMALL },
  { canonical: 'Enigma Diagnostics', aliases: ['Enigma Diagnostics'], ouiOrganisations: ['Enigma Diagnostics Limited'], medical: true, source: IEEE_SMALL },
  { canonical: 'Erbe Elektromedizin', aliases: ['Erbe Elektromedizin'], ouiOrganisations: ['Erbe Elektromedizin GmbH'], medical: true, source: IEEE_SMALL },
  { canonical: 'Exemplar Medical', aliases: ['Exemplar Medical'], ouiOrganisations: ['Exemplar Medical, LLC'], medical: true, source: IEEE_SMALL },
  { canonical: 'FieldLine Medical', aliases: ['FieldLine Medical'], ouiOrganisations: ['FieldLine Medical'], medical: true, source: IEEE_SMALL },
  { canonical: 'Fortis Medical Devices', aliases: ['Fortis Medical Devices'], ouiOrganisations: ['Fortis Medical Devices LTD'], medical: true, source: IEEE_SMALL },
  { canonical: 'GETEMED', aliases: ['GETEMED'], ouiOrganisations: ['GETEMED Medizin- und Informationstechnik AG'], medical: true, source: IEEE_SMALL },
  { canonical: 'GS Elektromedizinische Geräte', aliases: ['GS Elektromedizinische Geräte'], ouiOrganisations: ['GS Elektromedizinsiche Geräte G. Stemple GmbH'], medical: true, source: IEEE_SMALL },
  { canonical: 'Transtek Medical Electronics', aliases: ['Transtek Medical Electronics'], ouiOrganisations: ['Guangdong Transtek Medical Electronics CO.,Ltd', 'Guangdong Transtek Medical Electronics Co., Ltd.'], medical: true, source: IEEE_SMALL },
  { canonical: 'Hanshin Medical', aliases: ['Hanshin Medical'], ouiOrganisations: ['HANSHIN MEDICAL CO., LTD.'], medical: true, source: IEEE_SMALL },
  { canonical: 'Hoana Medical', aliases: ['Hoana Medical'], ouiOrganisations: ['Hoana Medical, Inc.'], medical: true, source: IEEE_SMALL },
  { canonical: 'Ishida Medical', aliases: ['Ishida Medical'], ouiOrganisations: ['ISHIDA MEDICAL CO., LTD.'], medical: true, source: IEEE_SMALL },
  { canonical: 'Innotrac Diagnostics', aliases: ['Innotrac Diagnostics'], ouiOrganisations: ['Innotrac Diagnostics Oy'], medical: true, source: IEEE_SMALL },
  { canonical: 'Integrated Medical Systems', aliases: ['Integrated Medical Systems'], ouiOrganisations: ['Integrated Medical Systems, Inc.'], medical: true, source: IEEE_SMALL },
  { canonical: 'Ivy Biomedical', aliases: ['Ivy Biomedical'], ouiOrganisations: ['Ivy Biomedical'], medical: true, source: IEEE_SMALL },
  { canonical: 'Jiuyee Medical Technology', aliases: ['Jiuyee Medical Technology'], ouiOrganisations: ['JIUYEE?shenzhen) Medical Technology Co.,Ltd'], medical: true, source: IEEE_SMALL },
  { canonical: 'JiangYu Innovative Medical Technology', aliases: ['JiangYu Innovative Medical Technology'], ouiOrganisations: ['JiangYu Innovative Medical Technology'], medical: true, source: IEEE_SMALL },
  { canonical: 'LRE Medical', aliases: ['LRE Medical'], ouiOrganisations: ['LRE Medical GmbH'], medical: true, source: IEEE_SMALL },
  { canonical: 'MBio Diagnostics', aliases: ['MBio Diagnostics'], ouiOrganisations: ['MBio Diagnostics, Inc.'], medical: true, source: IEEE_SMALL },
  { canonical: 'Medcaptain Medical Technology', aliases: ['Medcaptain Medical Technology'], ouiOrganisations: ['MEDCAPTAIN MEDICAL TECHNOLOGY CO., LTD.'], medical: true, source: IEEE_SMALL },
  { canonical: 'MELAG Medizintechnik', aliases: ['MELAG Medizintechnik'], ouiOrganisations: ['MELAG Medizintechnik GmbH & Co. KG'], medical: true, source: IEEE_SMALL },
  { canonical: 'MIR Medical International Research', aliases: ['MIR Medical International Research'], ouiOrganisations: ['MIR - Medical International Research'], medical: true, source: IEEE_SMALL },
  { canonical: 'Minami Medical Technology', aliases: ['Minami Medical Technology'], ouiOrganisations: ['Minami Medical Technology (Guangdong) Co.,Ltd'], medical: true, source: IEEE_SMALL },
  { canonical: 'NDS Surgical Imaging', aliases: ['NDS Surgical Imaging'], ouiOrganisations: ['NDS Surgical Imaging'], medical: true, source: IEEE_SMALL },
  { canonical: 'Nox Medical', aliases: ['Nox Medical'], ouiOrganisations: ['Nox Medical'], medical: true, source: IEEE_SMALL },
  { canonical: 'Ortivus Medical', aliases: ['Ortivus Medical'], ouiOrganisations: ['ORTIVUS MEDICAL AB'], medical: true, source: IEEE_SMALL },
  { canonical: 'OptiScan Biomedical', aliases: ['OptiScan Biomedical'], ouiOrganisations: ['OptiScan Biomedical Corp.'], medical: true, source: IEEE_SMALL },
  { canonical: 'Optimedical Systems', aliases: ['Optimedical Systems'], ouiOrganisations: ['Optimedical Systems'], medical: true, source: IEEE_SMALL },
  { canonical: 'Orion Diagnostica', aliases: ['Orion Diagnostica'], ouiOrganisations: ['Orion Diagnostica Oy'], medical: true, source: IEEE_SMALL },
  { canonical: 'Ottobock', aliases: ['Ottobock'], ouiOrganisations: ['Otto Bock Healthcare Products GmbH'], medical: true, source: IEEE_SMALL },
  { canonical: 'Palomar Medical Technologies', aliases: ['Palomar Medical Technologies'], ouiOrganisations: ['Palomar Medical Technologies'], medical: true, source: IEEE_SMALL },
  { canonical: 'Profound Medical', aliases: ['Profound Medical'], ouiOrganisations: ['Profound Medical Inc.'], medical: true, source: IEEE_SMALL },
  { canonical: 'QT Medical', aliases: ['QT Medical'], ouiOrganisations: ['QT medical inc'], medical: true, source: IEEE_SMALL },
  { canonical: 'RF Surgical Systems', aliases: ['RF Surgical Systems'], ouiOrganisations: ['RF Surgical System Inc.'], medical: true, source: IEEE_SMALL },
  { canonical: 'RefleXion Medical', aliases: ['RefleXion Medical'], ouiOrganisations: ['Reflexion Medical'], medical: true, source: IEEE_SMALL },
  { canonical: 'Sensium Healthcare', aliases: ['Sensium Healthcare'], ouiOrganisations: ['Sensium Healthcare Limited'], medical: true, source: IEEE_SMALL },
  { canonical: 'Sensus Healthcare', aliases: ['Sensus Healthcare'], ouiOrganisations: ['Sensus Healthcare'], medical: true, source: IEEE_SMALL },
  { canonical: 'Shanghai Heartcare Medical Technology', aliases: ['Shanghai Heartcare Medical Technology'], ouiOrganisations: ['Shanghai Heartcare Medical Technology Co.,Ltd.'], medical: true, source: IEEE_SMALL },
  { canonical: 'Listent Medical', aliases: ['Listent Medical'], ouiOrganisations: ['Shanghai Listent Medical Tech Co., Ltd.'], medical: true, source: IEEE_SMALL },
  { canonical: 'SIUI', aliases: ['SIUI'], ouiOrganisations: ['Shantou Institute of Ultrasonic Instruments'], medical: true, source: IEEE_SMALL },
  { canonical: 'Melevet Medical', aliases: ['Melevet Medical'], ouiOrganisations: ['ShenZhen melevet medical Inc.,Ltd.'], medical: true, source: IEEE_SMALL },
  { canonical: 'Lifesense Medical Electronics', aliases: ['Lifesense Medical Electronics'], ouiOrganisations: ['Shenzhen Lifesense Medical Electronics Co., Ltd.'], medical: true, source: IEEE_SMALL },
  { canonical: 'STRATEC Biomedical', aliases: ['STRATEC Biomedical'], ouiOrganisations: ['Stratec Biomedical AG'], medical: true, source: IEEE_SMALL },
  { canonical: 'Sunray Medical Apparatus', aliases: ['Sunray Medical Apparatus'], ouiOrganisations: ['Sunray Medical Apparatus Co.,Ltd.'], medical: true, source: IEEE_SMALL },
  { canonical: 'Toyo Medic', aliases: ['Toyo Medic'], ouiOrganisations: ['TOYO MEDIC CO.,LTD.'], medical: true, source: IEEE_SMALL },
  { canonical: 'TZ Medical', aliases: ['TZ Medical'], ouiOrganisations: ['TZMedical Inc.'], medical: true, source: IEEE_SMALL },
  { canonical: 'Aulisa Medical', aliases: ['Aulisa Medical'], ouiOrganisations: ['Taiwan Aulisa Medical Devices Technologies, Inc'], medical: true, source: IEEE_SMALL },
  { canonical: 'Tiba Medical', aliases: ['Tiba Medical'], ouiOrganisations: ['Tiba Medical Inc'], medical: true, source: IEEE_SMALL },
  { canonical: 'Toray Medical', aliases: ['Toray Medical'], ouiOrganisations: ['Toray Medical Company Limited', 'Toray　Medical　Co.,Ltd'], medical: true, source: IEEE_SMALL },
  { canonical: 'Trek Diagnostic Systems', aliases: ['Trek Diagnostic Systems'], ouiOrganisations: ['Trek Diagnostics Inc.'], medical: true, source: IEEE_SMALL },
  { canonical: 'Umano Medical', aliases: ['Umano Medical'], ouiOrganisations: ['Umano Medical Inc.'], medical: true, source: IEEE_SMALL },
  { canonical: 'Weigao Nikkiso Dialysis', aliases: ['Weigao Nikkiso Dialysis'], ouiOrganisations: ['Weigao Nikkiso(Weihai)Dialysis Equipment Co.,Ltd'], medical: true, source: IEEE_SMALL },
  { canonical: 'Weigao Medical Imaging', aliases: ['Weigao Medical Imaging'], ouiOrganisations: ['Weihai Weigao Medical Imaging Technology Co., Ltd'], medical: true, source: IEEE_SMALL },
  { canonical: 'Weinmann Medical', aliases: ['Weinmann Medical'], ouiOrganisations: ['Weinmann Geräte für Medizin GmbH + Co. KG'], medical: true, source: IEEE_SMALL },
  { canonical: 'Zimmer Elektromedizin', aliases: ['Zimmer Elektromedizin'], ouiOrganisations: ['Zimmer Elektromedizin'], medical: true, source: IEEE_SMALL },
  { canonical: 'Zoe Medical', aliases: ['Zoe Medical'], ouiOrganisations: ['Zoe Medical'], medical: true, source: IEEE_SMALL },
  { canonical: 'avateramedical', aliases: ['avateramedical'], ouiOrganisations: ['avateramedical Mechatronics GmbH'], medical: true, source: IEEE_SMALL },
  { canonical: 'inomed Medizintechnik', aliases: ['inomed Medizintechnik'], ouiOrganisations: ['inomed Medizintechnik GmbH'], medical: true, source: IEEE_SMALL },
  { canonical: 'Biocare Bio-Medical Equipment', aliases: ['Biocare Bio-Medical Equipment'], ouiOrganisations: ['shenzhen Biocare Bio-Medical Equipment Co.,Ltd.'], medical: true, source: IEEE_SMALL },
  { canonical: 't+ Medical', aliases: ['t+ Medical'], ouiOrganisations: ['t+ Medical Ltd'], medical: true, source: IEEE_SMALL },
  // IT and network vendors that share hospital networks (no prefixes recorded: they own hundreds of blocks).
  { canonical: 'Cisco', aliases: ['Cisco', 'Cisco Systems', 'Cisco Systems Inc', 'cisco', 'Cisco-Linksys'], ouiOrganisations: [], medical: false, source: 'cisco.com; IEEE registry "Cisco Systems, Inc"' },
  { canonical: 'Dell', aliases: ['Dell', 'Dell Inc', 'Dell Technologies', 'Dell Computer'], ouiOrganisations: [], medical: false, source: 'dell.com; IEEE registry "Dell Inc."' },
  { canonical: 'HP', aliases: ['HP', 'Hewlett-Packard', 'Hewlett Packard', 'HP Inc', 'Hewlett Packard Enterprise', 'HPE'], ouiOrganisations: [], medical: false, source: 'hp.com, hpe.com; IEEE registry "Hewlett Packard"' },
  { canonical: 'Microsoft', aliases: ['Microsoft', 'Microsoft Corporation', 'MSFT'], ouiOrganisations: [], medical: false, source: 'microsoft.com; DHCP vendor class "MSFT 5.0" (Windows DHCP client)' },
  { canonical: 'Apple', aliases: ['Apple', 'Apple Inc', 'Apple Computer'], ouiOrganisations: [], medical: false, source: 'apple.com; IEEE registry "Apple, Inc."' },
  { canonical: 'Lenovo', aliases: ['Lenovo', 'LENOVO'], ouiOrganisations: [], medical: false, source: 'lenovo.com' },
  { canonical: 'Zebra Technologies', aliases: ['Zebra Technologies', 'Zebra', 'ZEBRA'], ouiOrganisations: [], medical: false, source: 'zebra.com (label printers, handhelds)' },
  { canonical: 'Axis Communications', aliases: ['Axis Communications', 'AXIS', 'Axis'], ouiOrganisations: [], medical: false, source: 'axis.com (IP cameras)' },
  { canonical: 'Aruba', aliases: ['Aruba', 'Aruba Networks', 'Aruba, a Hewlett Packard Enterprise Company'], ouiOrganisations: [], medical: false, source: 'arubanetworks.com' },
  { canonical: 'Juniper Networks', aliases: ['Juniper Networks', 'Juniper'], ouiOrganisations: [], medical: false, source: 'juniper.net' },
  { canonical: 'Poly', aliases: ['Poly', 'Polycom', 'Plantronics'], ouiOrganisations: [], medical: false, source: 'poly.com (IP phones)' },
  { canonical: 'Spectralink', aliases: ['Spectralink', 'SpectraLink'], ouiOrganisations: ['Spectralink, Inc'], medical: false, source: `${IEEE}; spectralink.com (wireless handsets)` },
  { canonical: 'Canon', aliases: ['Canon', 'CANON INC', 'Canon Inc'], ouiOrganisations: [], medical: false, source: 'canon.com (printers, cameras; Canon Medical Systems is a separate entry)' },
  { canonical: 'Brother', aliases: ['Brother', 'Brother Industries'], ouiOrganisations: [], medical: false, source: 'brother.com (printers)' },
  { canonical: 'Lexmark', aliases: ['Lexmark', 'Lexmark International'], ouiOrganisations: [], medical: false, source: 'lexmark.com (printers)' },
  { canonical: 'H3C', aliases: ['H3C', 'New H3C Technologies', 'Hangzhou H3C Technologies'], ouiOrganisations: [], medical: false, source: 'h3c.com (network switches)' },
  { canonical: '3Com', aliases: ['3Com', '3COM'], ouiOrganisations: [], medical: false, source: '3Com switches (acquired by HP in 2010)' },
  { canonical: 'Extreme Networks', aliases: ['Extreme Networks', 'Extreme'], ouiOrganisations: [], medical: false, source: 'extremenetworks.com' },
  { canonical: 'MikroTik', aliases: ['MikroTik', 'Mikrotikls SIA'], ouiOrganisations: [], medical: false, source: 'mikrotik.com (RouterOS)' },
  { canonical: 'Ubiquiti', aliases: ['Ubiquiti', 'Ubiquiti Networks', 'Ubiquiti Inc.', 'Ubiquiti Networks Inc.'], ouiOrganisations: [], medical: false, source: 'ui.com (EdgeSwitch, UniFi)' },
  { canonical: 'Xerox', aliases: ['Xerox', 'XEROX'], ouiOrganisations: [], medical: false, source: 'xerox.com (printers)' },
  // Lab fixtures only (fixtures/lab/*.sh): made-up names, kept so the lab captures identify fully.
  { canonical: 'ExampleMed', aliases: ['ExampleMed', 'ExampleMed Imaging', 'EXAMPLEMED'], ouiOrganisations: [], medical: true, fictional: true, source: 'fixtures/lab/mdns-avahi.sh and medical-streams.sh (made-up vendor)' },
  { canonical: 'auscult lab', aliases: ['auscult lab'], ouiOrganisations: [], medical: false, fictional: true, source: 'fixtures/lab/discovery.sh (lldpd switch inventory, made up)' },
];

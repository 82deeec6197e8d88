/**
 * \summary DICOM UID roots → the organisation or toolkit behind them, for A-ASSOCIATE
 * Implementation Class UIDs (PS3.7 D.3.3.2) and file meta (0002,0012). Longest root wins.
 *
 * An Implementation Class UID names the DICOM software stack, not necessarily the device maker:
 * a modality built on DCMTK sends DCMTK's root. So a `vendor` root gives a weak manufacturer
 * hint and a `toolkit` root gives none (it is kept as evidence for `auscult unknown`).
 *
 * Every entry says where it was checked. `verified: 'source'` = the toolkit's own source or
 * documentation defines the UID; `'observed'` = the root appears in public DICOM data or code
 * together with the organisation's name; `'secondary'` = third-party UID tables (not the owner)
 * and widely seen UIDs; confirm before relying on those.
 */

export interface DicomUidRoot {
  /** The root (no trailing dot). Matches the UID itself or any UID starting `<root>.`. */
  root: string;
  /** Organisation or toolkit name. */
  name: string;
  /** vendor: an equipment or software maker; toolkit: a DICOM library; registry: a UID service or standard arc. */
  kind: 'vendor' | 'toolkit' | 'registry';
  /** Canonical manufacturer (manufacturers.ts) when the root is a device maker's. */
  manufacturer?: string;
  source: string;
  verified: 'source' | 'observed' | 'secondary';
  /** What the root does not prove (issue 16). */
  caveat?: string;
}

export const DICOM_UID_ROOTS: readonly DicomUidRoot[] = [
  // Toolkits
  { root: '1.2.276.0.7230010.3', name: 'DCMTK (OFFIS)', kind: 'toolkit', verified: 'source', source: 'DCMTK dcmdata/include/dcmtk/dcmdata/dcuid.h: OFFIS_UID_ROOT "1.2.276.0.7230010.3" ("UID root for DCMTK, registered for OFFIS with DIN in Germany")', caveat: 'Proves only that the sending software kept DCMTK\'s default implementation UID: products built on DCMTK 3.6.8 and later may set their own Implementation Class UID, so a DCMTK-based product can send another root, and this root names the toolkit, never the product (issue 16)' },
  { root: '1.2.826.0.1.3680043.8.498', name: 'pydicom', kind: 'toolkit', verified: 'source', source: 'pydicom src/pydicom/uid.py: PYDICOM_ROOT_UID = "1.2.826.0.1.3680043.8.498.", PYDICOM_IMPLEMENTATION_UID = root + "1"' },
  { root: '1.2.826.0.1.3680043.9.3811', name: 'pynetdicom', kind: 'toolkit', verified: 'source', source: 'pynetdicom/__init__.py: PYNETDICOM_UID_PREFIX = "1.2.826.0.1.3680043.9.3811." (+ version)' },
  { root: '1.2.40.0.13.1', name: 'dcm4che', kind: 'toolkit', verified: 'source', source: 'dcm4chee-arc-light DICOM conformance statement: Implementation Class UID "1.2.40.0.13.1.3", version name "dcm4che-5.xx.yy"; dcm4che 3 tools write 1.2.40.0.13.1.1' },
  { root: '1.3.6.1.4.1.30071.8', name: 'fo-dicom', kind: 'toolkit', verified: 'source', source: 'fo-dicom DicomImplementation.ClassUID "1.3.6.1.4.1.30071.8" (conformance notes: "The Implementation Class UID is 1.3.6.1.4.1.30071.8 and the Implementation Version Name is fo-dicom x.y.z")' },
  { root: '1.2.826.0.1.3680043.2.1143', name: 'GDCM (Grassroots DICOM)', kind: 'toolkit', verified: 'observed', source: 'GDCM-written file meta: (0002,0012) "1.2.826.0.1.3680043.2.1143.107.104.103.115.2.8.4" with (0002,0013) "GDCM 2.8.4"' },
  { root: '1.3.6.1.4.1.19291.2.1', name: 'OsiriX / Horos', kind: 'toolkit', verified: 'observed', source: 'OsiriX-written file meta: (0002,0012) "1.3.6.1.4.1.19291.2.1" with (0002,0013) "OSIRIX001" and source AE "OsiriX"' },
  { root: '1.2.826.0.1.3680043.9.5560', name: 'Odil', kind: 'toolkit', verified: 'source', source: 'odil/uid.h: uid_prefix = "1.2.826.0.1.3680043.9.5560" ("UID prefix of Odil")' },
  { root: '1.2.826.0.1.3680043.10.1462.2', name: 'DCMfx', kind: 'toolkit', verified: 'source', source: 'DCMfx source: DCMFX_IMPLEMENTATION_CLASS_UID = "1.2.826.0.1.3680043.10.1462.2.0"' },
  { root: '2.25.262086406829110419931297894772577063974', name: 'DICOM-rs', kind: 'toolkit', verified: 'source', source: 'dicom-rs ul crate: IMPLEMENTATION_CLASS_UID = "2.25.262086406829110419931297894772577063974" (UUID-derived, PS3.5 B.2)' },
  { root: '1.2.826.0.1.3680043.2.135', name: 'Conquest DICOM server', kind: 'toolkit', verified: 'secondary', source: 'third-party implementation UID table (nmap dicom-info NSE script): "1.2.826.0.1.3680043.2.135.1066.101" = Conquest DICOM' },
  { root: '1.3.6.1.4.1.25403', name: 'ClearCanvas', kind: 'toolkit', verified: 'secondary', source: 'IANA private enterprise number 25403 (ClearCanvas Inc.); UIDs under it in ClearCanvas-generated public sample studies' },
  { root: '1.3.6.1.4.1.5962', name: 'dclunie (dicom3tools / PixelMed)', kind: 'toolkit', verified: 'secondary', source: 'IANA private enterprise number 5962 (David Clunie); used by dicom3tools and the PixelMed toolkit' },
  { root: '1.2.826.0.1.3680043', name: 'Medical Connections free UID service (issuer unknown)', kind: 'registry', verified: 'source', source: 'pydicom uid.py: "medicalconnections.co.uk ... Their service was used to obtain the following root UID for pydicom" (the toolkit roots above are children of this arc)' },
  { root: '2.25', name: 'UUID-derived UID (issuer unknown)', kind: 'registry', verified: 'source', source: 'DICOM PS3.5 B.2: UIDs derived from a UUID use the root 2.25 (ISO/IEC 9834-8)' },
  { root: '1.2.840.10008', name: 'DICOM standard (NEMA) — not a valid implementation root', kind: 'registry', verified: 'source', source: 'DICOM PS3.5 Annex C: NEMA registers the UIDs under 1.2.840.10008' },
  // Equipment and software makers
  { root: '1.2.840.113619', name: 'GE Healthcare', kind: 'vendor', manufacturer: 'GE Healthcare', verified: 'observed', source: 'GE CT sample CT-MONO2-16-ankle: Implementation Class UID "1.2.840.113619.6.5"; GE instance UIDs 1.2.840.113619.2.*' },
  { root: '1.3.12.2.1107.5', name: 'Siemens Healthineers', kind: 'vendor', manufacturer: 'Siemens Healthineers', verified: 'observed', source: 'Siemens CSA non-image private SOP class "1.3.12.2.1107.5.9.1" (OsiriX source); Siemens MR/CT instance UIDs 1.3.12.2.1107.5.2.*, 1.3.12.2.1107.5.1.*' },
  { root: '1.3.46.670589', name: 'Philips', kind: 'vendor', manufacturer: 'Philips', verified: 'observed', source: 'Philips interventional software source: PMS_DICOM_ROOT = "1.3.46.670589" // Philips; Philips implementation class UID "1.3.46.670589.50.1.8.0" in public code' },
  { root: '1.2.840.113704', name: 'Philips CT (formerly Picker/Marconi, Cleveland)', kind: 'vendor', manufacturer: 'Philips', verified: 'secondary', source: 'instance UIDs 1.2.840.113704.7.* / .1.111.* in public Philips (Brilliance) CT data sets; third-party UID tables disagree (one says Carestream)' },
  { root: '1.2.840.113663', name: 'Philips Ultrasound (formerly ATL)', kind: 'vendor', manufacturer: 'Philips', verified: 'secondary', source: 'instance UIDs 1.2.840.113663.1500.* in Philips/ATL ultrasound data' },
  { root: '1.2.392.200036.9116', name: 'Canon Medical Systems (Toshiba)', kind: 'vendor', manufacturer: 'Canon Medical Systems', verified: 'observed', source: 'public Canon DTI MR data set file named 1.2.392.200036.9116.4.2.*; Toshiba Aquilion CT series UIDs 1.2.392.200036.9116.2.*' },
  { root: '1.2.392.200036.9125', name: 'Fujifilm', kind: 'vendor', manufacturer: 'Fujifilm Healthcare', verified: 'secondary', source: 'FCR / Synapse instance UIDs 1.2.392.200036.9125.*' },
  { root: '1.2.124.113532', name: 'Agfa HealthCare', kind: 'vendor', manufacturer: 'Agfa HealthCare', verified: 'secondary', source: 'two third-party UID tables (nmap dicom-info NSE script "Agfa HealthCare IMPAX"; oida DICOM_VENDOR_MAP "Agfa")' },
  { root: '1.2.752.24', name: 'Sectra', kind: 'vendor', manufacturer: 'Sectra', verified: 'secondary', source: 'two third-party UID tables (nmap dicom-info NSE script "Sectra IDS7" 1.2.752.24.7.123; oida DICOM_VENDOR_MAP)' },
  { root: '1.2.246.352', name: 'Varian Medical Systems', kind: 'vendor', manufacturer: 'Varian', verified: 'observed', source: 'Varian DICOM Import/Export file meta in public code: (0002,0012) "1.2.246.352.70.2.1.160.3", (0002,0013) "DCIE 2.2"; ARIA instance UIDs 1.2.246.352.71.*' },
  { root: '2.16.840.1.114362', name: 'MIM Software', kind: 'vendor', verified: 'observed', source: 'file meta in public code: (0002,0012) "2.16.840.1.114362.1" with (0002,0013) "MIM735O11703"' },
  { root: '2.16.840.1.113669', name: 'Merge Healthcare', kind: 'vendor', manufacturer: 'Merge Healthcare', verified: 'secondary', source: 'study UIDs 2.16.840.1.113669.632.* in Merge-generated public sample studies' },
  { root: '1.2.840.113681', name: 'Hologic', kind: 'vendor', manufacturer: 'Hologic', verified: 'secondary', source: 'instance UIDs 1.2.840.113681.* in Hologic (Selenia) mammography data' },
  { root: '1.2.840.114350', name: 'Epic Systems', kind: 'vendor', verified: 'secondary', source: 'Epic OID arc 1.2.840.114350 (Epic HL7/CDA identifiers 1.2.840.114350.1.13.*); oida DICOM_VENDOR_MAP' },
];

/** The most specific root a UID falls under, or undefined. */
export function lookupDicomUidRoot(uid: string): DicomUidRoot | undefined {
  const u = uid.trim().replace(/\0+$/, '');
  let best: DicomUidRoot | undefined;
  for (const r of DICOM_UID_ROOTS) {
    if ((u === r.root || u.startsWith(`${r.root}.`)) && (!best || r.root.length > best.root.length)) best = r;
  }
  return best;
}

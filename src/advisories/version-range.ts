/**
 * \summary Version and version-range parsing for CSAF 2.0 product trees (`product_version` and
 * `product_version_range` branch names), and the test "is this firmware inside that range".
 *
 * Hand-written: `semver` and the `vers:` libraries on npm only know their own schemes, and
 * medical-device advisories write versions the way each vendor prints them (`N.00.01`,
 * `Rev J–M`, `A/2.4.1`, `BT02`, `2.4A`, `12.2.x.x`, `<= U61 |<= L81`, `vers:all/*`). The rule
 * throughout is "0 wrong": what the parser cannot read for certain becomes `unverifiable` with a
 * reason, never a guess. Pure: no I/O, never throws.
 *
 * Semantics:
 * - A version is a list of segments: digit runs (compared as numbers) and letter runs (compared
 *   case-insensitively); `.`, `-`, `_`, `/`, `,` and spaces separate them. A number and a word
 *   at the same position cannot be ordered: the comparison is then `unverifiable`.
 * - A bound that starts with a series code (`U61`, `BT02`: letters straight into digits) orders
 *   only versions of the same series; `L90` against `<= U61` cannot be told.
 * - A bound is compared on its own length. A version that continues a bound (`3.0.1` against
 *   `<= 3.0`, `N.00.01` against `<= N`) is ambiguous: the bound may be one release (semver) or its
 *   whole line (CISA's "N and prior"), so only `<` (false) and `>=` (true) answer; the rest
 *   cannot tell. A wildcard bound (`<= 12.2.x.x`, `1.X`) covers its whole line.
 * - Digit runs with a leading zero (`1.003`, `N.00.01`) order against another width only when
 *   both readings (integer, decimal) agree.
 * - Constraints joined by `|` follow `vers:` (https://github.com/package-url/purl-spec, VERS):
 *   a `>=`/`>` followed by a `<`/`<=` is one interval; any other constraint stands alone; the
 *   range is the union.
 */

/** One segment of a version: a number, a zero-led digit run kept as written (`"003"`: `1.003` may be
 * a decimal), or a lower-cased word. */
export type Segment = number | string;

export type Op = '<' | '<=' | '>' | '>=' | '=' | 'prefix';

/** One constraint: `op` applied to `version` (`prefix`: every version starting with it, from `1.x`). */
export interface Constraint {
  op: Op;
  /** The bound as written (after trimming a leading `v`). */
  version: string;
  segments: Segment[];
  /** A series code that starts the bound (`U` of `U61`, `bt` of `BT02`): letters run straight
   * into digits. Versions of another series are not ordered against it (cannot tell). */
  series: string | null;
  /** The bound ended in wildcards (`12.2.x.x`): longer versions are inside its line. */
  wildcard: boolean;
}

/**
 * What narrows a range besides the firmware version:
 * - `variants`: the version slot names product variants, models or part numbers ("882160 Gemini
 *   Dual", "6.x model 35700BAX", "MMT-512 / MMT-712 Paradigm x12"); the range holds for a device
 *   whose model names one of them (every word of the variant is a word of the model). A model that
 *   does not name one cannot be told apart (another variant, or a model string the network
 *   shortened), so it is never "outside" on that ground alone.
 * - `condition`: something the sensor cannot see on the wire (a component's version, an option,
 *   the operating system, a ship or distribution date): a firmware outside the range is still
 *   outside; inside it, the sensor cannot tell.
 */
export interface SpecQualifiers {
  note?: string;
  variants?: string[];
  condition?: string;
}

/** A parsed range: a union of intervals (each one or two constraints), or everything. */
export type VersionSpec =
  | ({ kind: 'any' } & SpecQualifiers)
  | ({ kind: 'ranges'; ranges: Constraint[][] } & SpecQualifiers)
  | { kind: 'unverifiable'; reason: string };

/** Bounds on the input: every length is a lie until checked. */
export const VERSION_LIMITS = { maxLength: 200, maxSegments: 24, maxAlternatives: 32 } as const;

const SEPARATORS = /[.\-_/, ]+/;
/** A single version token: letters and digits joined by separators, no spaces. */
const VERSION_TOKEN = /^[vV]?[0-9A-Za-z]+(?:[._\-/][0-9A-Za-z]+)*$/;
const MONTHS = /\b(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(tember)?|oct(ober)?|nov(ember)?|dec(ember)?)\b/i;

/** Splits a version into segments; undefined when it has none or too many. */
export function segmentsOf(version: string): Segment[] | undefined {
  const out: Segment[] = [];
  for (const part of version.trim().split(SEPARATORS)) {
    if (part === '') continue;
    for (const m of part.matchAll(/\d+|[A-Za-z]+/g)) {
      const t = m[0];
      if (/^\d/.test(t)) out.push(/^0\d/.test(t) ? t.slice(0, 20) : Number(t.length > 15 ? t.slice(-15) : t));
      else out.push(t.toLowerCase());
      if (out.length > VERSION_LIMITS.maxSegments) return undefined;
    }
  }
  return out.length > 0 ? out : undefined;
}

const isDigits = (x: Segment): boolean => typeof x === 'number' || /^\d/.test(x);
const isZero = (x: Segment): boolean => (typeof x === 'number' ? x === 0 : /^0+$/.test(x));

/** Orders two segments: -1, 0, 1, or null when they cannot be ordered for certain. */
function compareSegment(x: Segment, y: Segment): -1 | 0 | 1 | null {
  const dx = isDigits(x);
  const dy = isDigits(y);
  if (dx !== dy) return null;
  if (!dx) return x < y ? -1 : x > y ? 1 : 0;
  if (typeof x === 'number' && typeof y === 'number') return x < y ? -1 : x > y ? 1 : 0;
  if (isZero(x) && isZero(y)) return 0;
  // A zero-led run (`003`) against another width: `1.003` vs `1.3` is equal as integers but not
  // as decimals; only equal widths order the same both ways.
  const sx = String(x);
  const sy = String(y);
  if (sx.length !== sy.length) return null;
  return sx < sy ? -1 : sx > sy ? 1 : 0;
}

/**
 * Compares `a` with `b` on the first `len` segments (a missing segment counts as 0 against a
 * number and as "before" a word). Returns -1, 0, 1, or null when the order cannot be told.
 */
export function compareSegments(a: readonly Segment[], b: readonly Segment[], len = Math.max(a.length, b.length)): -1 | 0 | 1 | null {
  for (let i = 0; i < len; i++) {
    const x = a[i];
    const y = b[i];
    if (x === undefined && y === undefined) return 0;
    if (x === undefined || y === undefined) {
      const present = (x ?? y) as Segment;
      if (isDigits(present) && isZero(present)) continue;
      return x === undefined ? -1 : 1;
    }
    const r = compareSegment(x, y);
    if (r !== 0) return r;
  }
  return 0;
}

/** True, false, or null (cannot tell) for one constraint. */
function satisfies(v: readonly Segment[], c: Constraint): boolean | null {
  if (c.op === 'prefix') {
    if (v.length < c.segments.length) return false;
    const r = compareSegments(v, c.segments, c.segments.length);
    return r === null ? null : r === 0;
  }
  if (c.series !== null && v[0] !== c.series) return null;
  const r = compareSegments(v, c.segments, c.segments.length);
  if (r === null) return null;
  // `v` continues a bound it equals (`3.0.1` against `3.0`): inside the bound's line when the
  // bound ends in a wildcard; otherwise only `<` and `>=` answer the same whether the bound
  // means one release (semver) or its whole line (CISA's "3.0 and prior").
  const extends_ = r === 0 && v.slice(c.segments.length).some((x) => !(isDigits(x) && isZero(x)));
  if (extends_) {
    if (c.wildcard) return c.op === '<=' || c.op === '>=' || c.op === '=';
    if (c.op === '<') return false;
    if (c.op === '>=') return true;
    return null;
  }
  switch (c.op) {
    case '<': return r < 0;
    case '<=': return r <= 0;
    case '>': return r > 0;
    case '>=': return r >= 0;
    case '=': return r === 0;
  }
}

/** Lower-cased words of a name (letters and digits), for variant matching. */
function nameWords(s: string): string[] {
  return s.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w !== '');
}

/** Whether a device model names one of the variants: true, or null (cannot tell; see `SpecQualifiers`). */
export function variantNamed(variants: readonly string[], model: string | null | undefined): true | null {
  if (model === null || model === undefined) return null;
  const m = new Set(nameWords(model));
  const named = (words: string[]): boolean => words.length > 0 && words.every((x) => m.has(x));
  return variants.some((v) => {
    if (named(nameWords(v))) return true;
    const [lead = '', ...rest] = v.trim().split(' ');
    // A leading catalogue number the network never shows: `882160 Gemini Dual` is "Gemini Dual".
    if (/^\d{5,}$/.test(lead) && named(nameWords(rest.join(' ')))) return true;
    // A leading model code (letters and digits) names the variant alone: `MMT-712 Paradigm x12`.
    return /[A-Za-z].*[A-Za-z]/.test(lead) && /\d.*\d.*\d/.test(lead) && named(nameWords(lead));
  }) ? true : null;
}

/**
 * Whether `firmware` (of a device whose model is `model`) is inside `spec`: true, false, or null
 * (unverifiable: unparseable, incomparable, or narrowed by a variant or condition the sensor cannot check).
 */
export function inRange(spec: VersionSpec, firmware: string, model?: string | null): boolean | null {
  if (spec.kind === 'unverifiable') return null;
  const base = versionInRange(spec, firmware);
  if (base === false) return false;
  if (spec.condition !== undefined) return null;
  if (spec.variants !== undefined && variantNamed(spec.variants, model) === null) return null;
  return base;
}

function versionInRange(spec: Exclude<VersionSpec, { kind: 'unverifiable' }>, firmware: string): boolean | null {
  if (spec.kind === 'any') return true;
  const v = segmentsOf(firmware.length > VERSION_LIMITS.maxLength ? '' : firmware);
  if (v === undefined) return null;
  let unknown = false;
  for (const interval of spec.ranges) {
    let all: boolean | null = true;
    for (const c of interval) {
      const s = satisfies(v, c);
      if (s === false) { all = false; break; }
      if (s === null) all = null;
    }
    if (all === true) return true;
    if (all === null) unknown = true;
  }
  return unknown ? null : false;
}

function constraint(op: Op, raw: string): Constraint | undefined {
  const version = raw.trim().replace(/^[vV](?=\d)/, '');
  if (!VERSION_TOKEN.test(version)) return undefined;
  // Trailing wildcard segments (`12.2.x.x`, `5.x`) shorten the bound; `=` becomes a prefix.
  const stripped = version.replace(/(?:[._-](?:x|X|\*))+$/, '');
  const wild = stripped !== version;
  const segments = segmentsOf(stripped);
  if (segments === undefined) return undefined;
  if (segments.some((seg) => seg === 'x')) return undefined;
  const series = /^([A-Za-z]+)\d/.exec(stripped)?.[1]?.toLowerCase() ?? null;
  return { op: wild && op === '=' ? 'prefix' : op, version, segments, series, wildcard: wild };
}

const unverifiable = (reason: string): VersionSpec => ({ kind: 'unverifiable', reason });

/** Parses one `|`-free term: `<= 1.2`, `1.2`, `1.x`, `Rev J-M`, `2.3.6 and below`. */
function parseTerm(term: string): Constraint[] | string {
  const t = term.trim().replace(/\s+/g, ' ');
  let m = /^(<=|>=|<|>|=)\s*(\S+)$/.exec(t);
  if (m) {
    const c = constraint(m[1] as Op, m[2] as string);
    return c ? [c] : `bound ${JSON.stringify(m[2])} is not a version`;
  }
  m = /^(\S+) and (?:below|prior|earlier|older)$/i.exec(t);
  if (m) {
    const c = constraint('<=', m[1] as string);
    return c ? [c] : `bound ${JSON.stringify(m[1])} is not a version`;
  }
  // Vendor revision letters: `Rev J-M` / `Rev J–M` (inclusive).
  m = /^Rev\.? ([A-Z0-9]+)\s*[-–]\s*([A-Z0-9]+)$/i.exec(t);
  if (m) {
    const lo = constraint('>=', m[1] as string);
    const hi = constraint('<=', m[2] as string);
    return lo && hi ? [lo, hi] : 'revision range is not two revisions';
  }
  // `1.1.3 Build 10`, `4.20 SR1`: one version with a build or service-release suffix.
  m = /^(\S+) (build|sr|sp|mr build) ?(\d+)$/i.exec(t);
  if (m) {
    const c = constraint('=', `${m[1] as string}.${(m[2] as string).replace(' ', '')}${m[3] as string}`);
    return c ? [c] : `${JSON.stringify(t)} is not a version`;
  }
  if (t === '*') return [];
  const c = constraint('=', t);
  return c ? [c] : `${JSON.stringify(t)} is not a version`;
}

/** Groups `|`-separated constraints into intervals the `vers:` way. */
function intervals(constraints: Constraint[]): Constraint[][] {
  const out: Constraint[][] = [];
  for (let i = 0; i < constraints.length; i++) {
    const c = constraints[i] as Constraint;
    const next = constraints[i + 1];
    if ((c.op === '>=' || c.op === '>') && next !== undefined && (next.op === '<' || next.op === '<=')) {
      out.push([c, next]);
      i++;
    } else out.push([c]);
  }
  return out;
}

/**
 * Parses a CSAF product version or version range name (one version, a list, or a range: the
 * two branch categories are written alike in practice, so both are read the same way).
 */
export function parseVersionSpec(raw: string): VersionSpec {
  if (raw.length > VERSION_LIMITS.maxLength) return unverifiable(`longer than ${VERSION_LIMITS.maxLength} characters`);
  const plain = parsePlain(raw);
  if (plain.kind !== 'unverifiable') return plain;
  return qualified(raw.replace(/\s+/g, ' ').trim(), 0) ?? plain;
}

/** A version token: digits first, or a version with a dot, or a wildcard line (`6.x`, `v9.x`). */
const LOOKS_VERSION = /^[vV]?(?:\d[0-9A-Za-z]*(?:[._-][0-9A-Za-z]+)*|[A-Za-z]\.[0-9A-Za-z.]+)$/;

/**
 * Second reading of what the plain grammar refused: versions narrowed by a variant or a condition
 * the sensor cannot see, variant lists, dates, and vendor build suffixes (see `SpecQualifiers`).
 * Undefined when none fits: the caller keeps the plain reason (unverifiable).
 */
function qualified(s: string, depth: number): VersionSpec | undefined {
  if (depth > 2 || s === '') return undefined;
  const withQualifiers = (spec: VersionSpec | undefined, q: SpecQualifiers): VersionSpec | undefined => {
    if (spec === undefined || spec.kind === 'unverifiable') return undefined;
    const out = { ...spec };
    if (q.variants !== undefined) out.variants = [...(spec.variants ?? []), ...q.variants];
    if (q.condition !== undefined) out.condition = spec.condition === undefined ? q.condition : `${spec.condition}; ${q.condition}`;
    if (q.note !== undefined) out.note = spec.note === undefined ? q.note : `${spec.note}; ${q.note}`;
    return out;
  };
  const inner = (x: string): VersionSpec | undefined => {
    const p = parsePlain(x);
    return p.kind !== 'unverifiable' ? p : qualified(x, depth + 1);
  };
  let m: RegExpExecArray | null;
  // A build, service pack or service release after a version, with an optional operator:
  // `< 1.8.4 Service Pack 01` is below 1.8.4.sp.1; `<= 3.0 D15` is build D15 of 3.0.
  m = /^(<=|>=|<|>)?\s*(v?\d[0-9A-Za-z]*\.[0-9A-Za-z.]*) (?:(service pack|sp|sr|build) ?(\d+)|([A-Z]\d+))$/i.exec(s);
  if (m) {
    const suffix = m[5] ?? `${(m[3] as string).toLowerCase() === 'service pack' ? 'sp' : (m[3] as string).toLowerCase()}${m[4] as string}`;
    const c = constraint((m[1] ?? '=') as Op, `${m[2] as string}.${suffix}`);
    if (c) return { kind: 'ranges', ranges: [[c]] };
  }
  // A release series code written apart from its number: `HD 16 | HD23` (GE Signa releases).
  if (/^[A-Za-z]{1,3} \d+(?: ?\| ?[A-Za-z]{1,3} ?\d+)*$/.test(s)) return parsePlain(s.replace(/([A-Za-z]) (\d)/g, '$1$2'));
  // `A.01 <= C.0x`: between two versions, inclusive (written as one term).
  m = /^(\S+) <= (\S+)$/.exec(s);
  if (m) {
    const lo = constraint('>=', m[1] as string);
    // `C.0x`: the C.0 line (C.00 to C.09); a wildcard bound covers its line.
    const hi = constraint('<=', (m[2] as string).replace(/(\d)x$/i, '$1.x'));
    if (lo && hi) return { kind: 'ranges', ranges: [[lo, hi]] };
  }
  // A list with one qualified-range term: `A.01 <= C.0x | 4.0`.
  if (s.includes('|') && !s.includes('(')) {
    const parts = s.split('|').map((x) => x.trim()).filter((x) => x !== '');
    const specs = parts.map((x) => inner(x));
    if (parts.length <= VERSION_LIMITS.maxAlternatives && specs.every((x): x is Extract<VersionSpec, { kind: 'ranges' }> => x?.kind === 'ranges' && x.variants === undefined)) {
      const conditions = [...new Set(specs.map((x) => x.condition).filter((x): x is string => x !== undefined))];
      return { kind: 'ranges', ranges: specs.flatMap((x) => x.ranges), ...(conditions.length > 0 ? { condition: conditions.join('; ') } : {}) };
    }
  }
  // Dates (a ship, distribution or release date, not a firmware version): any version, on a
  // condition the sensor cannot see.
  if (MONTHS.test(s) || /\b\d{1,2}\/\d{1,2}\/\d{2,4}\b/.test(s)) {
    const head = /^(.*?)\s*\(([^()]*)\)$/.exec(s);
    if (head && head[1] !== '' && (MONTHS.test(head[2] as string) || /\d{4}/.test(head[2] as string))) {
      const h = inner(head[1] as string);
      const r = withQualifiers(h, { condition: head[2] as string });
      if (r) return r;
    }
    return { kind: 'any', condition: `date: ${s}` };
  }
  // Hardware version, firmware and part number: `Version B, Firmware A.01.09, Part #: N/A (Replaced by Version C)`.
  m = /^Version ([A-Z0-9]+), Firmware (\S+), Part #: ([^()]*?)(?: \(([^()]*)\))?$/i.exec(s);
  if (m) return hardwareFirmware(m[1] as string, m[2] as string, `part ${(m[3] as string).trim()}${m[4] === undefined ? '' : `; ${m[4]}`}`);
  // A version (or `*`) followed by a condition: `<=11.2 on Windows 8.1 with IIS 7.5`,
  // `* running on old, unsupported operating systems`, `v9.x (with Wireless Battery Module >= v22D19 | <= v22D28)`,
  // `6.x (Wireless Battery Modules (16 | 16D38 ...)`, `Rev J-M | (X3/MX100 for Rev M only)`.
  // (The head must be a plain version, and the parentheses close only at the end.)
  m = /^(.+?)(?: \| ?| )\(([^)]*\)*)$/.exec(s);
  if (m && m[1] !== '') {
    const r = withQualifiers(parsePlain((m[1] as string).trim()), { condition: (m[2] as string).replace(/\)+$/, '').trim() });
    if (r) return r;
  }
  m = /^(\*|\S+) ((?:running )?on .+|with .+)$/i.exec(s);
  if (m) {
    const head = m[1] === '*' ? { kind: 'any' } as const : parsePlain(m[1] as string);
    const r = withQualifiers(head, { condition: m[2] as string });
    if (r) return r;
  }
  // An option or an operating system in the version slot: any version, on that condition.
  if (/^with .+ option$/i.test(s) || /^Windows \d/i.test(s)) return { kind: 'any', condition: s };
  // A version qualified by a model: `6.x model 35700BAX`.
  m = /^(\S+) model (\S+)$/i.exec(s);
  if (m) {
    const r = withQualifiers(parsePlain(m[1] as string), { variants: [m[2] as string] });
    if (r) return r;
  }
  // An operator, a model code and a version: `<= S4 A.07.107` (SureSigns VS4 up to A.07.107).
  m = /^(<=|>=|<|>) ?([A-Za-z0-9]+) (\S+\.\S+)$/.exec(s);
  if (m && !(m[2] as string).includes('.')) {
    const c = constraint(m[1] as Op, m[3] as string);
    if (c) return { kind: 'ranges', ranges: [[c]], variants: [m[2] as string] };
  }
  // Product variants and part numbers in the version slot, with an optional version:
  // `882160 Gemini Dual`, `MMT-512 / MMT-712 Paradigm x12`, `Accu-Chek Inform II Base Unit NEW with Software 04.00.00 or newer`,
  // `653 MCE 3.x`, `LPI 3.5.12.P30`, `2nd Edition`, `Product ID/Reorder number 19191 | 40160`.
  m = /^(.+?) with Software (\S+) or newer$/i.exec(s);
  if (m) {
    const c = constraint('>=', m[2] as string);
    if (c) return { kind: 'ranges', ranges: [[c]], variants: [m[1] as string] };
  }
  m = /^(.+) (\S+)$/.exec(s);
  if (m && /[.]/.test(m[2] as string) && LOOKS_VERSION.test(m[2] as string) && !/[|()<>=*]/.test(m[1] as string)) {
    const r = withQualifiers(parsePlain(m[2] as string), { variants: [m[1] as string] });
    if (r) return r;
  }
  const label = /^(?:Product ID\/Reorder number|UDI\/Model\/NDC number) /i.exec(s);
  const list = (label ? s.slice(label[0].length) : s).split(/ ?\| ?| \/ | and /).map((x) => x.replace(/\s*\([^()]*\)\s*/g, ' ').trim()).filter((x) => x !== '');
  if (list.length > 0 && list.length <= VERSION_LIMITS.maxAlternatives && list.every((x) => /[A-Za-z0-9]/.test(x) && !/[<>=*]/.test(x) && x.length <= 80)) {
    return { kind: 'any', variants: list, ...(label ? { note: label[0].trim() } : {}) };
  }
  return undefined;
}

/**
 * `Version A, Firmware A.03.09`: a module's hardware and firmware (ICSMA-19-255-01, the WLAN
 * module inside IntelliVue monitors). The firmware the sensor sees is the monitor's, not the
 * module's: any version, on a condition the wire does not show (never "outside").
 */
function hardwareFirmware(hardware: string, firmware: string, note: string | undefined): VersionSpec {
  return { kind: 'any', condition: `hardware version ${hardware} with firmware ${firmware}`, ...(note === undefined ? {} : { note }) };
}

/** The plain grammar: versions, lists and ranges with no variant or condition. */
function parsePlain(raw: string): VersionSpec {
  let s = raw.replace(/\s+/g, ' ').trim();
  if (s === '') return unverifiable('empty');
  let note: string | undefined;

  // vers: URIs (VERS spec): vers:<scheme>/<constraint>|<constraint>...
  const vers = /^vers:([a-z0-9.+-]+)\/(.*)$/i.exec(s);
  if (vers) {
    const body = (vers[2] as string).trim();
    if (body === '*') return { kind: 'any' };
    const parts = body.split('|');
    if (parts.length > VERSION_LIMITS.maxAlternatives) return unverifiable('too many constraints');
    const cs: Constraint[] = [];
    for (const p of parts) {
      const m = /^(<=|>=|<|>|!=|=)?(.+)$/.exec(p.trim());
      if (!m || m[1] === '!=') return unverifiable(`vers constraint ${JSON.stringify(p)} is not supported`);
      const c = constraint((m[1] ?? '=') as Op, decodeURIComponent(m[2] as string));
      if (!c) return unverifiable(`vers constraint ${JSON.stringify(p)} is not a version`);
      cs.push(c);
    }
    return { kind: 'ranges', ranges: intervals(cs) };
  }

  // A trailing parenthetical that only dates or explains (`(end-of-life 2011)`, `(integrated into
  // GE MobileLink)`) is kept as a note; one that narrows the range (`(X3/MX100 for Rev M only)`,
  // `(with Wireless Battery Modules ...)`) makes the whole string unverifiable.
  const paren = /^(.*?)\s*\(([^()]*)\)$/.exec(s);
  if (paren && (paren[1] as string).trim() !== '') {
    const inner = paren[2] as string;
    if (/\b(only|with|for|model|modules?|except|excluding)\b/i.test(inner)) return unverifiable(`qualified by ${JSON.stringify(inner)}`);
    note = inner;
    s = (paren[1] as string).trim().replace(/\|$/, '').trim();
  } else if (/[()]/.test(s)) {
    const release = /^\(Release ([0-9][0-9A-Za-z.]*(?: [0-9][0-9A-Za-z.]*)*)\)$/.exec(s);
    if (!release) return unverifiable('parenthesised qualifier');
    s = (release[1] as string).trim().split(' ').join(' | ');
  }
  if (/^\*(?: |$)/.test(s)) {
    return s === '*' ? { kind: 'any', ...(note === undefined ? {} : { note }) } : unverifiable(`qualified wildcard ${JSON.stringify(s)}`);
  }
  if (MONTHS.test(s) || /\b\d{1,2}\/\d{1,2}\/\d{2,4}\b/.test(s)) return unverifiable('a date, not a version');
  // Hardware/firmware pairs: `Version A, Firmware A.03.09` → firmware A.03.09 (hardware noted).
  const hwfw = /^Version ([A-Z0-9]+), Firmware (\S+)$/i.exec(s);
  if (hwfw) return hardwareFirmware(hwfw[1] as string, hwfw[2] as string, note);

  let terms = s.split('|').map((x) => x.trim()).filter((x) => x !== '');
  if (terms.length === 1 && / and /i.test(s) && !/ and (below|prior|earlier|older)$/i.test(s)) {
    terms = s.split(/ and /i).map((x) => x.trim());
  }
  if (terms.length > VERSION_LIMITS.maxAlternatives) return unverifiable('too many alternatives');
  if (terms.length === 0) return unverifiable('no version');
  const cs: Constraint[] = [];
  for (const term of terms) {
    const r = parseTerm(term);
    if (typeof r === 'string') return unverifiable(r);
    if (r.length === 0) return terms.length === 1 ? { kind: 'any' } : unverifiable('wildcard inside a list');
    if (r.length === 2) {
      // A closed revision range is already an interval: keep it whole.
      cs.push(...r);
      continue;
    }
    cs.push(r[0] as Constraint);
  }
  const spec: VersionSpec = { kind: 'ranges', ranges: intervals(cs) };
  if (note !== undefined) spec.note = note;
  return spec;
}

/** A one-line rendering of a spec, for reasons and the golden table. */
export function describeSpec(spec: VersionSpec): string {
  if (spec.kind === 'unverifiable') return `unverifiable: ${spec.reason}`;
  let text = spec.kind === 'any' ? 'any version'
    : spec.ranges.map((r) => r.map((c) => (c.op === 'prefix' ? `${c.segments.join('.')}.*` : `${c.op === '=' ? '' : c.op}${c.segments.join('.')}${c.wildcard ? '.*' : ''}`)).join(' & ')).join(' | ');
  if (spec.variants !== undefined) text += ` of ${spec.variants.map((v) => JSON.stringify(v)).join(' or ')}`;
  if (spec.note !== undefined) text += ` (${spec.note})`;
  if (spec.condition !== undefined) text += ` if ${JSON.stringify(spec.condition)} (not visible on the wire)`;
  return text;
}

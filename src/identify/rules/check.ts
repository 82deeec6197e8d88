/**
 * \summary The checks behind `auscult rules test` (style.md §6, after Recog's): schema validity
 * with file:line, every example yields exactly its `expect`, no earlier rule (or rule in a
 * higher-preference file) matches an example, capture groups used in `set` are exactly those in
 * the pattern, values are in the vocabulary, ids and descriptions are unique, patterns pass the
 * regex safety check, and each listed fixture, replayed, yields evidence naming the rule.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEVICE_TYPES } from '../data/device-types.js';
import { MANUFACTURERS } from '../data/manufacturers.js';
import { evaluateOn } from './engine.js';
import { parseRuleDir, type RuleProblem, type RuleSet } from './loader.js';
import { placeholdersOf, type CompiledRule } from './matcher.js';

export interface CheckFailure {
  file: string;
  line: number;
  rule?: string;
  message: string;
}

export interface CheckReport {
  dir: string;
  files: number;
  rules: number;
  examples: number;
  fixtures: number;
  failures: CheckFailure[];
}

/** Replays a capture with the given rules; returns the rule ids named in the resulting evidence. */
export type FixtureReplay = (fixture: string, rules: RuleSet) => Promise<ReadonlySet<string>>;

export interface Vocabulary {
  manufacturers: ReadonlySet<string>;
  deviceTypes: ReadonlySet<string>;
}

/** fingerprints/vocabulary/*.txt of a rule directory, else the built-in tables. */
export function loadVocabulary(dir: string): Vocabulary {
  const read = (name: string): Set<string> | undefined => {
    const p = join(dir, 'vocabulary', name);
    if (!existsSync(p)) return undefined;
    return new Set(readFileSync(p, 'utf8').split('\n').map((l) => l.replace(/#.*/, '').trim()).filter((l) => l !== ''));
  };
  return {
    manufacturers: read('manufacturers.txt') ?? new Set(MANUFACTURERS.map((m) => m.canonical)),
    deviceTypes: read('device-types.txt') ?? new Set(DEVICE_TYPES.map((t) => t.id)),
  };
}

export function exampleInput(rule: CompiledRule, input: string | Record<string, string>): Record<string, string> {
  return typeof input === 'string' ? { [rule.field]: input } : input;
}

/** Runs every check over a rule directory. `replay` enables the fixture check. */
export async function checkRuleDir(dir: string, options: { replay?: FixtureReplay; root?: string } = {}): Promise<CheckReport> {
  const set = parseRuleDir(dir);
  const failures: CheckFailure[] = set.problems.map((p: RuleProblem) => ({
    file: p.file, line: p.line, ...(p.rule !== undefined ? { rule: p.rule } : {}), message: `${p.key === '' ? '' : `${p.key}: `}${p.reason} (col ${p.col})`,
  }));
  const vocab = loadVocabulary(dir);
  const fail = (r: CompiledRule, message: string) => failures.push({ file: r.file, line: r.line, rule: r.id, message });
  let examples = 0;
  const ids = new Map<string, CompiledRule>();
  const descriptions = new Map<string, CompiledRule>();
  for (const r of set.rules) {
    const dupId = ids.get(r.id);
    if (dupId) fail(r, `duplicate id (also at ${dupId.file}:${dupId.line})`);
    else ids.set(r.id, r);
    const dupDesc = descriptions.get(r.description);
    if (dupDesc) fail(r, `duplicate description (also rule ${dupDesc.id})`);
    else descriptions.set(r.description, r);
    checkCaptures(r, fail);
    checkVocabulary(r, vocab, fail);
    const earlier = set.rules.filter((o) => o.order < r.order && o.field === r.field);
    r.spec.examples.forEach((ex, i) => {
      examples++;
      const n = `example ${i + 1}`;
      const input = exampleInput(r, ex.input);
      if (input[r.field] === undefined) {
        fail(r, `${n}: input has no value for ${r.field}`);
        return;
      }
      const got = evaluateOn(r, input);
      if (!got) {
        fail(r, `${n}: does not match ${JSON.stringify(input[r.field])}`);
        return;
      }
      for (const [k, want] of Object.entries(ex.expect)) {
        const have = (got as Record<string, string | undefined>)[k];
        if (have !== want) fail(r, `${n}: ${k} is ${have === undefined ? 'not set' : JSON.stringify(have)}, expected ${JSON.stringify(want)}`);
      }
      for (const [k, template] of Object.entries(r.set)) {
        const have = (got as Record<string, string | undefined>)[k];
        if (have !== undefined && /\{[^}]+\}/.test(template as string) && !(k in ex.expect)) {
          fail(r, `${n}: yields ${k}=${JSON.stringify(have)} which expect does not list (interpolated fields must be pinned)`);
        }
      }
      for (const k of ['manufacturer', 'device_type'] as const) {
        const v = ex.expect[k];
        if (v !== undefined && !(k === 'manufacturer' ? vocab.manufacturers : vocab.deviceTypes).has(v)) fail(r, `${n}: ${k} ${JSON.stringify(v)} is not in the vocabulary`);
      }
      for (const e of earlier) {
        if (evaluateOn(e, input)) fail(r, `${n} is shadowed by earlier rule ${e.id} (${e.file}:${e.line}) which also matches it`);
      }
    });
  }
  let fixtures = 0;
  if (options.replay) {
    const seen = new Map<string, ReadonlySet<string>>();
    for (const r of set.rules) {
      for (const f of r.spec.fixtures ?? []) {
        fixtures++;
        const path = options.root !== undefined ? join(options.root, f) : f;
        if (!existsSync(path)) {
          fail(r, `fixture ${f} does not exist`);
          continue;
        }
        let rules = seen.get(path);
        if (!rules) {
          try {
            rules = await options.replay(path, set);
          } catch (e) {
            fail(r, `fixture ${f} could not be replayed: ${(e as Error).message}`);
            continue;
          }
          seen.set(path, rules);
        }
        if (!rules.has(r.id)) fail(r, `fixture ${f}: no evidence names this rule`);
      }
    }
  }
  return { dir, files: set.files.length, rules: set.rules.length, examples, fixtures, failures };
}

function checkCaptures(r: CompiledRule, fail: (r: CompiledRule, m: string) => void): void {
  const numbers = new Set<number>();
  const names = new Set<string>();
  for (const t of Object.values(r.set)) {
    const p = placeholdersOf(t as string);
    p.numbers.forEach((x) => numbers.add(x));
    p.names.forEach((x) => names.add(x));
  }
  const count = r.main.groupCount;
  const declared = new Set(r.main.groupNames);
  for (const x of numbers) if (x < 1 || x > count) fail(r, `set uses {${x}} but the pattern has ${count} capture group(s)`);
  for (let x = 1; x <= count; x++) {
    // A named group also counts as numbered; it is used when either form appears.
    const name = namedAt(r, x);
    if (!numbers.has(x) && !(name !== undefined && names.has(name))) fail(r, `capture group ${x}${name !== undefined ? ` (${name})` : ''} is not used in set`);
  }
  for (const n of names) if (!declared.has(n)) fail(r, `set uses {${n}} but the pattern has no group named ${n}`);
}

/** The name of numbered group x, if it is a named group. */
function namedAt(r: CompiledRule, x: number): string | undefined {
  const src = r.spec.pattern;
  if (src === undefined) return undefined;
  let n = 0;
  for (let i = 0; i < src.length; i++) {
    if (src[i] === '\\') { i++; continue; }
    if (src[i] === '[') { while (i < src.length && src[i] !== ']') i += src[i] === '\\' ? 2 : 1; continue; }
    if (src[i] !== '(') continue;
    if (src[i + 1] === '?') {
      const m = /^\(\?<([A-Za-z_][A-Za-z0-9_]*)>/.exec(src.slice(i));
      if (!m) continue;
      n++;
      if (n === x) return m[1];
      continue;
    }
    n++;
    if (n === x) return undefined;
  }
  return undefined;
}

function checkVocabulary(r: CompiledRule, vocab: Vocabulary, fail: (r: CompiledRule, m: string) => void): void {
  const m = r.set.manufacturer;
  if (m !== undefined && !/\{/.test(m) && !vocab.manufacturers.has(m)) fail(r, `manufacturer ${JSON.stringify(m)} is not in vocabulary/manufacturers.txt`);
  const t = r.set.device_type;
  if (t !== undefined) {
    if (/\{/.test(t)) fail(r, 'device_type must be a fixed vocabulary value, not interpolated');
    else if (!vocab.deviceTypes.has(t)) fail(r, `device_type ${JSON.stringify(t)} is not in vocabulary/device-types.txt`);
  }
}

/** Human-readable report; the last line says PASS or FAIL. */
export function formatReport(report: CheckReport): string {
  const lines = report.failures.map((f) => `FAIL ${f.file}:${f.line}: ${f.rule !== undefined ? `${f.rule}: ` : ''}${f.message}`);
  const summary = `${report.rules} rules in ${report.files} files, ${report.examples} examples, ${report.fixtures} fixture checks`;
  lines.push(report.failures.length === 0 ? `PASS ${summary}` : `FAIL ${report.failures.length} problem(s); ${summary}`);
  return lines.join('\n');
}

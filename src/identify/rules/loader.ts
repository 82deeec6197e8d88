/**
 * \summary Loads fingerprint rule files (fingerprints/*.yaml): YAML with line numbers, schema
 * validation (schema.ts), regex safety (regex-safety.ts) and compilation (matcher.ts). Every
 * problem is reported as `file:line:col: key: reason`; `loadRules` throws the first batch as
 * `AuscultError('AUS_ERR_RULE', ...)`, `parseRuleDir` returns them for `auscult rules test`.
 * Parsed rule sets are cached per directory (rules load once per process).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Document, LineCounter } from 'yaml';
import { jsYamlLib, yamlLib } from '../../lazy-yaml.js';
import { AuscultError } from '../../errors.js';
import type { DeviceField } from '../field-candidate.js';
import { compileCondition, confidenceOf, mainCondition, type CompiledCondition, type CompiledRule } from './matcher.js';
import { isObservationField, nearestObservationField } from './observation-fields.js';
import { regexProblem } from './regex-safety.js';
import { ruleSchemas, type RuleFileSpec } from './schema.js';
import { RULES_CACHE_PATH, SpecCache, textDigest } from '../spec-cache.js';

/** What a valid rule file compiles from, as the build caches it (spec-cache.ts): the validated spec and each rule's line. */
export interface CachedRuleFile {
  spec: RuleFileSpec;
  lines: number[];
}

/** The shipped rules as `npm run build` cached them. */
export const RULES_CACHE = new SpecCache<CachedRuleFile>(RULES_CACHE_PATH);

export interface RuleProblem {
  file: string;
  line: number;
  col: number;
  /** Dotted key path inside the file (`rules.3.pattern`), or '' for the file itself. */
  key: string;
  reason: string;
  /** Rule id when the problem belongs to one rule. */
  rule?: string;
}

export function formatProblem(p: RuleProblem): string {
  return `${p.file}:${p.line}:${p.col}: ${p.key === '' ? '(file)' : p.key}: ${p.reason}`;
}

export interface LoadedRuleFile {
  file: string;
  preference: number;
  spec: RuleFileSpec;
  rules: CompiledRule[];
}

export interface RuleSet {
  dir: string;
  files: LoadedRuleFile[];
  /** All rules in precedence order: preference desc, then file name, then position. */
  rules: CompiledRule[];
  /** Rules by every observation field they read (precedence order kept). */
  byField: Map<string, CompiledRule[]>;
  /** Observation fields a rule reads besides its main field (kept in per-device memory). */
  rememberedFields: Set<string>;
  problems: RuleProblem[];
}

/**
 * Parses and compiles one rule file's text; problems are returned, never thrown.
 *
 * Fast path (issue 14, start-up): js-yaml without positions is about 4× quicker than \`yaml\`
 * with line counting (the catalogue loader does the same). A file that parses, validates and
 * compiles without a problem, and whose every rule starts with its `- id:` line, takes its rule
 * lines from those; any other file is parsed again by the positioned path below, which reports
 * every problem at file:line:col. `fast: false` forces that path (the test compares the two).
 */
export function parseRuleFile(file: string, text: string, options: { fast?: boolean } = {}): { loaded?: LoadedRuleFile; problems: RuleProblem[] } {
  if (options.fast !== false) {
    const quick = parseRuleFileFast(file, text);
    if (quick !== undefined) return { loaded: quick, problems: [] };
  }
  const lc = new (yamlLib().LineCounter)();
  const doc = yamlLib().parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const problems: RuleProblem[] = [];
  for (const e of doc.errors) {
    const pos = lc.linePos(e.pos[0]);
    problems.push({ file, line: pos.line, col: pos.col, key: '', reason: e.message.split('\n')[0] ?? 'YAML syntax error' });
  }
  if (problems.length > 0) return { problems };
  const where = (path: readonly PropertyKey[]): { line: number; col: number } => posOf(doc, lc, path);
  const parsed = ruleSchemas().ruleFileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      const { line, col } = where(path);
      const ruleIndex = path[0] === 'rules' && typeof path[1] === 'number' ? path[1] : undefined;
      const id = ruleIndex !== undefined ? ruleIdAt(doc, ruleIndex) : undefined;
      problems.push({ file, line, col, key: path.join('.'), reason: issue.message, ...(id !== undefined ? { rule: id } : {}) });
    }
    return { problems };
  }
  const spec = parsed.data;
  const rules = compileRules(file, spec, where, problems);
  return { loaded: { file, preference: spec.preference, spec, rules }, problems };
}

/** Compiles a validated file's rules; `where` locates a key path (for problems and rule lines). */
function compileRules(file: string, spec: RuleFileSpec, where: (path: readonly PropertyKey[]) => { line: number; col: number }, problems: RuleProblem[], validated = false): CompiledRule[] {
  const rules: CompiledRule[] = [];
  spec.rules.forEach((r, i) => {
    const at = (key: string, ...rest: (string | number)[]) => ({ file, ...where(['rules', i, key, ...rest]), key: ['rules', i, key, ...rest].join('.'), rule: r.id });
    const field = r.matches ?? spec.matches;
    if (field === undefined) {
      problems.push({ ...at('id'), reason: 'no observation field: set `matches` on the file or the rule' });
      return;
    }
    const conditions: [string, ReturnType<typeof mainCondition>, (string | number)[]][] = [[field, mainCondition(r), [r.pattern !== undefined ? 'pattern' : r.exact !== undefined ? 'exact' : r.prefix !== undefined ? 'prefix' : 'list']]];
    for (const [f, c] of Object.entries(r.also ?? {})) conditions.push([f, c, ['also', f]]);
    // Every matched field must be declared (observation-fields.ts): a misspelt key matches nothing, silently.
    const undeclared = conditions.filter(([f]) => !isObservationField(f));
    for (const [f, , key] of undeclared) {
      const near = nearestObservationField(f);
      const pos = key[0] === 'also' ? at('also', f) : r.matches !== undefined ? at('matches') : { file, ...where(['matches']), key: 'matches', rule: r.id };
      problems.push({ ...pos, reason: `unknown observation field "${f}"${near !== undefined ? ` (did you mean "${near}"?)` : ''}` });
    }
    if (undeclared.length > 0) return;
    const compiled: CompiledCondition[] = [];
    let ok = true;
    for (const [f, c, key] of conditions) {
      // One RE2 compile per pattern (start-up): compileCondition throws on a pattern RE2 cannot
      // run, and only then is it compiled again by regexProblem for the reason.
      let condition: CompiledCondition;
      try {
        condition = compileCondition(f, c, { validated });
      } catch (e) {
        if (c.pattern === undefined) throw e;
        const problem = regexProblem(c.pattern, c.ignore_case === true) ?? { reason: (e as Error).message };
        problems.push({ ...at(key[0] as string, ...key.slice(1)), reason: `invalid regex: ${problem.reason}` });
        ok = false;
        continue;
      }
      compiled.push(condition);
    }
    if (!ok) return;
    const [main, ...also] = compiled as [CompiledCondition, ...CompiledCondition[]];
    rules.push({
      id: r.id, description: r.description, field, main, also,
      confidence: confidenceOf(r.certainty), set: r.set as Partial<Record<DeviceField, string>>,
      fields: [field, ...also.map((c) => c.field)], spec: r, file, line: where(['rules', i]).line,
      order: 0, preference: spec.preference,
    });
  });
  return rules;
}

/** The fast path of parseRuleFile: undefined when the file needs the positioned path. */
function parseRuleFileFast(file: string, text: string): LoadedRuleFile | undefined {
  let data: unknown;
  try {
    data = jsYamlLib().load(text, { schema: jsYamlLib().CORE_SCHEMA });
  } catch {
    return undefined;
  }
  const parsed = ruleSchemas().ruleFileSchema.safeParse(data);
  if (!parsed.success) return undefined;
  const spec = parsed.data;
  const ruleLines: number[] = [];
  for (const r of spec.rules) {
    const line = lineOfRule(text, r.id);
    if (line === undefined) return undefined;
    ruleLines.push(line);
  }
  return compileKnown(file, spec, ruleLines, false);
}

/**
 * A validated spec whose rule lines are known (the fast path, the build's cache) compiled, or
 * undefined on any problem (the positioned path then finds and places it). `validated`: every
 * pattern already compiled without a problem (the cache), so RE2 compiles each at first use.
 */
function compileKnown(file: string, spec: RuleFileSpec, ruleLines: readonly number[], validated: boolean): LoadedRuleFile | undefined {
  const problems: RuleProblem[] = [];
  // Only a rule's own line is asked for on success (`['rules', i]`); anything else is a problem.
  const where = (path: readonly PropertyKey[]): { line: number; col: number } => ({ line: path.length === 2 && path[0] === 'rules' && typeof path[1] === 'number' ? (ruleLines[path[1]] ?? 1) : 1, col: 1 });
  const rules = compileRules(file, spec, where, problems, validated);
  return problems.length === 0 ? { file, preference: spec.preference, spec, rules } : undefined;
}

/** The cache entries (text digest → entry) of a rule directory's valid files: what the build writes. */
export function ruleCacheEntries(dir: string): Map<string, CachedRuleFile> {
  const entries = new Map<string, CachedRuleFile>();
  for (const n of readdirSync(dir).filter((name) => /\.ya?ml$/.test(name)).sort()) {
    const text = readFileSync(join(dir, n), 'utf8');
    const r = parseRuleFile(join(dir, n), text);
    if (r.loaded !== undefined && r.problems.length === 0) entries.set(textDigest(text), { spec: r.loaded.spec, lines: r.loaded.rules.map((rule) => rule.line) });
  }
  return entries;
}

/** The line of the only `- id: <id>` item line (1-based), or undefined when it is not exactly one. */
function lineOfRule(text: string, id: string): number | undefined {
  const escaped = id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^[ \\t]*-[ \\t]+id:[ \\t]*(['"]?)${escaped}\\1[ \\t]*(#.*)?$`, 'gm');
  const first = re.exec(text);
  if (first === null || re.exec(text) !== null) return undefined;
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < first.index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/**
 * Parses every `*.yaml` / `*.yml` file of a directory into one rule set; never throws on content.
 * A file whose exact text the build cached (`cache`, spec-cache.ts) is compiled from its entry.
 */
export function parseRuleDir(dir: string, cache: SpecCache<CachedRuleFile> | undefined = RULES_CACHE): RuleSet {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => /\.ya?ml$/.test(n)).sort();
  } catch (e) {
    throw new AuscultError('AUS_ERR_RULE', `cannot read rule directory: ${(e as NodeJS.ErrnoException).code ?? 'error'}`, { file: dir });
  }
  // Each file's text and its digest ('' when unreadable): the key of the build's cache and, with
  // the names, of the rule set prepared in a start-up snapshot.
  const read = names.map((n): { name: string; path: string; text: string | NodeJS.ErrnoException; digest: string } => {
    const path = join(dir, n);
    try {
      const text = readFileSync(path, 'utf8');
      return { name: n, path, text, digest: textDigest(text) };
    } catch (e) {
      return { name: n, path, text: e as NodeJS.ErrnoException, digest: '' };
    }
  });
  const contents = read.map((f) => `${f.name}\0${f.digest}`).join('\0');
  const prepared = preparedRuleSets.get(dir);
  if (prepared !== undefined && prepared.contents === contents) return prepared.set;
  const files: LoadedRuleFile[] = [];
  const problems: RuleProblem[] = [];
  for (const { path, text, digest } of read) {
    if (typeof text !== 'string') {
      problems.push({ file: path, line: 1, col: 1, key: '', reason: `unreadable: ${text.code ?? 'error'}` });
      continue;
    }
    const cached = cache?.getByDigest(digest);
    const known = cached !== undefined ? compileKnown(path, cached.spec, cached.lines, true) : undefined;
    const r = known !== undefined ? { loaded: known, problems: [] } : parseRuleFile(path, text);
    problems.push(...r.problems);
    if (r.loaded) files.push(r.loaded);
  }
  const set = buildRuleSet(dir, files, problems);
  if (preparing && problems.length === 0) preparedRuleSets.set(dir, { contents, set });
  return set;
}

/**
 * Rule sets parsed while a start-up snapshot was made (src/start-snapshot.ts), by directory, with
 * the names and text digests of the files they came from: `parseRuleDir` returns one only while
 * the directory still holds exactly those files, so an edited, added or removed file is parsed as
 * ever. Saves compiling the shipped rules at every start (about 5 ms of a replay's start-up).
 */
const preparedRuleSets = new Map<string, { contents: string; set: RuleSet }>();
let preparing = false;

/** Parses `dir` into the start-up snapshot being made (its entry script calls this). */
export function prepareRulesForSnapshot(dir: string): void {
  preparing = true;
  try {
    parseRuleDir(dir);
  } finally {
    preparing = false;
  }
}

/** Orders rules (preference desc, file, position) and indexes them by field. */
export function buildRuleSet(dir: string, files: LoadedRuleFile[], problems: RuleProblem[] = []): RuleSet {
  const ordered = [...files].sort((a, b) => b.preference - a.preference || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const rules: CompiledRule[] = [];
  for (const f of ordered) for (const r of f.rules) rules.push(r);
  rules.forEach((r, i) => { r.order = i; });
  const byField = new Map<string, CompiledRule[]>();
  const rememberedFields = new Set<string>();
  for (const r of rules) {
    for (const f of new Set(r.fields)) {
      let list = byField.get(f);
      if (!list) byField.set(f, (list = []));
      list.push(r);
    }
    if (r.also.length > 0) for (const f of r.fields) rememberedFields.add(f);
  }
  return { dir, files: ordered, rules, byField, rememberedFields, problems };
}

const cache = new Map<string, RuleSet>();

/** Loads a rule directory once (cached per path); throws AUS_ERR_RULE listing every problem. */
export function loadRules(dir: string): RuleSet {
  const hit = cache.get(dir);
  if (hit) return hit;
  const set = parseRuleDir(dir);
  if (set.problems.length > 0) {
    const first = set.problems[0] as RuleProblem;
    const more = set.problems.length > 1 ? ` (and ${set.problems.length - 1} more; run \`auscult rules test ${dir}\`)` : '';
    throw new AuscultError('AUS_ERR_RULE', `${first.key === '' ? '(file)' : first.key}: ${first.reason}${more}`, { file: first.file, line: first.line, column: first.col });
  }
  cache.set(dir, set);
  return set;
}

/** Forgets cached rule sets (tests that rewrite a rule directory). */
export function clearRuleCache(): void {
  cache.clear();
}

function posOf(doc: Document, lc: LineCounter, path: readonly (string | number | PropertyKey)[]): { line: number; col: number } {
  // Walk up the path until a node with a position is found (a missing key reports its parent).
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as (string | number)[], true);
    if (yamlLib().isNode(node) && node.range) {
      const p = lc.linePos(node.range[0]);
      return { line: p.line, col: p.col };
    }
    // A key's value may be a scalar that getIn returns unwrapped; try the pair's key node.
  }
  return { line: 1, col: 1 };
}

function ruleIdAt(doc: Document, index: number): string | undefined {
  const v = doc.getIn(['rules', index, 'id']);
  return typeof v === 'string' ? v : undefined;
}

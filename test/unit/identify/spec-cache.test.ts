/**
 * Issue 14, start-up: the build's cache of the shipped rules and catalogue (spec-cache.ts) gives
 * the same rule set and catalogue as parsing the YAML: same rules, lines, order and specs, and
 * the same answers on every rule's examples and every catalogue family's examples; a file whose
 * text changed by one byte is not taken from the cache (its problem is reported at its line); a
 * missing or malformed cache file is an empty cache. A rule set parsed while a start-up snapshot
 * is made is given back only while its directory holds exactly the files it came from.
 */
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogueCacheEntries, DEFAULT_CATALOGUE_DIR, findFamilyIn, parseCatalogueDir, type CachedCatalogueFile, type Catalogue } from '../../../src/identify/catalogue/catalogue.js';
import { DEFAULT_FINGERPRINTS_DIR } from '../../../src/identify/rules-identifier.js';
import { parseRuleDir, prepareRulesForSnapshot, ruleCacheEntries, type CachedRuleFile, type RuleSet } from '../../../src/identify/rules/loader.js';
import { SpecCache } from '../../../src/identify/spec-cache.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'auscult-spec-cache-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

function ruleView(set: RuleSet): unknown[] {
  return set.rules.map((r) => ({
    id: r.id, file: r.file, line: r.line, field: r.field, order: r.order, preference: r.preference, confidence: r.confidence, set: r.set,
    fields: r.fields, spec: r.spec, kinds: [r.main, ...r.also].map((c) => [c.field, c.kind, c.groupCount, c.groupNames]),
  }));
}

function catalogueView(c: Catalogue): unknown[] {
  return c.families.map((f) => ({ ...f, patterns: f.patterns.map((p) => [p.text, p.key, p.source, p.specificity, p.distinctive]) }));
}

describe('build cache of the shipped rules', () => {
  it('gives the same rule set as parsing, and the same answers on every example', () => {
    const cache = new SpecCache<CachedRuleFile>(join(dir, 'rules.json'));
    cache.write(ruleCacheEntries(DEFAULT_FINGERPRINTS_DIR));
    const parsed = parseRuleDir(DEFAULT_FINGERPRINTS_DIR, undefined);
    const cached = parseRuleDir(DEFAULT_FINGERPRINTS_DIR, cache);
    expect(parsed.problems).toEqual([]);
    expect(cached.problems).toEqual([]);
    expect(parsed.files.length).toBeGreaterThan(5);
    expect(cache.hits).toBe(parsed.files.length);
    expect(cache.misses).toBe(0);
    expect(ruleView(cached)).toEqual(ruleView(parsed));
    expect([...cached.byField.keys()]).toEqual([...parsed.byField.keys()]);
    expect([...cached.rememberedFields]).toEqual([...parsed.rememberedFields]);
    let patterns = 0;
    for (const [i, rule] of parsed.rules.entries()) {
      const other = cached.rules[i];
      if (other === undefined) throw new Error('rule missing');
      if (rule.main.kind === 'pattern') patterns++;
      for (const example of rule.spec.examples) {
        const input = typeof example.input === 'string' ? example.input : (example.input[rule.field] ?? '');
        expect(other.main.test(input), `${rule.id}: ${input}`).toEqual(rule.main.test(input));
        expect(other.main.test(`${input} x`)).toEqual(rule.main.test(`${input} x`));
      }
    }
    expect(patterns).toBeGreaterThan(20);
  });

  it('takes a file whose text changed by one byte from YAML, and reports its problem at its line', () => {
    const rules = join(dir, 'rules');
    cpSync(DEFAULT_FINGERPRINTS_DIR, rules, { recursive: true });
    const cache = new SpecCache<CachedRuleFile>(join(dir, 'rules-edit.json'));
    cache.write(ruleCacheEntries(rules));
    const file = join(rules, 'dhcp-vendor-class.yaml');
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n');
    const n = lines.findIndex((l) => /^\s+pattern: /.test(l));
    expect(n).toBeGreaterThan(0);
    lines[n] = (lines[n] ?? '').replace(/pattern: .*/, "pattern: '(?<=x)'"); // look-behind: RE2 refuses it
    writeFileSync(file, lines.join('\n'));
    const set = parseRuleDir(rules, cache);
    expect(cache.misses).toBe(1);
    expect(cache.hits).toBe(set.files.length - 1); // the edited file is loaded too, less its bad rule
    const problem = set.problems.find((p) => p.file === file);
    expect(problem, JSON.stringify(set.problems)).toBeDefined();
    expect(problem?.line).toBe(n + 1);
    expect(problem?.reason).toMatch(/invalid regex/);
  });

  it('reads a missing or malformed cache file as empty', () => {
    const missing = new SpecCache<CachedRuleFile>(join(dir, 'absent.json'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"format":"auscult-spec-cache-0","entries":{}}');
    const malformed = new SpecCache<CachedRuleFile>(bad);
    for (const cache of [missing, malformed]) {
      const set = parseRuleDir(DEFAULT_FINGERPRINTS_DIR, cache);
      expect(set.problems).toEqual([]);
      expect(cache.hits).toBe(0);
      expect(cache.misses).toBe(set.files.length);
    }
  });
});

describe('build cache of the shipped catalogue', () => {
  it('gives the same families as parsing, and the same family for every example', () => {
    const cache = new SpecCache<CachedCatalogueFile>(join(dir, 'catalogue.json'));
    cache.write(catalogueCacheEntries(DEFAULT_CATALOGUE_DIR));
    const parsed = parseCatalogueDir(DEFAULT_CATALOGUE_DIR, undefined);
    const cached = parseCatalogueDir(DEFAULT_CATALOGUE_DIR, cache);
    expect(parsed.problems).toEqual([]);
    expect(cached.problems).toEqual([]);
    expect(parsed.files).toBeGreaterThan(50);
    expect(cache.hits).toBe(parsed.files);
    expect(catalogueView(cached)).toEqual(catalogueView(parsed));
    let stars = 0;
    for (const family of parsed.families) {
      if (family.patterns.some((p) => p.key.includes('*'))) stars++;
      for (const example of family.examples) {
        for (const maker of [family.manufacturer, undefined]) {
          const a = findFamilyIn(parsed, maker, example);
          const b = findFamilyIn(cached, maker, example);
          expect(b?.family.id, `${family.id}: ${example}`).toBe(a?.family.id);
          expect(b?.pattern).toBe(a?.pattern);
        }
      }
    }
    expect(stars).toBeGreaterThan(0);
  });
});

describe('rule sets prepared for a start-up snapshot', () => {
  it('are given back while the directory holds the same files, and parsed again after an edit, an added or a removed file', () => {
    const rules = join(dir, 'prepared-rules');
    cpSync(DEFAULT_FINGERPRINTS_DIR, rules, { recursive: true });
    prepareRulesForSnapshot(rules);
    const prepared = parseRuleDir(rules);
    expect(prepared.problems).toEqual([]);
    expect(parseRuleDir(rules)).toBe(prepared);
    expect(ruleView(prepared)).toEqual(ruleView(parseRuleDir(rules, undefined)));

    // A file added: parsed, its rule in the set; removed again: the prepared set.
    const extra = join(rules, 'zz-extra.yaml');
    writeFileSync(extra, `matches: cdp.platform
preference: 0.5
rules:
  - id: prepared-extra-rule
    description: a rule the snapshot never saw
    exact: 'Acme Pump 9'
    certainty: specific
    set: { manufacturer: Acme }
    examples:
      - input: 'Acme Pump 9'
        expect: { manufacturer: Acme }
    source: 'a test'
`);
    const added = parseRuleDir(rules);
    expect(added).not.toBe(prepared);
    expect(added.problems).toEqual([]);
    expect(added.rules.map((r) => r.id)).toContain('prepared-extra-rule');
    rmSync(extra);
    expect(parseRuleDir(rules)).toBe(prepared);

    // One file's text edited (a rule's manufacturer): parsed again, the edit in the set.
    const cdp = join(rules, 'cdp-platform.yaml');
    const text = readFileSync(cdp, 'utf8');
    writeFileSync(cdp, text.replace('manufacturer: Cisco', 'manufacturer: Cisco Edited'));
    const edited = parseRuleDir(rules);
    expect(edited).not.toBe(prepared);
    expect(edited.rules.find((r) => r.id === 'cisco-catalyst-cdp')?.set['manufacturer']).toBe('Cisco Edited');
    writeFileSync(cdp, text);
    expect(parseRuleDir(rules)).toBe(prepared);

    // A file renamed (same text, another name, so another order): parsed again.
    renameSync(cdp, join(rules, 'zz-cdp-platform.yaml'));
    const renamed = parseRuleDir(rules);
    expect(renamed).not.toBe(prepared);
    expect(renamed.rules.find((r) => r.id === 'cisco-catalyst-cdp')?.file).toBe(join(rules, 'zz-cdp-platform.yaml'));
  });

  it('are not prepared from a directory with a problem', () => {
    const rules = join(dir, 'prepared-bad');
    cpSync(DEFAULT_FINGERPRINTS_DIR, rules, { recursive: true });
    writeFileSync(join(rules, 'broken.yaml'), 'rules: [ { id: x } ]\n');
    prepareRulesForSnapshot(rules);
    const first = parseRuleDir(rules);
    expect(first.problems.length).toBeGreaterThan(0);
    expect(parseRuleDir(rules)).not.toBe(first);
  });
});

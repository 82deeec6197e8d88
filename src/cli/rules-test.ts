/**
 * \summary `auscult rules test [dir]`: proves every fingerprint rule against its examples and
 * fixtures (src/identify/rules/check.ts) and prints a readable report. Exit 0 pass, 1 fail.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { EXIT } from '../errors.js';
import { checkCatalogue } from '../identify/catalogue/check.js';
import { checkRuleDir, formatReport, type FixtureReplay } from '../identify/rules/check.js';
import { DEFAULT_FINGERPRINTS_DIR, RulesIdentifier } from '../identify/rules-identifier.js';
import { listDevices } from '../inventory/device-view.js';
import { silentLogger } from '../log.js';
import { openPipeline } from '../pipeline.js';
import { writeStdout } from './common.js';

/** design.md: `rules test` exits 1 when any check fails. */
export const RULES_FAILED = 1;

/** Replays a capture into a throw-away database with the rules under test; returns the rule ids in its evidence. */
export const replayFixture: FixtureReplay = async (fixture, rules) => {
  const pipeline = openPipeline(':memory:', { logger: silentLogger(), identifier: new RulesIdentifier({ rules }) });
  try {
    await pipeline.replayFile(fixture);
    const seen = new Set<string>();
    for (const d of listDevices(pipeline.db)) {
      for (const items of Object.values(d.evidence)) for (const e of items) if (e.rule !== null) seen.add(e.rule);
    }
    return seen;
  } finally {
    pipeline.db.close();
  }
};

export function registerRules(program: Command): void {
  const rules = program.command('rules').description('fingerprint rules: check them (rules test)');
  rules
    .command('test')
    .description('check every rule (schema, examples, shadowing, capture groups, vocabulary, regex safety, fixtures) and the product catalogue (schema, examples, sources, shadowing)')
    .argument('[dir]', 'rule directory', DEFAULT_FINGERPRINTS_DIR)
    .option('--no-fixtures', 'skip replaying the fixtures rules list')
    .addHelpText('after', `
Fixture paths in rules are resolved against the rules directory when it holds a fixtures/
folder, else against its parent (the shipped layout: fingerprints/ beside fixtures/), so the
check gives the same answer from any current directory.
Exit codes: 0 every check passed, 1 a check failed (each failure is printed as file:line: rule: reason).`)
    .action(async (dir: string, opts: { fixtures: boolean }) => {
      const report = await checkRuleDir(dir, opts.fixtures ? { replay: replayFixture, root: fixtureRoot(dir) } : {});
      // Issue 16: the product catalogue (<dir>/products/) is checked with the rules.
      const cat = checkCatalogue(join(dir, 'products'), dir);
      report.failures.push(...cat.failures);
      const catalogueLine = `catalogue: ${cat.catalogue.families.length} product families of ${cat.catalogue.byManufacturer.size} manufacturers in ${cat.catalogue.files} files, ${cat.examples} examples`;
      writeStdout(`${catalogueLine}\n${formatReport(report)}`.split(`${process.cwd()}/`).join(''));
      process.exitCode = report.failures.length === 0 ? EXIT.OK : RULES_FAILED;
    });
}

/** Where a rule directory's fixture paths are rooted (see the help text above). */
export function fixtureRoot(dir: string): string {
  const abs = resolve(dir);
  return existsSync(join(abs, 'fixtures')) ? abs : dirname(abs);
}

/**
 * \summary `auscult advisories import <file|dir>...` (CSAF 2.0 advisories, every revision kept),
 * `auscult advisories kev <csv>` (CISA Known Exploited Vulnerabilities) and `auscult advisories
 * list`. Offline: the hospital downloads CISA's files; the sensor never fetches anything.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { parse } from 'csv-parse/sync';
import { checkCsaf, type CsafProblem } from '../advisories/csaf.js';
import { AuscultError, EXIT } from '../errors.js';
import { checkRevision, listRevisions, storeKev, storeRevisions, type AdvisoryRevisionInput, type KevEntry } from '../inventory/advisory-store.js';
import { openDatabase } from '../inventory/store.js';
import { dbOption, formatTable, writeStdout } from './common.js';

/** Most files one import reads from directories (a hostile tree must not run forever). */
export const MAX_ADVISORY_FILES = 100_000;

/** Control characters (C0, DEL, C1, bidi overrides) shown as `\uXXXX`, so a hostile string cannot drive the terminal. */
export function terminalSafe(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The JSON files named: files as given, directories walked for `*.json` (sorted). */
function collectFiles(paths: readonly string[], problems: string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch (err) {
      problems.push(`${dir}: unreadable: ${(err as Error).message}`);
      return;
    }
    for (const e of entries) {
      if (out.length >= MAX_ADVISORY_FILES) return;
      const p = join(dir, e);
      let st;
      try { st = statSync(p); } catch { continue; }
      if (st.isDirectory()) walk(p);
      else if (e.toLowerCase().endsWith('.json')) out.push(p);
    }
  };
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch (err) {
      problems.push(`${p}: unreadable: ${(err as Error).message}`);
      continue;
    }
    if (st.isDirectory()) walk(p);
    else out.push(p);
  }
  return out;
}

export function registerAdvisories(program: Command): void {
  const cmd = program.command('advisories').description('import and list manufacturer security advisories (CSAF 2.0) and CISA KEV');
  dbOption(
    cmd.command('import')
      .description('import CSAF 2.0 advisories (files, or directories of *.json); every revision is kept')
      .argument('<path...>', 'CSAF 2.0 JSON files or directories')
      .option('--skip-invalid', 'import the valid files even if some are invalid (the invalid ones are still listed)'),
  ).addHelpText('after', `
Each file is validated against the CSAF 2.0 JSON schema and the CSAF 2.0 mandatory tests
(BSI csaf-validator-lib), offline. Every problem is printed as file: /json/pointer: reason and
nothing is imported (exit 65) unless --skip-invalid. A revision already imported with the same
bytes is skipped; the newest revision of each advisory is the one matched.

Examples:
  $ auscult advisories import ~/Downloads/csaf_files/OT/white/   # CISA's ICS(MA) advisories
  $ auscult advisories import icsma-20-254-01.json && auscult exposure`)
    .action(async (paths: string[], opts: { db: string; skipInvalid?: boolean }) => {
      const unreadable: string[] = [];
      const files = collectFiles(paths, unreadable);
      const invalid: string[] = [];
      const good: AdvisoryRevisionInput[] = [];
      for (const file of files) {
        let bytes: Buffer;
        try {
          bytes = readFileSync(file);
        } catch (err) {
          unreadable.push(`${file}: unreadable: ${(err as Error).message}`);
          continue;
        }
        const text = bytes.toString('utf8');
        const check = await checkCsaf(text);
        if (!check.ok) {
          for (const p of check.problems) invalid.push(problemLine(file, p));
          continue;
        }
        good.push({ advisory: check.advisory, file, sha256: createHash('sha256').update(bytes).digest('hex'), document: text });
      }
      const db = openDatabase(opts.db);
      try {
        let unchanged = 0;
        const fresh: AdvisoryRevisionInput[] = [];
        const seen = new Map<string, string>();
        for (const g of good) {
          const key = `${g.advisory.tracking_id}\u0000${g.advisory.version}`;
          const dup = seen.get(key);
          if (dup !== undefined && dup !== g.sha256) {
            invalid.push(problemLine(g.file, { path: '/document/tracking/version', reason: `revision ${g.advisory.version} of ${g.advisory.tracking_id} also comes from another file with different content` }));
            continue;
          }
          seen.set(key, g.sha256);
          const outcome = checkRevision(db, g);
          if (outcome === 'unchanged' || dup !== undefined) unchanged++;
          else if (outcome === 'added') fresh.push(g);
          else invalid.push(problemLine(g.file, { path: '/document/tracking/version', reason: outcome.conflict }));
        }
        for (const line of [...unreadable, ...invalid]) process.stderr.write(`${terminalSafe(line)}\n`);
        if ((invalid.length > 0 || unreadable.length > 0) && opts.skipInvalid !== true) {
          const code = invalid.length > 0 ? 'AUS_ERR_CSAF' : 'AUS_ERR_CSAF_FILE';
          process.stderr.write(`auscult: ${invalid.length + unreadable.length} problem(s); nothing imported (fix them, or use --skip-invalid) [${code}]\n`);
          process.exitCode = invalid.length > 0 ? EXIT.DATAERR : EXIT.NOINPUT;
          return;
        }
        const added = storeRevisions(db, fresh, new Date().toISOString());
        const advisories = new Set(fresh.map((f) => f.advisory.tracking_id)).size;
        process.stderr.write(`${files.length} file(s): ${added} new revision(s) of ${advisories} advisory(ies) imported, ${unchanged} already imported${invalid.length + unreadable.length > 0 ? `, ${invalid.length + unreadable.length} problem(s) skipped` : ''}; run \`auscult exposure\` to see the devices they touch\n`);
        if (invalid.length + unreadable.length > 0) process.exitCode = invalid.length > 0 ? EXIT.DATAERR : EXIT.NOINPUT;
      } finally {
        db.close();
      }
    });

  dbOption(
    cmd.command('kev')
      .description('import the CISA Known Exploited Vulnerabilities catalogue (CSV): marks CVEs known exploited')
      .argument('<csv>', 'known_exploited_vulnerabilities.csv as CISA publishes it (column cveID required)'),
  ).action((csvPath: string, opts: { db: string }) => {
    let text: string;
    try {
      text = readFileSync(csvPath, 'utf8');
    } catch (err) {
      throw new AuscultError('AUS_ERR_CSV_FILE', `unreadable: ${(err as Error).message}`, { file: csvPath });
    }
    let rows: Record<string, string>[];
    try {
      rows = parse(text, { columns: true, bom: true, skip_empty_lines: true, relax_column_count: true }) as Record<string, string>[];
    } catch (err) {
      throw new AuscultError('AUS_ERR_CSV_ROW', (err as Error).message, { file: csvPath });
    }
    const entries: KevEntry[] = [];
    const bad: string[] = [];
    rows.forEach((r, i) => {
      const cve = (r['cveID'] ?? '').trim().toUpperCase();
      if (!/^CVE-\d{4}-\d{4,}$/.test(cve)) { bad.push(`${csvPath}:${i + 2}: cveID ${JSON.stringify(r['cveID'] ?? null)} is not a CVE id`); return; }
      entries.push({ cve, date_added: r['dateAdded'] ?? null, vendor: r['vendorProject'] ?? null, product: r['product'] ?? null, known_ransomware: r['knownRansomwareCampaignUse'] ?? null });
    });
    for (const b of bad) process.stderr.write(`${terminalSafe(b)}\n`);
    if (bad.length > 0) {
      process.stderr.write(`auscult: ${bad.length} bad row(s); nothing imported [AUS_ERR_CSV_ROW]\n`);
      process.exitCode = EXIT.DATAERR;
      return;
    }
    const db = openDatabase(opts.db);
    try {
      storeKev(db, entries, csvPath, new Date().toISOString());
    } finally {
      db.close();
    }
    process.stderr.write(`${csvPath}: ${entries.length} known exploited CVE(s) imported\n`);
  });

  dbOption(
    cmd.command('list')
      .description('every imported advisory revision (newest first per advisory)')
      .option('--json', 'as a JSON array'),
  ).action((opts: { db: string; json?: boolean }) => {
    const db = openDatabase(opts.db);
    const revs = listRevisions(db);
    db.close();
    if (opts.json) { writeStdout(JSON.stringify(revs, null, 2)); return; }
    writeStdout(revs.length === 0 ? 'no advisories imported (auscult advisories import <file|dir>)' : formatTable(
      ['ADVISORY', 'REV', 'RELEASED', 'TITLE', 'FILE'],
      revs.map((r) => [r.tracking_id, r.version, r.current_release_date.slice(0, 10), terminalSafe(r.title), terminalSafe(r.file)]), 60));
  });
}

function problemLine(file: string, p: CsafProblem): string {
  return `${file}: ${p.path === '' ? '/' : p.path}: ${p.reason}`;
}

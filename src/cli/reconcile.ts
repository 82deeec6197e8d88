/**
 * \summary `auscult reconcile`: compare the inventory with the imported system of record, append
 * new and resolved exceptions to the stream, print the open ones.
 */
import type { Command } from 'commander';
import type { ExceptionLine } from '../output/ndjson.js';
import { reconcileAndStream, type ReconcileResult } from '../reconcile/reconcile.js';
import type { SorRecord } from '../reconcile/sor-record.js';
import { dbOption, formatTable, openExistingDb, streamOption, writeStdout } from './common.js';
import { loadConfig, resolveConfigPath } from '../config.js';
import { peerPolicy, type PeerPolicyOptions } from '../reconcile/external-peers.js';

interface ReconcileCliOptions {
  db: string;
  json?: boolean;
  stream: string;
  includeInfrastructure?: boolean;
  config?: string;
}

export { streamOption };

export function registerReconcile(program: Command): void {
  streamOption(dbOption(
    program
      .command('reconcile')
      .description('compare the inventory with the imported system of record; print the open exceptions')
      .option('--json', 'the open exceptions as NDJSON on stdout (one line each, the stream\'s shape)')
      .option('--include-infrastructure', 'raise not_in_inventory for switches, routers and phones too')
      .option('--config <file>', 'take profile.allowed_external and profile.mud_dir (unexpected_external_peer) from this config (default: AUSCULT_CONFIG, else the default config file when present)'),
  )).addHelpText('after', `
New exceptions and exceptions whose condition cleared are appended to the stream once each
(status open / resolved, same event_id); follow it with
  $ tail -f exceptions.ndjson | jq .
Records whose device was not heard on a VLAN or subnet the sensor hears are listed as out of
coverage, not raised as never_seen.

Examples:
  $ auscult import cmms-export.csv && auscult reconcile
  $ auscult reconcile --json | jq -c 'select(.severity == "high") | {type, asset_id, message}'`)
    .action((opts: ReconcileCliOptions) => {
      const db = openExistingDb(opts.db);
      let result: ReturnType<typeof reconcileAndStream>;
      try {
        result = reconcileAndStream(db, opts.stream, { ...(opts.includeInfrastructure === true ? { includeInfrastructure: true } : {}), peers: configuredPeerPolicy(opts.config) });
      } finally {
        db.close();
      }
      if (!result.loaded) {
        process.stderr.write('auscult: no system of record loaded (run auscult import <csv> first); nothing to reconcile\n');
        return;
      }
      if (result.nothingHeard === true) {
        process.stderr.write(`auscult: ${result.counts.records} record(s) loaded but nothing heard yet (replay a capture or run the sensor); nothing to compare\n`);
        return;
      }
      const summary = summaryLine(result, opts.stream, result.stream.written);
      if (opts.json) {
        for (const line of result.open) process.stdout.write(`${JSON.stringify(line)}\n`);
        process.stderr.write(`${summary}\n`);
        return;
      }
      writeStdout(reconcileText(result.open, result.outOfCoverage));
      writeStdout(summary);
    });
}

/** The external-destination policy of the config `--config` (or AUSCULT_CONFIG, or the default file) names; none without one. */
export function configuredPeerPolicy(named: string | undefined): PeerPolicyOptions {
  const path = resolveConfigPath(named);
  if (path === null) return {};
  return peerPolicy(loadConfig(path).profile, (m) => process.stderr.write(`auscult: warning: ${m}\n`));
}

export function summaryLine(result: ReconcileResult, stream: string, written: number): string {
  const opened = result.changes.filter((c) => c.status === 'open').length;
  const resolved = result.changes.length - opened;
  const matched = Object.entries(result.counts.matched).map(([k, n]) => `${n} by ${k}`).join(', ');
  const folded = Object.values(result.counts.missingFolded ?? {}).reduce((n, v) => n + v, 0);
  return `${result.counts.records} record(s), ${result.counts.devices} device(s); matched ${matched || 'none'}; ` +
    `${result.open.length} open exception(s) (${opened} new, ${resolved} resolved); ${written} line(s) appended to ${stream}` +
    `${folded > 0 ? `; ${folded} missing field(s) counted, not raised one by one (README: missing_field)` : ''}`;
}

function subjectOf(l: ExceptionLine): string {
  return l.asset_id ?? l.mac ?? l.device_id ?? '-';
}

export function reconcileText(open: readonly ExceptionLine[], outOfCoverage: readonly SorRecord[]): string {
  const parts: string[] = [];
  if (open.length === 0) parts.push('no open exceptions');
  else {
    parts.push(formatTable(
      ['SEVERITY', 'TYPE', 'SUBJECT', 'FIELD', 'EXPECTED', 'OBSERVED', 'SINCE (UTC)'],
      open.map((l) => [l.severity, l.type, subjectOf(l), l.field, l.expected, l.observed, l.ts.replace('T', ' ').slice(0, 19)]),
    ));
  }
  if (outOfCoverage.length > 0) {
    parts.push('', `out of coverage (${outOfCoverage.length} record(s) not heard, on no VLAN or subnet the sensor hears):`);
    parts.push(formatTable(
      ['LINE', 'ASSET', 'MAC', 'IP', 'VLAN', 'HOSTNAME'],
      outOfCoverage.map((r) => [r.line, r.assetId ?? null, r.macs[0] ?? null, r.ips[0] ?? null, r.vlan ?? null, r.hostname ?? null]),
    ));
  }
  return parts.join('\n');
}

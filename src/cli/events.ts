/**
 * \summary `auscult events`: the events a database holds (its outbox), in one of the shapes SIEMs
 * read, for backfill into a SIEM and for tests. The live outputs write exactly these lines.
 */
import { hostname } from 'node:os';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { readEvents, renderContext } from '../output/event-source.js';
import { OUTPUT_FORMATS, render, type OutputFormat } from '../output/shapes.js';
import { dbOption, openExistingDb } from './common.js';
import { VERSION } from '../version.js';

export function registerEvents(program: Command): void {
  dbOption(
    program
      .command('events')
      .exitOverride() // usage errors exit 64 (EX_USAGE) through main's handler
      .description('print the events the database holds (exceptions opened and resolved, device lifecycle events, verified patches, remote-access sessions) as NDJSON, OCSF, ECS, CEF or syslog, one per line')
      .addOption(new Option('--format <format>', 'the shape of each line').choices(OUTPUT_FORMATS).default('ndjson'))
      .addOption(new Option('--since <time>', 'only events at or after this capture time (ISO 8601, e.g. 2026-11-22T00:00:00Z)').argParser(parseTime))
      .option('--sensor <name>', 'the sensor name in each event (default: this host name)'),
  ).addHelpText('after', `
The lines are the ones the live outputs send (same event_id, seq and capture/frame evidence);
use this to backfill a SIEM. See README "Sending to your SIEM" for each shape's fields.

Examples:
  $ auscult events --format ocsf | jq 'select(.class_uid == 2003) | .finding_info.title'
  $ auscult events | jq -c 'select(.event_type == "remote_session") | {tool, device_ip, peer_ip, start}'
  $ auscult events --format cef --since 2026-11-22T00:00:00Z > backfill.cef`)
    .action((opts: { db: string; format: OutputFormat; since?: string; sensor?: string }) => {
      const db = openExistingDb(opts.db, { readonly: true });
      try {
        const ctx = renderContext(db, { sensor: opts.sensor ?? hostname(), version: VERSION });
        const out: string[] = [];
        for (const e of readEvents(db, opts.since !== undefined ? { since: opts.since } : {})) {
          out.push(render(opts.format, e, ctx));
          if (out.length >= 1024) process.stdout.write(`${out.splice(0).join('\n')}\n`);
        }
        if (out.length > 0) process.stdout.write(`${out.join('\n')}\n`);
      } finally {
        db.close();
      }
    });
}

function parseTime(v: string): string {
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(Date.parse(v))) throw new InvalidArgumentError('not an ISO 8601 time (e.g. 2026-11-22T00:00:00Z)');
  return v;
}

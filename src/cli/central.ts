/**
 * \summary `auscult central init|devices|device|import|reconcile|report|exposure`: the central inventory
 * of many sites in PostgreSQL (src/central/). Same JSON contracts as the local commands, plus
 * `site` and `sites` (per-site addresses, VLANs, switch ports and the location history).
 */
import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import type pg from 'pg';
import { parse as parseYaml } from 'yaml';
import { AuscultError, EXIT } from '../errors.js';
import { connectCentral } from '../central/connect.js';
import { redactUrl } from '../central/url.js';
import { findCentralDevice, listCentralDevices, listSites, siteCompleteness, type CentralDeviceView } from '../central/inventory.js';
import { assignSites, reconcileCentral, storeCentralSor, type SiteRule } from '../central/reconcile.js';
import { migrateCentral, requireCentralSchema } from '../central/schema.js';
import { requireTarget, resolveCentral, type CentralFlags } from '../central/target.js';
import { linearRegExp } from '../identify/rules/regex-safety.js';
import { loadColumnMapping } from '../reconcile/column-mapping.js';
import { parseSorCsv, type SorImportOptions } from '../reconcile/import-csv.js';
import { formatSorRowError } from '../reconcile/sor-record.js';
import { formatTable, writeStdout } from './common.js';
import { deviceText } from './device.js';
import { devicesCsv } from './devices.js';
import { reconcileText } from './reconcile.js';
import type { DeviceView } from '../inventory/device-view.js';
import { exposureRows, type ExposureRow } from '../advisories/exposure.js';
import { loadPatchInputs } from '../advisories/load.js';
import { openDatabase } from '../inventory/store.js';
import { EXPOSURE_COLUMNS, exposureCells, exposureText } from './exposure.js';
import { stringify } from 'csv-stringify/sync';
import { OUTPUT_FORMATS, render, type OutputFormat, type StreamEvent } from '../output/shapes.js';
import { VERSION } from '../version.js';
import type { CentralExceptionLine } from '../central/reconcile.js';

function centralOptions(cmd: Command): Command {
  return cmd
    .option('--central <url>', 'central PostgreSQL URL (central.url, AUSCULT_CENTRAL_URL); password from AUSCULT_CENTRAL_PASSWORD or central.password_file')
    .option('--config <file>', 'config file to read central.* from (default: $AUSCULT_CONFIG, else config/auscult.yaml if present)');
}

async function withCentral<T>(flags: CentralFlags, fn: (client: pg.Client) => Promise<T>, needSchema = true): Promise<T> {
  const target = requireTarget(resolveCentral(flags));
  const client = await connectCentral(target);
  try {
    if (needSchema) await requireCentralSchema(client);
    return await fn(client);
  } catch (err) {
    if (err instanceof AuscultError) throw err;
    throw new AuscultError('AUS_ERR_CENTRAL', `central database ${redactUrl(target.url)}: ${(err as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export function registerCentral(program: Command): void {
  const central = program
    .command('central')
    .description('the central inventory of many sites (PostgreSQL): init, devices, device, import, reconcile, report, exposure')
    .addHelpText('after', `
Sensors ship to it when central.url and site are set (README "Many sites").

Examples:
  $ auscult central init --central postgres://auscult@db.example/auscult?sslmode=verify-full
  $ auscult central devices --json | jq '.[] | select(.sites | length > 1) | {mac, sites: [.sites[].site]}'
  $ auscult central import all-sites.csv && auscult central reconcile`);

  centralOptions(central.command('init').description('create or migrate the central schema (versioned migrations; safe to repeat)'))
    .action(async (opts: CentralFlags) => {
      const r = await withCentral(opts, (c) => migrateCentral(c), false);
      process.stderr.write(r.from === r.to ? `central schema is current (version ${r.to})\n` : `central schema migrated from version ${r.from} to ${r.to}\n`);
    });

  centralOptions(central.command('devices').description('every device of every site, one per durable identity')
    .option('--site <name>', 'only what was heard at this site')
    .option('--json', 'a JSON array: the devices --json contract plus site and sites')
    .option('--csv', 'CSV, one row per device, with a site column'))
    .action(async (opts: CentralFlags & { json?: boolean; csv?: boolean }) => {
      const devices = await withCentral({ ...opts, site: undefined }, (c) => listCentralDevices(c, opts.site === undefined ? {} : { site: opts.site }));
      if (opts.json) return writeStdout(JSON.stringify(devices, null, 2));
      if (opts.csv) {
        const csv = devicesCsv(devices as unknown as DeviceView[]).split('\n');
        const sites = devices.map((d) => d.site);
        process.stdout.write(csv.map((l, i) => (l === '' ? l : `${i === 0 ? 'site' : JSON.stringify(sites[i - 1])},${l}`)).join('\n'));
        return;
      }
      writeStdout(centralTable(devices));
    });

  centralOptions(central.command('device').description('one device: fields, evidence from every sensor, and its sites in order')
    .argument('<key>', 'MAC (any spelling), central id, or IP address (with --site, since sites reuse addresses)')
    .option('--site <name>', 'the site an IP address is at')
    .option('--json', 'the device as JSON'))
    .action(async (key: string, opts: CentralFlags & { json?: boolean }) => {
      const found = await withCentral({ ...opts, site: undefined }, (c) => findCentralDevice(c, key, opts.site));
      if (found.length === 0) {
        process.stderr.write(`auscult: no device matches ${JSON.stringify(key)}\n`);
        process.exitCode = EXIT.NOT_FOUND;
        return;
      }
      if (opts.json) return writeStdout(JSON.stringify(found.length === 1 ? found[0] : found, null, 2));
      for (const d of found) {
        writeStdout(deviceText(d as unknown as DeviceView));
        writeStdout(`\nsites (oldest first):\n${formatTable(['SITE', 'FIRST SEEN', 'LAST SEEN', 'IPS', 'VLAN', 'SWITCH PORT', 'SENSORS'],
          d.sites.map((s) => [s.site, s.first_seen, s.last_seen, s.ips.join(' '), s.vlan, [s.switch, s.port].filter((x) => x !== null).join(' ') || null, s.sensors.length]), 40)}`);
      }
    });

  centralOptions(central.command('import').description('load one system-of-record export listing every site')
    .argument('<csv>', 'the export (as for auscult import), with a site column unless --site-map or --site says where each record is')
    .option('--site <name>', 'site of records that have no site column value and match no --site-map entry')
    .option('--site-map <file>', 'YAML list of {prefix, site}: a record whose location starts with prefix is at site')
    .option('--mapping <file>', 'a column-mapping YAML (as for auscult import)')
    .option('--preset <name>', 'column names of a known export: servicenow-cmdb-ci, biomed-cmms')
    .option('--skip-bad-rows', 'import the good rows even if some are bad'))
    .action(async (csvPath: string, opts: CentralFlags & { siteMap?: string; mapping?: string; preset?: string; skipBadRows?: boolean }) => {
      const options: SorImportOptions = {};
      if (opts.mapping !== undefined) options.mapping = await loadColumnMapping(opts.mapping);
      if (opts.preset !== undefined) options.preset = opts.preset;
      // A `site` column is kept as the record's site (an attribute), not read as its location (the
      // local import's alias): a pattern that never matches keeps the cell as an attribute.
      const base = options.mapping;
      options.mapping = {
        name: base?.name ?? 'central', builtinAliases: base?.builtinAliases ?? true,
        columns: new Map([...(base?.columns ?? []), ['site', { kind: 'pattern', pattern: linearRegExp('[^\\s\\S]'), groups: [] }]]),
      };
      const parsed = await parseSorCsv(csvPath, options);
      parsed.warnings = parsed.warnings.filter((w) => !/: column "[Ss][Ii][Tt][Ee]": pattern did not match/.test(w));
      const rule: SiteRule = {};
      if (opts.site !== undefined) rule.defaultSite = opts.site;
      if (opts.siteMap !== undefined) rule.locationPrefixes = loadSiteMap(opts.siteMap);
      const sited = assignSites(csvPath, parsed.records, rule);
      const errors = [...parsed.errors, ...sited.errors].sort((a, b) => a.line - b.line);
      for (const w of parsed.warnings) process.stderr.write(`auscult: warning: ${w}\n`);
      for (const e of errors) process.stderr.write(`${formatSorRowError(e)}\n`);
      const bad = new Set(errors.map((e) => e.line)).size;
      if (bad > 0 && !opts.skipBadRows) {
        process.stderr.write(`auscult: ${csvPath}: ${bad} bad row(s); nothing imported (fix them, or use --skip-bad-rows) [AUS_ERR_CSV_ROW]\n`);
        process.exitCode = EXIT.DATAERR;
        return;
      }
      if (sited.records.length === 0) throw new AuscultError('AUS_ERR_CSV_ROW', 'no records to import; the current snapshot is unchanged', { file: csvPath });
      const sha256 = createHash('sha256').update(readFileSync(csvPath)).digest('hex');
      const id = await withCentral({ ...opts, site: undefined }, (c) => storeCentralSor(c, { file: csvPath, sha256, encoding: parsed.encoding, skippedRows: bad, records: sited.records }));
      const perSite = new Map<string, number>();
      for (const r of sited.records) perSite.set(r.site, (perSite.get(r.site) ?? 0) + 1);
      process.stderr.write(`${csvPath}: ${sited.records.length} record(s) imported centrally as snapshot ${id} (${[...perSite].map(([s, n]) => `${s}: ${n}`).join(', ')})${bad > 0 ? `, ${bad} bad row(s) skipped` : ''}\n`);
    });

  centralOptions(central.command('reconcile').description('compare every site against the central system-of-record import')
    .option('--json', 'the open exceptions, one line each (the stream line shape plus site, or --format)')
    .option('--stream <file>', 'append new and resolved exception lines to this file (NDJSON, or --format)')
    .addOption(new Option('--format <shape>', 'the shape of --json and --stream lines, as the SIEM outputs write them').choices(OUTPUT_FORMATS).default('ndjson'))
    .option('--include-infrastructure', 'raise not_in_inventory for switches, routers and phones too'))
    .addHelpText('after', `
OCSF, ECS, CEF and syslog lines name the reporting sensor "central/<site>"; NDJSON lines carry site.

Examples:
  $ auscult central reconcile --stream central.ndjson
  $ auscult central reconcile --format cef --stream central.cef    # for a SIEM file collector`)
    .action(async (opts: CentralFlags & { json?: boolean; stream?: string; format: OutputFormat; includeInfrastructure?: boolean }) => {
      const result = await withCentral(opts, (c) => reconcileCentral(c, opts.includeInfrastructure === true ? { includeInfrastructure: true } : {}));
      if (!result.loaded) {
        process.stderr.write('auscult: no system of record loaded centrally (run auscult central import <csv> first); nothing to reconcile\n');
        return;
      }
      if (opts.stream !== undefined && result.changes.length > 0) appendFileSync(opts.stream, result.changes.map((l) => `${centralLine(opts.format, l)}\n`).join(''));
      const opened = result.changes.filter((c) => c.status === 'open').length;
      const summary = `${result.perSite.map((s) => `${s.site}: ${s.records} record(s), ${s.devices} device(s), ${s.open} open`).join('; ')}; ` +
        `${result.open.length} open exception(s) (${opened} new, ${result.changes.length - opened} resolved)` +
        (opts.stream !== undefined ? `; ${result.changes.length} line(s) appended to ${opts.stream}` : '');
      if (opts.json) {
        for (const line of result.open) process.stdout.write(`${centralLine(opts.format, line)}\n`);
      } else {
        writeStdout(reconcileText(result.open, []));
      }
      process.stderr.write(`${summary}\n`);
    });

  centralOptions(central.command('report').description('per-site completeness and open exceptions, as JSON and CSV files')
    .requiredOption('--out <dir>', 'directory to write central-report.json and devices.csv into'))
    .action(async (opts: CentralFlags & { out: string }) => {
      const data = await withCentral(opts, async (c) => {
        const sites = await listSites(c);
        const completeness = [];
        for (const site of sites) completeness.push(siteCompleteness(site, await listCentralDevices(c, { site })));
        const devices = await listCentralDevices(c);
        const open = await c.query<{ site: string; n: string }>(`SELECT site, count(*) AS n FROM exception WHERE status = 'open' GROUP BY site ORDER BY site`);
        const sensors = await c.query<{ sensor_id: string; site: string; last_shipped_at: Date }>('SELECT sensor_id, site, last_shipped_at FROM sensor ORDER BY site, sensor_id');
        return { devices, completeness, open: Object.fromEntries(open.rows.map((r) => [r.site, Number(r.n)])), sensors: sensors.rows };
      });
      mkdirSync(opts.out, { recursive: true });
      const report = {
        sites: data.completeness.map((s) => ({ ...s, open_exceptions: data.open[s.site] ?? 0 })),
        devices: data.devices.length,
        moved: data.devices.filter((d) => d.sites.length > 1).map((d) => ({ id: d.id, mac: d.mac, sites: d.sites.map((s) => s.site) })),
        sensors: data.sensors.map((s) => ({ sensor_id: s.sensor_id, site: s.site, last_shipped_at: s.last_shipped_at.toISOString() })),
      };
      const files = [join(opts.out, 'central-report.json'), join(opts.out, 'devices.csv')];
      writeFileSync(files[0] as string, `${JSON.stringify(report, null, 2)}\n`);
      const csv = devicesCsv(data.devices as unknown as DeviceView[]).split('\n');
      writeFileSync(files[1] as string, csv.map((l, i) => (l === '' ? l : `${i === 0 ? 'site' : JSON.stringify(data.devices[i - 1]?.site ?? '')},${l}`)).join('\n'));
      writeStdout(formatTable(['SITE', 'DEVICES', 'MEDICAL', 'COMPLETE', 'OPEN EXCEPTIONS'], report.sites.map((s) => [s.site, s.devices, s.medical, `${Math.round(s.completeness * 100)}%`, s.open_exceptions])));
      process.stderr.write(`wrote ${files.join(', ')}\n`);
    });

  centralOptions(central.command('exposure').description('the exposure register of every site: advisories imported into a local database matched against the central devices')
    .option('--db <file>', 'the SQLite database holding the imported advisories and KEV list (auscult advisories import --db F)', 'auscult.db')
    .option('--site <name>', 'only devices heard at this site')
    .option('--verdict <v>', 'only rows with this verdict: affected, fixed, not_affected, unverifiable')
    .option('--json', 'a JSON array: the exposure --json contract plus site')
    .option('--csv', 'CSV (formula-safe), with a site column'))
    .addHelpText('after', `
Advisories stay where a biomed team imports and triages them (auscult advisories import --db F);
this command reads them (read only) from that database and the devices of every site from the
central database, so one register covers the health system. The firmware evidence names the
sensor's capture and frame.

Examples:
  $ auscult advisories import --db advisories.db /srv/csaf/ && auscult central exposure --db advisories.db
  $ auscult central exposure --db advisories.db --verdict affected --json | jq 'group_by(.site) | map({site: .[0].site, n: length})'`)
    .action(async (opts: CentralFlags & { db: string; json?: boolean; csv?: boolean; verdict?: string }) => {
      const advisoriesDb = openDatabase(opts.db, { readonly: true });
      const inputs = loadPatchInputs(advisoriesDb, []);
      advisoriesDb.close();
      const devices = await withCentral({ ...opts, site: undefined }, (c) => listCentralDevices(c, opts.site === undefined ? {} : { site: opts.site }));
      let rows = centralExposure(inputs.advisories, devices, inputs.kev);
      if (opts.verdict !== undefined) rows = rows.filter((r) => r.verdict === opts.verdict);
      if (opts.json) return writeStdout(JSON.stringify(rows, null, 2));
      if (opts.csv) {
        process.stdout.write(stringify([['site', ...EXPOSURE_COLUMNS], ...rows.map((r) => [r.site, ...exposureCells(r)])],
          { escape_formulas: true, cast: { boolean: (b) => (b ? 'true' : 'false') } }));
        return;
      }
      writeStdout(rows.length === 0 ? exposureText([]) : formatTable(['SITE', 'VERDICT', 'ADVISORY', 'CVE', 'DEVICE', 'MODEL', 'FIRMWARE'],
        rows.map((r) => [r.site, r.verdict, r.advisory_id, r.cve ?? r.vulnerability, r.asset_id ?? r.mac ?? r.device_id, `${r.manufacturer ?? ''} ${r.model ?? ''}`.trim(), r.firmware]), 40));
    });
}

/** A central exception line in a SIEM shape; the sensor it names is `central/<site>`. */
export function centralLine(format: OutputFormat, line: CentralExceptionLine): string {
  if (format === 'ndjson') return JSON.stringify(line);
  return render(format, { ...line, seq: line.seq ?? 0 } as StreamEvent, { sensor: `central/${line.site}`, version: VERSION });
}

/** The exposure rows of central devices, each with the site it was heard at last (pure). */
export function centralExposure(advisories: Parameters<typeof exposureRows>[0], devices: readonly CentralDeviceView[], kev: ReadonlySet<string>): (ExposureRow & { site: string })[] {
  const siteOf = new Map(devices.map((d) => [d.id, d.site]));
  return exposureRows(advisories, devices, kev).map((r) => ({ site: siteOf.get(r.device_id) ?? '', ...r }));
}

function loadSiteMap(file: string): { prefix: string; site: string }[] {
  let doc: unknown;
  try {
    doc = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new AuscultError('AUS_ERR_MAPPING', `site map: ${(err as Error).message}`, { file });
  }
  if (!Array.isArray(doc) || !doc.every((e) => typeof e === 'object' && e !== null && typeof (e as { prefix?: unknown }).prefix === 'string' && typeof (e as { site?: unknown }).site === 'string')) {
    throw new AuscultError('AUS_ERR_MAPPING', 'site map must be a YAML list of {prefix: text, site: name}', { file });
  }
  return doc as { prefix: string; site: string }[];
}

export function centralTable(devices: readonly CentralDeviceView[]): string {
  if (devices.length === 0) return 'no devices centrally (sensors ship when central.url and site are set; or auscult ship)';
  const rows = devices.map((d) => [d.site, d.mac ?? '(via router)', d.ip, d.hostname, d.vlan, d.manufacturer, d.model, d.firmware,
    d.switch && d.port ? `${d.switch} ${d.port}` : (d.port ?? d.switch), d.sites.length > 1 ? d.sites.map((s) => s.site).join('>') : '', d.last_seen.replace('T', ' ').slice(0, 19)]);
  return formatTable(['SITE', 'MAC', 'IP', 'HOSTNAME', 'VLAN', 'MANUFACTURER', 'MODEL', 'FIRMWARE', 'SWITCH PORT', 'MOVED', 'LAST SEEN (UTC)'], rows, 28) +
    `\n${devices.length} device(s)`;
}

/**
 * \summary `auscult push servicenow`: sends the IRE payloads of `auscult export servicenow` to an
 * instance, checks every item's result (the API answers 200 even when items fail), retries, and
 * prints one line per device. Credentials from the environment (`SERVICENOW_USER`,
 * `SERVICENOW_PASSWORD`) or a file (`--credentials-file`, JSON `{"user", "password"}`), never argv.
 */
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { AuscultError, EXIT } from '../errors.js';
import { listDevices } from '../inventory/device-view.js';
import { pushServiceNow, servicenowPayloads, type ServiceNowCredentials } from '../output/servicenow.js';
import { dbOption, openExistingDb } from './common.js';

function credentials(file: string | undefined): ServiceNowCredentials {
  if (file !== undefined) {
    let v: { user?: unknown; password?: unknown };
    try {
      v = JSON.parse(readFileSync(file, 'utf8')) as { user?: unknown; password?: unknown };
    } catch (err) {
      throw new AuscultError('AUS_ERR_CONFIG_FILE', `cannot read credentials: ${(err as Error).message.split('\n')[0] ?? ''}`, { file });
    }
    if (typeof v.user !== 'string' || typeof v.password !== 'string') throw new AuscultError('AUS_ERR_CONFIG_FILE', 'credentials file must be JSON {"user": "...", "password": "..."}', { file });
    return { user: v.user, password: v.password };
  }
  const user = process.env['SERVICENOW_USER'];
  const password = process.env['SERVICENOW_PASSWORD'];
  if (user === undefined || user === '' || password === undefined || password === '') {
    throw new AuscultError('AUS_ERR_CONFIG_KEY', 'no ServiceNow credentials: set SERVICENOW_USER and SERVICENOW_PASSWORD, or use --credentials-file F');
  }
  return { user, password };
}

const instanceUrl = (v: string): string => {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw new InvalidArgumentError('not a URL (e.g. https://example.service-now.com)');
  }
  if (u.username !== '' || u.password !== '') throw new InvalidArgumentError('credentials do not belong in the URL (use SERVICENOW_USER/SERVICENOW_PASSWORD or --credentials-file)');
  if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new InvalidArgumentError('must be http(s)');
  return u.origin;
};

export function registerPush(program: Command): void {
  const push = program.command('push').description('send the inventory to another system (ServiceNow CMDB)');
  dbOption(
    push.command('servicenow')
      .exitOverride()
      .description('send the medical devices to a ServiceNow CMDB through the Identification and Reconciliation API; one result line per device')
      .addOption(new Option('--instance <url>', 'the instance, e.g. https://example.service-now.com').argParser(instanceUrl).makeOptionMandatory())
      .option('--data-source <name>', 'sysparm_data_source: a choice of cmdb_ci.discovery_source on the instance', 'auscult')
      .option('--credentials-file <file>', 'JSON {"user", "password"} (else SERVICENOW_USER and SERVICENOW_PASSWORD)')
      .option('--sensor <name>', 'the sensor CI\'s name (default: this host name)')
      .option('--retries <n>', 'retries of a payload on 429, 5xx or a network error', (v) => Number.parseInt(v, 10), 3),
  ).addHelpText('after', `
Exit: 0 every device accepted, 1 some item failed (each listed), 78 no credentials.

Examples:
  $ SERVICENOW_USER=svc-auscult SERVICENOW_PASSWORD=... auscult push servicenow --instance https://example.service-now.com
  $ auscult push servicenow --instance https://example.service-now.com --credentials-file /etc/auscult/servicenow.json`)
    .action(async (opts: { db: string; instance: string; dataSource: string; credentialsFile?: string; sensor?: string; retries: number }) => {
      const creds = credentials(opts.credentialsFile);
      const db = openExistingDb(opts.db, { readonly: true });
      let payloads;
      try {
        payloads = servicenowPayloads(listDevices(db), opts.sensor ?? hostname());
      } finally {
        db.close();
      }
      const results = await pushServiceNow(payloads, { instance: opts.instance, dataSource: opts.dataSource, credentials: creds, retries: opts.retries, backoffMs: 500 });
      for (const r of results) process.stdout.write(`${r.ok ? 'ok    ' : 'FAILED'} ${r.device}: ${r.detail} (${r.attempts} attempt(s))\n`);
      const failed = results.filter((r) => !r.ok).length;
      process.stderr.write(`${results.length - failed} of ${results.length} device(s) accepted by ${opts.instance}\n`);
      if (failed > 0) process.exitCode = EXIT.NOT_FOUND;
    });
}

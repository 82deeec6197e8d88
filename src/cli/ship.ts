/**
 * \summary `auscult ship --db F --central URL --site NAME`: ship what a sensor database has not
 * yet shipped (device state, device changes, the exception outbox) to the central PostgreSQL.
 * Safe to repeat and to kill: the central side keeps each event once.
 */
import type { Command } from 'commander';
import { AuscultError } from '../errors.js';
import { openDatabase } from '../inventory/store.js';
import { redactUrl } from '../central/url.js';
import { SHIP_BATCH, shipOnce } from '../central/ship.js';
import { requireTarget, resolveCentral, type CentralFlags } from '../central/target.js';
import { dbOption } from './common.js';

export function registerShip(program: Command): void {
  dbOption(program
    .command('ship')
    .description('ship the inventory database\'s unshipped events and device state to the central PostgreSQL')
    .option('--central <url>', 'central PostgreSQL URL (central.url, AUSCULT_CENTRAL_URL); password from AUSCULT_CENTRAL_PASSWORD or central.password_file')
    .option('--site <name>', 'the site this database was captured at (site, AUSCULT_SITE)')
    .option('--sensor-id <id>', 'this sensor\'s central id (central.sensor_id; default: a UUID kept in the database)')
    .option('--config <file>', 'config file to read central.* and site from')
    .option('--batch <rows>', 'rows per stream in one central transaction (1..100000)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 100_000) throw new AuscultError('AUS_ERR_CONFIG_KEY', `--batch: ${JSON.stringify(v)} is not an integer 1..100000`);
      return n;
    }, SHIP_BATCH)
    .option('--json', 'a JSON summary on stdout'))
    .addHelpText('after', `
Each event carries the sensor id and its sequence, and the central database keeps it once, so
shipping again (after a crash of either side) repeats nothing; the database's ship cursor moves
only after the central commit. Exit 69 when the central database cannot be reached.

Example:
  $ AUSCULT_CENTRAL_PASSWORD=... auscult ship --db site-a.db --central postgres://auscult@central/auscult --site st-marys`)
    .action(async (opts: CentralFlags & { db: string; json?: boolean; batch: number }) => {
      const resolved = resolveCentral(opts);
      const target = requireTarget(resolved);
      if (resolved.site === null) throw new AuscultError('AUS_ERR_CONFIG_KEY', 'no site: give --site NAME, AUSCULT_SITE or site in the config');
      const db = openDatabase(opts.db);
      try {
        const r = await shipOnce(db, target, resolved.site, { sensorId: resolved.sensorId, batch: opts.batch });
        if (opts.json) process.stdout.write(`${JSON.stringify({ db: opts.db, central: redactUrl(target.url), ...r })}\n`);
        else process.stderr.write(`${opts.db}: shipped ${r.events} event(s) and ${r.devices} device change(s) in ${r.batches} batch(es) to ${redactUrl(target.url)} as sensor ${r.sensor} at ${r.site}\n`);
      } finally {
        db.close();
      }
    });
}

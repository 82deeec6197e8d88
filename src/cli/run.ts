/**
 * \summary `auscult run`: the live sensor daemon (src/sensor.ts). Exit 0 after SIGTERM/SIGINT,
 * 69 no interface, 77 no permission, 78 bad configuration.
 */
import type { Command } from 'commander';
import type { ConfigOverrides } from '../config.js';
import { resolveConfigPath } from '../config.js';
import { createLogger } from '../log.js';
import { runSensor } from '../sensor.js';

interface RunOptions {
  interface?: string;
  config?: string;
  db?: string;
  bpfFilter?: string;
  metricsListen?: string;
  user?: string;
  exceptions?: string;
  central?: string;
  site?: string;
}

/** Flags → dotted config keys (flags override env, env overrides the file). */
export function runOverrides(opts: RunOptions, logLevel: string | undefined): ConfigOverrides {
  const o: ConfigOverrides = {};
  if (opts.interface !== undefined) o['capture.interface'] = opts.interface;
  if (opts.bpfFilter !== undefined) o['capture.bpf_filter'] = opts.bpfFilter;
  if (opts.user !== undefined) o['capture.user'] = opts.user;
  if (opts.db !== undefined) o['database.path'] = opts.db;
  if (opts.exceptions !== undefined) o['output.exceptions_path'] = opts.exceptions;
  if (opts.metricsListen !== undefined) o['metrics.listen'] = opts.metricsListen;
  if (opts.central !== undefined) o['central.url'] = opts.central;
  if (opts.site !== undefined) o['site'] = opts.site;
  if (logLevel !== undefined) o['log.level'] = logLevel;
  return o;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('listen on a SPAN/mirror interface and keep the inventory and exception stream current (never transmits)')
    .option('-i, --interface <if>', 'interface to listen on (capture.interface)')
    .option('-c, --config <file>', 'YAML config (default: $AUSCULT_CONFIG, else config/auscult.yaml if present, else built-in defaults)')
    .option('--db <file>', 'inventory database (database.path)')
    .option('--bpf-filter <expr>', 'pcap-filter expression, "" for everything (capture.bpf_filter)')
    .option('--metrics-listen <host:port>', 'loopback address for /metrics and /healthz (metrics.listen)')
    .option('--user <name>', 'user to switch to after opening the interface (capture.user)')
    .option('--exceptions <file>', 'exception stream file (output.exceptions_path)')
    .option('--central <url>', 'ship continuously to this central PostgreSQL (central.url; README "Many sites")')
    .option('--site <name>', 'the site this sensor is at (site); needed with --central')
    .addHelpText('after', `
Precedence: flags > environment (AUSCULT_INTERFACE, AUSCULT_DB, ...) > config file > defaults.
Signals: SIGHUP reloads config and rules (the old stay on error) and reopens the exception
stream; SIGTERM/SIGINT stop capture, flush, checkpoint the database and exit 0.
Keys: docs/config-reference.md.

Examples:
  $ sudo auscult run --interface eth1 --config /etc/auscult/auscult.yaml
  $ auscult status                     # health and key metrics of the running sensor`)
    .action(async (opts: RunOptions, cmd: Command) => {
      const root = cmd.parent;
      const logLevel = root !== null && root.getOptionValueSource('logLevel') === 'cli' ? root.opts<{ logLevel: string }>().logLevel : undefined;
      const logger = createLogger(logLevel ?? process.env['AUSCULT_LOG_LEVEL'] ?? 'info');
      const code = await runSensor({ configFile: resolveConfigPath(opts.config), overrides: runOverrides(opts, logLevel), logger });
      process.exitCode = code;
    });
}

/**
 * \summary The `auscult` command line: commander wiring only, one file per subcommand.
 * Machine output (`--json`) goes to stdout; logs, warnings and progress go to stderr.
 */
import { Command, CommanderError, Option } from 'commander';
import { AuscultError, EXIT } from '../errors.js';
import { tuneHeap } from '../heap-tuning.js';
import { LOG_FORMATS } from '../log.js';
import { checkDbArgument, DB_CREATORS, tableLayout, terminalWidth } from './common.js';

import { VERSION } from '../version.js';

export { VERSION };

/** Adds one subcommand (with its own subcommands) to the program. */
type Registrar = (program: Command) => void;

/**
 * Every subcommand, in `--help` order, with the module that registers it (issue 14, start-up): a
 * subcommand's module, and what it imports (pg, prom-client, csv-*, ajv, ...), is loaded only
 * when that subcommand runs, or for `--help` and an unknown command, which need them all.
 */
export const SUBCOMMANDS: readonly (readonly [names: readonly string[], load: () => Promise<Registrar>])[] = [
  [['replay'], async () => (await import('./replay.js')).registerReplay],
  [['devices'], async () => (await import('./devices.js')).registerDevices],
  [['device'], async () => (await import('./device.js')).registerDevice],
  [['rules'], async () => (await import('./rules-test.js')).registerRules],
  [['unknown'], async () => (await import('./unknown.js')).registerUnknown],
  [['run'], async () => (await import('./run.js')).registerRun],
  [['config'], async () => (await import('./config-check.js')).registerConfigCheck],
  [['status'], async () => (await import('./status.js')).registerStatus],
  [['import'], async () => (await import('./import.js')).registerImport],
  [['reconcile'], async () => (await import('./reconcile.js')).registerReconcile],
  [['report'], async () => (await import('./report.js')).registerReport],
  [['coverage'], async () => (await import('./coverage.js')).registerCoverage],
  [['advisories'], async () => (await import('./advisories.js')).registerAdvisories],
  [['exposure', 'advisory'], async () => (await import('./exposure.js')).registerExposure],
  [['sessions'], async () => (await import('./sessions.js')).registerSessions],
  [['deferrals'], async () => (await import('./deferrals.js')).registerDeferrals],
  [['fleet'], async () => (await import('./fleet.js')).registerFleet],
  [['events'], async () => (await import('./events.js')).registerEvents],
  [['export'], async () => (await import('./export.js')).registerExport],
  [['push'], async () => (await import('./push.js')).registerPush],
  [['central'], async () => (await import('./central.js')).registerCentral],
  [['ship'], async () => (await import('./ship.js')).registerShip],
];

/** Global options that take a value (skipped when looking for the subcommand's name). */
const GLOBAL_VALUE_OPTIONS: ReadonlySet<string> = new Set(['--log-format', '--log-level']);

/**
 * The subcommand an argv runs (`auscult [global options] <name> ...`), or undefined when it needs
 * every subcommand: `--help`, `help`, `--version`, no command, an unknown one (for its suggestion).
 */
export function subcommandOf(argv: readonly string[]): string | undefined {
  for (let i = 2; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (GLOBAL_VALUE_OPTIONS.has(arg)) i++;
    else if (arg === '--wide' || [...GLOBAL_VALUE_OPTIONS].some((o) => arg.startsWith(`${o}=`))) continue;
    else if (arg.startsWith('-')) return undefined;
    else return SUBCOMMANDS.some(([names]) => names.includes(arg)) ? arg : undefined;
  }
  return undefined;
}

/** The program with every subcommand, or with `only` that one (what `auscult <only> ...` needs). */
export async function buildProgram(only?: string): Promise<Command> {
  const wanted = SUBCOMMANDS.filter(([names]) => only === undefined || names.includes(only));
  return programWith(await Promise.all(wanted.map(([, load]) => load())));
}

function programWith(registrars: readonly Registrar[]): Command {
  const program = new Command('auscult')
    .description(
      'Passive sensor for networked medical devices: listens to SPAN/mirror traffic (or replays captures), ' +
        'identifies and locates every device, keeps the inventory in SQLite and reports where the ' +
        'official inventory is wrong. It never transmits a packet.',
    )
    .version(VERSION)
    .addOption(new Option('--log-format <format>', 'log format on stderr: json (one object a line, for machines) or pretty (for people)')
      .choices(LOG_FORMATS).default(process.env['AUSCULT_LOG_FORMAT'] ?? 'json'))
    .option('--wide', 'tables print every value in full instead of fitting the terminal width')
    .option('--log-level <level>', 'log level on stderr: fatal, error, warn, info, debug, trace', process.env['AUSCULT_LOG_LEVEL'] ?? 'info')
    // A usage error is one line on stderr (`auscult: error: ... (see --help)`) and exit 64; set
    // before the subcommands are added so that each of them inherits it.
    .configureOutput({ outputError: (text, write) => write(`auscult: ${text.trim().replace(/\s*\n\s*/g, ' ')} (see --help)\n`) })
    .addHelpText(
      'after',
      `
Typical session:
  $ auscult replay fixtures/demo/hospital-demo.pcapng     # decode a capture into ./auscult.db
  $ auscult devices                                        # the inventory as a table
  $ auscult devices --json | jq '.[] | {mac, manufacturer, ip}'
  $ auscult device 00:09:fb:1d:07:07                       # one device: fields, evidence, history
  $ auscult import cmms-export.csv && auscult reconcile    # where the official inventory is wrong
  $ tail -f exceptions.ndjson | jq .                       # the exception stream
  $ auscult run --interface eth1                           # the live sensor on a SPAN port

Exit codes: 0 ok, 1 not found (status: not healthy or not reachable), 64 usage error, 65 bad
input data, 66 unreadable or missing file, 69 no interface, 73 cannot write output, 77 no
permission, 78 bad configuration. Docs: README.md.`,
    );
  for (const register of registrars) register(program);
  program.hook('preAction', (_this, action) => {
    const globals = action.optsWithGlobals<{ wide?: boolean; logFormat?: string }>();
    tableLayout.wide = globals.wide === true;
    // Every logger a command creates (createLogger) reads the format from here.
    if (globals.logFormat !== undefined) process.env['AUSCULT_LOG_FORMAT'] = globals.logFormat;
    tableLayout.width = terminalWidth();
    // A mistyped --db on a command that only reads never creates an empty database, and a file
    // that is not one is a one-line error, whichever way the command opens the store.
    const db = action.opts<{ db?: unknown }>().db;
    if (typeof db === 'string') {
      const path: string[] = [];
      for (let c: Command | null = action; c !== null && c.parent !== null; c = c.parent) path.unshift(c.name());
      checkDbArgument(db, DB_CREATORS.has(path.join(' ')));
    }
  });
  // Every subcommand reports usage errors by throwing (exit 64 in main), not by process.exit(1).
  const override = (cmd: Command): void => {
    cmd.exitOverride();
    cmd.commands.forEach(override);
  };
  override(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  tuneHeap();
  // `auscult devices --json | head`: the reader went away. That is the user's choice, not an
  // error: stop quietly (what was committed stays committed). Any other stdout error is one line.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK);
    process.stderr.write(`auscult: cannot write standard output: ${err.message}\n`);
    process.exit(EXIT.CANTCREAT);
  });
  try {
    const program = await buildProgram(subcommandOf(argv));
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = exitCodeFor(err);
  }
}

export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) {
    // --help and --version exit 0; usage errors 64 (commander already printed the message).
    return err.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
  }
  if (err instanceof AuscultError) {
    process.stderr.write(`auscult: ${err.message} [${err.code}]\n`);
    return err.exitCode;
  }
  // Not an AuscultError: one line by default (AUSCULT_DEBUG=1 prints the stack for a bug report).
  // A system error (ENOENT, EACCES, ...) from a file the user named is theirs to fix, not a bug.
  const sysCode = (err as { code?: unknown } | null)?.code;
  const isSystem = typeof sysCode === 'string' && /^E[A-Z]+$/.test(sysCode);
  if (process.env['AUSCULT_DEBUG'] === '1') {
    process.stderr.write(`auscult: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  } else {
    const message = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
    process.stderr.write(`auscult: ${isSystem ? message : `internal error: ${message} (AUSCULT_DEBUG=1 shows the stack)`}\n`);
  }
  if (!isSystem) return EXIT.SOFTWARE;
  return sysCode === 'EACCES' || sysCode === 'EPERM' || sysCode === 'EROFS' ? EXIT.NOPERM : EXIT.CANTCREAT;
}

/**
 * \summary The `auscult` command line: commander wiring only, one file per subcommand.
 * Machine output (`--json`) goes to stdout; logs, warnings and progress go to stderr.
 */
import { Command, CommanderError } from 'commander';
import { AuscultError, EXIT } from '../errors.js';
import { registerCoverage } from './coverage.js';
import { registerDevice } from './device.js';
import { registerDevices } from './devices.js';
import { registerImport } from './import.js';
import { registerReconcile } from './reconcile.js';
import { registerReplay } from './replay.js';
import { registerRules } from './rules-test.js';
import { registerUnknown } from './unknown.js';
import { registerRun } from './run.js';
import { registerConfigCheck } from './config-check.js';
import { registerStatus } from './status.js';
import { registerReport } from './report.js';
import { registerEvents } from './events.js';
import { registerExport } from './export.js';
import { registerPush } from './push.js';
import { registerCentral } from './central.js';
import { registerShip } from './ship.js';
import { tuneHeap } from '../heap-tuning.js';

import { VERSION } from '../version.js';

export { VERSION };

export function buildProgram(): Command {
  const program = new Command('auscult')
    .description(
      'Passive sensor for networked medical devices: listens to SPAN/mirror traffic (or replays captures), ' +
        'identifies and locates every device, keeps the inventory in SQLite and reports where the ' +
        'official inventory is wrong. It never transmits a packet.',
    )
    .version(VERSION)
    .option('--log-level <level>', 'log level on stderr: fatal, error, warn, info, debug, trace', process.env['AUSCULT_LOG_LEVEL'] ?? 'info')
    .showHelpAfterError('(run with --help for usage)')
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

Exit codes: 0 ok, 1 not found, 65 bad input data, 66 unreadable file, 69 no interface,
77 no permission, 78 bad configuration. Docs: README.md.`,
    );
  registerReplay(program);
  registerDevices(program);
  registerDevice(program);
  registerRules(program);
  registerUnknown(program);
  registerRun(program);
  registerConfigCheck(program);
  registerStatus(program);
  registerImport(program);
  registerReconcile(program);
  registerReport(program);
  registerCoverage(program);
  registerEvents(program);
  registerExport(program);
  registerPush(program);
  registerCentral(program);
  registerShip(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  tuneHeap();
  const program = buildProgram();
  program.exitOverride();
  try {
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
  process.stderr.write(`auscult: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return EXIT.SOFTWARE;
}

/**
 * \summary `auscult config check [file]`: validates the config (every key, with file:line:col),
 * the fingerprint rules it names (identify.fingerprints_dir) and compiles the BPF filter offline
 * (`tcpdump -d -y EN10MB`, no interface opened). Exit 0 or 78. SoR column mappings are given to
 * `auscult import --mapping`, not named by the config, so they are checked there.
 */
import type { Command } from 'commander';
import { compileFilterOffline } from '../capture/live.js';
import { checkConfigFile, issueError, resolveConfigPath } from '../config.js';
import { AuscultError, EXIT } from '../errors.js';
import { DEFAULT_FINGERPRINTS_DIR } from '../identify/rules-identifier.js';
import { loadRules } from '../identify/rules/loader.js';
import { loadMudDir } from '../reconcile/mud.js';

export function registerConfigCheck(program: Command): void {
  const config = program.command('config').description('configuration tools');
  config
    .command('check')
    .description('validate a config file and its BPF filter without opening the interface')
    .argument('[file]', 'config file (default: $AUSCULT_CONFIG, else config/auscult.yaml, else built-in defaults)')
    .option('--no-env', 'ignore AUSCULT_* environment overrides')
    .addHelpText('after', `
Prints every problem as file:line:col: key: reason and exits 78 if there is any.

Example:
  $ auscult config check /etc/auscult/auscult.yaml && systemctl reload auscult`)
    .action((file: string | undefined, opts: { env: boolean }) => {
      const path = resolveConfigPath(file);
      const result = checkConfigFile(path, opts.env ? {} : { env: {} });
      for (const issue of result.issues) {
        const e = issueError(issue);
        process.stderr.write(`auscult: ${e.message} [${e.code}]\n`);
      }
      if (result.config === null) {
        process.exitCode = EXIT.CONFIG;
        return;
      }
      let rules: number;
      try {
        rules = loadRules(result.config.identify.fingerprints_dir ?? DEFAULT_FINGERPRINTS_DIR).rules.length;
      } catch (err) {
        if (!(err instanceof AuscultError)) throw err;
        process.stderr.write(`auscult: ${err.message} [${err.code}]\n`);
        process.exitCode = EXIT.CONFIG;
        return;
      }
      const filter = result.config.capture.bpf_filter;
      const compiled = compileFilterOffline(filter);
      if (compiled.ok === false) {
        process.stderr.write(`auscult: ${path ?? '<defaults>'}: capture.bpf_filter: does not compile: ${compiled.reason} [AUS_ERR_BPF]\n`);
        process.exitCode = EXIT.CONFIG;
        return;
      }
      // Issue 20: every MUD file of profile.mud_dir must be one (a bad one would be skipped at each reconcile).
      const mudDir = result.config.profile.mud_dir;
      const mud = mudDir === null ? undefined : loadMudDir(mudDir);
      if (mud !== undefined && mud.problems.length > 0) {
        for (const p of mud.problems) process.stderr.write(`auscult: profile.mud_dir: ${p} [AUS_ERR_CONFIG_KEY]\n`);
        process.exitCode = EXIT.CONFIG;
        return;
      }
      const mudNote = mud === undefined ? '' : `; ${mud.byUrl.size} MUD file(s)`;
      const filterNote = compiled.ok === true ? (filter === '' ? 'no BPF filter (every frame)' : 'BPF filter compiles') : `BPF filter not checked: ${compiled.reason}`;
      process.stderr.write(`${path ?? '<defaults>'}: ok; ${rules} fingerprint rules; ${filterNote}; interface ${result.config.capture.interface ?? '(not set)'}${mudNote}\n`);
      process.exitCode = EXIT.OK;
    });
}

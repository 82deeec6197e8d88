/**
 * \summary auscult's start-up snapshots (issue 14, a lean start): what `npm run build` records
 * beside each V8 start-up snapshot it makes, and when a snapshot may be used.
 *
 * A start-up snapshot (`node --snapshot-blob X --build-snapshot script`, Node's user-land
 * snapshot) is the V8 heap after the script ran: the bundled CLI parsed, its modules evaluated,
 * the replay path's included. `node --snapshot-blob X args` deserializes that heap instead of
 * reading, parsing and evaluating the modules, which is most of a replay's start-up. The blob only
 * works for the Node binary that made it, with the same V8 options (Node refuses any other, exit
 * 14, before running any JavaScript), and it holds absolute paths (the package root, found when
 * the modules were evaluated) and its own copy of every pure-JavaScript package. So each blob has
 * a stamp: the Node binary that made it (its real path), the size and modification time of that
 * binary and of `node_modules/.package-lock.json` (which npm rewrites whenever it installs or
 * updates a package: a patched dependency must not keep running its old bundled copy), the package
 * root and the V8 options it was made with.
 * `bin/auscult` (a POSIX shell launcher: a Node launcher would pay the start-up it saves) runs a
 * snapshot only when all of them still hold, and the commands the snapshot serves; otherwise it
 * runs `bin/auscult.js` as before. The benchmark's replay child follows the same rule
 * ({@link snapshotInvocation}); test/e2e/start-snapshot.test.ts keeps the two in step.
 *
 * The stamp is four lines of text, not JSON, so that the shell launcher reads it with `read`.
 */
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DEPLOYED_RUNTIME_ENV } from './runtime-env.js';

/** Where the build writes the snapshots, relative to the package root. */
export const SNAPSHOT_DIR = join('dist', 'bundle', 'snapshot');

/**
 * The V8 options a snapshot is made with and run with: the deployed `NODE_OPTIONS`
 * (src/runtime-env.ts). A snapshot runs only when `NODE_OPTIONS` is unset, empty or exactly this.
 */
export const SNAPSHOT_V8_OPTIONS = DEPLOYED_RUNTIME_ENV['NODE_OPTIONS'] ?? '';

/** V8 options as command-line arguments (as the shell splits the stamp's options line). */
export function v8OptionArguments(options: string): string[] {
  return options.split(/\s+/).filter((o) => o !== '');
}

/** The subcommands `bin/auscult` runs from the snapshot (the others need dynamic `import()`, which a snapshot has not got, or run for hours). */
export const SNAPSHOT_SUBCOMMANDS: readonly string[] = ['replay', 'rules', 'devices', 'device'];

export interface SnapshotStamp {
  /** The real path of the Node binary that made the blob. */
  node: string;
  /**
   * The size and modification time in seconds of that binary and of the installed packages' lock
   * file, as `stat -L --printf='%s %Y ' node lock` prints them: a reinstalled Node is another
   * binary, a reinstalled package another bundle.
   */
  installed: string;
  /** The package root when the blob was made. */
  root: string;
  /** The V8 options it was made with. */
  v8Options: string;
}

/** The lock file npm writes into node_modules at each install, relative to the package root. */
export const INSTALLED_PACKAGES_LOCK = join('node_modules', '.package-lock.json');

/** The identity of a Node binary and the root's installed packages, as the stamp and the launcher write it. */
export function installedIdentity(nodePath: string, root: string): string {
  return [nodePath, join(root, INSTALLED_PACKAGES_LOCK)].map((p) => {
    const s = statSync(p);
    return `${s.size} ${Math.floor(s.mtimeMs / 1000)} `;
  }).join('');
}

/** The stamp of a snapshot made now by `nodePath` for the package at `root`. */
export function stampFor(nodePath: string, root: string): SnapshotStamp {
  const node = realpathSync(nodePath);
  return { node, installed: installedIdentity(node, root), root, v8Options: SNAPSHOT_V8_OPTIONS };
}

export function formatStamp(s: SnapshotStamp): string {
  return `${s.node}\n${s.installed}\n${s.root}\n${s.v8Options}\n`;
}

export function parseStamp(text: string): SnapshotStamp | undefined {
  const lines = text.split('\n');
  if (lines.length < 5) return undefined;
  const [node = '', installed = '', root = '', v8Options = ''] = lines;
  return node === '' || root === '' ? undefined : { node, installed, root, v8Options };
}

/** The blob and stamp of snapshot `name` in the package at `root`. */
export function snapshotFiles(root: string, name: string): { blob: string; stamp: string } {
  const dir = join(root, SNAPSHOT_DIR);
  return { blob: join(dir, `${name}.blob`), stamp: join(dir, `${name}.stamp`) };
}

/**
 * How to run snapshot `name` with `args` from the Node at `nodePath` and these `NODE_OPTIONS`, or
 * undefined when it may not be used (no blob, another Node, another root, other V8 options):
 * the rule `bin/auscult` applies.
 */
export function snapshotInvocation(root: string, name: string, args: readonly string[], nodePath: string = process.execPath, nodeOptions: string = process.env['NODE_OPTIONS'] ?? ''): { command: string; args: string[] } | undefined {
  const { blob, stamp: stampPath } = snapshotFiles(root, name);
  let stamp: SnapshotStamp | undefined;
  try {
    statSync(blob);
    stamp = parseStamp(readFileSync(stampPath, 'utf8'));
  } catch {
    return undefined;
  }
  if (stamp === undefined || stamp.root !== root) return undefined;
  if (nodeOptions !== '' && nodeOptions !== stamp.v8Options) return undefined;
  let node: string;
  try {
    node = realpathSync(nodePath);
    if (node !== stamp.node || installedIdentity(node, root) !== stamp.installed) return undefined;
  } catch {
    return undefined;
  }
  return { command: node, args: [...v8OptionArguments(stamp.v8Options), '--snapshot-blob', blob, ...args] };
}

// Builds the live sensor's libpcap capture addon (native/pcap-capture) into dist/native/ during
// `npm run build`. It needs a C compiler, make, libpcap-dev and Node's headers; where any is
// missing the build says so and goes on: everything but live capture works without it (`auscult
// run` then exits 69 saying why). Skipped when the addon is newer than its sources.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const source = join(root, 'native', 'pcap-capture');
const built = join(source, 'build', 'Release', 'auscult_pcap.node');
const target = join(root, 'dist', 'native', 'auscult_pcap.node');
const inputs = ['capture.c', 'binding.gyp'].map((f) => join(source, f));

const mtime = (f) => (existsSync(f) ? statSync(f).mtimeMs : -1);
const newestInput = Math.max(...inputs.map(mtime));
if (mtime(target) >= newestInput && mtime(target) > 0) process.exit(0);

if (process.platform === 'win32') {
  console.log('auscult: the libpcap capture addon is not built on Windows; live capture is unavailable there');
  process.exit(0);
}
// An addon built from older sources must not stay to be loaded if this build fails.
rmSync(target, { force: true });
// npm runs scripts with npm_config_node_gyp pointing at its bundled node-gyp; outside npm, the
// node-gyp npm ships beside this node.
const bundledGyp = join(dirname(dirname(process.execPath)), 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
const nodeGyp = process.env.npm_config_node_gyp ?? (existsSync(bundledGyp) ? bundledGyp : undefined);
const [command, args] = nodeGyp ? [process.execPath, [nodeGyp]] : ['node-gyp', []];
// Node's own headers where they are installed beside it (Debian's nodejs, the official tarballs),
// so node-gyp does not download them.
const prefix = dirname(dirname(process.execPath));
const nodedir = process.env.npm_config_nodedir ?? (existsSync(join(prefix, 'include', 'node', 'common.gypi')) ? prefix : undefined);
const run = spawnSync(command, [...args, 'rebuild', '--directory', source, ...(nodedir ? [`--nodedir=${nodedir}`] : [])], { encoding: 'utf8' });
if (run.error || run.status !== 0 || !existsSync(built)) {
  const output = `${run.stdout ?? ''}\n${run.stderr ?? ''}`.split('\n');
  const firstError = output.find((l) => /error:|not found|No such file/i.test(l)) ?? output.filter((l) => l.trim() !== '').slice(-1)[0];
  const why = run.error ? run.error.message : (firstError ?? `node-gyp exited ${run.status}`).trim();
  console.log(`auscult: the libpcap capture addon did not build (${why}); live capture is unavailable until it does. Install gcc, make and libpcap-dev, then npm run build.`);
  process.exit(0);
}
mkdirSync(dirname(target), { recursive: true });
copyFileSync(built, target);
console.log(`auscult: built ${target.slice(root.length + 1)}`);

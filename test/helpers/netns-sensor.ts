/**
 * Helpers of the live tests that run a sensor inside a network namespace: an HTTP GET from inside
 * it (the sensor's loopback is the namespace's), a Prometheus metric read from /metrics text,
 * polling until a condition holds, and a node process started inside it with its output kept.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

/** GET `http://<address><path>` inside namespace `ns`; status 0 and an empty body when it fails. */
export function nsGet(ns: string, address: string, path: string): { status: number; body: string } {
  const script = `fetch('http://${address}${path}').then(async r=>{process.stdout.write(JSON.stringify({status:r.status,body:await r.text()}))},()=>process.stdout.write('{"status":0,"body":""}'))`;
  const r = spawnSync('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { encoding: 'utf8', timeout: 10_000 });
  try { return JSON.parse(r.stdout) as { status: number; body: string }; } catch { return { status: 0, body: '' }; }
}

/** The value of metric `name` (any labels) in Prometheus text; NaN when absent. */
export function metric(text: string, name: string): number {
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

/** Polls `fn` until it gives a value other than undefined or false; throws after `timeoutMs`. */
export async function until<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Creates namespace `ns` holding a veth pair `va`–`vb`, both up, with IPv6 off: the veth would
 * otherwise send router solicitations and MLD reports of its own. `mtu`: the pair's MTU. */
export function createVethNamespace(ns: string, mtu?: number): void {
  const run = (args: string[]): void => {
    const r = spawnSync(args[0] as string, args.slice(1), { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  };
  const inNs = (args: string[]): string[] => ['ip', 'netns', 'exec', ns, ...args];
  run(['ip', 'netns', 'add', ns]);
  run(inNs(['sysctl', '-qw', 'net.ipv6.conf.all.disable_ipv6=1']));
  run(inNs(['sysctl', '-qw', 'net.ipv6.conf.default.disable_ipv6=1']));
  run(inNs(['ip', 'link', 'add', 'va', 'type', 'veth', 'peer', 'name', 'vb']));
  if (mtu !== undefined) for (const l of ['va', 'vb']) run(inNs(['ip', 'link', 'set', l, 'mtu', String(mtu)]));
  for (const l of ['lo', 'va', 'vb']) run(inNs(['ip', 'link', 'set', l, 'up']));
}

/** A node process started in a namespace: its output so far, and its exit code once it ends. */
export interface NsNode { child: ChildProcess; stdout: () => string; stderr: () => string; exit: Promise<number | null> }

/** Runs `node ...args` inside namespace `ns`, keeping what it writes. */
export function nodeInNs(ns: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): NsNode {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, ...args], { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
  const exit = new Promise<number | null>((resolve) => { child.on('close', resolve); });
  return { child, stdout: () => out, stderr: () => err, exit };
}

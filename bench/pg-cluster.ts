/**
 * \summary A throw-away PostgreSQL cluster for tests and `npm run bench:central`: `initdb` into a
 * temp dir, `pg_ctl start` on a loopback port (and a Unix socket in the same dir), `pg_ctl stop`
 * (fast or `-m immediate`, the hard stop the fault tests use) and removal. Uses Debian's
 * `postgresql` package (/usr/lib/postgresql/<v>/bin). As root the server runs as the `postgres`
 * user through `runuser` (initdb and postgres refuse to run as root).
 *
 * The superuser `postgres` authenticates with a password over TCP (scram-sha-256) and without one
 * over the socket, so the password path (env or file) is exercised for real.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PG_DEBIAN_PACKAGE = 'postgresql';
export const PG_PASSWORD = 'central-test-secret';

/** The directory of initdb/pg_ctl, or undefined when PostgreSQL is not installed. */
export function pgBinDir(): string | undefined {
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).filter((v) => existsSync(join(base, v, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(base, versions[0], 'bin');
}

/** Why PostgreSQL tests skip, or undefined when they can run. */
export function pgSkipReason(): string | undefined {
  if (pgBinDir() === undefined) return `PostgreSQL not installed (Debian package ${PG_DEBIAN_PACKAGE})`;
  if (process.getuid?.() === 0 && spawnSync('id', ['postgres']).status !== 0) return `no postgres user (Debian package ${PG_DEBIAN_PACKAGE})`;
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface PgCluster {
  dir: string;
  port: number;
  /** postgres://postgres@127.0.0.1:PORT/postgres (no password: give it by env or file). */
  url: string;
  /** The same with the password in it. */
  urlWithPassword: string;
  start(): void;
  /** `pg_ctl stop -m immediate`: no shutdown checkpoint, clients cut (a crash, as far as they know). */
  stopImmediate(): void;
  stop(): void;
  /** Stops (fast) and removes the directory. */
  destroy(): void;
}

export interface PgClusterOptions {
  /** fsync and synchronous_commit (default on: the figures the README quotes are with fsync on). */
  fsync?: boolean;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string>;
}

export async function startPgCluster(options: PgClusterOptions = {}): Promise<PgCluster> {
  const bin = pgBinDir();
  if (bin === undefined) throw new Error(`PostgreSQL not installed (Debian package ${PG_DEBIAN_PACKAGE})`);
  const asRoot = process.getuid?.() === 0;
  const root = mkdtempSync(join(tmpdir(), 'auscult-pg-'));
  const dir = join(root, 'data');
  const pwfile = join(root, 'pw');
  writeFileSync(pwfile, `${PG_PASSWORD}\n`);
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(root, uid, gid);
    chownSync(pwfile, uid, gid);
  }
  chmodSync(root, 0o700);
  const run = (tool: string, args: string[]): void => {
    const cmd = asRoot ? 'runuser' : join(bin, tool);
    const argv = asRoot ? ['-u', 'postgres', '--', join(bin, tool), ...args] : args;
    const r = spawnSync(cmd, argv, { encoding: 'utf8', cwd: root, timeout: 120_000 });
    if (r.status !== 0) throw new Error(`${tool} ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`);
  };
  run('initdb', ['-D', dir, '-U', 'postgres', '--pwfile', pwfile, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--locale=C.UTF-8', '--no-instructions']);
  const port = await freePort();
  const fsync = options.fsync ?? true;
  const settings: Record<string, string> = {
    listen_addresses: "'127.0.0.1'", port: String(port), unix_socket_directories: `'${root}'`,
    fsync: fsync ? 'on' : 'off', synchronous_commit: fsync ? 'on' : 'off', max_connections: '100',
    shared_buffers: '128MB', ...options.settings,
  };
  const serverOpts = Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`).join(' ');
  const cluster: PgCluster = {
    dir: root,
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    urlWithPassword: `postgres://postgres:${PG_PASSWORD}@127.0.0.1:${port}/postgres`,
    start: () => run('pg_ctl', ['-D', dir, '-l', join(root, 'log'), '-o', serverOpts, '-w', '-t', '60', 'start']),
    stopImmediate: () => run('pg_ctl', ['-D', dir, '-m', 'immediate', '-w', 'stop']),
    stop: () => run('pg_ctl', ['-D', dir, '-m', 'fast', '-w', 'stop']),
    destroy: () => {
      try { cluster.stop(); } catch { /* already stopped */ }
      rmSync(root, { recursive: true, force: true });
    },
  };
  cluster.start();
  return cluster;
}

/**
 * The deployment files: the systemd unit is checked by systemd-analyze verify; the Dockerfile is
 * checked by reading its stages (there is no Docker engine on CI machines to build it).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { titled, toolMissing } from '../helpers/tools.js';
import { DEPLOYED_RUNTIME_ENV, deployedEnv } from '../../src/runtime-env.js';

const NO_SYSTEMD_ANALYZE = toolMissing('systemd-analyze');

function unitDirectives(text: string): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (!kv) continue;
    m.set(kv[1]!, [...(m.get(kv[1]!) ?? []), kv[2]!]);
  }
  return m;
}

describe('deploy/auscult.service', () => {
  const text = readFileSync(join(ROOT, 'deploy/auscult.service'), 'utf8');
  const d = unitDirectives(text);

  it('has the hardening and lifecycle issue 8 asks for', () => {
    expect(d.get('User')).toEqual(['auscult']);
    expect(d.get('AmbientCapabilities')).toEqual(['CAP_NET_RAW']);
    expect(d.get('CapabilityBoundingSet')).toEqual(['CAP_NET_RAW']);
    expect(d.get('NoNewPrivileges')).toEqual(['yes']);
    expect(d.get('ProtectSystem')).toEqual(['strict']);
    expect(d.get('StateDirectory')).toEqual(['auscult']);
    expect(d.get('LogsDirectory')).toEqual(['auscult']);
    expect(d.get('ExecReload')).toEqual(['/bin/kill -HUP $MAINPID']);
    expect(d.get('Restart')).toEqual(['on-failure']);
    expect(d.get('RestartPreventExitStatus')).toEqual(['78']);
    expect(d.get('ExecStart')?.[0]).toMatch(/auscult\.js run --config \/etc\/auscult\/auscult\.yaml$/);
    // V8's JIT needs W+X pages: MemoryDenyWriteExecute would crash node.
    expect(d.has('MemoryDenyWriteExecute')).toBe(false);
    expect(d.get('RestrictAddressFamilies')?.[0]).toContain('AF_PACKET');
  });

  it('sets exactly the memory environment the benchmark measures (src/runtime-env.ts)', () => {
    const env = (d.get('Environment') ?? []).map((e) => e.split('=')).filter(([k]) => k !== undefined && k in DEPLOYED_RUNTIME_ENV);
    expect(Object.fromEntries(env.map(([k, ...v]) => [k, v.join('=')]))).toEqual(DEPLOYED_RUNTIME_ENV);
  });

  it.skipIf(NO_SYSTEMD_ANALYZE !== null)(titled('passes systemd-analyze verify with no warnings', NO_SYSTEMD_ANALYZE), () => {
    const dir = mkdtempSync(join(tmpdir(), 'auscult-unit-'));
    try {
      copyFileSync(join(ROOT, 'deploy/auscult.service'), join(dir, 'auscult.service'));
      const r = spawnSync('systemd-analyze', ['verify', join(dir, 'auscult.service')], { encoding: 'utf8' });
      const ours = r.stderr.split('\n').filter((l) => l.includes('auscult.service'));
      expect(ours, r.stderr).toEqual([]);
      expect(r.status, r.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.skipIf(NO_SYSTEMD_ANALYZE !== null)(titled('the verify step can fail: an unknown directive is reported', NO_SYSTEMD_ANALYZE), () => {
    const dir = mkdtempSync(join(tmpdir(), 'auscult-unit-'));
    try {
      const bad = join(dir, 'auscult.service');
      spawnSync('sh', ['-c', `sed 's/^NoNewPrivileges=yes/NoNewPrivilege=yes/' '${join(ROOT, 'deploy/auscult.service')}' > '${bad}'`]);
      const r = spawnSync('systemd-analyze', ['verify', bad], { encoding: 'utf8' });
      expect(r.stderr).toMatch(/Unknown key/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

interface Stage { name: string; from: string; lines: string[] }

/** Splits a Dockerfile into stages, joining continuation lines. */
function stages(text: string): Stage[] {
  const joined = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const out: Stage[] = [];
  for (const line of joined) {
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) { out.push({ from: from[1]!, name: from[2] ?? String(out.length), lines: [] }); continue; }
    out[out.length - 1]?.lines.push(line);
  }
  return out;
}

describe('Dockerfile (checked by reading it: no Docker engine here)', () => {
  const all = stages(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
  const build = all.find((s) => s.name === 'build')!;
  const runtime = all[all.length - 1]!;
  const has = (s: Stage, re: RegExp) => s.lines.some((l) => re.test(l));

  it('is two stages on node:20-bookworm-slim', () => {
    expect(all.map((s) => s.from)).toEqual(['node:20-bookworm-slim', 'node:20-bookworm-slim']);
    expect(runtime.name).toBe('runtime');
  });

  it('builds with the compiler and libpcap headers, then prunes dev dependencies', () => {
    expect(has(build, /apt-get install .*libpcap-dev.*python3.*make.*g\+\+/)).toBe(true);
    expect(has(build, /npm ci/)).toBe(true);
    expect(has(build, /npm run build && rm -f dist\/bundle\/snapshot\/replay-child\.\* && npm prune --omit=dev/)).toBe(true);
  });

  it('runs with libpcap0.8 only: no headers, no compiler, no npm install', () => {
    expect(has(runtime, /apt-get install .*libpcap0\.8/)).toBe(true);
    expect(has(runtime, /libpcap-dev|g\+\+|\bmake\b|python3|npm (ci|install)/)).toBe(false);
    expect(has(runtime, /^COPY --from=build \/app\/node_modules/)).toBe(true);
  });

  it('has the non-root user it drops to, the volumes, the health check and the entry point', () => {
    expect(has(runtime, /useradd .*auscult/)).toBe(true);
    expect(has(runtime, /AUSCULT_USER=auscult/)).toBe(true);
    expect(has(runtime, /^USER /)).toBe(true);
    const volume = runtime.lines.find((l) => l.startsWith('VOLUME'));
    for (const v of ['/var/lib/auscult', '/var/log/auscult', '/etc/auscult']) expect(volume).toContain(v);
    expect(has(runtime, /^HEALTHCHECK .*CMD \["node", "-e", ".*\/healthz/)).toBe(true);
    expect(runtime.lines).toContain('ENTRYPOINT ["/usr/local/bin/auscult-entrypoint"]');
    expect(runtime.lines).toContain('CMD ["run"]');
    expect(runtime.lines).toContain('COPY deploy/docker-entrypoint.sh /usr/local/bin/auscult-entrypoint');
    expect(runtime.lines).toContain('COPY --from=build /app/config/auscult.yaml /app/config/auscult.yaml');
    expect(has(runtime, /curl|wget/)).toBe(false);
  });

  it('sets exactly the memory environment the benchmark measures (src/runtime-env.ts)', () => {
    const envLine = runtime.lines.find((l) => l.startsWith('ENV ')) ?? '';
    for (const [k, v] of Object.entries(DEPLOYED_RUNTIME_ENV)) expect(envLine).toContain(` ${k}=${v} `);
  });
});

describe('deployedEnv', () => {
  it('adds the deployed settings and keeps NODE_OPTIONS the caller already had', () => {
    const env = deployedEnv({ PATH: '/bin', NODE_OPTIONS: '--enable-source-maps' });
    expect(env['PATH']).toBe('/bin');
    expect(env['MALLOC_ARENA_MAX']).toBe(DEPLOYED_RUNTIME_ENV['MALLOC_ARENA_MAX']);
    expect(env['NODE_OPTIONS']).toBe(`--enable-source-maps ${DEPLOYED_RUNTIME_ENV['NODE_OPTIONS']}`);
    expect(deployedEnv({})['NODE_OPTIONS']).toBe(DEPLOYED_RUNTIME_ENV['NODE_OPTIONS']);
  });

  it('node accepts the NODE_OPTIONS it sets (a bad option would stop the sensor from starting)', () => {
    const r = spawnSync(process.execPath, ['-e', 'process.stdout.write("ok")'], { env: deployedEnv(), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('ok');
  });
});

/**
 * What a person sees: on a terminal (a pty from `script`), `replay` draws a progress bar with
 * percent of bytes, ETA and "file N of M", and clears it before the summary; without a terminal
 * nothing of it is written. `--log-format pretty` prints pino-pretty lines instead of JSON.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auscult, BIN, ROOT } from '../helpers/cli.js';
import { titled, toolMissing } from '../helpers/tools.js';

const NO_SCRIPT = toolMissing('script');
const DEMO = join(ROOT, 'fixtures/demo/hospital-demo.pcapng');
const DHCP = join(ROOT, 'fixtures/dhcp/lab-dhcp-clients.pcapng');
let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'auscult-progress-')); });
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

describe('replay progress', () => {
  it.skipIf(NO_SCRIPT !== null)(titled('on a terminal: percent, ETA and file N of M, cleared before the summary', NO_SCRIPT), () => {
    const cmd = [process.execPath, BIN, 'replay', DEMO, DHCP, '--db', join(dir, 'tty.db')].map((a) => `'${a}'`).join(' ');
    const env: Record<string, string> = { ...process.env as Record<string, string>, AUSCULT_LOG_LEVEL: 'warn' };
    delete env['CI'];
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf8', env, input: '', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    const out = r.stdout;
    expect(out).toMatch(/\d+% \| ETA \d+s \| file 1 of 2: hospital-demo\.pcapng/);
    expect(out).toMatch(/100% \| ETA 0s \| file 2 of 2: lab-dhcp-clients\.pcapng \| 25 frames/);
    // The bar's line is erased, then the summary follows on a clean line.
    const summary = out.indexOf(`${DEMO}: 214 frames`);
    expect(summary).toBeGreaterThan(0);
    expect(out.lastIndexOf('\u001b[2K', summary)).toBeGreaterThan(out.lastIndexOf('file 2 of 2'));
    expect(out.slice(summary)).not.toContain('%');
  });

  it('without a terminal, no progress is written', () => {
    const r = auscult(['replay', DEMO, DHCP, '--db', join(dir, 'pipe.db')], { env: { CI: '' } });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(/ETA|file 1 of 2|\u001b/);
    expect(r.stderr).toContain(`${DEMO}: 214 frames`);
  });
});

describe('--log-format', () => {
  const cut = () => {
    const path = join(dir, 'cut.pcapng');
    writeFileSync(path, readFileSync(DEMO).subarray(0, 3000));
    return path;
  };

  it('json (default): one JSON object a line', () => {
    const r = auscult(['replay', cut(), '--db', join(dir, 'json.db')]);
    const line = r.stderr.split('\n').find((l) => l.includes('file ends inside a record'));
    expect(JSON.parse(line ?? '')).toMatchObject({ level: 40, code: 'capture.truncated_record', offset: 2852 });
  });

  it('pretty: pino-pretty lines for people, the same facts', () => {
    const r = auscult(['--log-format', 'pretty', 'replay', cut(), '--db', join(dir, 'pretty.db')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] WARN: file ends inside a record/m);
    expect(r.stderr).toMatch(/^\s+code: "capture\.truncated_record"$/m);
    expect(r.stderr).not.toContain('{"level"');
  });

  it('an unknown format is a usage error (64)', () => {
    const r = auscult(['--log-format', 'xml', 'devices']);
    expect(r.code).toBe(64);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});

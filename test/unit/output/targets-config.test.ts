import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkConfigFile } from '../../../src/config.js';

const dir = mkdtempSync(join(tmpdir(), 'auscult-targets-'));
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

function check(yaml: string): string[] {
  const f = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(f, yaml);
  return checkConfigFile(f, { env: {}, overrides: {} }).issues.map((i) => `${i.key}: ${i.reason}`);
}

describe('output.targets', () => {
  it('takes file, syslog and webhook targets with their defaults', () => {
    expect(check(`output:
  sensor_name: icu-1
  targets:
    - {type: file, name: f, format: cef, path: /tmp/x.cef}
    - {type: syslog, name: s, transport: tls, host: siem.example.org, port: 6514}
    - {type: webhook, name: w, url: https://soar.example.org/in}
`)).toEqual([]);
  });

  it('refuses unknown formats and transports, duplicate names, a shared file, a non-http webhook', () => {
    expect(check('output:\n  targets:\n    - {type: file, name: f, format: xml, path: /tmp/x}\n').join()).toContain('output.targets');
    expect(check('output:\n  targets:\n    - {type: syslog, name: s, transport: sctp, host: h}\n').join()).toContain('output.targets');
    expect(check('output:\n  targets:\n    - {type: syslog, name: s, host: h}\n    - {type: syslog, name: s, host: g}\n').join()).toContain('two outputs are named s');
    expect(check('output:\n  targets:\n    - {type: file, name: a, format: ocsf, path: ./exceptions.ndjson}\n').join()).toContain('already written by another output');
    expect(check('output:\n  targets:\n    - {type: webhook, name: w, url: ftp://x/y}\n').join()).toContain('output.targets');
  });
});

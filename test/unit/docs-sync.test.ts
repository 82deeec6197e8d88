/**
 * Docs stay true (fastify's habit): every error code is in the README, and every anomaly code,
 * capture warning and counter a decoder can produce is in docs/anomaly-codes.md, with nothing
 * stale listed. Regenerate the reference with `UPDATE_DOCS=1 npx vitest run test/unit/docs-sync.test.ts`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CAPTURE_WARNINGS } from '../../src/capture/open-capture.js';
import { PCAP_WARNINGS } from '../../src/capture/pcap-file.js';
import { PCAPNG_WARNINGS } from '../../src/capture/pcapng-file.js';
import { FRAME_ANOMALIES } from '../../src/decode/frame.js';
import { APP_PROTOCOLS } from '../../src/decode/registry.js';
import { REASSEMBLY_COUNTERS, STREAM_ANOMALIES } from '../../src/decode/stream/stream-decoder.js';
import { ERROR_CODES } from '../../src/errors.js';
import { HYGIENE_ANOMALIES } from '../../src/observe/hygiene.js';
import { ROOT } from '../helpers/cli.js';

const SECTIONS: [string, string, readonly string[]][] = [
  ['Capture file warnings', 'A damaged capture keeps the frames before the damage; the warning names the byte offset. Counted as `capture_warning.<code>`.', [...new Set([...CAPTURE_WARNINGS, ...PCAP_WARNINGS, ...PCAPNG_WARNINGS])]],
  ['Link, network and transport anomalies', 'Counted as `anomaly.<code>`.', FRAME_ANOMALIES],
  ...APP_PROTOCOLS.map((p): [string, string, readonly string[]] => [`${p.name.toUpperCase()} anomalies`, 'Counted as `anomaly.<code>`.', p.anomalyCodes]),
  ['DICOM and HL7 stream anomalies', 'Counted as `anomaly.<code>`.', [...new Set(STREAM_ANOMALIES)]],
  ['TCP reassembly counters', 'Limits hit and stream events; each limit is a config key (docs/config-reference.md).', REASSEMBLY_COUNTERS],
  ['Observation hygiene', 'Observations dropped before the device model (group MAC keys, identity strings of only zeros, spaces or control characters). Counted as `anomaly.<code>`.', HYGIENE_ANOMALIES],
];

function render(): string {
  const lines = ['# Anomaly codes and counters', '', 'Generated from the code by `test/unit/docs-sync.test.ts`; a malformed packet costs one of these counters, never the process.', 'Counters are kept in the database (`counter` table) and exported as metrics by `auscult run`.', 'A decoder bug (an exception escaping a decoder) is counted as `decoder_threw.<protocol>`; tests assert it stays 0.', ''];
  for (const [title, note, codes] of SECTIONS) {
    lines.push(`## ${title}`, '', note, '');
    for (const c of [...codes].sort()) lines.push(`- \`${c}\``);
    lines.push('');
  }
  return lines.join('\n');
}

describe('docs in sync with the code', () => {
  it('docs/anomaly-codes.md lists exactly the codes the decoders can produce', () => {
    const path = `${ROOT}docs/anomaly-codes.md`;
    const text = render();
    if (process.env['UPDATE_DOCS'] === '1') writeFileSync(path, text);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('every error code is in the README, and the README lists no stale one', () => {
    const readme = readFileSync(`${ROOT}README.md`, 'utf8');
    for (const code of Object.keys(ERROR_CODES)) expect(readme, code).toContain(`\`${code}\``);
    const listed = new Set(readme.match(/AUS_ERR_[A-Z_]+/g));
    expect([...listed].filter((c) => !(c in ERROR_CODES))).toEqual([]);
  });

  it('every CLI subcommand is in the README CLI reference', async () => {
    const { buildProgram } = await import('../../src/cli/main.js');
    const readme = readFileSync(`${ROOT}README.md`, 'utf8');
    for (const cmd of (await buildProgram()).commands) expect(readme, cmd.name()).toContain(`\`auscult ${cmd.name()}`);
  });
});

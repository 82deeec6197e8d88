/**
 * No PHI at rest or in logs: the lab's DICOM and HL7 captures carry planted patient names, MRNs,
 * birth dates, addresses and accession numbers (fixtures/lab/medical-streams.sh). After replaying
 * them, none of those strings may appear in the SQLite file, its -wal file, the exception stream,
 * the logs (at trace level) or anything printed.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { openPipeline } from '../../src/pipeline.js';
import { auscult, ROOT } from '../helpers/cli.js';
import { PLANTED_PHI } from '../unit/decode/medical-streams.js';

const dir = mkdtempSync(join(tmpdir(), 'auscult-phi-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CAPTURES = ['dicom', 'hl7'].flatMap((d) =>
  readdirSync(join(ROOT, 'fixtures', d)).filter((n) => n.endsWith('.pcapng')).map((n) => join(ROOT, 'fixtures', d, n)));

function hits(bytes: Buffer | string): string[] {
  const text = typeof bytes === 'string' ? bytes : bytes.toString('latin1');
  return PLANTED_PHI.filter((p) => text.includes(p));
}

describe('PHI never kept', () => {
  it('the captures really carry the planted patient data (so this test can fail)', () => {
    const all = Buffer.concat(CAPTURES.map((c) => readFileSync(c)));
    expect(hits(all)).toEqual(expect.arrayContaining(['PHI^PLANTED^NAME', 'MRN-PLANTED-0001', 'ACC-PLANTED-77', 'PLANTED^PATIENT^NAME', '1 PLANTED STREET']));
  });

  it('is absent from the database, its WAL, the stream, logs and output after a replay through the CLI', () => {
    const db = join(dir, 'cli.db');
    const replay = auscult(['replay', ...CAPTURES, '--db', db, '--log-level', 'trace']);
    expect(replay.code, replay.stderr).toBe(0);
    const printed = [replay.stdout, replay.stderr];
    for (const args of [['devices', '--json'], ['devices'], ...['00:00:5e:00:53:21', '00:09:0f:a1:b2:c3'].map((m) => ['device', m, '--json'])]) {
      const r = auscult([...args, '--db', db, '--log-level', 'trace']);
      printed.push(r.stdout, r.stderr);
    }
    const reconcile = auscult(['reconcile', '--db', db, '--stream', join(dir, 'exceptions.ndjson'), '--json', '--log-level', 'trace']);
    printed.push(reconcile.stdout, reconcile.stderr);
    expect(printed.flatMap(hits)).toEqual([]);
    for (const f of readdirSync(dir)) expect(hits(readFileSync(join(dir, f))), f).toEqual([]);
  });

  it('is absent from the database and the -wal file while the writer still holds them open', async () => {
    const db = join(dir, 'open.db');
    const pipeline = openPipeline(db, { logger: silentLogger() });
    for (const c of CAPTURES) await pipeline.replayFile(c);
    expect(existsSync(`${db}-wal`)).toBe(true);
    for (const f of [db, `${db}-wal`]) expect(hits(readFileSync(f)), f).toEqual([]);
    // And the decoders did see the equipment (the allowlist works, not just silence).
    const facts = pipeline.db.prepare("SELECT value FROM field_evidence WHERE source LIKE 'dicom.%' OR source LIKE 'hl7.%'").all() as { value: string }[];
    expect(facts.length).toBeGreaterThan(0);
    pipeline.db.close();
  });
});

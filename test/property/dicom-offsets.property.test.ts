/**
 * Strict DICOM framing (issue 22: starting mid-association or after a lost segment, the upper-
 * layer reader took the middle of a P-DATA PDU for an A-ASSOCIATE-RQ, and data-set bytes such as
 * (0010,0010) became the "calling AE title"; starting at every byte offset of 3,874 flows stored
 * 3 such values). Here: starting at EVERY byte offset of every lab DICOM stream, every string an
 * association record yields is one the stream really carries in an association (read from offset
 * 0), never bytes of a data set. Exhaustive over offsets, so no seed is needed.
 */
import { describe, expect, it } from 'vitest';
import { decodeDicomPdu, frameDicomPdu, type DicomUlRecord } from '../../src/protocols/dicom/dicom-ul.js';
import { stream, streamNames } from '../unit/decode/medical-streams.js';

/** Every string an association record holds (what the observers could store). */
function strings(r: DicomUlRecord): string[] {
  if (r.pdu !== 'associate_rq' && r.pdu !== 'associate_ac') return [];
  const out = [r.calledAeTitle, r.callingAeTitle, r.applicationContextName ?? ''];
  for (const pc of r.proposedContexts) out.push(pc.abstractSyntax ?? '', ...pc.transferSyntaxes);
  for (const pc of r.acceptedContexts) out.push(pc.transferSyntax ?? '');
  const ui = r.userInformation;
  if (ui) out.push(ui.implementationClassUid ?? '', ui.implementationVersionName ?? '', ...ui.roleSelections.map((x) => x.sopClassUid));
  return out.filter((s) => s !== '');
}

/**
 * The strings of the association record a reader that starts at `start` frames first. The framer
 * is stateless, so what such a reader reads after its first step (a frame or a skip) is what a
 * reader starting where that step ended reads: checking the first step at EVERY offset covers
 * every path from every offset. A first byte that is no PDU type is skipped without a frame.
 */
function firstStep(buf: Uint8Array, start: number): { strings: string[]; end?: number } {
  const type = buf[start] as number;
  if (type < 1 || type > 7) return { strings: [] };
  const r = frameDicomPdu(buf.subarray(start));
  if (r.kind !== 'frame') return { strings: [] };
  return { strings: strings(decodeDicomPdu(r.frame).value), end: start + r.consumed };
}

describe('DICOM framing from every byte offset of the lab streams', () => {
  const names = streamNames('dicom-');
  it('the lab corpus is there and holds associations', () => {
    expect(names.length).toBeGreaterThanOrEqual(16);
  });

  it('never yields an association string the stream does not carry in an association', () => {
    let offsets = 0;
    let spurious = 0;
    for (const name of names) {
      const buf = stream(name);
      const genuine = new Set<string>();
      for (let pos = 0; pos < buf.length;) {
        const step = firstStep(buf, pos);
        for (const s of step.strings) genuine.add(s);
        if (step.end === undefined) break;
        pos = step.end;
      }
      for (let start = 1; start < buf.length; start++) {
        offsets++;
        for (const s of firstStep(buf, start).strings) {
          if (!genuine.has(s)) {
            spurious++;
            expect.soft(s, `${name} from offset ${start}`).toBe('(a genuine association string)');
          }
        }
      }
    }
    expect(offsets).toBeGreaterThan(100_000);
    expect(spurious).toBe(0);
  });
});

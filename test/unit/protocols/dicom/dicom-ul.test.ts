import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DICOM_COMMAND_ANOMALIES, decodeDicomCommand } from '../../../../src/protocols/dicom/dicom-command.js';
import {
  DICOM_UL_ANOMALIES,
  DICOM_UL_LIMITS,
  decodeDicomPdu,
  frameDicomPdu,
  type DicomAssociateRecord,
  type DicomPdu,
} from '../../../../src/protocols/dicom/dicom-ul.js';
import { decodePdus, frameAll, frameChunked, planted, stream, walkAssociation, type DecodedPdu } from '../../decode/medical-streams.js';

/** tcp.stream index of each lab association (fixtures/lab/medical-streams.sh, in order). */
const ASSOCIATIONS = ['echo', 'store-implicit', 'store-explicit-all-sop', 'store-big-endian', 'store-deflated', 'refused', 'abort', 'store-abort'] as const;
const DICOM_PORTS = new Set(['104', '4242', '11112', '11113']);
const KNOWN = new Set<string>([...DICOM_UL_ANOMALIES, ...DICOM_COMMAND_ANOMALIES]);
const DCMTK_CLASS_UID = '1.2.276.0.7230010.3.0.3.6.7';

const pdu = (type: number, body: number[]): Uint8Array => {
  const n = body.length;
  return Uint8Array.from([type, 0, (n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff, ...body]);
};
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));
const item = (type: number, body: number[]) => [type, 0, (body.length >> 8) & 0xff, body.length & 0xff, ...body];
const ae = (s: string) => ascii(s.padEnd(16, ' '));
const associateRq = (items: number[]) => pdu(1, [0, 1, 0, 0, ...ae('PACS'), ...ae('MODALITY'), ...new Array<number>(32).fill(0), ...items]);

function assoc(p: DecodedPdu | undefined): DicomAssociateRecord {
  if (p?.record.pdu !== 'associate_rq' && p?.record.pdu !== 'associate_ac') throw new Error('not an A-ASSOCIATE');
  return p.record;
}

describe('frameDicomPdu + decodeDicomPdu on the lab associations', () => {
  it('frames every lab stream completely, with no anomaly', () => {
    for (const name of ASSOCIATIONS) {
      for (const side of ['client', 'server']) {
        const { pdus, framing, rest } = decodePdus(stream(`dicom-${name}.${side}.bin`));
        expect(rest.length, `${name}.${side}`).toBe(0);
        expect(framing).toEqual([]);
        expect(pdus.flatMap((p) => p.anomalies)).toEqual([]);
        expect(pdus.length).toBeGreaterThan(0);
      }
    }
  });

  it('agrees with tshark on every PDU: types, AE titles, contexts, syntaxes, user information, PDVs', () => {
    const tsv = readFileSync(fileURLToPath(new URL('../../../../fixtures/dicom/lab-dicom-associations.pcapng.tshark.tsv', import.meta.url)), 'utf8');
    const [head, ...rows] = tsv.trim().split('\n');
    const cols = (head as string).split('\t');
    const col = (row: string[], name: string) => row[cols.indexOf(name)] ?? '';
    const list = (s: string) => (s === '' ? [] : s.split('|'));
    const uidOf = (s: string) => /\(([\d.]+)\)$/.exec(s)?.[1] ?? s;
    for (const [index, name] of ASSOCIATIONS.entries()) {
      for (const side of ['client', 'server'] as const) {
        const mine = decodePdus(stream(`dicom-${name}.${side}.bin`)).pdus;
        const theirs = rows.map((r) => r.split('\t')).filter((r) => col(r, 'tcp.stream') === String(index) && DICOM_PORTS.has(col(r, 'tcp.srcport')) === (side === 'server'));
        const field = (n: string) => theirs.flatMap((r) => list(col(r, n)));
        expect(mine.map((p) => p.type), `${name}.${side} types`).toEqual(field('dicom.pdu.type').map(Number));
        const assocs = mine.filter((p) => p.record.pdu === 'associate_rq' || p.record.pdu === 'associate_ac').map(assoc);
        expect(assocs.map((a) => a.calledAeTitle)).toEqual(field('dicom.assoc.ae.called').map((s) => s.trim()));
        expect(assocs.map((a) => a.callingAeTitle)).toEqual(field('dicom.assoc.ae.calling').map((s) => s.trim()));
        expect(assocs.map((a) => a.applicationContextName)).toEqual(field('dicom.actx').map(uidOf));
        expect(assocs.flatMap((a) => [...a.proposedContexts, ...a.acceptedContexts].map((c) => c.id))).toEqual(field('dicom.pctx.id').map(Number));
        expect(assocs.flatMap((a) => a.acceptedContexts.map((c) => c.result))).toEqual(field('dicom.pctx.result').map(Number));
        expect(assocs.flatMap((a) => a.proposedContexts.map((c) => c.abstractSyntax))).toEqual(field('dicom.pctx.abss.syntax').map(uidOf));
        expect(assocs.flatMap((a) => [...a.proposedContexts.flatMap((c) => c.transferSyntaxes), ...a.acceptedContexts.map((c) => c.transferSyntax)]))
          .toEqual(field('dicom.pctx.xfer.syntax').map(uidOf));
        expect(assocs.map((a) => a.userInformation?.maxPduLength)).toEqual(field('dicom.max_pdu_len').map(Number));
        expect(assocs.map((a) => a.userInformation?.implementationClassUid)).toEqual(field('dicom.userinfo.uid'));
        expect(assocs.map((a) => a.userInformation?.implementationVersionName)).toEqual(field('dicom.userinfo.version'));
        const pdvs = mine.flatMap((p) => (p.record.pdu === 'data' ? p.record.pdvs : []));
        expect(pdvs.map((v) => v.presentationContextId)).toEqual(field('dicom.pdv.ctx').map(Number));
        expect(pdvs.map((v) => (v.isCommand ? 1 : 0) | (v.isLast ? 2 : 0))).toEqual(field('dicom.pdv.flags').map(Number));
        expect(pdvs.map((v) => v.fragment.length + 2)).toEqual(field('dicom.pdv.len').map(Number));
        const rj = mine.flatMap((p) => (p.record.pdu === 'associate_rj' ? [p.record] : []));
        expect(rj.map((r) => [r.result, r.source, r.reason])).toEqual(theirs.filter((r) => col(r, 'dicom.assoc.reject.result') !== '')
          .map((r) => [Number(col(r, 'dicom.assoc.reject.result')), Number(col(r, 'dicom.assoc.reject.source')), Number(col(r, 'dicom.assoc.reject.reason'))]));
        const ab = mine.flatMap((p) => (p.record.pdu === 'abort' ? [p.record] : []));
        expect(ab.map((r) => [r.source, r.reason])).toEqual(theirs.filter((r) => col(r, 'dicom.assoc.abort.source') !== '')
          .map((r) => [Number(col(r, 'dicom.assoc.abort.source')), Number(col(r, 'dicom.assoc.abort.reason'))]));
      }
    }
  });

  it('decodes the C-ECHO association: RQ, AC, commands, release', () => {
    const w = walkAssociation('echo');
    const rq = assoc(w.client[0]);
    expect(rq).toMatchObject({
      pdu: 'associate_rq', protocolVersion: 1, calledAeTitle: 'PACS_MAIN', callingAeTitle: 'CTSCAN01',
      applicationContextName: '1.2.840.10008.3.1.1.1',
      proposedContexts: [{ id: 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] }],
      userInformation: { maxPduLength: 16384, implementationClassUid: DCMTK_CLASS_UID, implementationVersionName: 'OFFIS_DCMTK_367', subItemTypes: [0x51, 0x52, 0x55] },
    });
    expect(assoc(w.server[0]).acceptedContexts).toEqual([{ id: 1, result: 0, transferSyntax: '1.2.840.10008.1.2' }]);
    expect(w.commands.map((c) => c.value)).toEqual([{ command: 'C-ECHO-RQ', commandField: 0x30, affectedSopClassUid: '1.2.840.10008.1.1', hasDataset: false }]);
    expect(w.responses.map((c) => c.value)).toEqual([{ command: 'C-ECHO-RSP', commandField: 0x8030, affectedSopClassUid: '1.2.840.10008.1.1', hasDataset: false, status: 0 }]);
    expect(w.client.at(-1)?.record).toEqual({ pdu: 'release_rq' });
    expect(w.server.at(-1)?.record).toEqual({ pdu: 'release_rp' });
  });

  it('keeps all 128 presentation contexts storescu proposes, and counts past a lowered limit', () => {
    const rqBytes = stream('dicom-store-explicit-all-sop.client.bin');
    const framed = frameDicomPdu(rqBytes);
    if (framed.kind !== 'frame') throw new Error('no frame');
    expect(assoc({ type: 1, record: decodeDicomPdu(framed.frame).value, anomalies: [] }).proposedContexts).toHaveLength(128);
    const low = decodeDicomPdu(framed.frame, { ...DICOM_UL_LIMITS, maxPresentationContexts: 10, maxTransferSyntaxes: 1 });
    expect(assoc({ type: 1, record: low.value, anomalies: [] }).proposedContexts).toHaveLength(10);
    expect(low.anomalies).toEqual(['dicom.too_many_items']);
  });

  it('decodes A-ASSOCIATE-RJ and A-ABORT', () => {
    expect(walkAssociation('refused').server.map((p) => p.record)).toEqual([{ pdu: 'associate_rj', result: 1, source: 1, reason: 1 }]);
    expect(walkAssociation('abort').client.at(-1)?.record).toEqual({ pdu: 'abort', source: 0, reason: 0 });
  });

  it('gives PDV fragments of one data set across several P-DATA-TF PDUs', () => {
    const { client } = walkAssociation('store-implicit');
    const data = client.filter((p) => p.record.pdu === 'data').map((p) => (p.record.pdu === 'data' ? p.record.pdvs : []));
    expect(data.map((pdvs) => pdvs.map((v) => `${v.presentationContextId}${v.isCommand ? 'C' : 'D'}${v.isLast ? 'L' : ''}:${v.fragment.length}`)))
      .toEqual([['1CL:128'], ['1D:16372'], ['1D:16372'], ['1DL:856']]);
  });

  it('never puts planted patient data in an association or command record', () => {
    for (const name of ASSOCIATIONS) {
      const w = walkAssociation(name);
      const records = [...w.client, ...w.server].filter((p) => p.record.pdu !== 'data');
      expect(planted(records), name).toEqual([]);
      expect(planted(w.commands), name).toEqual([]);
    }
  });
});

describe('frameDicomPdu contract', () => {
  const echo = stream('dicom-echo.client.bin');

  it('waits for the header, then for the whole PDU, when a PDU arrives in many small chunks', () => {
    expect(frameDicomPdu(echo.subarray(0, 0))).toEqual({ kind: 'incomplete', consumed: 0, needed: 6 });
    expect(frameDicomPdu(echo.subarray(0, 3))).toEqual({ kind: 'incomplete', consumed: 0, needed: 6 });
    const total = 6 + ((echo[2] as number) << 24 | (echo[3] as number) << 16 | (echo[4] as number) << 8 | (echo[5] as number));
    expect(frameDicomPdu(echo.subarray(0, 6))).toEqual({ kind: 'incomplete', consumed: 0, needed: total });
    expect(frameDicomPdu(echo.subarray(0, total - 1))).toEqual({ kind: 'incomplete', consumed: 0, needed: total });
    expect(frameDicomPdu(echo.subarray(0, total))).toMatchObject({ kind: 'frame', consumed: total });
  });

  it('frames the same PDUs whatever the chunking (1, 7, 1460 bytes)', () => {
    const full = stream('dicom-store-implicit.client.bin');
    const whole = frameAll<DicomPdu>(full, (b) => frameDicomPdu(b)).frames.map((f) => [f.type, f.length, [...f.body.subarray(0, 16)]]);
    for (const chunk of [1, 7, 1460]) {
      const got = frameChunked<DicomPdu>(full, chunk, (b) => frameDicomPdu(b), (f) => ({ ...f, body: f.body.slice() }));
      expect(got.map((f) => [f.type, f.length, [...f.body.subarray(0, 16)]]), `chunk ${chunk}`).toEqual(whole);
    }
  });

  it('reports a PDU length of 0xFFFFFFFF as too large and resynchronises at the next PDU', () => {
    const bogus = Uint8Array.from([0x04, 0x00, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x10, 0x01, 0x02]);
    const buf = new Uint8Array([...bogus, ...echo]);
    const r = frameDicomPdu(buf);
    expect(r).toEqual({ kind: 'desync', skip: bogus.length, anomaly: 'dicom.pdu_too_large' });
    expect(frameDicomPdu(buf.subarray(bogus.length))).toMatchObject({ kind: 'frame' });
    // alone in the buffer: everything is dropped, nothing is waited for
    expect(frameDicomPdu(bogus.subarray(0, 6))).toEqual({ kind: 'desync', skip: 6, anomaly: 'dicom.pdu_too_large' });
  });

  it('never buffers past a lowered maxPduBytes: 16 KiB P-DATA PDUs become desyncs', () => {
    const limits = { ...DICOM_UL_LIMITS, maxPduBytes: 4096 };
    const { frames, anomalies, rest } = frameAll<DicomPdu>(stream('dicom-store-implicit.client.bin'), (b) => frameDicomPdu(b, limits));
    expect(anomalies).toContain('dicom.pdu_too_large');
    expect(frames.every((f) => f.length <= 4096)).toBe(true);
    expect(frames[0]?.type).toBe(1); // the A-ASSOCIATE-RQ still frames
    expect(rest.length).toBeLessThanOrEqual(4096 + 6);
  });

  it('skips an unknown PDU type', () => {
    const buf = new Uint8Array([0x09, 0x00, 0x00, 0x00, 0x00, 0x00, ...echo]);
    expect(frameDicomPdu(buf)).toEqual({ kind: 'desync', skip: 6, anomaly: 'dicom.unknown_pdu_type' });
  });
});

describe('decodeDicomPdu on synthesised PDUs', () => {
  const decode = (bytes: Uint8Array) => {
    const f = frameDicomPdu(bytes);
    if (f.kind !== 'frame') throw new Error(`not framed: ${f.kind}`);
    return decodeDicomPdu(f.frame);
  };

  it('records the User Identity type, never the user name or passcode', () => {
    const identity = [1, 1, 0, 12, ...ascii('PLANTED-USER'), 0, 6, ...ascii('SECRET')];
    const rq = decode(associateRq([...item(0x10, ascii('1.2.840.10008.3.1.1.1')), ...item(0x50, [...item(0x51, [0, 0, 0x40, 0]), ...item(0x58, identity)])]));
    expect(rq.anomalies).toEqual([]);
    expect(rq.value).toMatchObject({ userInformation: { userIdentityType: 1, maxPduLength: 16384, subItemTypes: [0x51, 0x58] } });
    expect(JSON.stringify(rq.value)).not.toMatch(/PLANTED-USER|SECRET/);
  });

  it('reads SCP/SCU role selection and asynchronous operations', () => {
    const uid = ascii('1.2.840.10008.5.1.4.1.1.2');
    const rq = decode(associateRq([...item(0x10, ascii('1.2.840.10008.3.1.1.1')), ...item(0x50, [...item(0x53, [0, 2, 0, 1]), ...item(0x54, [0, uid.length, ...uid, 1, 0])])]));
    expect(rq.value).toMatchObject({ userInformation: { asyncOperations: { invoked: 2, performed: 1 }, roleSelections: [{ sopClassUid: '1.2.840.10008.5.1.4.1.1.2', scu: 1, scp: 0 }] } });
  });

  it('flags a sub-item length past its item (dicom.bad_length) and keeps what came before', () => {
    const good = item(0x10, ascii('1.2.840.10008.3.1.1.1'));
    const rq = decode(associateRq([...good, ...item(0x20, [1, 0, 0, 0, 0x30, 0, 0, 40, 0x31])]));
    expect(rq.value).toMatchObject({ applicationContextName: '1.2.840.10008.3.1.1.1', proposedContexts: [{ id: 1, transferSyntaxes: [] }] });
    expect(rq.anomalies).toEqual(['dicom.bad_length']);
  });

  it('flags unknown sub-items', () => {
    const rq = decode(associateRq([...item(0x10, ascii('1.2.840.10008.3.1.1.1')), ...item(0x20, [1, 0, 0, 0, ...item(0x77, [1, 2])])]));
    expect(rq.anomalies).toEqual(['dicom.unknown_item']);
  });

  it.each([
    ['a protocol version other than 0001H', (b: number[]) => { b[1] = 2; }],
    ['a non-zero reserved field after the version', (b: number[]) => { b[3] = 1; }],
    ['a non-zero byte in the 32 reserved bytes', (b: number[]) => { b[50] = 7; }],
    ['an item length past the PDU', (b: number[]) => { b.push(0x20, 0, 0x40, 0x00, 1, 0, 0, 0); }],
    ['an unknown item type', (b: number[]) => { b.push(...item(0x77, [1, 2])); }],
    ['another application context', (b: number[]) => { b.splice(68, b.length - 68, ...item(0x10, ascii('1.2.3.4'))); }],
    ['no application context item', (b: number[]) => { b.splice(68); }],
    ['a control character in an AE title', (b: number[]) => { b[5] = 0x1b; }],
    ['a backslash in an AE title', (b: number[]) => { b[21] = 0x5c; }],
    ['a person name as the calling AE title', (b: number[]) => { b.splice(20, 16, ...ae('DOE^JOHN')); }],
    ['an all-space AE title', (b: number[]) => { b.splice(4, 16, ...new Array<number>(16).fill(0x20)); }],
  ])('refuses an A-ASSOCIATE-RQ with %s (dicom.bad_associate): nothing of it is read', (_name, spoil) => {
    const body = [0, 1, 0, 0, ...ae('PACS'), ...ae('MODALITY'), ...new Array<number>(32).fill(0), ...item(0x10, ascii('1.2.840.10008.3.1.1.1'))];
    expect(decode(pdu(1, body)).value).toMatchObject({ pdu: 'associate_rq', calledAeTitle: 'PACS' });
    spoil(body);
    const r = decode(pdu(1, body));
    expect(r.value).toEqual({ pdu: 'unknown', type: 1 });
    expect(r.anomalies).toEqual(['dicom.bad_associate']);
  });

  it('flags a PDV whose length runs past its PDU, and a PDV too short for its header', () => {
    expect(decode(pdu(4, [0, 0, 0, 50, 1, 3, 9, 9])).anomalies).toEqual(['dicom.bad_pdv']);
    expect(decode(pdu(4, [0, 0, 0, 1, 1])).anomalies).toEqual(['dicom.bad_pdv']);
    expect(decodeDicomPdu({ type: 4, length: 3, body: Uint8Array.from([0, 0, 0]) }).anomalies).toEqual(['dicom.bad_pdv']);
  });

  it('caps PDVs per PDU', () => {
    const pdvs = Array.from({ length: 5 }, () => [0, 0, 0, 3, 1, 2, 7]).flat();
    const r = decodeDicomPdu({ type: 4, length: pdvs.length, body: Uint8Array.from(pdvs) }, { ...DICOM_UL_LIMITS, maxPdvs: 2 });
    expect(r.value).toMatchObject({ pdu: 'data', pdvs: [{ presentationContextId: 1, isCommand: false, isLast: true }, {}] });
    expect(r.value.pdu === 'data' && r.value.pdvs.length).toBe(2);
    expect(r.anomalies).toEqual(['dicom.too_many_items']);
  });

  it('reports a short A-ASSOCIATE-RJ / A-ABORT as dicom.bad_length and an unknown type as such', () => {
    expect(decodeDicomPdu({ type: 3, length: 2, body: Uint8Array.from([0, 1]) }).anomalies).toEqual(['dicom.bad_length']);
    expect(decodeDicomPdu({ type: 7, length: 1, body: Uint8Array.from([0]) }).anomalies).toEqual(['dicom.bad_length']);
    expect(decodeDicomPdu({ type: 9, length: 0, body: new Uint8Array(0) })).toEqual({ value: { pdu: 'unknown', type: 9 }, anomalies: ['dicom.unknown_pdu_type'] });
  });

  it('only ever reports listed codes', () => {
    const codes = ['dicom.bad_length', 'dicom.bad_pdv', 'dicom.too_many_items', 'dicom.unknown_item', 'dicom.bad_associate', 'dicom.unknown_pdu_type'];
    for (const c of codes) expect(KNOWN.has(c)).toBe(true);
  });
});

describe('decodeDicomCommand', () => {
  const el = (element: number, value: number[]) => [0, 0, element & 0xff, element >> 8, value.length & 0xff, (value.length >> 8) & 0xff, 0, 0, ...value];
  const uid = (s: string) => { const b = ascii(s); return b.length % 2 ? [...b, 0] : b; };

  it('reads C-MOVE destination and requested SOP class, and never the SOP instance UID', () => {
    const cmd = Uint8Array.from([
      ...el(0x0002, uid('1.2.840.10008.5.1.4.1.2.2.2')), ...el(0x0100, [0x21, 0]), ...el(0x0600, ascii('WORKSTATION1    ')),
      ...el(0x0800, [0x01, 0x01]), ...el(0x1000, uid('1.2.3.4.5.6.7.8.9')),
    ]);
    const r = decodeDicomCommand(cmd);
    expect(r).toEqual({ value: { affectedSopClassUid: '1.2.840.10008.5.1.4.1.2.2.2', commandField: 0x21, command: 'C-MOVE-RQ', moveDestination: 'WORKSTATION1', hasDataset: false }, anomalies: [] });
  });

  it('flags a length past the end, an element outside group 0000, and too many elements', () => {
    expect(decodeDicomCommand(Uint8Array.from([0, 0, 0, 1, 10, 0, 0, 0, 1, 0])).anomalies).toEqual(['dicom.element_truncated']);
    expect(decodeDicomCommand(Uint8Array.from([8, 0, 0x70, 0, 2, 0, 0, 0, 65, 66])).anomalies).toEqual(['dicom.bad_command_element']);
    expect(decodeDicomCommand(Uint8Array.from([...el(0x0110, [1, 0]), ...el(0x0120, [1, 0])]), { maxElements: 1 }).anomalies).toEqual(['dicom.too_many_elements']);
    expect(decodeDicomCommand(Uint8Array.from([0, 0, 0])).anomalies).toEqual(['dicom.element_truncated']);
  });
});

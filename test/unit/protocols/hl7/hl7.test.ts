import { describe, expect, it } from 'vitest';
import { HL7_ANOMALIES, HL7_LIMITS, decodeHl7, type Hl7Limits } from '../../../../src/protocols/hl7/hl7.js';
import { frameMllp } from '../../../../src/protocols/hl7/mllp-framer.js';
import { frameAll, planted, stream, streamNames } from '../../decode/medical-streams.js';

const KNOWN = new Set<string>(HL7_ANOMALIES);
const enc = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
const MSH = 'MSH|^~\\&|APP|FAC|RAPP|RFAC|20260101||ORU^R01^ORU_R01|1|P|2.6';

function decode(s: string | Uint8Array, limits: Hl7Limits = HL7_LIMITS) {
  const r = decodeHl7(typeof s === 'string' ? enc(s) : s, limits);
  for (const a of r.anomalies) expect(KNOWN.has(a), a).toBe(true);
  return r;
}

function labMessages(name: string): Uint8Array[] {
  return frameAll(stream(name), (b) => frameMllp(b)).frames;
}

describe('decodeHl7 on the lab ORU^R01 messages (python3-hl7 mllp_send)', () => {
  const [monitor, pump] = labMessages('hl7-oru-two-messages.client.bin');

  it('monitor: MSH identity (EUI-64 in MSH-3), profile, OBX-3/4/18, segment counts', () => {
    const r = decode(monitor as Uint8Array);
    expect(r.anomalies).toEqual([]);
    expect(r.value).toEqual({
      fieldSeparator: '|',
      encodingCharacters: '^~\\&',
      sendingApplication: { namespaceId: 'MONITOR', universalId: '00090FFFFEA1B2C3', universalIdType: 'EUI-64' },
      sendingFacility: { namespaceId: 'ICU&WEST' }, // \T\ unescaped
      receivingApplication: { namespaceId: 'HIS_ENGINE', universalId: 'ACDE48234567ABCD', universalIdType: 'EUI-64' },
      receivingFacility: { namespaceId: 'HOSPITAL' },
      messageType: { code: 'ORU', triggerEvent: 'R01', structure: 'ORU_R01' },
      versionId: '2.6',
      characterSet: 'UNICODE UTF-8',
      messageProfiles: [{ entityIdentifier: 'IHE_PCD_001', namespaceId: 'IHE PCD', universalId: '1.3.6.1.4.1.19376.1.6.1.1.1', universalIdType: 'ISO' }],
      observations: [
        { identifier: { identifier: '150456', text: 'MDC_PULS_OXIM_SAT_O2', codingSystem: 'MDC' }, subId: '1.1.1.1', equipment: [{ entityIdentifier: '00090FFFFEA1B2C3', namespaceId: 'EUI-64' }] },
        { identifier: { identifier: '0', text: 'MDS-NOTE', codingSystem: 'MDC' }, subId: '1.0.0.0', equipment: [{ entityIdentifier: '00090FFFFEA1B2C3', namespaceId: 'EUI-64' }] },
      ],
      deviceParticipations: [],
      segmentCount: 8,
      segmentCounts: { MSH: 1, PID: 1, NK1: 1, PV1: 1, OBR: 1, OBX: 2, NTE: 1 },
    });
  });

  it('pump: PRT device participation (v2.8.2): device id, UDI, dates, lot, serial, type', () => {
    const r = decode(pump as Uint8Array);
    expect(r.anomalies).toEqual([]);
    expect(r.value.versionId).toBe('2.8.2');
    expect(r.value.sendingApplication).toEqual({ namespaceId: 'PUMP', universalId: '0012A1FFFE3B4C5D', universalIdType: 'EUI-64' });
    expect(r.value.deviceParticipations).toEqual([{
      participation: { identifier: 'EQUIP', text: 'Equipment', codingSystem: 'HL70912' },
      devices: [{ entityIdentifier: 'PUMP-0042', namespaceId: 'EXAMPLEMED', universalId: '1.3.6.1.4.1.99999', universalIdType: 'ISO' }],
      udiDeviceIdentifier: { entityIdentifier: '(01)00812345678906', namespaceId: 'GS1' },
      manufactureDate: '20240115',
      expiryDate: '20290115',
      lotNumber: 'LOT-77',
      serialNumber: 'SN-PUMP-0042',
      deviceType: { identifier: '469244005', text: 'Infusion pump', codingSystem: 'SCT' },
    }]);
    expect(r.value.observations).toEqual([{ identifier: { identifier: '68484-5', text: 'Infusion pump', codingSystem: 'LN' }, subId: '1', equipment: [{ entityIdentifier: 'PUMP-0042', namespaceId: 'EXAMPLEMED' }] }]);
    expect(r.value.segmentCounts).toEqual({ MSH: 1, PID: 1, PV1: 1, OBR: 1, OBX: 1, PRT: 1 });
  });

  it('ACK: MSA-1 and the receiver (the HIS engine) as sender', () => {
    const acks = labMessages('hl7-oru-two-messages.server.bin').map((m) => decode(m).value);
    expect(acks.map((a) => [a.acknowledgmentCode, a.messageType?.code, a.sendingApplication?.namespaceId, a.receivingApplication?.namespaceId]))
      .toEqual([['AA', 'ACK', 'HIS_ENGINE', 'MONITOR'], ['AA', 'ACK', 'HIS_ENGINE', 'PUMP']]);
  });

  it('no planted patient data in any record or anomaly of any lab message', () => {
    let n = 0;
    for (const name of streamNames('hl7-')) {
      for (const m of labMessages(name)) {
        expect(Buffer.from(m).toString('latin1')).toMatch(/MSH/);
        expect(planted(decode(m))).toEqual([]);
        n++;
      }
    }
    expect(n).toBe(6);
  });

  it('the planted data really is in the input (the PHI test can fail)', () => {
    expect(Buffer.from(monitor as Uint8Array).toString('latin1')).toContain('PLANTED^PATIENT^NAME');
    expect(planted(Buffer.from(monitor as Uint8Array).toString('latin1'))).toContain('MRN-PLANTED-0001');
  });

  it('decodes the same with CRLF segment terminators', () => {
    const cr = Buffer.from(monitor as Uint8Array).toString('latin1');
    const base = decode(cr).value;
    expect(decode(cr.replaceAll('\r', '\r\n')).value).toEqual(base);
  });

  it('LF alone is data, not a segment terminator: an LF-framed message is one MSH segment read up to the first LF', () => {
    const cr = Buffer.from(monitor as Uint8Array).toString('latin1');
    const r = decode(cr.replaceAll('\r', '\n'));
    expect(r.anomalies).toContain('hl7.bare_lf');
    expect(r.value.segmentCount).toBe(1);
    expect(r.value.observations).toEqual([]);
    expect(r.value.deviceParticipations).toEqual([]);
    expect(JSON.stringify(r)).not.toContain('PLANTED');
    expect(planted(JSON.stringify(r))).toEqual([]);
  });
});

describe('decodeHl7 PHI canaries behind line feeds', () => {
  it('a PRT| line inside OBX-5 text is never parsed (its serial is never stored)', () => {
    const msg = `${MSH}\rOBX|1|TX|0^Note^MDC||Report line 1\nPRT|1|AD||EQUIPMENT^Equipment^HL70912||||||||||||||||||||CANARY-SERIAL-OBX5||||||||||||||||||||||\nmore text|||||||||||||EQ1\r`;
    const r = decode(msg);
    expect(r.value.deviceParticipations).toEqual([]);
    expect(r.value.segmentCounts['PRT']).toBeUndefined();
    expect(r.value.observations.map((o) => o.identifier)).toEqual([{ identifier: '0', text: 'Note', codingSystem: 'MDC' }]);
    expect(JSON.stringify(r)).not.toContain('CANARY');
    expect(r.anomalies).toContain('hl7.bare_lf');
  });

  it('MSH fields stop at a bare LF: PID fields after it are never read as MSH-18 or MSH-21', () => {
    const msg = 'MSH|^~\\&|APP|FAC|RAPP|RFAC|20260101||ORU^R01|1|P|2.6\nPID|1||CANARY-MRN||CANARY^NAME||19700101|M|||CANARY-ADDR\r';
    const r = decode(msg);
    expect(r.value.sendingApplication?.namespaceId ?? JSON.stringify(r.value)).toContain('APP');
    expect(JSON.stringify(r)).not.toContain('CANARY');
  });
});

describe('decodeHl7 allowlist', () => {
  it('never splits PID, NK1, NTE or OBX-5: escapes and oversized values there raise nothing', () => {
    const long = 'Z'.repeat(5000);
    const msg = `${MSH}\rPID|||\\H\\MRN\\N\\||${long}^${long}\rNK1|1|\\X41\\${long}\rNTE|1||\\.br\\${long}\rOBX|1|ST|0^X^MDC||\\H\\${long}|||||||||||||EQ1\r`;
    const r = decode(msg, { ...HL7_LIMITS, maxFieldBytes: 64, maxValueChars: 16 });
    expect(r.anomalies).toEqual([]);
    expect(JSON.stringify(r)).not.toContain('ZZZ');
    expect(r.value.observations).toEqual([{ identifier: { identifier: '0', text: 'X', codingSystem: 'MDC' }, equipment: [{ entityIdentifier: 'EQ1' }] }]);
  });

  it('keeps only device observations: OBX-18 present or an MDC OBX-3', () => {
    const msg = `${MSH}\rOBX|1|NM|2345-7^Glucose^LN||5.4\rOBX|2|NM|150456^SpO2^MDC||97\r`;
    expect(decode(msg).value.observations).toEqual([{ identifier: { identifier: '150456', text: 'SpO2', codingSystem: 'MDC' }, equipment: [] }]);
  });

  it('ignores a PRT about a person: PRT-5 is never read', () => {
    const msg = `${MSH}\rPRT|1|UC||OP^Ordering Provider^HL70912|1234^PLANTED^DOCTOR\r`;
    const r = decode(msg);
    expect(r.value.deviceParticipations).toEqual([]);
    expect(JSON.stringify(r)).not.toContain('PLANTED');
  });

  it('uses the delimiters MSH-1 and MSH-2 declare', () => {
    const r = decode('MSH#$%*!#APP$00090FFFFEA1B2C3$EUI-64#FAC#R#RF#20260101##ORU$R01#1#P#2.6\rPID#1##x$y\rOBX#1#NM#1$A$MDC####################E!1\r');
    expect(r.anomalies).toEqual([]);
    expect(r.value).toMatchObject({
      fieldSeparator: '#', encodingCharacters: '$%*!',
      sendingApplication: { namespaceId: 'APP', universalId: '00090FFFFEA1B2C3', universalIdType: 'EUI-64' },
      messageType: { code: 'ORU', triggerEvent: 'R01' },
    });
  });

  it('unescapes \\F\\ \\S\\ \\T\\ \\R\\ \\E\\ in allowlisted values', () => {
    const r = decode('MSH|^~\\&|A\\F\\B\\S\\C\\T\\D\\R\\E\\E\\F|X\r');
    expect(r.value.sendingApplication?.namespaceId).toBe('A|B^C&D~E\\F');
  });

  it('decodes allowlisted values as Latin-1 when MSH-18 says 8859/1', () => {
    const bytes = Uint8Array.from([...enc('MSH|^~\\&|'), 0x4d, 0xfc, 0x6c, ...enc('|F|||20260101||ORU^R01|1|P|2.6||||||8859/1\r')]);
    expect(decode(bytes).value).toMatchObject({ sendingApplication: { namespaceId: 'Mül' }, characterSet: '8859/1' });
  });
});

describe('decodeHl7 anomalies (one test each)', () => {
  it('hl7.no_msh', () => {
    const r = decode('PID|||MRN-PLANTED-0001\rOBX|1|NM|1^A^MDC\r');
    expect(r.anomalies).toEqual(['hl7.no_msh']);
    expect(r.value.segmentCounts).toEqual({ PID: 1, OBX: 1 });
    expect(planted(r)).toEqual([]);
  });

  it('hl7.bad_encoding_characters', () => {
    expect(decode('MSH|^^\\&|A\r').anomalies).toEqual(['hl7.bad_encoding_characters']);
    expect(decode('MSHA^~\\&AB\r').anomalies).toEqual(['hl7.bad_encoding_characters', 'hl7.bad_segment_id']);
    expect(decode('MSH|^|A\r').anomalies).toEqual(['hl7.bad_encoding_characters']);
  });

  it('hl7.multiple_msh: only the first MSH is read', () => {
    const r = decode(`${MSH}\rMSH|^~\\&|OTHER\r`);
    expect(r.anomalies).toEqual(['hl7.multiple_msh']);
    expect(r.value.sendingApplication?.namespaceId).toBe('APP');
  });

  it('hl7.too_many_segments: lowered maxSegments', () => {
    const r = decode(`${MSH}\rPID|1\rPV1|1\rOBX|1|NM|1^A^MDC\r`, { ...HL7_LIMITS, maxSegments: 3 });
    expect(r.anomalies).toEqual(['hl7.too_many_segments']);
    expect(r.value.segmentCount).toBe(3);
    expect(r.value.observations).toEqual([]);
  });

  it('hl7.bad_segment_id: never becomes a segmentCounts key', () => {
    const r = decode(`${MSH}\rpid|1\rPATIENT NOTE\rPI\r`);
    expect(r.anomalies).toEqual(['hl7.bad_segment_id']);
    expect(r.value.segmentCounts).toEqual({ MSH: 1 });
  });

  it('hl7.value_truncated: lowered maxValueChars and maxFieldBytes', () => {
    expect(decode(MSH, { ...HL7_LIMITS, maxValueChars: 2 }).value.sendingApplication?.namespaceId).toBe('AP');
    expect(decode(MSH, { ...HL7_LIMITS, maxValueChars: 2 }).anomalies).toEqual(['hl7.value_truncated']);
    const cut = decode('MSH|^~\\&|APP^UID^TYPE|F\r', { ...HL7_LIMITS, maxFieldBytes: 5 });
    expect(cut.value.sendingApplication).toEqual({ namespaceId: 'APP', universalId: 'U' });
    expect(cut.anomalies).toEqual(['hl7.value_truncated']);
  });

  it('hl7.too_many_repetitions: lowered maxRepetitions', () => {
    const r = decode(`${MSH}\rOBX|1|NM|1^A^MDC|||||||||||||||E1~E2~E3~E4\r`, { ...HL7_LIMITS, maxRepetitions: 2 });
    expect(r.anomalies).toEqual(['hl7.too_many_repetitions']);
    expect(r.value.observations[0]?.equipment).toEqual([{ entityIdentifier: 'E1' }, { entityIdentifier: 'E2' }]);
  });

  it('hl7.too_many_observations: lowered maxObservations', () => {
    const r = decode(`${MSH}\rOBX|1|NM|1^A^MDC\rOBX|2|NM|2^B^MDC\r`, { ...HL7_LIMITS, maxObservations: 1 });
    expect(r.anomalies).toEqual(['hl7.too_many_observations']);
    expect(r.value.observations).toHaveLength(1);
  });

  it('hl7.too_many_participations: lowered maxParticipations', () => {
    const prt = `PRT|1|UC||EQUIP${'|'.repeat(16)}SN1\r`;
    const r = decode(`${MSH}\r${prt}${prt}`, { ...HL7_LIMITS, maxParticipations: 1 });
    expect(r.anomalies).toEqual(['hl7.too_many_participations']);
    expect(r.value.deviceParticipations).toEqual([{ devices: [], serialNumber: 'SN1', participation: { identifier: 'EQUIP' } }]);
  });

  it('hl7.unsupported_escape: dropped from an allowlisted value', () => {
    const r = decode('MSH|^~\\&|MON\\H\\ITOR\\N\\|F\r');
    expect(r.anomalies).toEqual(['hl7.unsupported_escape']);
    expect(r.value.sendingApplication?.namespaceId).toBe('MONITOR');
  });
});

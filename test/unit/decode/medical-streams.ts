/**
 * Test helper: the lab byte streams in ./streams (see streams/README.md) and a minimal
 * association walker that drives the DICOM and HL7 stream decoders the way a flow layer would.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeDicomCommand, type DicomCommandRecord } from '../../../src/protocols/dicom/dicom-command.js';
import { DicomDatasetReader, type DicomDatasetLimits, type DicomDeviceAttributes } from '../../../src/protocols/dicom/dicom-dataset.js';
import { decodeDicomPdu, frameDicomPdu, type DicomPdu, type DicomUlLimits, type DicomUlRecord } from '../../../src/protocols/dicom/dicom-ul.js';
import type { AnomalyCode, DecodeResult } from '../../../src/decode/result.js';
import type { FramerResult } from '../../../src/decode/stream/framer.js';

export const STREAMS_DIR = fileURLToPath(new URL('./streams/', import.meta.url));

/** Every planted fake patient value of the lab (fixtures/lab/medical-streams.sh). */
export const PLANTED_PHI = [
  'PLANTED', 'PHI^PLANTED^NAME', 'MRN-PLANTED-0001', 'ACC-PLANTED-77', 'PLANTED STUDY', 'PLANTED SERIES',
  'PLANTED^REFERRER', 'OTHER-MRN-PLANTED', 'MRN-PLANTED-NESTED', 'PLANTED-RP-ID', 'PLANTED^PATIENT^NAME',
  '1 PLANTED STREET', 'PLANTED^KIN^NAME', '555-0100', 'PLANTED OBX VALUE', 'PLANTED NOTE TEXT', '19700101',
  'STUDY-PLANTED-ID', 'PLACER-PLANTED',
] as const;

/** Throws (a test failure) when any planted value occurs in the JSON of `what`. */
export function planted(what: unknown): string[] {
  const json = JSON.stringify(what);
  return PLANTED_PHI.filter((p) => json.includes(p));
}

export function stream(name: string): Uint8Array {
  return new Uint8Array(readFileSync(STREAMS_DIR + name));
}

export function streamNames(prefix: string): string[] {
  return readdirSync(STREAMS_DIR).filter((n) => n.startsWith(prefix) && n.endsWith('.bin')).sort();
}

/** Runs a framer over a whole buffer: frames and anomalies, plus the unframed tail. */
export function frameAll<T>(buf: Uint8Array, framer: (b: Uint8Array) => FramerResult<T>, maxSteps = buf.length + 2): {
  frames: T[];
  anomalies: AnomalyCode[];
  rest: Uint8Array;
  last: FramerResult<T> | undefined;
} {
  const frames: T[] = [];
  const anomalies: AnomalyCode[] = [];
  let b = buf;
  let last: FramerResult<T> | undefined;
  for (let step = 0; step < maxSteps; step++) {
    last = framer(b);
    if (last.kind === 'frame') { frames.push(last.frame); if (last.anomaly) anomalies.push(last.anomaly); b = b.subarray(last.consumed); continue; }
    if (last.kind === 'desync') { if (last.anomaly) anomalies.push(last.anomaly); b = b.subarray(last.skip); continue; }
    if (last.consumed > 0) { b = b.subarray(last.consumed); continue; }
    break;
  }
  return { frames, anomalies, rest: b, last };
}

/**
 * Feeds `buf` to a framer `chunk` bytes at a time through a growing buffer, as a reassembler
 * would, checking the contract on every call. Frames are copied (the buffer is reused).
 */
export function frameChunked<T>(buf: Uint8Array, chunk: number, framer: (b: Uint8Array) => FramerResult<T>, copy: (f: T) => T): T[] {
  const frames: T[] = [];
  let pending = new Uint8Array(0);
  for (let off = 0; off < buf.length; off += chunk) {
    const next = buf.subarray(off, Math.min(buf.length, off + chunk));
    const joined = new Uint8Array(pending.length + next.length);
    joined.set(pending);
    joined.set(next, pending.length);
    pending = joined;
    for (;;) {
      const r = framer(pending);
      if (r.kind === 'frame') { frames.push(copy(r.frame)); pending = pending.slice(r.consumed); continue; }
      if (r.kind === 'desync') { pending = pending.slice(r.skip); continue; }
      if (r.needed <= pending.length - r.consumed) throw new Error('framer asked for bytes it already has');
      pending = pending.slice(r.consumed);
      break;
    }
  }
  return frames;
}

export interface DecodedPdu {
  type: number;
  record: DicomUlRecord;
  anomalies: AnomalyCode[];
}

export function decodePdus(buf: Uint8Array, limits?: DicomUlLimits): { pdus: DecodedPdu[]; framing: AnomalyCode[]; rest: Uint8Array } {
  const { frames, anomalies, rest } = frameAll<DicomPdu>(buf, (b) => frameDicomPdu(b, limits));
  return {
    pdus: frames.map((f) => {
      const { value, anomalies: a } = decodeDicomPdu(f, limits);
      return { type: f.type, record: value, anomalies: a };
    }),
    framing: anomalies,
    rest,
  };
}

export interface AssociationWalk {
  client: DecodedPdu[];
  server: DecodedPdu[];
  /** Commands sent by the client (in order). */
  commands: Array<DecodeResult<DicomCommandRecord>>;
  /** Commands sent by the server. */
  responses: Array<DecodeResult<DicomCommandRecord>>;
  /** One entry per data set the client sent: its context id, transfer syntax and result. */
  datasets: Array<{ contextId: number; transferSyntax: string; result: DecodeResult<DicomDeviceAttributes> }>;
}

/** Presentation context id → accepted transfer syntax, from the server's A-ASSOCIATE-AC. */
export function acceptedSyntaxes(server: DecodedPdu[]): Map<number, string> {
  const map = new Map<number, string>();
  for (const p of server) {
    if (p.record.pdu !== 'associate_ac') continue;
    for (const pc of p.record.acceptedContexts) if (pc.result === 0 && pc.transferSyntax) map.set(pc.id, pc.transferSyntax);
  }
  return map;
}

function walkData(pdus: DecodedPdu[], syntaxes: Map<number, string>, datasetLimits: DicomDatasetLimits | undefined, walk: AssociationWalk, commands: AssociationWalk['commands']): void {
  let command: number[] = [];
  const readers = new Map<number, { reader: DicomDatasetReader; ts: string }>();
  for (const p of pdus) {
    if (p.record.pdu !== 'data') continue;
    for (const pdv of p.record.pdvs) {
      if (pdv.isCommand) {
        command.push(...pdv.fragment);
        if (pdv.isLast) { commands.push(decodeDicomCommand(Uint8Array.from(command))); command = []; }
        continue;
      }
      const ts = syntaxes.get(pdv.presentationContextId) ?? '1.2.840.10008.1.2';
      let entry = readers.get(pdv.presentationContextId);
      if (!entry) { entry = { reader: new DicomDatasetReader(ts, datasetLimits), ts }; readers.set(pdv.presentationContextId, entry); }
      entry.reader.push(pdv.fragment, pdv.isLast);
      if (pdv.isLast) {
        walk.datasets.push({ contextId: pdv.presentationContextId, transferSyntax: ts, result: entry.reader.result() });
        readers.delete(pdv.presentationContextId);
      }
    }
  }
}

/** Decodes both directions of a lab association (`dicom-<name>.{client,server}.bin`). */
export function walkAssociation(name: string, datasetLimits?: DicomDatasetLimits): AssociationWalk {
  return walkStreams(stream(`dicom-${name}.client.bin`), stream(`dicom-${name}.server.bin`), datasetLimits);
}

/** Decodes both directions of an association given as bytes. */
export function walkStreams(clientBytes: Uint8Array, serverBytes: Uint8Array, datasetLimits?: DicomDatasetLimits, ulLimits?: DicomUlLimits): AssociationWalk {
  const client = decodePdus(clientBytes, ulLimits).pdus;
  const server = decodePdus(serverBytes, ulLimits).pdus;
  const walk: AssociationWalk = { client, server, commands: [], responses: [], datasets: [] };
  const syntaxes = acceptedSyntaxes(server);
  walkData(client, syntaxes, datasetLimits, walk, walk.commands);
  walkData(server, syntaxes, datasetLimits, walk, walk.responses);
  return walk;
}

/**
 * \summary DICOM upper-layer and data-set records → observations about the application entity
 * that sent them.
 *
 * - A-ASSOCIATE-RQ describes the requestor (a modality or workstation): its calling AE title, the
 *   AE it calls and where (the PACS it talks to), its implementation class UID and version name
 *   (which identify the DICOM toolkit or product), the SOP classes it proposes.
 *   The called AE title is also the acceptor's own (`dicom.ae_title` about the receiver: its MAC
 *   and IP), so a PACS is named even when the mirror carries only one direction.
 * - A-ASSOCIATE-AC describes the acceptor (the PACS): its AE title (the responding AE) and
 *   implementation.
 * - A data set's equipment tags describe its sender, unless the data set was sent as a C-MOVE
 *   sub-operation: then the sender is forwarding another device's images and the tags are kept
 *   as `dicom.forwarded.*` facts, not as the sender's identity.
 * Only allowlisted attributes reach here (src/protocols/dicom/dicom-dataset.ts).
 */
import type { DicomDeviceAttributes } from './dicom-dataset.js';
import type { FrameRecord } from '../../decode/frame-record.js';
import type { StreamOrigin, StreamRecord } from '../../decode/stream/stream-decoder.js';
import type { Observation } from '../../observe/observation.js';
import { factOf } from '../../observe/observe-context.js';

const PROTOCOL = 'dicom';
const MAX_SOP_CLASSES = 16;

/** A FrameRecord standing for the segment that completed a stream record (for evidence). */
export function frameOfOrigin(o: StreamOrigin): FrameRecord {
  const frame: FrameRecord = {
    frameNo: o.frameNo,
    tsMicros: o.tsMicros,
    vlanTags: o.vlan !== undefined ? [{ tpid: 0x8100, vid: o.vlan, pcp: 0, dei: false }] : [],
    ip: { version: o.srcIp.includes(':') ? 6 : 4, src: o.srcIp, dst: o.dstIp, protocol: 6, ttl: 0, fragment: false },
    payloadKind: 'none',
    payload: new Uint8Array(0),
  };
  if (o.srcMac !== undefined) frame.srcMac = o.srcMac;
  return frame;
}

export function observeDicom(r: Extract<StreamRecord, { protocol: 'dicom' }>, frame: FrameRecord): Observation[] {
  const out: Observation[] = [];
  const fact = (field: string, value: string | number | undefined) => {
    if (value !== undefined && value !== '') out.push(factOf(frame, PROTOCOL, field, value));
  };
  const o = r.origin;
  switch (r.kind) {
    case 'pdu': {
      const pdu = r.record;
      if (pdu.pdu === 'associate_rq') {
        fact('dicom.calling_ae_title', pdu.callingAeTitle);
        fact('dicom.called_ae_title', pdu.calledAeTitle);
        fact('dicom.peer', `${pdu.calledAeTitle}@${o.dstIp}:${o.dstPort}`);
        if (pdu.calledAeTitle !== undefined && pdu.calledAeTitle !== '') {
          out.push(factOf(frame, PROTOCOL, 'dicom.ae_title', pdu.calledAeTitle, { mac: o.dstMac, ip: o.dstIp, vlan: o.vlan }));
        }
        fact('dicom.role', 'scu');
        const seen = new Set<string>();
        for (const pc of pdu.proposedContexts) {
          if (pc.abstractSyntax === undefined || seen.has(pc.abstractSyntax) || seen.size >= MAX_SOP_CLASSES) continue;
          seen.add(pc.abstractSyntax);
          fact('dicom.sop_class', pc.abstractSyntax);
        }
      } else if (pdu.pdu === 'associate_ac') {
        fact('dicom.ae_title', pdu.calledAeTitle);
        fact('dicom.role', 'scp');
      } else {
        return out;
      }
      fact('dicom.implementation_class_uid', pdu.userInformation?.implementationClassUid);
      fact('dicom.implementation_version_name', pdu.userInformation?.implementationVersionName);
      fact('dicom.max_pdu_length', pdu.userInformation?.maxPduLength);
      return out;
    }
    case 'command':
      if (r.record.command !== undefined && r.record.command.endsWith('-RQ')) {
        fact('dicom.command', r.record.command);
        fact('dicom.sop_class', r.record.affectedSopClassUid);
      }
      return out;
    case 'dataset':
      datasetFacts(r.record, r.forwarded ? 'dicom.forwarded.' : 'dicom.', fact);
      return out;
  }
}

function datasetFacts(a: DicomDeviceAttributes, prefix: string, fact: (field: string, value: string | undefined) => void): void {
  fact(`${prefix}manufacturer`, a.manufacturer);
  fact(`${prefix}model`, a.manufacturerModelName);
  fact(`${prefix}software_versions`, a.softwareVersions?.join('\\'));
  fact(`${prefix}serial_number`, a.deviceSerialNumber);
  fact(`${prefix}station_name`, a.stationName);
  fact(`${prefix}modality`, a.modality);
  fact(`${prefix}sop_class`, a.sopClassUid);
  fact(`${prefix}implementation_class_uid`, a.implementationClassUid);
  fact(`${prefix}implementation_version_name`, a.implementationVersionName);
  fact(`${prefix}secondary_capture.manufacturer`, a.secondaryCaptureDeviceManufacturer);
  fact(`${prefix}secondary_capture.model`, a.secondaryCaptureDeviceModelName);
  fact(`${prefix}secondary_capture.software_versions`, a.secondaryCaptureDeviceSoftwareVersions?.join('\\'));
}

/**
 * \summary HL7 v2 records → observations about the application that sent each message.
 *
 * MSH-3/MSH-4 describe the sender of the message (so an ACK describes the receiver of the
 * original message); OBX-18 and PRT name the equipment. An EUI-64 built from a MAC (OUI, FFFE,
 * the last three bytes) binds the equipment facts to that MAC's device, which may differ from the
 * sender when a gateway forwards for it. Only allowlisted values reach here (src/protocols/hl7/hl7.ts
 * never reads PID, NK1, PV1, OBX-5 or any other segment's fields).
 */
import type { Hl7EntityIdentifier, Hl7HierarchicDesignator, Hl7Record } from './hl7.js';
import type { FrameRecord } from '../../decode/frame-record.js';
import type { Observation } from '../../observe/observation.js';
import { factOf, senderOf, type Subject } from '../../observe/observe-context.js';

const PROTOCOL = 'hl7';

/** `00090FFFFEA1B2C3` (EUI-64 built from a MAC) → `00:09:0f:a1:b2:c3`; undefined otherwise. */
export function macFromEui64(text: string): string | undefined {
  const hex = text.replace(/[^0-9a-fA-F]/g, '').toLowerCase();
  if (hex.length !== 16 || hex.slice(6, 10) !== 'fffe') return undefined;
  const b = `${hex.slice(0, 6)}${hex.slice(10)}`;
  return b.match(/../g)?.join(':');
}

const hdText = (hd: Hl7HierarchicDesignator | undefined): string | undefined => {
  if (!hd) return undefined;
  const parts = [hd.namespaceId ?? '', hd.universalId ?? '', hd.universalIdType ?? ''];
  while (parts.length && parts[parts.length - 1] === '') parts.pop();
  return parts.length ? parts.join('^') : undefined;
};

const eiId = (ei: Hl7EntityIdentifier): string | undefined => ei.entityIdentifier ?? ei.universalId;

/** An EI as `id^universal id^type`, the parts present. */
const eiText = (ei: Hl7EntityIdentifier): string =>
  [ei.entityIdentifier, ei.universalId, ei.universalIdType].filter((x) => x !== undefined).join('^');

function eui64Of(value: { universalId?: string; universalIdType?: string; entityIdentifier?: string } | undefined): string | undefined {
  if (!value) return undefined;
  for (const candidate of [value.universalId, value.entityIdentifier]) {
    if (candidate !== undefined && macFromEui64(candidate) !== undefined) return candidate;
  }
  return undefined;
}

export function observeHl7(record: Hl7Record, frame: FrameRecord): Observation[] {
  const out: Observation[] = [];
  const sender = senderOf(frame);
  const fact = (field: string, value: string | undefined, subject: Subject = sender) => {
    if (value !== undefined && value !== '') out.push(factOf(frame, PROTOCOL, field, value, subject));
  };
  const app = record.sendingApplication;
  const appEui64 = eui64Of(app);
  const byEui64 = (eui64: string | undefined): Subject | undefined => {
    const mac = eui64 !== undefined ? macFromEui64(eui64) : undefined;
    if (mac === undefined) return undefined;
    return mac === sender.mac ? sender : { mac };
  };
  // The message's device: the one MSH-3's EUI-64 names (a gateway may send for it), else the sender.
  const appSubject = byEui64(appEui64) ?? sender;
  // Equipment facts go to the device their own EUI-64 names, else to the message's device.
  const equipmentSubject = (eui64: string | undefined): Subject => byEui64(eui64) ?? appSubject;
  fact('hl7.sending_application', app?.namespaceId ?? hdText(app), appSubject);
  fact('hl7.sending_application_id', hdText(app), appSubject);
  fact('hl7.sending_facility', hdText(record.sendingFacility), appSubject);
  if (appEui64 !== undefined) fact('hl7.eui64', appEui64.toUpperCase(), appSubject);
  const type = record.messageType;
  if (type?.code !== undefined) fact('hl7.message_type', [type.code, type.triggerEvent].filter((x) => x !== undefined).join('^'), appSubject);
  fact('hl7.version', record.versionId, appSubject);
  for (const p of record.messageProfiles) fact('hl7.message_profile', eiId(p), appSubject);
  // The peer this application talks to (MSH-5/MSH-6), kept as a fact about the sender.
  fact('hl7.receiving_application', hdText(record.receivingApplication), appSubject);
  // MSH-6: the site/department the message goes to (site attribution; no patient data).
  fact('hl7.receiving_facility', hdText(record.receivingFacility), appSubject);
  for (const obx of record.observations) {
    for (const eq of obx.equipment) {
      const eui = eui64Of(eq);
      const subject = equipmentSubject(eui);
      fact('hl7.equipment_instance_identifier', eiText(eq), subject);
      if (eui !== undefined) fact('hl7.eui64', eui.toUpperCase(), subject);
      if (obx.identifier?.codingSystem === 'MDC' && obx.identifier.identifier !== undefined) {
        fact('hl7.device_observation', `${obx.identifier.identifier}${obx.identifier.text ? ` ${obx.identifier.text}` : ''}`, subject);
      }
    }
  }
  for (const prt of record.deviceParticipations) {
    const first = prt.devices[0];
    const eui = eui64Of(first);
    const subject = equipmentSubject(eui);
    for (const d of prt.devices) fact('hl7.device_id', eiText(d), subject);
    fact('hl7.udi', prt.udiDeviceIdentifier ? eiId(prt.udiDeviceIdentifier) : undefined, subject);
    fact('hl7.serial_number', prt.serialNumber, subject);
    fact('hl7.device_type', prt.deviceType?.text ?? prt.deviceType?.identifier, subject);
    fact('hl7.lot_number', prt.lotNumber, subject);
  }
  return out;
}

/**
 * \summary mDNS / DNS-SD records → observations about the sender (RFC 6762, RFC 6763).
 *
 * Only records the sender vouches for describe it: every section of a response (announcements
 * and answers, RFC 6762 §8.3, §6) and the authority section of a query (a probe's proposed
 * records, §8.2). The answer section of a query is the querier's cache of *other* hosts'
 * records (known-answer suppression, §7.1) and questions are about others: both are ignored.
 *
 * Fields (the contract fingerprint rules match on):
 * - `mdns.hostname`: owner of an A/AAAA whose address is the frame's source IP, or an SRV target;
 *   `.local` removed.
 * - `mdns.service` (`_ipp._tcp`, lower case), `mdns.instance` (`HP LaserJet 400 (ABC123)`),
 *   `mdns.srv_port` (`_ipp._tcp:631`).
 * - `mdns.txt.<key>` for each TXT `key=value` with a non-empty value (key lower-cased, characters
 *   other than `[a-z0-9_-]` → `_`; value ≤ 255 characters, control characters removed).
 * - `mdns.hinfo.cpu`, `mdns.hinfo.os`.
 * - `ip.address` (protocol `mdns`): each A/AAAA address of one of the sender's own names.
 */
import { printable } from '../../decode/bytes.js';
import type { MdnsRecord, MdnsResourceRecord } from './mdns.js';
import type { FrameRecord } from '../../decode/frame-record.js';
import type { Observation } from '../../observe/observation.js';
import { factOf } from '../../observe/observe-context.js';

const PROTOCOL = 'mdns';
/** Longest value an observation carries. */
const MAX_VALUE = 255;
/** Longest TXT key kept in a field name. */
const MAX_TXT_KEY = 64;

/** `<instance>.<_service>.<_tcp|_udp>.<domain>`; the instance may itself contain dots. */
const INSTANCE_NAME = /^(.+)\.(_[^.]+\._(?:tcp|udp))\.([^_][^]*)$/i;
/** `<_service>.<_tcp|_udp>.<domain>`, optionally after `<_subtype>._sub.` (RFC 6763 §7.1). */
const SERVICE_TYPE = /^(?:_[^.]+\._sub\.)?(_[^.]+\._(?:tcp|udp))\.([^_][^]*)$/i;
/** RFC 6763 §9: the meta-query name whose PTRs list the service types offered. */
const SERVICE_ENUMERATION = /^_services\._dns-sd\._udp\./i;

/** Observations about the frame's sender from one decoded mDNS message. */
export function observeMdns(record: MdnsRecord, frame: FrameRecord): Observation[] {
  const vouched = record.records.filter((rr) => record.isResponse || rr.section === 'authority');
  if (vouched.length === 0) return [];
  const out: Observation[] = [];
  const seen = new Set<string>();
  const emit = (field: string, value: string): void => {
    const text = printable(value, MAX_VALUE);
    if (text === '') return;
    const key = `${field}\u0000${text}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(factOf(frame, PROTOCOL, field, text));
  };

  const source = frame.ip?.src?.toLowerCase();
  const ownNames = new Set<string>();
  for (const rr of vouched) {
    const d = rr.data;
    if (d === undefined) continue;
    if ((d.type === 'A' || d.type === 'AAAA') && source !== undefined && d.address.toLowerCase() === source) {
      ownNames.add(rr.name.toLowerCase());
      emit('mdns.hostname', hostLabel(rr.name));
    } else if (d.type === 'SRV') {
      ownNames.add(d.target.toLowerCase());
      emit('mdns.hostname', hostLabel(d.target));
    }
  }

  for (const rr of vouched) {
    observeRecord(rr, ownNames, emit);
  }
  return out;
}

function observeRecord(
  rr: MdnsResourceRecord,
  ownNames: ReadonlySet<string>,
  emit: (field: string, value: string) => void,
): void {
  const d = rr.data;
  if (d === undefined) return;
  switch (d.type) {
    case 'A':
    case 'AAAA':
      if (ownNames.has(rr.name.toLowerCase())) emit('ip.address', d.address);
      return;
    case 'PTR': {
      if (SERVICE_ENUMERATION.test(rr.name)) {
        const type = SERVICE_TYPE.exec(d.target);
        if (type?.[1] !== undefined) emit('mdns.service', type[1].toLowerCase());
        return;
      }
      const type = SERVICE_TYPE.exec(rr.name);
      if (type?.[1] === undefined) return; // reverse-mapping PTRs and the like
      emit('mdns.service', type[1].toLowerCase());
      const instance = instanceOf(d.target);
      if (instance !== undefined) emit('mdns.instance', instance.instance);
      return;
    }
    case 'SRV': {
      const instance = instanceOf(rr.name);
      if (instance === undefined) return;
      emit('mdns.service', instance.service);
      emit('mdns.instance', instance.instance);
      emit('mdns.srv_port', `${instance.service}:${d.port}`);
      return;
    }
    case 'TXT': {
      const instance = instanceOf(rr.name);
      if (instance !== undefined) {
        emit('mdns.service', instance.service);
        emit('mdns.instance', instance.instance);
      }
      for (const entry of d.entries) {
        if (entry.value === undefined || entry.value === '') continue; // boolean or empty: no text to match
        emit(`mdns.txt.${txtKeyField(entry.key)}`, entry.value);
      }
      return;
    }
    case 'HINFO':
      emit('mdns.hinfo.cpu', d.cpu);
      emit('mdns.hinfo.os', d.os);
      return;
  }
}

/** Split a service instance name into its instance label and service type. */
function instanceOf(name: string): { instance: string; service: string } | undefined {
  const m = INSTANCE_NAME.exec(name);
  if (m?.[1] === undefined || m[2] === undefined) return undefined;
  return { instance: m[1], service: m[2].toLowerCase() };
}

/** `host.local` → `host` (the mDNS domain says nothing about the device). */
function hostLabel(name: string): string {
  return name.replace(/\.$/, '').replace(/\.local$/i, '');
}

/** A TXT key as the last part of a field name: safe characters only, bounded. */
function txtKeyField(key: string): string {
  return key.slice(0, MAX_TXT_KEY).replace(/[^a-z0-9_-]/g, '_');
}

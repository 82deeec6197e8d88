/**
 * \summary MPLS label stacks (RFC 3032 §2.1) and a guess at what the bottom of stack carries,
 * which the stack itself does not say: `auto` takes IPv4/IPv6 by the version nibble, a zero nibble
 * as the pseudowire control word (RFC 4385 §3) before Ethernet, anything else as Ethernet
 * (RFC 4448); `ethernet`, `ethernet_cw` and `ip` force one reading. Hand-written: 4-byte entries.
 */
import type { ByteReader } from '../bytes.js';
import type { AnomalyCode } from '../result.js';
import { NEXT, type NextLayer } from './next.js';

export const MPLS_ANOMALIES = ['mpls.truncated', 'mpls.too_many_labels'] as const satisfies readonly AnomalyCode[];

export type MplsPayload = 'auto' | 'ethernet' | 'ethernet_cw' | 'ip';

export interface MplsLimits {
  /** Label stack entries read before giving up. */
  maxLabels: number;
  payload: MplsPayload;
}

export const MPLS_LIMITS: MplsLimits = { maxLabels: 16, payload: 'auto' };

export interface MplsStack {
  labels: number[];
  /** True when a pseudowire control word was skipped. */
  controlWord: boolean;
  next: NextLayer;
}

export function readMpls(r: ByteReader, anomalies: AnomalyCode[], limits: MplsLimits = MPLS_LIMITS): MplsStack | undefined {
  const labels: number[] = [];
  for (;;) {
    if (labels.length === limits.maxLabels) {
      anomalies.push('mpls.too_many_labels');
      return undefined;
    }
    if (r.remaining < 4) {
      anomalies.push('mpls.truncated');
      return undefined;
    }
    const entry = r.u32();
    labels.push(entry >>> 12);
    if ((entry & 0x100) !== 0) break; // bottom of stack
  }
  if (r.remaining === 0) {
    anomalies.push('mpls.truncated'); // a stack with nothing under it
    return undefined;
  }
  const nibble = r.peekU8() >> 4;
  const stack: MplsStack = { labels, controlWord: false, next: NEXT.NONE };
  let mode = limits.payload;
  if (mode === 'auto') mode = nibble === 4 || nibble === 6 ? 'ip' : nibble === 0 ? 'ethernet_cw' : 'ethernet';
  if (mode === 'ip') {
    stack.next = nibble === 4 ? 0x0800 : nibble === 6 ? 0x86dd : NEXT.NONE;
  } else if (mode === 'ethernet_cw') {
    if (r.remaining < 4) {
      anomalies.push('mpls.truncated');
      return undefined;
    }
    r.skip(4);
    stack.controlWord = true;
    stack.next = NEXT.ETHERNET;
  } else {
    stack.next = NEXT.ETHERNET;
  }
  return stack;
}

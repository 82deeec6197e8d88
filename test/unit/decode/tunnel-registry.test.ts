/**
 * The tunnel registry (src/decode/tunnel/registry.ts): every tunnel anomaly code belongs to one
 * line, every `encap.<name>` the frame walk yields on real captures is a registered name, and the
 * default capture filter passes every registered tunnel. Captures: fixtures/tunnels (our VXLAN
 * labs) and ../shared/captures/encap (44 captures of every encapsulation; skipped with the shared
 * reason where absent, as the conformance tests are).
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_BPF_FILTER } from '../../../src/config.js';
import { DECAPSULATION_ANOMALIES, FRAME_ANOMALIES, TUNNEL_LIMITS, decodeFrame } from '../../../src/decode/frame.js';
import { LINK_ENCAP_NAMES, TUNNEL_PROTOCOLS } from '../../../src/decode/tunnel/registry.js';
import { ROOT } from '../../helpers/cli.js';
import { readCapturedFrames } from '../../helpers/frames.js';
import { SHARED_SKIP_REASON, sharedAvailable, sharedPath } from '../../helpers/shared.js';

const REGISTERED = new Set([...TUNNEL_PROTOCOLS.flatMap((t) => t.names), ...LINK_ENCAP_NAMES]);

async function encapNames(files: readonly string[]): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  for (const file of files) {
    for (const c of await readCapturedFrames(file)) {
      for (const name of decodeFrame(c).value.encap ?? []) seen.set(name, (seen.get(name) ?? 0) + 1);
    }
  }
  return seen;
}

describe('TUNNEL_PROTOCOLS', () => {
  it('every tunnel anomaly code is on exactly one line, and is a frame anomaly', () => {
    const codes = TUNNEL_PROTOCOLS.flatMap((t) => t.anomalyCodes);
    expect(new Set(codes).size).toBe(codes.length);
    for (const c of codes) expect(FRAME_ANOMALIES as readonly string[], c).toContain(c);
    const tunnelPrefixes = ['gre.', 'erspan.', 'vxlan.', 'geneve.', 'mpls.', 'pppoe.', 'ppp.', 'cmd.', 'capwap.', 'lwapp.'];
    expect(codes.sort()).toEqual(FRAME_ANOMALIES.filter((c) => tunnelPrefixes.some((p) => c.startsWith(p))).sort());
    expect(DECAPSULATION_ANOMALIES).toEqual([...TUNNEL_PROTOCOLS.flatMap((t) => t.anomalyCodes), 'encap.too_deep', 'link.unsupported_type']);
  });

  it('the default capture filter holds every tunnel\'s terms', () => {
    for (const t of TUNNEL_PROTOCOLS) {
      for (const term of t.bpf(TUNNEL_LIMITS.vxlanPorts).split(' or ').filter((x) => x !== '')) expect(DEFAULT_BPF_FILTER, t.names[0]).toContain(term);
    }
  });

  it('our VXLAN lab captures yield only registered encapsulation names', async () => {
    const dir = `${ROOT}fixtures/tunnels/`;
    const seen = await encapNames(readdirSync(dir).filter((n) => n.endsWith('.pcapng')).map((n) => dir + n));
    expect([...seen.keys()]).toEqual(['vxlan']);
    expect(seen.get('vxlan')).toBe(32); // 10 + 22 frames, as tshark counts them (the captures' .md notes)
  });

  const shared = sharedAvailable('captures', 'encap');
  it.skipIf(!shared)(`every encapsulation of ../shared/captures/encap is registered${shared ? '' : ` (${SHARED_SKIP_REASON})`}`, async () => {
    const dir = sharedPath('captures', 'encap');
    const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((n) => /\.(pcap|pcapng|cap)$/.test(n)).map((n) => `${dir}/${n}`);
    const seen = await encapNames(files);
    for (const name of seen.keys()) expect(REGISTERED.has(name), `encap.${name} is not in TUNNEL_PROTOCOLS or LINK_ENCAP_NAMES`).toBe(true);
    // Met in no capture there: Cisco MetaData and the PPP link type (test/unit/decode/frame.test.ts
    // builds frames of both); every other registered name is met at least once.
    expect([...REGISTERED].filter((n) => !seen.has(n)).sort()).toEqual(['cmd', 'ppp']);
  });
});

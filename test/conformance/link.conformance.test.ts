import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { it } from 'vitest';
import { readCapturedFrames } from '../helpers/frames.js';
import { decodeFrame } from '../../src/decode/frame.js';

const DIR = fileURLToPath(new URL('../../fixtures/conformance/link/', import.meta.url));
it('explore', async () => {
  for (const name of readdirSync(DIR).filter((n) => /\.pcap(ng)?$/.test(n)).sort()) {
    const truth = JSON.parse(readFileSync(DIR + name + '.truth.json', 'utf8'));
    const frames = await readCapturedFrames(DIR + name);
    const hosts = new Map<string, { frames: number; ips: Set<string>; ipv6: Set<string>; vlan: Set<number>; stacks: Set<string> }>();
    const anomalies = new Map<string, number>();
    for (const c of frames) {
      const { value: f, anomalies: an } = decodeFrame(c);
      for (const a of an) anomalies.set(a, (anomalies.get(a) ?? 0) + 1);
      const mac = f.srcMac ?? 'none';
      let h = hosts.get(mac);
      if (!h) { h = { frames: 0, ips: new Set(), ipv6: new Set(), vlan: new Set(), stacks: new Set() }; hosts.set(mac, h); }
      h.frames++;
      if (f.ip?.version === 4) h.ips.add(f.ip.src);
      if (f.ip?.version === 6) h.ipv6.add(f.ip.src);
      if (f.arp) h.ips.add(f.arp.senderIp);
      for (const t of f.vlanTags) h.vlan.add(t.vid);
      if (f.vlanTags.length) h.stacks.add(JSON.stringify(f.vlanTags.map((t) => t.vid)));
    }
    const ours: Record<string, unknown> = {};
    for (const [m, h] of hosts) ours[m] = { frames: h.frames, ips: [...h.ips].sort(), ipv6: [...h.ipv6].sort(), vlan_ids: [...h.vlan].sort((a, b) => a - b), vlan_stacks: [...h.stacks].map((s) => JSON.parse(s)) };
    const theirs: Record<string, unknown> = {};
    for (const [m, h] of Object.entries<any>(truth.hosts)) theirs[m] = { frames: h.frames, ips: [...h.ips].sort(), ipv6: [...h.ipv6].sort(), vlan_ids: [...h.vlan_ids].sort((a: number, b: number) => a - b), vlan_stacks: h.vlan_stacks ?? [] };
    const same = JSON.stringify(Object.entries(ours).sort()) === JSON.stringify(Object.entries(theirs).sort());
    console.log(name, truth.link_types, same ? 'SAME' : 'DIFF', [...anomalies]);
    if (!same) { console.log(' ours  ', JSON.stringify(ours)); console.log(' theirs', JSON.stringify(theirs)); }
  }
});

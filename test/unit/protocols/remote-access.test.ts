/**
 * The issue-20 decoders (DNS, TLS ClientHello + JA4, SSH, RDP, VNC, TeamViewer) on the real
 * captures of ../shared/captures/remote-access, checked against nDPI's results beside them
 * (`.out`: SNI, ALPN, JA4, SSH banner) and tshark's reading of the same bytes, plus a JA4 worked
 * example, hostile inputs (every prefix of every real payload) and the RDP cookie canary.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FrameRecord } from '../../../src/decode/frame-record.js';
import { decodeDns, DNS_ANOMALIES, DNS_TCP_ANOMALIES } from '../../../src/protocols/dns/dns.js';
import { decodeRdp, looksLikeRdp, RDP_ANOMALIES } from '../../../src/protocols/rdp/rdp.js';
import { decodeSsh, looksLikeSsh, SSH_ANOMALIES } from '../../../src/protocols/ssh/ssh.js';
import { decodeTeamViewer, looksLikeTeamViewer, TEAMVIEWER_ANOMALIES, TEAMVIEWER_UDP_ANOMALIES } from '../../../src/protocols/teamviewer/teamviewer.js';
import { decodeTlsClientHello, isGrease, looksLikeClientHello, TLS_ANOMALIES, TLS_LIMITS } from '../../../src/protocols/tls/tls-client-hello.js';
import { decodeVnc, looksLikeRfb, VNC_ANOMALIES } from '../../../src/protocols/vnc/vnc.js';
import { CITRIX_ANOMALIES, decodeCitrix, looksLikeCitrix } from '../../../src/protocols/citrix/citrix.js';
import { decodeTelnet, looksLikeTelnet, TELNET_ANOMALIES } from '../../../src/protocols/telnet/telnet.js';
import { readFrames } from '../../helpers/frames.js';
import { SHARED_SKIP_REASON, sharedAvailable, sharedPath } from '../../helpers/shared.js';

const available = sharedAvailable('captures', 'remote-access', 'MANIFEST.tsv');
const path = (name: string) => sharedPath('captures', 'remote-access', name);
const frames = new Map<string, FrameRecord[]>();
const CAPTURES = ['citrix.pcap', 'telnet.pcap', 'anydesk.pcapng', 'rdp.pcap', 'rdp_over_tls.pcap', 'ssh.pcap', 'vnc.pcap', 'teamviewer.pcap', 'tls_ech.pcapng',
  'tls_esni_sni_both.pcap', 'tls_2_reasms.pcapng', 'tls_1.3_unidirectional_client.pcapng', 'dns_fragmented.pcap', 'dns.pcap'];

beforeAll(async () => {
  if (!available) return;
  for (const c of CAPTURES) frames.set(c, await readFrames(path(c)));
});

const tcpPayloads = (c: string, probe: (p: Uint8Array) => boolean) =>
  (frames.get(c) ?? []).filter((f) => f.payloadKind === 'tcp' && probe(f.payload));

/** nDPI's per-flow facts: `[JA4: …]`, `[Hostname/SNI: …]`, `[(Advertised) ALPNs: …]`, keyed by the client's port. */
function ndpi(capture: string): Map<number, { ja4: string | undefined; sni: string | undefined; alpn: string | undefined }> {
  const out = new Map<number, { ja4: string | undefined; sni: string | undefined; alpn: string | undefined }>();
  for (const line of readFileSync(path(`${capture}.out`), 'utf8').split('\n')) {
    const m = /^\t\d+\t(?:TCP|UDP) \[?[^\s\]]*?\]?:(\d+) <?-> \[?[^\s\]]*?\]?:(\d+) /.exec(line);
    if (m === null) continue;
    const facts = {
      ja4: /\[JA4: ([^\]]+)\]/.exec(line)?.[1],
      sni: /\[Hostname\/SNI: ([^\]]+)\]/.exec(line)?.[1],
      alpn: /\[\(Advertised\) ALPNs: ([^\]]+)\]/.exec(line)?.[1],
    };
    out.set(Number(m[1]), facts);
    out.set(Number(m[2]), facts);
  }
  return out;
}

/** A ClientHello built from lists (the test's own encoder, RFC 8446 §4.1.2 layout). */
function clientHello(o: { ciphers: number[]; extensions: [number, Uint8Array][]; version?: number }): Uint8Array {
  const u16 = (v: number) => [v >> 8, v & 0xff];
  const body: number[] = [...u16(o.version ?? 0x0303), ...new Array(32).fill(7), 0, ...u16(o.ciphers.length * 2), ...o.ciphers.flatMap(u16), 1, 0];
  const exts = o.extensions.flatMap(([t, d]) => [...u16(t), ...u16(d.length), ...d]);
  body.push(...u16(exts.length), ...exts);
  const hs = [1, 0, body.length >> 8, body.length & 0xff, ...body];
  return Uint8Array.from([0x16, 3, 1, ...u16(hs.length), ...hs]);
}
const vec16 = (items: number[]) => Uint8Array.from([items.length * 2 >> 8, (items.length * 2) & 0xff, ...items.flatMap((v) => [v >> 8, v & 0xff])]);
const sniExt = (host: string) => {
  const name = Buffer.from(host, 'latin1');
  const entry = [0, name.length >> 8, name.length & 0xff, ...name];
  return Uint8Array.from([entry.length >> 8, entry.length & 0xff, ...entry]);
};
const alpnExt = (names: string[]) => {
  const list = names.flatMap((n) => [n.length, ...Buffer.from(n, 'latin1')]);
  return Uint8Array.from([list.length >> 8, list.length & 0xff, ...list]);
};

describe('JA4 (FoxIO spec)', () => {
  it('the worked example: Chrome 143 as browserleaks reports it (JA4_ro wire order, GREASE added)', () => {
    // JA4_ro: t13d1516h2_1301,...,0035_002d,0033,0010,fe0d,0017,44cd,0000,000b,000a,002b,ff01,0023,0012,0005,000d,001b_0403,...
    const ciphers = [0x0a0a, 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035];
    const sigs = [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601];
    const empty = new Uint8Array(0);
    const extensions: [number, Uint8Array][] = [[0x1a1a, empty], [0x002d, empty], [0x0033, empty], [0x0010, alpnExt(['h2', 'http/1.1'])], [0xfe0d, empty],
      [0x0017, empty], [0x44cd, empty], [0x0000, sniExt('tls.browserleaks.com')], [0x000b, empty], [0x000a, empty],
      [0x002b, Uint8Array.from([6, 0x3a, 0x3a, 3, 4, 3, 3])], [0xff01, empty], [0x0023, empty], [0x0012, empty], [0x0005, empty],
      [0x000d, vec16(sigs)], [0x001b, empty], [0x4a4a, empty]];
    const { value, anomalies } = decodeTlsClientHello(clientHello({ ciphers, extensions }));
    expect(anomalies).toEqual([]);
    expect(value.ja4).toBe('t13d1516h2_8daaf6152771_d8a2da3f94cd');
    expect(value.serverName).toBe('tls.browserleaks.com');
    expect(value.alpn).toEqual(['h2', 'http/1.1']);
    expect(value.encryptedClientHello).toBe(true);
    expect([0x0a0a, 0x1a1a, 0xfafa].every(isGrease)).toBe(true);
    expect(isGrease(0x0a0b)).toBe(false);
  });

  it('no SNI, no ALPN, no signature algorithms: `i`, `00`, and the extension hash without `_`', () => {
    const { value } = decodeTlsClientHello(clientHello({ ciphers: [0x002f], extensions: [[0x000a, new Uint8Array(0)]] }));
    expect(value.ja4).toMatch(/^t12i010100_[0-9a-f]{12}_[0-9a-f]{12}$/);
    const { value: none } = decodeTlsClientHello(clientHello({ ciphers: [], extensions: [] }));
    expect(none.ja4).toBe('t12i000000_000000000000_000000000000');
  });

  it('a non-alphanumeric ALPN gives the first and last hex digits', () => {
    const { value } = decodeTlsClientHello(clientHello({ ciphers: [0x1301], extensions: [[0x0010, alpnExt(['\u00ab\u00cd'])]] }));
    expect(value.alpn).toEqual(['0xabcd']);
    expect(value.ja4?.slice(0, 10)).toBe('t12i0101ad');
  });
});

describe.skipIf(!available)(`decoders on nDPI's captures (${available ? 'shared' : SHARED_SKIP_REASON})`, () => {
  it('TLS: SNI, ALPN and JA4 of every ClientHello agree with nDPI (JA4 cipher and extension hashes always; the whole JA4 where nDPI follows the spec)', () => {
    let checked = 0;
    for (const c of ['anydesk.pcapng', 'rdp_over_tls.pcap', 'tls_ech.pcapng', 'tls_esni_sni_both.pcap', 'tls_2_reasms.pcapng', 'tls_1.3_unidirectional_client.pcapng']) {
      const expected = ndpi(c);
      for (const f of tcpPayloads(c, looksLikeClientHello)) {
        const { value, anomalies } = decodeTlsClientHello(f.payload);
        const e = expected.get(f.tcp?.srcPort ?? -1);
        expect(e, `${c} frame ${f.frameNo}`).toBeDefined();
        expect(anomalies, `${c} frame ${f.frameNo}`).toEqual([]);
        expect(value.serverName).toBe(e?.sni);
        expect(value.alpn.length > 0 ? value.alpn.join(';') : undefined).toBe(e?.alpn);
        // nDPI at this commit writes `d` without an SNI and the first two ALPN characters (the spec: first and last).
        const [a, b, cc] = (value.ja4 ?? '').split('_');
        const [na, nb, nc] = (e?.ja4 ?? '').split('_');
        expect([b, cc], `${c} frame ${f.frameNo}`).toEqual([nb, nc]);
        expect(a?.slice(0, 3)).toBe(na?.slice(0, 3));
        expect(a?.slice(4, 8)).toBe(na?.slice(4, 8));
        if (value.serverName !== undefined && (value.alpn[0] ?? 'xx').length <= 2) expect(value.ja4).toBe(e?.ja4);
        checked++;
      }
    }
    expect(checked).toBe(10);
  });

  it('TLS: a ClientHello cut short keeps the SNI it reached, flags tls.truncated and computes no JA4', () => {
    const [f] = tcpPayloads('tls_ech.pcapng', looksLikeClientHello);
    const whole = decodeTlsClientHello(f?.payload ?? new Uint8Array(0)).value;
    const cut = decodeTlsClientHello((f?.payload ?? new Uint8Array(0)).subarray(0, 200));
    expect(whole.ja4).toBeDefined();
    expect(cut.anomalies).toContain('tls.truncated');
    expect(cut.value.complete).toBe(false);
    expect(cut.value.ja4).toBeUndefined();
    expect(cut.value.cipherSuites).toEqual(whole.cipherSuites);
  });

  it('TLS: lowering maxCipherSuites and maxExtensions cuts and counts', () => {
    const [f] = tcpPayloads('tls_ech.pcapng', looksLikeClientHello);
    const { value, anomalies } = decodeTlsClientHello(f?.payload ?? new Uint8Array(0), { ...TLS_LIMITS, maxCipherSuites: 3, maxExtensions: 2, maxAlpn: 1 });
    expect(value.cipherSuites).toHaveLength(3);
    expect(value.extensions).toHaveLength(2);
    expect(anomalies).toEqual(expect.arrayContaining(['tls.too_many_cipher_suites', 'tls.too_many_extensions']));
  });

  it('SSH: the client banners are the ones nDPI shows, split into version, software and comments', () => {
    const banners = tcpPayloads('ssh.pcap', looksLikeSsh).map((f) => decodeSsh(f.payload).value);
    expect(banners.map((b) => b?.banner)).toEqual(expect.arrayContaining(['SSH-2.0-OpenSSH_5.3', 'SSH-2.0-OpenSSH_8.2p1 Ubuntu-4ubuntu0.11']));
    expect(banners.find((b) => b?.comments !== undefined)).toMatchObject({ protoVersion: '2.0', software: 'OpenSSH_8.2p1', comments: 'Ubuntu-4ubuntu0.11' });
  });

  it('RDP: the X.224 request and confirm of both captures (tshark: requested 0x0b then 0x03, selected 0x08 then 0x02)', () => {
    const plain = tcpPayloads('rdp.pcap', looksLikeRdp).map((f) => decodeRdp(f.payload));
    expect(plain.map((r) => r.value)).toEqual([
      { tpdu: 'connection_request', cookie: false, routingToken: false, requestedProtocols: ['ssl', 'hybrid', 'hybrid_ex'] },
      { tpdu: 'connection_confirm', cookie: false, routingToken: false, selectedProtocol: 'hybrid_ex' },
    ]);
    const tls = tcpPayloads('rdp_over_tls.pcap', looksLikeRdp).map((f) => decodeRdp(f.payload));
    expect(tls.map((r) => r.value)).toEqual([
      { tpdu: 'connection_request', cookie: true, routingToken: false, requestedProtocols: ['ssl', 'hybrid'] },
      { tpdu: 'connection_confirm', cookie: false, routingToken: false, selectedProtocol: 'hybrid' },
    ]);
  });

  it('RDP canary: the cookie user name in the real request is never in the record', () => {
    const [f] = tcpPayloads('rdp_over_tls.pcap', looksLikeRdp);
    expect(Buffer.from(f?.payload ?? []).toString('latin1')).toContain('mstshash=WDeployAd');
    expect(JSON.stringify(decodeRdp(f?.payload ?? new Uint8Array(0)))).not.toMatch(/WDeployAd/i);
  });

  it('VNC: both sides say RFB 004.001 (RealVNC 4.1) in both sessions', () => {
    const versions = tcpPayloads('vnc.pcap', looksLikeRfb).map((f) => decodeVnc(f.payload));
    expect(versions).toHaveLength(4);
    for (const v of versions) expect(v).toEqual({ value: { version: '4.1' }, anomalies: [] });
  });

  it('Telnet: the client opens with 9 option negotiations (tshark: IAC DO/WILL ...), the server answers', () => {
    const opening = tcpPayloads('telnet.pcap', looksLikeTelnet);
    expect(opening.length).toBeGreaterThanOrEqual(3);
    expect(decodeTelnet(opening[0]?.payload ?? new Uint8Array(0))).toEqual({ value: { negotiations: 9 }, anomalies: [] });
    expect(decodeTelnet(Uint8Array.from([0x41, 0x42, 0x43])).anomalies).toEqual(['telnet.bad_negotiation']);
  });

  it('Citrix: both ends of the ICA connection send the greeting', () => {
    const greetings = tcpPayloads('citrix.pcap', looksLikeCitrix);
    expect(greetings.map((f) => f.tcp?.srcPort).sort()).toEqual([1494, 45225]);
    for (const f of greetings) expect(decodeCitrix(f.payload)).toEqual({ value: { greeting: true }, anomalies: [] });
    expect(decodeCitrix(Uint8Array.from([0x7f, 0x7f, 0x49, 0x43, 0x42, 0])).anomalies).toEqual(['citrix.bad_greeting']);
  });

  it('TeamViewer: the TCP flow on 5938 and the UDP flow carry the magic', () => {
    const all = frames.get('teamviewer.pcap') ?? [];
    const tcp = all.filter((f) => f.payloadKind === 'tcp' && looksLikeTeamViewer(f.payload, 'tcp'));
    const udp = all.filter((f) => f.payloadKind === 'udp' && looksLikeTeamViewer(f.payload, 'udp'));
    expect(tcp.length).toBeGreaterThan(4);
    expect(udp.length).toBeGreaterThanOrEqual(4);
    expect(decodeTeamViewer(tcp[0]?.payload ?? new Uint8Array(0), 'tcp').value).toEqual({ transport: 'tcp', magic: '1724' });
  });

  it('DNS: questions and A answers over UDP (anydesk relays), and over TCP (dns_fragmented)', () => {
    const answers = (frames.get('anydesk.pcapng') ?? []).filter((f) => f.udp?.srcPort === 53).flatMap((f) => decodeDns(f.payload).value.answers);
    expect(answers).toEqual(expect.arrayContaining([
      expect.objectContaining({ name: 'relay-9b6827f2.net.anydesk.com', type: 'A', data: '138.199.36.115' }),
      expect.objectContaining({ name: 'relay-3185a847.net.anydesk.com', type: 'A', data: '37.61.223.15' }),
    ]));
    const overTcp = (frames.get('dns_fragmented.pcap') ?? []).filter((f) => f.payloadKind === 'tcp' && f.tcp?.dstPort === 53 && f.payload.length > 14);
    expect(overTcp.length).toBeGreaterThan(0);
    const q = decodeDns(overTcp[0]?.payload ?? new Uint8Array(0), undefined, true);
    expect(q.anomalies).toEqual([]);
    expect(q.value.questions.length).toBe(1);
    expect(decodeDns(overTcp[0]?.payload.subarray(0, 20) ?? new Uint8Array(0), undefined, true).anomalies).toContain('dns_tcp.length_mismatch');
  });

  it('hostile input: every prefix of every real payload decodes without a throw and with declared codes only', () => {
    const declared = new Set<string>([...TLS_ANOMALIES, ...SSH_ANOMALIES, ...RDP_ANOMALIES, ...VNC_ANOMALIES, ...DNS_ANOMALIES, ...DNS_TCP_ANOMALIES, ...TEAMVIEWER_ANOMALIES, ...TEAMVIEWER_UDP_ANOMALIES, ...TELNET_ANOMALIES, ...CITRIX_ANOMALIES]);
    let runs = 0;
    // The payloads that start a protocol (the ones the decoders really parse), each once.
    const starts = new Map<string, Uint8Array>();
    for (const [, list] of frames) {
      for (const f of list) {
        const p = f.payload;
        if (p.length > 0 && (looksLikeCitrix(p) || looksLikeTelnet(p) || looksLikeClientHello(p) || looksLikeSsh(p) || looksLikeRdp(p) || looksLikeRfb(p) || f.udp?.srcPort === 53 || f.udp?.dstPort === 53 || f.tcp?.dstPort === 53)) {
          starts.set(Buffer.from(p.subarray(0, 64)).toString('hex'), Uint8Array.from(p.subarray(0, 700)));
        }
      }
    }
    for (const p of starts.values()) {
      {
        for (let n = 0; n <= p.length; n += n < 96 ? 1 : 5) {
          const cut = p.subarray(0, n);
          const results = [decodeCitrix(cut), decodeTelnet(cut), decodeTlsClientHello(cut), decodeSsh(cut), decodeRdp(cut), decodeVnc(cut), decodeDns(cut), decodeDns(cut, undefined, true), decodeTeamViewer(cut, 'tcp'), decodeTeamViewer(cut, 'udp')];
          for (const r of results) for (const a of r.anomalies) expect(declared.has(a), a).toBe(true);
          runs++;
        }
      }
    }
    expect(starts.size).toBeGreaterThan(20);
    expect(runs).toBeGreaterThan(1000);
  });
});

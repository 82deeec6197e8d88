/**
 * Terminal-safe human output (issue 22: ESC and BEL in a DHCP host name or vendor class were
 * printed raw by `devices`, `device` and `unknown`). A DHCP DISCOVER carrying an OSC window-title
 * sequence, BEL, a screen-clearing CSI and a C1 CSI (U+009B, UTF-8) in options 12 and 60 is
 * replayed; the human output of the three commands holds no control character but newlines (each
 * shown as `\xNN`, or `\u00NN` inside a JSON-quoted value), while `devices --json` keeps the values exact.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPcap } from '../helpers/capture-files.js';
import { auscult } from '../helpers/cli.js';

const MAC = [0x02, 0x42, 0xac, 0x11, 0x00, 0x07];
const HOSTNAME = 'MON-\x1b]0;pwned\x07-07';
const VENDOR = 'Acme\x1b[2J\x9bInfusion';

/** Ethernet + IPv4 + UDP 68→67 + a BOOTP DISCOVER with the given options (checksums zero: not checked). */
function dhcpDiscover(options: [number, Uint8Array][]): Uint8Array {
  const bootp = Buffer.alloc(236);
  bootp.set([1, 1, 6, 0], 0);
  bootp.writeUInt32BE(0x5eed0007, 4);
  bootp.set(MAC, 28);
  const opts = Buffer.concat([Buffer.from([0x63, 0x82, 0x53, 0x63, 53, 1, 1]),
    ...options.map(([code, v]) => Buffer.concat([Buffer.from([code, v.length]), v])), Buffer.from([255])]);
  const udpLen = 8 + bootp.length + opts.length;
  const udp = Buffer.alloc(8);
  udp.writeUInt16BE(68, 0); udp.writeUInt16BE(67, 2); udp.writeUInt16BE(udpLen, 4);
  const ip = Buffer.alloc(20);
  ip.set([0x45, 0], 0); ip.writeUInt16BE(20 + udpLen, 2); ip[8] = 64; ip[9] = 17;
  ip.set([255, 255, 255, 255], 16);
  const eth = Buffer.concat([Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), Buffer.from(MAC), Buffer.from([0x08, 0x00])]);
  return Buffer.concat([eth, ip, udp, bootp, opts]);
}

/** Any C0 control but newline, DEL, or C1 control. */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

let dir: string;
let db: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'auscult-term-'));
  db = join(dir, 'auscult.db');
  const frame = dhcpDiscover([[12, Buffer.from(HOSTNAME, 'utf8')], [60, Buffer.from(VENDOR, 'utf8')], [55, Buffer.from([1, 3, 6, 15])]]);
  const pcap = join(dir, 'terminal-escape-dhcp.pcap');
  writeFileSync(pcap, buildPcap({ littleEndian: true, nanos: false, linkType: 1, records: [{ seconds: 1_767_000_000, fraction: 0, data: frame }] }));
  const r = auscult(['replay', pcap, '--db', db]);
  expect(r.code, r.stderr).toBe(0);
});
afterAll(() => { rmSync(dir, { recursive: true, force: true }); });

describe('control characters from the wire never reach the terminal', () => {
  it('devices --json keeps the host name and vendor class exact', () => {
    const r = auscult(['devices', '--db', db, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const [d] = JSON.parse(r.stdout) as { hostname: string; dhcp_fingerprint?: { vendor_class: string } }[];
    expect(d?.hostname).toBe(HOSTNAME);
    expect(r.stdout).toContain('\\u001b]0;pwned\\u0007');
  });

  it.each([
    ['devices', ['devices', '--wide']],
    ['device', ['device', '02:42:ac:11:00:07']],
    ['unknown', ['unknown']],
  ])('%s escapes ESC, BEL and C1 CSI', (_name, args) => {
    const r = auscult([...args, '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(CONTROL);
    expect(r.stdout).toMatch(/MON-\\(?:x1b|u001b)\]0;pwned\\(?:x07|u0007)-07/);
    if (args[0] !== 'devices') expect(r.stdout).toMatch(/Acme\\(?:x1b|u001b)\[2J\\(?:x9b|u009b)Infusion/);
  });
});

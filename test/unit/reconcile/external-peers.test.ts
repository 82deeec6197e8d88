/**
 * What allows or forbids an external destination (issue 20): the shipped data and its sources
 * (the blocked range checked against the CISA advisory's own text), name-suffix and range
 * matching, and RFC 8520 MUD files read with the schema, hostile ones reported as `file: reason`.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ADVISORY_FORBIDDEN, nameMatches, VENDOR_DESTINATIONS } from '../../../src/observe/external-destinations.js';
import { isValidCidr } from '../../../src/observe/comm-profile.js';
import { forbiddenBy } from '../../../src/reconcile/external-peers.js';
import { loadMudDir, MAX_MUD_FILE_BYTES } from '../../../src/reconcile/mud.js';
import { lookupManufacturer } from '../../../src/identify/vendors.js';
import { ROOT } from '../../helpers/cli.js';
import { SHARED_SKIP_REASON, sharedAvailable, sharedPath } from '../../helpers/shared.js';

describe('shipped destinations', () => {
  it('every vendor entry names a manufacturer auscult knows, lower-case name suffixes and a source', () => {
    expect(VENDOR_DESTINATIONS.map((v) => v.manufacturer)).toEqual(['Philips', 'GE Healthcare', 'Siemens Healthineers', 'Roche Diagnostics']);
    for (const v of VENDOR_DESTINATIONS) {
      expect(lookupManufacturer(v.manufacturer), v.manufacturer).toBeDefined();
      expect(v.sources.length).toBeGreaterThan(0);
      for (const n of v.names) expect(n).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
      for (const c of v.cidrs) expect(isValidCidr(c)).toBe(true);
    }
  });

  it('every advisory-named destination is a valid range or name with the advisory id and its words', () => {
    for (const f of ADVISORY_FORBIDDEN) {
      expect(f.advisory).toMatch(/^ICSMA-\d{2}-\d{3}-\d{2}$/);
      for (const c of f.cidrs) expect(isValidCidr(c), c).toBe(true);
      expect(f.source).toContain(f.advisory);
    }
  });

  it.skipIf(!sharedAvailable('advisories'))(`each blocked range is written in its advisory's remediation (../shared/advisories)${sharedAvailable('advisories') ? '' : ` (${SHARED_SKIP_REASON})`}`, () => {
    for (const f of ADVISORY_FORBIDDEN) {
      const [, yy] = /^ICSMA-(\d{2})-/.exec(f.advisory) ?? [];
      const doc = JSON.parse(readFileSync(sharedPath('advisories', `20${yy}`, `${f.advisory.toLowerCase()}.json`), 'utf8')) as { document: { tracking: { id: string } }; vulnerabilities: { remediations?: { details: string }[] }[] };
      expect(doc.document.tracking.id).toBe(f.advisory);
      const remediations = doc.vulnerabilities.flatMap((v) => v.remediations ?? []).map((r) => r.details).join('\n');
      for (const c of f.cidrs) expect(remediations).toContain(`block ${c}`);
    }
  });

  it('names match as suffixes on a label boundary; ranges by address, IPv4-mapped IPv6 included', () => {
    expect(nameMatches('remote.philips.com', 'philips.com')).toBe(true);
    expect(nameMatches('philips.com.', 'philips.com')).toBe(true);
    expect(nameMatches('evilphilips.com', 'philips.com')).toBe(false);
    expect(nameMatches('philips.com.evil.net', 'philips.com')).toBe(false);
    expect(nameMatches('a.b.example.net', '*.example.net')).toBe(true);
    expect(forbiddenBy({ peer_ip: '202.114.4.120', name: null })?.advisory).toBe('ICSMA-25-030-01');
    expect(forbiddenBy({ peer_ip: '::ffff:202.114.4.119', name: null })?.advisory).toBe('ICSMA-25-030-01');
    expect(forbiddenBy({ peer_ip: '202.114.5.1', name: null })).toBeUndefined();
    expect(forbiddenBy({ peer_ip: '2001:4860::1', name: 'x.example.net' })).toBeUndefined();
  });
});

describe('MUD files (RFC 8520)', () => {
  it('the lab MUD file: from-device accepts are allowed, a drop and the to-device ACL are not', () => {
    const { byUrl, problems } = loadMudDir(join(ROOT, 'fixtures', 'profile', 'mud'));
    expect(problems).toEqual([]);
    const p = byUrl.get('https://mud.example.com/philips/intellivue-mx800.json');
    expect(p).toMatchObject({ names: ['telemetry.example.net'], cidrs: [] });
  });

  it('hostile files are reported as file: reason and skipped; ranges are read; other files ignored', () => {
    const dir = mkdtempSync(join(tmpdir(), 'aus-mud-'));
    try {
      writeFileSync(join(dir, 'a-not-json.json'), '{"ietf-mud:mud": ');
      writeFileSync(join(dir, 'b-not-mud.json'), JSON.stringify({ hello: 1 }));
      writeFileSync(join(dir, 'c-http.json'), JSON.stringify({ 'ietf-mud:mud': { 'mud-version': 1, 'mud-url': 'http://x.example/m.json' } }));
      writeFileSync(join(dir, 'd-big.json'), ' '.repeat(MAX_MUD_FILE_BYTES + 1));
      writeFileSync(join(dir, 'notes.txt'), 'not read');
      writeFileSync(join(dir, 'e-range.json'), JSON.stringify({
        'ietf-mud:mud': { 'mud-version': 1, 'mud-url': 'https://x.example/pump.json', 'from-device-policy': { 'access-lists': { 'access-list': [{ name: 'fr' }] } } },
        'ietf-access-control-list:acls': { acl: [{ name: 'fr', aces: { ace: [
          { name: 'a', matches: { ipv4: { 'destination-ipv4-network': '192.0.2.0/24' } }, actions: { forwarding: 'accept' } },
          { name: 'b', matches: { ipv6: { 'destination-ipv6-network': '2001:db8::/32' } }, actions: { forwarding: 'accept' } },
          { name: 'c', matches: { ipv4: { 'destination-ipv4-network': 'not a range' } }, actions: { forwarding: 'accept' } },
        ] } }] },
      }));
      const first = loadMudDir(dir);
      const { byUrl, problems } = first;
      expect(first.fresh).toBe(true);
      const reasons = problems.map((p) => p.replace(`${dir}/`, ''));
      expect(reasons).toHaveLength(4);
      expect(reasons[0]).toMatch(/^a-not-json\.json: not JSON: /);
      expect(reasons[1]).toMatch(/^b-not-mud\.json: not an RFC 8520 MUD file: ietf-mud:mud: /);
      expect(reasons[2]).toMatch(/^c-http\.json: not an RFC 8520 MUD file: ietf-mud:mud\.mud-url: /);
      expect(reasons[3]).toBe(`d-big.json: larger than ${MAX_MUD_FILE_BYTES} bytes, not read`);
      expect([...byUrl.keys()]).toEqual(['https://x.example/pump.json']);
      // Read again only when the files change: the sensor reconciles often and reports a problem once.
      expect(loadMudDir(dir)).toMatchObject({ fresh: false, problems: reasons.map((r) => `${dir}/${r}`) });
      rmSync(join(dir, 'a-not-json.json'));
      const after = loadMudDir(dir);
      expect(after.fresh).toBe(true);
      expect(after.problems).toHaveLength(3);
      expect(byUrl.get('https://x.example/pump.json')).toMatchObject({ names: [], cidrs: ['192.0.2.0/24', '2001:db8::/32'] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

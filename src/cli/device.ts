/**
 * \summary `auscult device <mac|ip|id>`: one device with every field's evidence and its history.
 */
import type { Command } from 'commander';
import { EXIT } from '../errors.js';
import { findDevice, type DeviceView } from '../inventory/device-view.js';
import { exposureRows, type ExposureRow } from '../advisories/exposure.js';
import type { PatchVerifiedLine } from '../advisories/patch-state.js';
import { currentAdvisories, kevSet, listPatchEvents } from '../inventory/advisory-store.js';
import { dbOption, formatTable, openExistingDb, termSafe, writeStdout } from './common.js';
import { RemoteSessionStore, type StoredRemoteSession } from '../inventory/remote-session-store.js';
import { toolName } from '../observe/remote-sessions.js';
import { sessionJson } from './sessions.js';
import { captureNames, loadProfile, profileJson, type StoredProfile } from '../inventory/profile-store.js';

export function registerDevice(program: Command): void {
  dbOption(
    program
      .command('device')
      .description('show one device: fields, the evidence behind each, and the history of changes')
      .argument('<key>', 'MAC (any spelling; a merged port or management MAC finds its switch), IP address or device id')
      .option('--json', 'the device as JSON, with evidence and history'),
  ).addHelpText('after', `
Each evidence line names the capture and frame it came from; check any of them with
  $ tshark -r <capture> -Y frame.number==<frame> -V`)
    .action((key: string, opts: { db: string; json?: boolean }) => {
      const db = openExistingDb(opts.db);
      const device = findDevice(db, key);
      const advisories = device === undefined ? [] : exposureRows(currentAdvisories(db), [device], kevSet(db));
      // The patches the wire verified for this device (issue 17: "walk me through the last patch").
      const patches = device === undefined ? [] : listPatchEvents(db).filter((p) => p.device_id === device.id).map((p) => JSON.parse(p.line) as PatchLine);
      const sessions = device === undefined ? [] : new RemoteSessionStore(db).list(device.id);
      // Issue 20: who the device talks to (src/observe/comm-profile.ts).
      const profile = device === undefined ? undefined : loadProfile(db, device.ips, device.mac);
      const captures = captureNames(db);
      db.close();
      if (!device) {
        process.stderr.write(`auscult: no device matches ${JSON.stringify(key)}\n`);
        process.exitCode = EXIT.NOT_FOUND;
        return;
      }
      writeStdout(opts.json ? JSON.stringify({ ...device, advisories, patches_verified: patches, remote_sessions: sessions.map(sessionJson), communication_profile: profile === undefined ? null : profileJson(profile, captures) }, null, 2)
        : deviceText(device, advisories, patches, sessions, profile));
    });
}

/** The fields of a `patch_verified` stream line the device view shows. */
type PatchLine = Pick<PatchVerifiedLine, 'ts' | 'advisory_id' | 'old_version' | 'new_version' | 'old_evidence' | 'new_evidence'>;

export function deviceText(d: DeviceView, advisories: readonly ExposureRow[] = [], patches: readonly PatchLine[] = [], sessions: readonly StoredRemoteSession[] = [], profile?: StoredProfile): string {
  const lines: string[] = [];
  const add = (k: string, v: unknown) => lines.push(`${k.padEnd(18)}${v === null || v === undefined || v === '' ? '-' : termSafe(String(v))}`);
  add('id', d.id);
  add('mac', d.mac);
  add('ip', d.ip);
  add('ips', d.ips.join(', '));
  if (d.vlans.length > 1) add('vlans', d.vlans.join(', '));
  if (d.aliases.length > 0) add('aliases', d.aliases.join(', '));
  add('locally attached', d.locally_attached ? 'yes' : 'no (seen through a router)');
  for (const k of ['hostname', 'vlan', 'switch', 'port', 'location', 'manufacturer', 'model', 'firmware', 'serial', 'os', 'device_type', 'fda_class', 'category', 'asset_id'] as const) {
    add(k, d[k]);
  }
  add('dhcp prl', d.dhcp_fingerprint.prl);
  add('dhcp vendor class', d.dhcp_fingerprint.vendor_class);
  add('first seen', d.first_seen);
  add('last seen', d.last_seen);
  add('frames', d.frames);
  lines.push('', 'evidence:');
  const ev = Object.entries(d.evidence).flatMap(([field, items]) =>
    items.map((e) => [field, e.value, e.source, e.confidence.toFixed(2), `${e.capture ?? '?'}#${e.frame}`, e.ts, e.count]));
  lines.push(formatTable(['FIELD', 'VALUE', 'SOURCE', 'CONF', 'CAPTURE#FRAME', 'FIRST SEEN', 'COUNT'], ev));
  lines.push('', 'history:');
  const hist = (d.history ?? []).map((h) => [h.ts, h.field, h.old_value, h.new_value, h.source, `${h.capture ?? '?'}#${h.frame ?? '?'}`]);
  lines.push(hist.length ? formatTable(['TIME', 'FIELD', 'OLD', 'NEW', 'SOURCE', 'CAPTURE#FRAME'], hist) : '(no changes)');
  if (advisories.length > 0) {
    lines.push('', 'advisories:');
    lines.push(formatTable(['VERDICT', 'ADVISORY', 'CVE', 'CVSS', 'KEV', 'REMEDIATION'],
      advisories.map((r) => [r.verdict, r.advisory_id, r.cve ?? r.vulnerability, r.cvss === null ? null : r.cvss.toFixed(1), r.kev ? 'yes' : null, r.remediation]), 60));
  }
  if (patches.length > 0) {
    const frames = (ev: PatchLine['old_evidence']): string => ev.map((e) => `${e.capture ?? '?'}#${e.frame}`).join(' ') || '-';
    lines.push('', 'patches verified on the wire:');
    lines.push(formatTable(['TIME', 'ADVISORY', 'OLD', 'OLD CAPTURE#FRAME', 'NEW', 'NEW CAPTURE#FRAME'],
      patches.map((p) => [p.ts, p.advisory_id, termSafe(p.old_version), frames(p.old_evidence), termSafe(p.new_version), frames(p.new_evidence)]), 60));
  }
  if (sessions.length > 0) {
    // Issue 20: remote-access sessions that reached this device or that it opened.
    lines.push('', 'remote sessions:');
    lines.push(formatTable(['TOOL', 'DIR', 'PEER', 'START', 'END', 'BYTES IN/OUT', 'FRAMES', 'HOW'],
      sessions.map((s) => [toolName(s.tool), s.direction, `${s.peerIp}:${s.peerPort}`, new Date(s.start / 1000).toISOString(), new Date(s.end / 1000).toISOString(),
        `${s.bytesToDevice}/${s.bytesFromDevice}`, `${s.captureId ?? '?'}#${s.firstFrame}-${s.lastFrame}`, s.how])));
  }
  if (profile !== undefined) lines.push(...profileText(profile));
  return lines.join('\n');
}

/** The communication profile as text: the MUD URL, the peers (busiest first), the names resolved and called. */
export function profileText(p: StoredProfile): string[] {
  if (p.peers.length === 0 && p.names.length === 0 && p.mud === undefined) return [];
  const iso = (us: number) => new Date(Math.floor(us / 1000)).toISOString();
  const lines: string[] = ['', 'communication profile:'];
  if (p.mud !== undefined) lines.push(`${'mud url'.padEnd(18)}${termSafe(p.mud.url)} (${p.mud.source}, frame ${p.mud.first_frame})`);
  if (p.peers.length > 0) {
    lines.push(formatTable(['PEER', 'SCOPE', 'NAME', 'SERVICE', 'DIR', 'PROTOCOL', 'FRAMES', 'BYTES OUT/IN', 'FIRST SEEN', 'LAST SEEN'],
      p.peers.map((x) => [x.peer_ip, x.scope, x.name === null ? null : `${termSafe(x.name)} (${x.name_source ?? '?'})`, `${x.transport}/${x.port}`, x.direction,
        x.protocol, x.frames, `${x.bytes_out}/${x.bytes_in}`, iso(x.first_us), iso(x.last_us)])));
  }
  if (p.names.length > 0) {
    lines.push('', 'names resolved (dns) and called (sni):');
    lines.push(formatTable(['KIND', 'NAME', 'COUNT', 'FIRST SEEN', 'LAST SEEN'], p.names.map((n) => [n.kind, termSafe(n.name), n.count, iso(n.first_us), iso(n.last_us)])));
  }
  return lines;
}

/**
 * \summary RFC 8520 MUD files from a directory (`profile.mud_dir`): the external destinations a
 * device that announces a MUD URL may call. A passive sensor cannot fetch the file from the URL,
 * so the hospital saves it in the directory; each file is matched by its own `mud-url`.
 *
 * Read with a zod schema of the parts used (RFC 8520 §2.1 `ietf-mud:mud`, RFC 8519
 * `ietf-access-control-list:acls`, RFC 8520 §2.3 `ietf-acldns:dst-dnsname`); everything else in
 * the file is ignored. From the ACLs of `from-device-policy`, each ACE whose action is `accept`
 * allows its `ietf-acldns:dst-dnsname` (a name) or `destination-ipv4-network` /
 * `destination-ipv6-network` (a range). A file that is not JSON, not a MUD file, or too big is a
 * problem `file: reason`, skipped.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { isValidCidr } from '../observe/comm-profile.js';

/** Bigger files are refused: MUD files are a few kilobytes. */
export const MAX_MUD_FILE_BYTES = 1 << 20;
/** Files read from the directory, at most. */
export const MAX_MUD_FILES = 10_000;

const aceSchema = z.looseObject({
  name: z.string().max(1024).optional(),
  matches: z.looseObject({
    ipv4: z.looseObject({
      'ietf-acldns:dst-dnsname': z.string().max(255).optional(),
      'destination-ipv4-network': z.string().max(64).optional(),
    }).optional(),
    ipv6: z.looseObject({
      'ietf-acldns:dst-dnsname': z.string().max(255).optional(),
      'destination-ipv6-network': z.string().max(64).optional(),
    }).optional(),
  }).optional(),
  actions: z.looseObject({ forwarding: z.string().max(64) }).optional(),
});

export const mudFileSchema = z.looseObject({
  'ietf-mud:mud': z.looseObject({
    'mud-version': z.number().int(),
    'mud-url': z.string().startsWith('https://').max(255),
    systeminfo: z.string().max(1024).optional(),
    'from-device-policy': z.looseObject({
      'access-lists': z.looseObject({ 'access-list': z.array(z.looseObject({ name: z.string().max(1024) })).max(1000) }),
    }).optional(),
  }),
  'ietf-access-control-list:acls': z.looseObject({
    acl: z.array(z.looseObject({
      name: z.string().max(1024),
      aces: z.looseObject({ ace: z.array(aceSchema).max(10_000) }).optional(),
    })).max(1000),
  }).optional(),
});

export interface MudPolicy {
  url: string;
  file: string;
  systeminfo: string | undefined;
  /** Names (and their subdomains) the device may call. */
  names: string[];
  cidrs: string[];
}

/** The destinations a parsed MUD file allows from the device. */
export function mudPolicy(file: string, doc: z.output<typeof mudFileSchema>): MudPolicy {
  const mud = doc['ietf-mud:mud'];
  const fromDevice = new Set((mud['from-device-policy']?.['access-lists']['access-list'] ?? []).map((a) => a.name));
  const names: string[] = [];
  const cidrs: string[] = [];
  for (const acl of doc['ietf-access-control-list:acls']?.acl ?? []) {
    if (!fromDevice.has(acl.name)) continue;
    for (const ace of acl.aces?.ace ?? []) {
      if (ace.actions?.forwarding !== 'accept') continue;
      for (const m of [ace.matches?.ipv4, ace.matches?.ipv6]) {
        if (m === undefined) continue;
        const name = m['ietf-acldns:dst-dnsname'];
        if (name !== undefined) names.push(name.toLowerCase());
        const net = 'destination-ipv4-network' in m ? m['destination-ipv4-network'] : (m as { 'destination-ipv6-network'?: string })['destination-ipv6-network'];
        if (typeof net === 'string' && isValidCidr(net)) cidrs.push(net);
      }
    }
  }
  return { url: mud['mud-url'], file, systeminfo: mud.systeminfo, names, cidrs };
}

export interface MudDir {
  byUrl: Map<string, MudPolicy>;
  problems: string[];
  /** False when the files are the same (names, sizes, times) as at the last read: the result is the cached one. */
  fresh: boolean;
}

/** The last read of each directory, with the listing it was read from (the sensor reconciles often). */
const cache = new Map<string, { listing: string; result: MudDir }>();

function listing(dir: string): string | undefined {
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((f) => {
      const st = statSync(join(dir, f));
      return `${f}\u0000${st.size}\u0000${st.mtimeMs}`;
    }).join('\u0001');
  } catch {
    return undefined;
  }
}

/** As `readMudDir`, but read again only when the directory's files changed (names, sizes, times). */
export function loadMudDir(dir: string): MudDir {
  const now = listing(dir);
  const known = cache.get(dir);
  if (now !== undefined && known !== undefined && known.listing === now) return { ...known.result, fresh: false };
  const result = { ...readMudDir(dir), fresh: true };
  if (now !== undefined) {
    if (cache.size >= 16) cache.clear();
    cache.set(dir, { listing: now, result });
  }
  return result;
}

/** Every MUD file of `dir` by its `mud-url`; problems as `file: reason`. */
export function readMudDir(dir: string): { byUrl: Map<string, MudPolicy>; problems: string[] } {
  const byUrl = new Map<string, MudPolicy>();
  const problems: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
  } catch (err) {
    return { byUrl, problems: [`${dir}: cannot read the MUD directory: ${(err as Error).message}`] };
  }
  if (entries.length > MAX_MUD_FILES) {
    problems.push(`${dir}: ${entries.length} files, only the first ${MAX_MUD_FILES} read`);
    entries = entries.slice(0, MAX_MUD_FILES);
  }
  for (const name of entries) {
    const file = join(dir, name);
    try {
      if (statSync(file).size > MAX_MUD_FILE_BYTES) {
        problems.push(`${file}: larger than ${MAX_MUD_FILE_BYTES} bytes, not read`);
        continue;
      }
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(file, 'utf8'));
      } catch (err) {
        problems.push(`${file}: not JSON: ${(err as Error).message}`);
        continue;
      }
      const parsed = mudFileSchema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        problems.push(`${file}: not an RFC 8520 MUD file: ${issue === undefined ? 'invalid' : `${issue.path.join('.')}: ${issue.message}`}`);
        continue;
      }
      const policy = mudPolicy(file, parsed.data);
      byUrl.set(policy.url, policy);
    } catch (err) {
      problems.push(`${file}: ${(err as Error).message}`);
    }
  }
  return { byUrl, problems };
}

/**
 * \summary The system of record's remote-access policy for a device (issue 20, HICP 405(d) 9.1
 * step 7 and 9.6): which remote tools are approved (the remote-access column) and when remote
 * service may happen (the service-window column). Pure: parsing and evaluation only; the
 * exceptions are raised in `remote-access-exceptions.ts`.
 *
 * **Approved tools** (`TeamViewer; Philips RSN`): items separated by `;` `,` `|` `+` or a line
 * break, each normalised to a session `tool` id (remote-sessions.ts): case, spaces, punctuation
 * and version numbers are ignored (`Teamviewer`, `TeamViewer 15`, `TEAMVIEWER-Host` →
 * `teamviewer`), then the name is looked up among the ids, the display names and `TOOL_ALIASES`
 * (longest alias that starts the name wins, so `Philips RSN` → `philips`). `any` or `all`
 * approves every tool. An empty cell, a placeholder (`none`, `N/A`, `-`...) or `no`
 * (`prohibited`, `not allowed`) approves none. `yes` (a yes/no column) names no tool, so every
 * tool is taken as approved and the import warns that nothing can be judged.
 * A name that is no known tool is dropped (the import warns). The record keeps only the tool ids
 * (`canonicalApprovedTools`), never the cell's text: CMMS cells like this also hold tool IDs and
 * passwords.
 *
 * **Service window** grammar (one or more windows separated by `;`):
 * ```
 * window := days SP HH:MM "-" HH:MM [SP zone]
 * days   := day ["-" day] ("," day ["-" day])*  |  "daily"
 * day    := Mon|Tue|Wed|Thu|Fri|Sat|Sun (or the full English name; any case)
 * zone   := an IANA time zone (America/New_York) or UTC; UTC when absent
 * ```
 * e.g. `Tue 02:00-04:00 UTC`, `Mon-Fri 08:00-17:00 America/New_York`, `Sat,Sun 00:00-24:00`,
 * `Fri-Mon 22:00-06:00 Europe/Berlin; Wed 12:00-13:00`. A window whose end is before its start
 * runs past midnight into the next day (it belongs to the day it starts on). `24:00` is allowed
 * only as an end. Time zones go through `Intl` (the ICU data Node ships), so daylight saving time
 * is applied for the date of each session. Hand-written: no npm package parses this grammar (cron
 * and opening_hours grammars are other languages a CMMS export does not use).
 *
 * Limits: a cell over `MAX_POLICY_TEXT` characters, or with more than `MAX_WINDOWS` windows or
 * `MAX_TOOLS` tools, is a row error.
 */
import { REMOTE_ACCESS_SERVICES, WIRE_TOOLS } from '../observe/remote-access-services.js';
import { isPlaceholderValue } from './normalise.js';

export const MAX_POLICY_TEXT = 1024;
export const MAX_WINDOWS = 16;
export const MAX_TOOLS = 32;

/** Every tool id a session can carry. */
export const TOOL_IDS: readonly string[] = [...Object.keys(WIRE_TOOLS), ...REMOTE_ACCESS_SERVICES.map((s) => s.id)];

/** Names people write for each tool (normalised as `toolKey` does), besides its id and display name. */
export const TOOL_ALIASES: Readonly<Record<string, readonly string[]>> = {
  ssh: ['openssh', 'secure shell', 'sftp', 'scp'],
  rdp: ['remote desktop', 'remote desktop protocol', 'microsoft remote desktop', 'mstsc', 'terminal services', 'remote desktop services'],
  vnc: ['realvnc', 'tightvnc', 'tigervnc', 'ultravnc', 'rfb'],
  citrix: ['citrix ica', 'ica', 'citrix workspace', 'citrix receiver', 'xenapp', 'xendesktop'],
  telnet: [],
  teamviewer: ['team viewer'],
  anydesk: ['any desk'],
  beyondtrust: ['bomgar', 'beyondtrust remote support', 'beyond trust'],
  splashtop: [],
  screenconnect: ['connectwise', 'connectwise control', 'connectwise screenconnect', 'screen connect'],
  philips: ['philips rsn', 'rsn', 'philips remote services', 'philips remote services network', 'philips healthcare'],
  'ge-healthcare': ['ge', 'gehc', 'ge healthcare', 'ge insite', 'insite', 'insite exc', 'onwatch', 'ge onwatch'],
  'siemens-healthineers': ['siemens', 'siemens healthineers', 'healthineers', 'srs', 'smart remote services', 'siemens remote service'],
  roche: ['roche diagnostics', 'roche remote service'],
};

/** Lower-case letters only, version numbers dropped: `TeamViewer 15.2` → `teamviewer`. */
export function toolKey(name: string): string {
  return name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/\bv(?:er(?:sion)?)?\.?\s*\d[\d.]*/g, ' ')
    .replace(/\d+(?:\.\d+)*/g, ' ')
    .replace(/[^a-z]/g, '');
}

const KEY_TO_TOOL: ReadonlyMap<string, string> = (() => {
  const m = new Map<string, string>();
  for (const id of TOOL_IDS) {
    const display = WIRE_TOOLS[id]?.name ?? REMOTE_ACCESS_SERVICES.find((s) => s.id === id)?.name ?? id;
    for (const n of [id, display, ...(TOOL_ALIASES[id] ?? [])]) {
      const k = toolKey(n);
      if (k !== '' && !m.has(k)) m.set(k, id);
    }
  }
  return m;
})();

/** The tool id a written name means, or undefined when it is no tool auscult recognises. */
export function normaliseToolName(name: string): string | undefined {
  const key = toolKey(name);
  if (key === '') return undefined;
  const exact = KEY_TO_TOOL.get(key);
  if (exact !== undefined) return exact;
  // `TeamViewer Host`, `Philips RSN gateway`: the longest known name (4+ letters) the text starts with.
  let best: { len: number; id: string } | undefined;
  for (const [k, id] of KEY_TO_TOOL) if (k.length >= 4 && key.startsWith(k) && k.length > (best?.len ?? 0)) best = { len: k.length, id };
  return best?.id;
}

/** The approved tools of a remote-access cell. */
export interface ApprovedTools {
  /** `any`/`all`: every tool is approved. */
  any: boolean;
  /** Tool ids approved. */
  tools: ReadonlySet<string>;
  /** Items that are no known tool, as written. */
  unknown: readonly string[];
  /** The cell said yes (a yes/no column): remote access allowed, no tool named. */
  yes: boolean;
}

const YES_WORDS: ReadonlySet<string> = new Set(['yes', 'y', 'true', 'allowed', 'permitted', 'approved']);
const NO_WORDS: ReadonlySet<string> = new Set(['no', 'n', 'false', 'notallowed', 'notpermitted', 'prohibited', 'denied', 'noremoteaccess']);

export type PolicyParse<T> = { ok: true; value: T } | { ok: false; reason: string };

const quote = (s: string): string => JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);

/** Parses a remote-access cell (as written; '' = none approved). */
export function parseApprovedTools(text: string): PolicyParse<ApprovedTools> {
  if (text.length > MAX_POLICY_TEXT) return { ok: false, reason: `remote-access cell is ${text.length} characters, over the limit of ${MAX_POLICY_TEXT}` };
  const items = text.split(/[;,|+\r\n]+/).map((s) => s.trim()).filter((s) => s !== '' && !isPlaceholderValue(s));
  if (items.length > MAX_TOOLS) return { ok: false, reason: `remote-access cell lists ${items.length} tools, over the limit of ${MAX_TOOLS}` };
  const tools = new Set<string>();
  const unknown: string[] = [];
  let any = false;
  let yes = false;
  for (const item of items) {
    const key = toolKey(item);
    if (key === 'any' || key === 'all') {
      any = true;
      continue;
    }
    // A yes/no column: "no" approves nothing; "yes" names no tool, so every tool is taken as approved (and the import says so).
    if (NO_WORDS.has(key)) continue;
    if (YES_WORDS.has(key)) {
      any = true;
      yes = true;
      continue;
    }
    const id = normaliseToolName(item);
    if (id === undefined) unknown.push(item);
    else tools.add(id);
  }
  return { ok: true, value: { any, tools, unknown, yes } };
}

/**
 * The stored form of a remote-access cell: `any`, or the approved tool ids sorted and joined by
 * `; ` (`philips; teamviewer`), `''` for none. Items that are no tool are dropped: the free text of
 * such cells (tool IDs, passwords, names) is never kept.
 */
export function canonicalApprovedTools(a: ApprovedTools): string {
  return a.any ? 'any' : [...a.tools].sort().join('; ');
}

/** How an approved list reads for people: display names (`Philips remote services; TeamViewer`), `any tool`, or null for none. */
export function describeApprovedTools(a: ApprovedTools): string | null {
  if (a.any) return 'any tool';
  if (a.tools.size === 0) return null;
  return [...a.tools].sort().map((id) => WIRE_TOOLS[id]?.name ?? REMOTE_ACCESS_SERVICES.find((s) => s.id === id)?.name ?? id).join('; ');
}

/** One window: days (0 = Monday), minutes of the day in `zone`. */
export interface ServiceWindowSpec {
  days: ReadonlySet<number>;
  /** Start, minutes after local midnight (0–1439). */
  from: number;
  /** End, minutes after local midnight (1–1440); `to <= from` runs past midnight. */
  to: number;
  /** Canonical IANA zone (`UTC`, `America/New_York`). */
  zone: string;
}

export interface ServiceWindow {
  specs: readonly ServiceWindowSpec[];
}

const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const FULL_DAY_NAMES = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;

function dayOf(word: string): number | undefined {
  const w = word.toLowerCase();
  const i = DAY_NAMES.indexOf(w as (typeof DAY_NAMES)[number]);
  if (i >= 0) return i;
  const j = FULL_DAY_NAMES.indexOf(w as (typeof FULL_DAY_NAMES)[number]);
  return j >= 0 ? j : undefined;
}

function parseDays(text: string): PolicyParse<Set<number>> {
  const t = text.trim().toLowerCase();
  if (t === 'daily' || t === 'every day') return { ok: true, value: new Set([0, 1, 2, 3, 4, 5, 6]) };
  const days = new Set<number>();
  for (const part of t.split(',')) {
    const range = part.trim().split(/\s*[-–]\s*/);
    if (range.length < 1 || range.length > 2) return { ok: false, reason: `bad day range ${quote(part.trim())}` };
    const from = dayOf(range[0] ?? '');
    const to = range.length === 2 ? dayOf(range[1] ?? '') : from;
    if (from === undefined || to === undefined) return { ok: false, reason: `bad day ${quote(part.trim())}: expected Mon, Tue, Wed, Thu, Fri, Sat, Sun, a range like Mon-Fri, or daily` };
    for (let d = from; ; d = (d + 1) % 7) {
      days.add(d);
      if (d === to) break;
    }
  }
  return { ok: true, value: days };
}

function parseTime(text: string, isEnd: boolean): number | undefined {
  const m = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (m === null) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59) return undefined;
  if (h === 24 && min === 0 && isEnd) return 1440;
  if (h > 23) return undefined;
  return h * 60 + min;
}

/** The canonical IANA name of a time zone, or undefined when Intl does not know it. */
export function canonicalZone(zone: string): string | undefined {
  if (/^(utc|z|gmt)$/i.test(zone)) return 'UTC';
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]{0,63}$/.test(zone)) return undefined;
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

const SPEC = /^(?<days>.+?)\s+(?<from>\d{1,2}:\d{2})\s*[-–]\s*(?<to>\d{1,2}:\d{2})(?:\s+(?<zone>\S+))?$/;

/** Parses a service-window cell (the grammar in this file's header). */
export function parseServiceWindow(text: string): PolicyParse<ServiceWindow> {
  if (text.length > MAX_POLICY_TEXT) return { ok: false, reason: `service window is ${text.length} characters, over the limit of ${MAX_POLICY_TEXT}` };
  const parts = text.split(/[;\r\n]+/).map((s) => s.trim()).filter((s) => s !== '');
  if (parts.length === 0) return { ok: false, reason: 'service window is empty' };
  if (parts.length > MAX_WINDOWS) return { ok: false, reason: `service window has ${parts.length} windows, over the limit of ${MAX_WINDOWS}` };
  const specs: ServiceWindowSpec[] = [];
  for (const part of parts) {
    const m = SPEC.exec(part.replace(/\s+/g, ' '));
    const g = m?.groups;
    if (g === undefined) return { ok: false, reason: `bad service window ${quote(part)}: expected days HH:MM-HH:MM [zone], e.g. "Mon-Fri 08:00-17:00 America/New_York"` };
    const days = parseDays(g['days'] ?? '');
    if (!days.ok) return { ok: false, reason: `service window ${quote(part)}: ${days.reason}` };
    const from = parseTime(g['from'] ?? '', false);
    const to = parseTime(g['to'] ?? '', true);
    if (from === undefined || to === undefined) return { ok: false, reason: `service window ${quote(part)}: bad time: expected HH:MM from 00:00 to 23:59 (24:00 only as the end)` };
    if (from === to % 1440 && to !== 1440) return { ok: false, reason: `service window ${quote(part)}: start and end are the same time` };
    const zoneText = g['zone'] ?? 'UTC';
    const zone = canonicalZone(zoneText);
    if (zone === undefined) return { ok: false, reason: `service window ${quote(part)}: unknown time zone ${quote(zoneText)}: use an IANA name such as America/New_York, or UTC` };
    specs.push({ days: days.value, from, to, zone });
  }
  return { ok: true, value: { specs } };
}

const formatters = new Map<string, Intl.DateTimeFormat>();
const WEEKDAY: Readonly<Record<string, number>> = { Mon: 0, Tue: 1, Wed: 2, Thu: 3, Fri: 4, Sat: 5, Sun: 6 };

/**
 * Local day and minute at the start of each 15-minute UTC bucket, per zone. Exact: every zone's
 * offset and every offset change are whole multiples of 15 minutes, so a bucket never crosses a
 * local midnight or a transition. Bounded (cleared when full); saves an Intl call per session.
 */
const BUCKET_MS = 15 * 60_000;
const MAX_BUCKETS = 16_384;
const buckets = new Map<string, { day: number; minute: number }>();

/** Day of week (0 = Monday) and minute of the day of an instant in a zone. */
export function localTime(epochMs: number, zone: string): { day: number; minute: number } {
  const start = Math.floor(epochMs / BUCKET_MS) * BUCKET_MS;
  const key = `${zone}\u0000${start}`;
  let at = buckets.get(key);
  if (at === undefined) {
    at = intlLocalTime(start, zone);
    if (buckets.size >= MAX_BUCKETS) buckets.clear();
    buckets.set(key, at);
  }
  return { day: at.day, minute: at.minute + Math.floor((epochMs - start) / 60_000) };
}

function intlLocalTime(epochMs: number, zone: string): { day: number; minute: number } {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    formatters.set(zone, f);
  }
  let day = 0;
  let hour = 0;
  let minute = 0;
  for (const p of f.formatToParts(new Date(epochMs))) {
    if (p.type === 'weekday') day = WEEKDAY[p.value] ?? 0;
    else if (p.type === 'hour') hour = Number(p.value) % 24;
    else if (p.type === 'minute') minute = Number(p.value);
  }
  return { day, minute: hour * 60 + minute };
}

/** The window that holds the instant, or undefined when it falls outside every window. */
export function windowHolding(window: ServiceWindow, epochMs: number): ServiceWindowSpec | undefined {
  for (const s of window.specs) {
    const { day, minute } = localTime(epochMs, s.zone);
    if (s.to > s.from) {
      if (s.days.has(day) && minute >= s.from && minute < s.to) return s;
    } else if ((s.days.has(day) && minute >= s.from) || (s.days.has((day + 6) % 7) && minute < s.to)) {
      return s;
    }
  }
  return undefined;
}

const dateFormatters = new Map<string, Intl.DateTimeFormat>();

const dateBuckets = new Map<string, string>();

/** The calendar date (`YYYY-MM-DD`) of an instant in a zone (cached per 15-minute bucket, as `localTime`). */
export function localDate(epochMs: number, zone: string): string {
  const key = `${zone}\u0000${Math.floor(epochMs / BUCKET_MS)}`;
  let date = dateBuckets.get(key);
  if (date === undefined) {
    date = intlLocalDate(epochMs, zone);
    if (dateBuckets.size >= MAX_BUCKETS) dateBuckets.clear();
    dateBuckets.set(key, date);
  }
  return date;
}

function intlLocalDate(epochMs: number, zone: string): string {
  let f = dateFormatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormatters.set(zone, f);
  }
  const parts = Object.fromEntries(f.formatToParts(new Date(epochMs)).map((p) => [p.type, p.value]));
  return `${parts['year'] ?? '0000'}-${parts['month'] ?? '00'}-${parts['day'] ?? '00'}`;
}

/** `Tue 05:12 UTC`: how an instant reads in a zone (the observed value of an outside-window exception). */
export function describeLocal(epochMs: number, zone: string): string {
  const { day, minute } = localTime(epochMs, zone);
  const hh = String(Math.floor(minute / 60)).padStart(2, '0');
  const mm = String(minute % 60).padStart(2, '0');
  return `${['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][day] ?? '?'} ${hh}:${mm} ${zone}`;
}

/**
 * \summary The evidence packet as one self-contained HTML page: inline CSS, an inline SVG bar
 * chart, no scripts and no external assets, so it can be mailed or archived as is.
 *
 * Every value is HTML-escaped (`escapeHtml`): host names, mDNS TXT values and export cells are
 * attacker-controlled. Elements carry `id`s and `data-*` counts so tests can read the rendered
 * DOM (headless Chromium) without scraping text.
 */
import { randomUUID } from 'node:crypto';
import { renderPatchSection } from './report-patch.js';
import { renderProfileSection } from './report-profile.js';
import { EXCEPTION_KINDS } from '../reconcile/exception-kinds.js';
import type { ComparedField, InventoryRow, ReportData, TypeCount } from './report.js';
import { RECOMMENDED_FIELDS, REQUIRED_FIELDS } from './report.js';

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(value: unknown): string {
  if (value === null || value === undefined) return '';
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** Pre-rendered cell content (already escaped), with an optional class. */
interface Html { html: string; cls?: string }
const isHtml = (v: unknown): v is Html => typeof v === 'object' && v !== null && 'html' in v;
const cell = (v: unknown, cls = ''): string => {
  if (isHtml(v)) return `<td${v.cls ? ` class="${v.cls}${cls === 'long' ? ' long' : ''}"` : ''}>${v.html}</td>`;
  return v === null || v === undefined || v === '' ? '<td class="none">—</td>' : `<td${cls !== '' ? ` class="${cls}"` : ''}>${escapeHtml(v)}</td>`;
};

/** Columns whose short values (MAC, IP, VLAN...) read wrong when wrapped: kept on one line. */
const NOWRAP_COLUMNS = new Set(['source', 'asset id', 'MAC', 'IP', 'VLAN', 'severity', 'status', 'line']);
/**
 * Columns of free text or long tokens (event ids, messages, locations, hostile host names): these
 * may break anywhere, so the table fits the page; every other column breaks only between words.
 */
const LONG_COLUMNS = new Set(['network location', 'location', 'message', 'event id', 'expected', 'observed', 'old', 'new', 'evidence', 'meaning', 'device', 'opened', 'resolved', 'time (capture)']);
/** A run this long without a space (a hostile or careless export's value) may break anywhere, whatever its column. */
const LONG_WORD = /\S{33,}/;
const columnClass = (header: string, value: unknown): string => {
  const text = typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '';
  if (NOWRAP_COLUMNS.has(header) && !LONG_WORD.test(text)) return 'nw';
  return LONG_COLUMNS.has(header) || LONG_WORD.test(text) ? 'long' : '';
};

/** A compared field: one value when record and network agree, both side by side when not. */
function compared(row: InventoryRow, field: ComparedField, shown: unknown): unknown {
  const c = row.compare[field];
  // Only where reconciliation (which compares normalised values: `Philips Medical Systems` is
  // Philips, `Gi1/0/8` is `gi1-0-8`) raised an open exception: a spelling difference is not one.
  if (c === undefined || c.exception === null) return shown;
  const link = ` <a class="ex-link" href="#ex-${escapeHtml(c.exception)}">exception</a>`;
  return {
    cls: LONG_WORD.test(`${c.record ?? ''} ${c.network ?? ''}`) ? 'disagree long' : 'disagree',
    html: `<span class="rec" title="system of record">record: ${escapeHtml(c.record)}</span><span class="net" title="heard on the network">network: ${escapeHtml(c.network)}</span>${link}`,
  };
}

/**
 * Set while `renderReportHtmlChunks` renders: each table's rows are left out of the page text (a
 * marker stands in their place) and rendered in batches as the page is written, so a 200k-row
 * inventory is never one string (issue 22, memory).
 */
let deferredTables: { marker: string; bodies: (() => Iterable<string>)[] } | undefined;

/**
 * A table of `items`, each rendered to its cells by `toRow` only when its row is written (no
 * array of 200k row arrays is built first).
 */
function table<T>(id: string, headers: string[], items: Iterable<T> & { readonly length: number }, toRow: (item: T) => unknown[], rowAttrs?: (item: T) => string): string {
  if (items.length === 0) return `<p class="empty" id="${id}-empty">None.</p>`;
  const row = (item: T): string => `<tr${rowAttrs ? ` ${rowAttrs(item)}` : ''}>${toRow(item).map((v, k) => cell(v, columnClass(headers[k] ?? '', v))).join('')}</tr>`;
  const head = `<table id="${id}" data-rows="${items.length}"><thead><tr>${headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>\n`;
  if (deferredTables === undefined) return `${head}${[...items].map(row).join('\n')}\n</tbody></table>`;
  deferredTables.bodies.push(function* body() {
    const batch = 500;
    let text = '';
    let inBatch = 0;
    let written = 0;
    for (const item of items) {
      text += inBatch === 0 ? row(item) : `\n${row(item)}`;
      written++;
      if (++inBatch === batch) {
        yield `${text}${written < items.length ? '\n' : ''}`;
        text = '';
        inBatch = 0;
      }
    }
    if (inBatch > 0) yield text;
  });
  return `${head}${deferredTables.marker}\n</tbody></table>`;
}

/** The page as `renderReportHtml` renders it, in pieces: table rows in batches of 500. */
export function* renderReportHtmlChunks(data: ReportData): Generator<string> {
  // A marker no value can contain: the page text is built before any attacker value is split on it.
  const marker = `\u0000table-${randomUUID()}\u0000`;
  const tables = { marker, bodies: [] as (() => Iterable<string>)[] };
  deferredTables = tables;
  let page: string;
  try {
    page = renderReportHtml(data);
  } finally {
    deferredTables = undefined;
  }
  const parts = page.split(marker);
  page = '';
  for (let i = 0; i < parts.length; i++) {
    yield parts[i] ?? '';
    const body = tables.bodies[i];
    if (i < parts.length - 1 && body !== undefined) yield* body();
  }
}

/** A horizontal bar chart of open and resolved exceptions per type. */
export function barChart(counts: readonly TypeCount[]): string {
  const rowH = 22;
  const labelW = labelWidth(counts.map((c) => c.type));
  const barW = 360;
  const max = Math.max(1, ...counts.map((c) => c.open + c.resolved));
  const h = counts.length * rowH + 30;
  const bars = counts.map((c, i) => {
    const y = i * rowH + 4;
    const wOpen = Math.round((c.open / max) * barW);
    const wRes = Math.round((c.resolved / max) * barW);
    return `<text x="${labelW - 6}" y="${y + 13}" text-anchor="end">${escapeHtml(c.type)}</text>` +
      `<rect class="open sev-${escapeHtml(c.severity)}" x="${labelW}" y="${y}" width="${wOpen}" height="16"><title>${c.open} open (${escapeHtml(c.severity)})</title></rect>` +
      `<rect class="resolved" x="${labelW + wOpen}" y="${y}" width="${wRes}" height="16"><title>${c.resolved} resolved</title></rect>` +
      `<text x="${labelW + wOpen + wRes + 6}" y="${y + 13}">${c.open} open${c.resolved > 0 ? `, ${c.resolved} resolved` : ''}</text>`;
  }).join('\n');
  const legendY = counts.length * rowH + 14;
  return `<svg id="chart" xmlns="http://www.w3.org/2000/svg" width="${labelW + barW + 140}" height="${h}" role="img" aria-label="Exceptions by type">\n${bars}\n` +
    ['high', 'medium', 'low'].map((sev, i) => `<rect class="open sev-${sev}" x="${labelW + i * 110}" y="${legendY}" width="12" height="12"/><text x="${labelW + i * 110 + 16}" y="${legendY + 11}">open, ${sev}</text>`).join('') +
    `<rect class="resolved" x="${labelW + 330}" y="${legendY}" width="12" height="12"/><text x="${labelW + 346}" y="${legendY + 11}">resolved</text></svg>`;
}

/** Widest label a chart gives room to, in characters; a longer one is cut in the middle (full text in its tooltip). */
export const CHART_LABEL_MAX = 44;
/** Width of a 12 px system-ui character for sizing label columns: a capital's (`X` is 8.2 px in DejaVu Sans), so no label is cut. */
const CHAR_W = 8.4;

/** A label cut in the middle to `max` characters (`Philips Medical…MX800: N.00.01`), whole when it fits. */
export function elideMiddle(text: string, max = CHART_LABEL_MAX): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  const head = Math.ceil((max - 1) / 2);
  return `${chars.slice(0, head).join('')}…${chars.slice(chars.length - (max - 1 - head)).join('')}`;
}

/** The label column's width: the longest (elided) label, at least 80 px. */
function labelWidth(labels: readonly string[]): number {
  return Math.max(80, Math.ceil(Math.max(0, ...labels.map((l) => [...elideMiddle(l)].length)) * CHAR_W) + 12);
}

/** One bar of a chart: its label, its value and what the bar is out of (omitted: the largest value). */
export interface Bar { label: string; value: number; of?: number; note?: string }

/**
 * A horizontal bar chart as inline SVG: one `<g class="bar">` per bar carrying data-label and
 * data-value (and data-of when the bar is a share), so what the chart shows can be checked.
 */
export function hbarChart(id: string, title: string, bars: readonly Bar[]): string {
  if (bars.length === 0) return `<p class="empty" id="${id}-empty">Nothing to chart.</p>`;
  const rowH = 20;
  const labelW = labelWidth(bars.map((b) => b.label));
  const barW = 320;
  const max = Math.max(1, ...bars.map((b) => b.of ?? b.value));
  const rows = bars.map((b, i) => {
    const y = i * rowH + 2;
    const of = b.of ?? max;
    const w = of <= 0 ? 0 : Math.round((b.value / of) * barW);
    const text = b.note ?? (b.of === undefined ? String(b.value) : `${b.value}/${b.of}${b.of > 0 ? ` (${Math.round((b.value / b.of) * 100)}%)` : ''}`);
    return `<g class="bar" data-label="${escapeHtml(b.label)}" data-value="${b.value}"${b.of === undefined ? '' : ` data-of="${b.of}"`}>` +
      `<text x="${labelW - 6}" y="${y + 13}" text-anchor="end">${escapeHtml(elideMiddle(b.label))}<title>${escapeHtml(b.label)}</title></text>` +
      (b.of === undefined ? '' : `<rect class="track" x="${labelW}" y="${y}" width="${barW}" height="15"/>`) +
      `<rect class="value" x="${labelW}" y="${y}" width="${w}" height="15"><title>${escapeHtml(b.label)}: ${escapeHtml(text)}</title></rect>` +
      `<text x="${labelW + barW + 6}" y="${y + 13}">${escapeHtml(text)}</text></g>`;
  }).join('\n');
  return `<svg id="${id}" class="chart" xmlns="http://www.w3.org/2000/svg" width="${labelW + barW + 130}" height="${bars.length * rowH + 6}" role="img" aria-label="${escapeHtml(title)}" data-bars="${bars.length}">\n${rows}\n</svg>`;
}

/** One row of a stacked chart: a label and the value of each segment, in the chart's segment order. */
export interface StackedBar { label: string; values: readonly number[] }

/**
 * A horizontal stacked bar chart as inline SVG (open exceptions per VLAN, one segment per
 * severity): each `<g class="bar">` carries data-label and data-total, each segment's rect
 * data-segment and data-value; a legend names the segments.
 */
export function stackedChart(id: string, title: string, segments: readonly string[], bars: readonly StackedBar[]): string {
  if (bars.length === 0) return `<p class="empty" id="${id}-empty">Nothing to chart.</p>`;
  const rowH = 20;
  const labelW = labelWidth(bars.map((b) => b.label));
  const barW = 320;
  const total = (b: StackedBar): number => b.values.reduce((n, v) => n + v, 0);
  const max = Math.max(1, ...bars.map(total));
  const rows = bars.map((b, i) => {
    const y = i * rowH + 2;
    let x = labelW;
    const rects = segments.map((seg, k) => {
      const v = b.values[k] ?? 0;
      const w = Math.round((v / max) * barW);
      const r = v === 0 ? '' : `<rect class="seg sev-${escapeHtml(seg)}" data-segment="${escapeHtml(seg)}" data-value="${v}" x="${x}" y="${y}" width="${w}" height="15"><title>${escapeHtml(b.label)}: ${v} ${escapeHtml(seg)}</title></rect>`;
      x += w;
      return r;
    }).join('');
    const text = segments.map((seg, k) => ((b.values[k] ?? 0) > 0 ? `${b.values[k] ?? 0} ${seg}` : '')).filter((t) => t !== '').join(', ');
    return `<g class="bar" data-label="${escapeHtml(b.label)}" data-total="${total(b)}">` +
      `<text x="${labelW - 6}" y="${y + 13}" text-anchor="end">${escapeHtml(elideMiddle(b.label))}<title>${escapeHtml(b.label)}</title></text>${rects}` +
      `<text x="${labelW + barW + 6}" y="${y + 13}">${escapeHtml(text)}</text></g>`;
  }).join('\n');
  const legendY = bars.length * rowH + 8;
  const legend = segments.map((seg, k) => `<rect class="seg sev-${escapeHtml(seg)}" x="${labelW + k * 90}" y="${legendY}" width="12" height="12"/><text x="${labelW + k * 90 + 16}" y="${legendY + 11}">${escapeHtml(seg)}</text>`).join('');
  return `<svg id="${id}" class="chart stacked" xmlns="http://www.w3.org/2000/svg" width="${labelW + barW + 200}" height="${legendY + 18}" role="img" aria-label="${escapeHtml(title)}" data-bars="${bars.length}">\n${rows}\n${legend}</svg>`;
}

/** How many items per key; an item whose key is undefined is left out. */
const countBy = <T>(items: Iterable<T>, key: (t: T) => string | undefined): Map<string, number> => {
  const m = new Map<string, number>();
  for (const t of items) {
    const k = key(t);
    if (k !== undefined) m.set(k, (m.get(k) ?? 0) + 1);
  }
  return m;
};
const sortedBars = (m: Map<string, number>): Bar[] => [...m].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([label, value]) => ({ label, value }));

/** The packet's charts, computed from the same rows as its tables. */
export function reportCharts(data: ReportData): { severityVlan: string; vlan: string; fields: string; category: string; type: string; firmware: string; timeline: string } {
  const severityVlan = stackedChart('chart-severity-vlan', 'Open exceptions by VLAN and severity', ['high', 'medium', 'low'],
    data.bySeverityVlan.map((v) => ({ label: v.vlan === 'none' ? 'no VLAN' : `VLAN ${v.vlan}`, values: [v.high, v.medium, v.low] })));
  const vlan = hbarChart('chart-completeness-vlan', 'Required fields known per VLAN',
    data.byVlan.map((v) => ({ label: v.vlan === null ? 'no VLAN' : `VLAN ${String(v.vlan)}`, value: v.required_known, of: v.required_total })));
  const inv = data.inventory;
  const fields = hbarChart('chart-completeness-field', 'Inventory rows with each required field',
    REQUIRED_FIELDS.map((f) => ({ label: f, value: inv.count((r) => r[f] !== null && r[f] !== ''), of: inv.length })));
  const category = hbarChart('chart-category', 'Devices by category', sortedBars(countBy(inv, (r) => r.category ?? 'unknown')));
  const type = hbarChart('chart-type', 'Devices by type', sortedBars(countBy(inv, (r) => (r.device_type ?? 'type unknown').replace(/[_-]+/g, ' ').toLowerCase())));
  const firmware = hbarChart('chart-firmware', 'Devices per model and firmware version',
    sortedBars(countBy(inv, (r) => (r.model === null ? undefined : `${r.manufacturer ?? '?'} ${r.model}: ${r.firmware ?? 'firmware unknown'}`))));
  const days = new Map<string, { opened: number; resolved: number }>();
  const day = (ts: string | null): string | null => (ts === null || ts.length < 10 ? null : ts.slice(0, 10));
  for (const e of data.register) {
    const o = day(e.opened_ts);
    if (o !== null) { const d = days.get(o) ?? { opened: 0, resolved: 0 }; d.opened++; days.set(o, d); }
    const r = day(e.resolved_ts);
    if (r !== null) { const d = days.get(r) ?? { opened: 0, resolved: 0 }; d.resolved++; days.set(r, d); }
  }
  const timeline = hbarChart('chart-exceptions-time', 'Exceptions opened and resolved per day (capture time)',
    [...days].sort((a, b) => a[0].localeCompare(b[0])).flatMap(([d, c]) => [
      { label: `${d} opened`, value: c.opened },
      { label: `${d} resolved`, value: c.resolved },
    ]));
  return { severityVlan, vlan, fields, category, type, firmware, timeline };
}

const CSS = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em;color:#1b1f24;max-width:1400px}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;margin-top:2em;border-bottom:1px solid #d0d7de;padding-bottom:.2em}
.meta{color:#57606a}.tiles{display:flex;gap:1em;flex-wrap:wrap;margin:1em 0}
.tile{border:1px solid #d0d7de;border-radius:6px;padding:.6em 1em;min-width:9em}.tile b{display:block;font-size:1.6em}
table{border-collapse:collapse;margin:.5em 0;font-size:13px}th,td{border:1px solid #d0d7de;padding:3px 6px;text-align:left;vertical-align:top}
th{background:#f6f8fa}td.none{color:#8c959f}tr.sev-high td:first-child{border-left:4px solid #cf222e}
tr.sev-medium td:first-child{border-left:4px solid #bf8700}tr.sev-low td:first-child{border-left:4px solid #8c959f}
svg text{font-size:12px;fill:#1b1f24}svg.chart rect.track{fill:#eaeef2}svg.chart rect.value{fill:#0969da}svg rect.open{fill:#cf222e}svg rect.sev-medium{fill:#bf8700}svg rect.sev-low{fill:#8c959f}svg rect.resolved{fill:#2da44e}svg rect.seg.sev-high{fill:#cf222e}svg rect.seg.sev-medium{fill:#bf8700}svg rect.seg.sev-low{fill:#8c959f}
.empty{color:#57606a;font-style:italic}
td{overflow-wrap:break-word}td.nw{white-space:nowrap}td.long{overflow-wrap:anywhere}svg.chart{display:block;margin:.4em 0}table{max-width:100%}
td.disagree{background:#fff1e5}td.disagree span{display:block}td.disagree .rec{color:#57606a;text-decoration:line-through}td.disagree .net{font-weight:600;color:#9a3412}
a.ex-link{font-size:11px}tr:target{outline:2px solid #0969da}
dl.header{display:grid;grid-template-columns:max-content 1fr;gap:.1em 1em;margin:.5em 0}dl.header dt{color:#57606a}dl.header dd{margin:0}
@page{size:A4 landscape;margin:10mm}
@media print{body{margin:0;max-width:none;font-size:9pt}table{font-size:7.5pt;width:100%;page-break-inside:auto}th,td{padding:2px 3px}
thead{display:table-header-group}tr{break-inside:avoid;page-break-inside:avoid}h2{break-after:avoid}
.tiles{gap:.4em}.tile{padding:.3em .6em}a{color:inherit;text-decoration:none}}`;

function headerList(data: ReportData): string {
  const h = data.header;
  if (h === undefined) return '';
  const files = h.captures.filter((c) => c.kind === 'file');
  const live = h.captures.filter((c) => c.kind === 'live');
  const capturesText = [files.length > 0 ? `${files.length} file(s): ${files.map((c) => c.path.split('/').pop()).join(', ')}` : '', live.length > 0 ? `${live.length} live session(s) on ${[...new Set(live.map((c) => c.path.replace(/^live:/, '')))].join(', ')}` : '']
    .filter((t) => t !== '').join('; ');
  return `<dl class="header" id="header" data-captures="${h.captures.length}">
<dt>Capture period</dt><dd id="period">${h.periodStart === null ? 'nothing captured' : `${escapeHtml(h.periodStart)} – ${escapeHtml(h.periodEnd)}`}</dd>
<dt>Captures</dt><dd id="captures">${escapeHtml(capturesText || 'none')} (${h.captures.reduce((n, c) => n + c.frames, 0)} frames)</dd>
<dt>Sensor</dt><dd id="sensor">${escapeHtml(h.sensor)}, auscult <span id="version">${escapeHtml(h.version)}</span></dd>
<dt>Coverage</dt><dd id="coverage">${h.coverage.devices} devices heard on ${h.coverage.vlans} VLAN(s); switch port known for ${h.coverage.withPort} of ${h.coverage.devices}</dd>
</dl>`;
}

/** The whole page. */
export function renderReportHtml(data: ReportData): string {
  const open = data.register.filter((e) => e.status === 'open');
  const resolved = data.register.length - open.length;
  const complete = data.inventory.count((r) => r.required_known === REQUIRED_FIELDS.length);
  const tile = (id: string, value: number, label: string): string =>
    `<div class="tile" id="${id}" data-count="${value}"><b>${value}</b>${escapeHtml(label)}</div>`;
  const pctText = (k: number, t: number): string => (t === 0 ? '' : `${Math.round((k / t) * 100)}%`);
  const sor = data.sor;
  const charts = reportCharts(data);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>auscult evidence packet</title><style>${CSS}</style></head><body>
<h1>Medical device inventory: evidence packet</h1>
${headerList(data)}
<p class="meta">As of capture time <span id="as-of">${escapeHtml(data.asOf)}</span>.
System of record: ${sor === undefined ? 'none imported' : `${escapeHtml(sor.file)} (snapshot ${sor.id}, ${sor.rows} records, sha256 ${escapeHtml(sor.sha256.slice(0, 16))}…, imported ${escapeHtml(sor.importedAt)})`}.
Every observed value can be checked with <code>tshark -r &lt;capture&gt; -Y frame.number==&lt;frame&gt;</code>. HICP 405(d) practice 9.1.</p>
<div class="tiles">
${tile('count-inventory', data.inventory.length, 'inventory rows')}
${tile('count-complete', complete, 'with every required field')}
${tile('count-open', open.length, 'open exceptions')}
${tile('count-resolved', resolved, 'resolved exceptions')}
${tile('count-changes', data.changes.length, 'changes logged')}
${tile('count-out-of-coverage', data.outOfCoverage.length, 'records out of coverage')}
</div>

<h2>Exceptions by type</h2>
${barChart(data.byType)}
${table('by-type', ['type', 'severity', 'open', 'resolved', 'meaning'],
    data.byType, (t) => [t.type, t.severity, t.open, t.resolved, EXCEPTION_KINDS[t.type].description],
    (t) => `data-type="${escapeHtml(t.type)}" data-open="${t.open}" data-resolved="${t.resolved}"`)}

<h2>Open exceptions by VLAN and severity</h2>
${charts.severityVlan}

<h2>Inventory</h2>
<p class="meta">Required (HICP 9.1): manufacturer, model, firmware, network location. Recommended: OS, FDA class.
A value comes from the system of record, else from the network; where the two disagree the cell shows both
(record struck through, network in bold) and links to the exception raised about it (values that differ only in
spelling, such as <code>Gi1/0/8</code> and <code>gi1-0-8</code>, are not disagreements). Source: <i>both</i> = record matched to a device,
<i>network</i> = heard but in no record, <i>record</i> = in the record but not heard.</p>
${table('inventory', ['source', 'asset id', 'MAC', 'IP', 'hostname', 'VLAN', 'category', 'manu\u00adfacturer', 'model', 'firmware', 'network location', 'OS', 'FDA class', 'required', 'recom\u00admended'],
    data.inventory, (r) => [r.source, r.asset_id, r.mac, r.ip, r.hostname, compared(r, 'vlan', r.vlan), r.category, compared(r, 'manufacturer', r.manufacturer),
      compared(r, 'model', r.model), compared(r, 'firmware', r.firmware), compared(r, 'network_location', r.network_location), r.os, r.fda_class,
      `${r.required_known}/${REQUIRED_FIELDS.length}`, `${r.recommended_known}/${RECOMMENDED_FIELDS.length}`],
    (r) => `data-disagree="${Object.values(r.compare).filter((c) => c.exception !== null).length}"`)}

<h2>Completeness per VLAN</h2>
${charts.vlan}
${table('completeness-vlan', ['VLAN', 'devices', 'all required fields', 'required fields known', 'recommended fields known'],
    data.byVlan, (v) => [v.vlan, v.devices, v.complete_devices, pctText(v.required_known, v.required_total), pctText(v.recommended_known, v.recommended_total)],
    (v) => `data-vlan="${escapeHtml(v.vlan)}" data-devices="${v.devices}"`)}

<h2>Completeness per required field</h2>
${charts.fields}

<h2>Device make-up by category and type</h2>
${charts.category}
${charts.type}

<h2>Firmware versions per model</h2>
${charts.firmware}

<h2>Exceptions opened and resolved over time</h2>
${charts.timeline}

<h2>Change log (firmware changes and moves)</h2>
${table('changes', ['time (capture)', 'device', 'hostname', 'field', 'old', 'new', 'evidence'],
    data.changes, (c) => [c.ts, c.mac ?? c.device_id, c.hostname, c.field, c.old_value, c.new_value, c.capture === null ? c.source : `${c.source ?? ''} ${c.capture}#${c.frame ?? '?'}`])}

<h2>Exception register</h2>
<p class="meta">In severity order (high, medium, low), open before resolved.</p>
${table('register', ['severity', 'type', 'status', 'asset id', 'MAC', 'field', 'expected', 'observed', 'opened', 'resolved', 'message', 'event id'],
    data.register, (e) => [e.severity, e.type, e.status, e.asset_id, e.mac, e.field, e.expected, e.observed, e.opened_ts, e.resolved_ts, e.message, e.event_id],
    (e) => `id="ex-${escapeHtml(e.event_id)}" class="sev-${escapeHtml(e.severity)}" data-status="${escapeHtml(e.status)}"`)}

<h2>Records out of coverage</h2>
<p class="meta">Not heard, and on no VLAN or subnet the sensor hears: a monitoring gap, not an exception.</p>
${table('out-of-coverage', ['line', 'asset id', 'MAC', 'IP', 'VLAN', 'hostname', 'location'],
    data.outOfCoverage, (r) => [r.line, r.assetId, r.macs.join(' '), r.ips.join(' '), r.vlan, r.hostname, r.location ?? r.room])}
${renderPatchSection(data.patch)}
${renderProfileSection(data.profile)}
<p class="meta">Generated by auscult. CSV files beside this page: inventory.csv, completeness.csv, exceptions.csv, changes.csv${data.patch === undefined ? '' : ', exposure.csv, patches.csv, deferrals.csv, fleet.csv'}.</p>
</body></html>
`;
}

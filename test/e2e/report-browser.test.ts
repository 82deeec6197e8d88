/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The evidence packet in a real browser, driven through playwright-core (Debian's `chromium`;
 * playwright downloads no browser): what a person sees, not just that it renders.
 * - in a 1400 px window nothing scrolls sideways, even with a hostile export's long values;
 * - every chart label is whole inside its chart (none cut at the left edge);
 * - the VLAN × severity chart adds up to the open exceptions of the register, per severity;
 * - each record/network disagreement's link, clicked, brings its register row into view, and
 *   that row is the open exception about the same field;
 * - printed (print media, A4 landscape), no table is wider than the page, table headers repeat,
 *   and the PDF has landscape pages.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auscult, ROOT } from '../helpers/cli.js';
import { CHROMIUM, titled, toolMissing } from '../helpers/tools.js';

const NO_BROWSER = process.env['AUSCULT_SKIP_BROWSER'] === '1' ? 'AUSCULT_SKIP_BROWSER=1' : toolMissing('chromium');

let dir: string;
let browser: Browser | undefined;
let page: Page;
let out: string;

function ok(args: string[]): void {
  const r = auscult(args);
  expect(r.code, `${args.join(' ')}\n${r.stderr}`).toBe(0);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'auscult-e2e-report-browser-'));
  if (NO_BROWSER !== null || CHROMIUM === undefined) return;
  const db = join(dir, 'demo.db');
  out = join(dir, 'packet');
  ok(['replay', join(ROOT, 'fixtures/demo/hospital-demo.pcapng'), '--db', db, '--stream', join(dir, 'demo.ndjson')]);
  // The demo export plus a record with long unbroken values, as a careless or hostile export has.
  const long = 'X'.repeat(90);
  const csv = join(dir, 'export.csv');
  writeFileSync(csv, `${readFileSync(join(ROOT, 'fixtures/demo/sor-export.csv'), 'utf8').trimEnd()}\n` +
    `BME-LONG-${long},Vendor${long},Model${long},SN-${long},00:00:5e:00:53:77,10.20.101.250,HOST-${long},101,ICU,ICU-99,SW-${long},Gi1/0/99,FW-${long},,II,Device type ${long},\n`);
  ok(['import', csv, '--db', db]);
  ok(['report', '--db', db, '--out', out, '--stream', join(dir, 'demo.ndjson')]);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'] });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`file://${join(out, 'index.html')}`);
});

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

const csvRows = (name: string): Record<string, string>[] => parse(readFileSync(join(out, name)), { columns: true }) as Record<string, string>[];

describe.skipIf(NO_BROWSER !== null)(titled('the evidence packet in headless Chromium (playwright-core)', NO_BROWSER), () => {
  it('fits a 1400 px window: no sideways scrolling, no table wider than the page', async () => {
    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      view: document.documentElement.clientWidth,
      tables: [...document.querySelectorAll('table')].map((t) => ({ id: t.id, right: Math.ceil(t.getBoundingClientRect().right) })),
    }));
    expect(widths.page).toBeLessThanOrEqual(widths.view);
    for (const t of widths.tables) expect(t.right, t.id).toBeLessThanOrEqual(widths.view);
    expect(widths.tables.map((t) => t.id)).toEqual(expect.arrayContaining(['inventory', 'register']));
  });

  it('shows every chart label whole, inside its chart', async () => {
    const labels = await page.evaluate(() => [...document.querySelectorAll('svg')].flatMap((svg) => {
      const box = svg.getBoundingClientRect();
      return [...svg.querySelectorAll('text')].map((t) => {
        const r = t.getBoundingClientRect();
        return { chart: svg.id, text: t.textContent ?? '', left: r.left - box.left, right: box.right - r.right };
      });
    }));
    expect(labels.length).toBeGreaterThan(30);
    for (const l of labels) {
      expect(l.left, `${l.chart}: ${l.text}`).toBeGreaterThanOrEqual(0);
      expect(l.right, `${l.chart}: ${l.text}`).toBeGreaterThanOrEqual(0);
    }
    // The long model name is cut in the middle, and its tooltip holds it whole.
    const long = page.locator(`#chart-firmware g.bar[data-label*="Model${'X'.repeat(90)}"]`);
    expect(await long.count()).toBe(1);
    expect(await long.locator('text').first().evaluate((t) => t.firstChild?.textContent ?? '')).toMatch(/^Vendor.*….*X$/);
    expect(await long.locator('text title').first().textContent()).toContain(`Model${'X'.repeat(90)}`);
  });

  it('charts open exceptions by VLAN and severity, adding up to the register', async () => {
    const open = csvRows('exceptions.csv').filter((e) => e['status'] === 'open');
    const segments = await page.evaluate(() => [...document.querySelectorAll('#chart-severity-vlan g.bar rect.seg')].map((r) => ({
      vlan: r.closest('g.bar')?.getAttribute('data-label') ?? '', severity: r.getAttribute('data-segment') ?? '', value: Number(r.getAttribute('data-value')),
    })));
    for (const sev of ['high', 'medium', 'low']) {
      expect(segments.filter((s) => s.severity === sev).reduce((n, s) => n + s.value, 0), sev).toBe(open.filter((e) => e['severity'] === sev).length);
    }
    // The wrong-VLAN monitor is heard on VLAN 101: its medium exception is counted there.
    expect(segments.some((s) => s.vlan === 'VLAN 101' && s.severity === 'medium')).toBe(true);
    await expect.poll(() => page.locator('#chart-severity-vlan').isVisible()).toBe(true);
  });

  it('links each disagreement to its exception: clicking brings the register row into view, about the same field', async () => {
    const links = page.locator('td.disagree a.ex-link');
    const n = await links.count();
    expect(n).toBe(4); // the demo's stale firmware, wrong VLAN, missing firmware and moved monitor
    const open = new Map(csvRows('exceptions.csv').filter((e) => e['status'] === 'open').map((e) => [e['event_id'] ?? '', e]));
    const fieldOfColumn: Record<string, string[]> = { VLAN: ['vlan'], firmware: ['firmware'], manufacturer: ['manufacturer'], model: ['model'], 'network location': ['switch', 'port', 'room', 'location', 'network_location'] };
    for (let i = 0; i < n; i++) {
      const link = links.nth(i);
      const column = await link.evaluate((a) => {
        const td = a.closest('td') as HTMLTableCellElement;
        return td.closest('table')?.querySelectorAll('thead th')[td.cellIndex]?.textContent ?? '';
      });
      const id = ((await link.getAttribute('href')) ?? '').replace(/^#ex-/, '');
      await page.evaluate(() => window.scrollTo(0, 0));
      await link.click();
      const row = page.locator(`tr[id="ex-${id}"]`);
      await expect.poll(() => row.isVisible()).toBe(true);
      const inView = await row.evaluate((tr) => { const r = tr.getBoundingClientRect(); return r.bottom > 0 && r.top < window.innerHeight; });
      expect(inView, `${column} → ${id}`).toBe(true);
      const exception = open.get(id);
      expect(exception, id).toBeDefined();
      expect(fieldOfColumn[column] ?? [], `${column} → ${exception?.['field'] ?? ''}`).toContain(exception?.['field']);
    }
  });

  it('prints on A4 landscape without a cut column and with table headers repeated', async () => {
    await page.emulateMedia({ media: 'print' });
    // A4 landscape less the 10 mm margins of the page's @page rule, at 96 px per inch.
    const printable = Math.floor(((297 - 20) / 25.4) * 96);
    await page.setViewportSize({ width: printable, height: 700 });
    const layout = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      tables: [...document.querySelectorAll('table')].map((t) => ({ id: t.id, right: Math.ceil(t.getBoundingClientRect().right) })),
      thead: [...document.querySelectorAll('thead')].map((h) => getComputedStyle(h).display),
    }));
    expect(layout.page).toBeLessThanOrEqual(printable);
    for (const t of layout.tables) expect(t.right, t.id).toBeLessThanOrEqual(printable);
    expect(new Set(layout.thead)).toEqual(new Set(['table-header-group']));
    const pdf = await page.pdf({ preferCSSPageSize: true, printBackground: true });
    const sizes = [...pdf.toString('latin1').matchAll(/\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/g)].map((m) => [Number(m[1]), Number(m[2])]);
    expect(sizes.length).toBeGreaterThan(1);
    for (const [w = 0, h = 0] of sizes) {
      expect(Math.round(w)).toBe(842);
      expect(Math.round(h)).toBe(595);
    }
    await page.emulateMedia({ media: 'screen' });
    await page.setViewportSize({ width: 1400, height: 900 });
  });
});

import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { devicesCsv } from '../../../src/cli/devices.js';
import { barChart, escapeHtml } from '../../../src/output/report-html.js';
import { toCsv } from '../../../src/output/report.js';
import { device } from './fixtures.js';

describe('report output escaping', () => {
  it('escapeHtml escapes markup and both quote kinds; null is empty', () => {
    expect(escapeHtml('<img src=x onerror="a(\'1\')">&')).toBe('&lt;img src=x onerror=&quot;a(&#39;1&#39;)&quot;&gt;&amp;');
    expect(escapeHtml(null)).toBe('');
    expect(escapeHtml(42)).toBe('42');
  });

  it('CSV cells starting with = + - @ are prefixed so a spreadsheet shows them as text; values round-trip otherwise', () => {
    const text = toCsv(['a', 'b'], [['=1+1', '+cmd|/c calc'], ['@SUM(A1)', '-2+3'], ['plain, "quoted"', null]]);
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => [r['a'], r['b']])).toEqual([["'=1+1", "'+cmd|/c calc"], ["'@SUM(A1)", "'-2+3"], ['plain, "quoted"', '']]);
  });

  it('devices --csv escapes attacker-controlled host names', () => {
    const text = devicesCsv([device({ mac: '00:00:5e:00:53:01', hostname: '=HYPERLINK("http://evil.example")', ips: ['192.0.2.1', '192.0.2.2'] })]);
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows[0]?.['hostname']).toBe('\'=HYPERLINK("http://evil.example")');
    expect(rows[0]?.['ips']).toBe('192.0.2.1 192.0.2.2');
  });

  it('the bar chart scales bars to the largest count', () => {
    const svg = barChart([
      { type: 'stale_firmware', severity: 'medium', open: 4, resolved: 0 },
      { type: 'never_seen', severity: 'medium', open: 1, resolved: 1 },
    ]);
    // The label column is as wide as the longest label ("stale_firmware"); bars start after it.
    const x = Number(/<rect class="open sev-medium" x="(\d+)" y="4" width="360"/.exec(svg)?.[1]);
    expect(x).toBeGreaterThanOrEqual(100);
    expect(svg).toContain(`<rect class="open sev-medium" x="${x}" y="26" width="90"`);
    expect(svg).toContain(`<rect class="resolved" x="${x + 90}" y="26" width="90"`);
  });
});

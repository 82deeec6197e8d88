/**
 * Human output is terminal-safe and fits the terminal: control characters in any value are
 * escaped (an LLDP system name or a CSV cell cannot drive the terminal), tables fit the width by
 * wrapping at spaces and then eliding the middle of long words, a last line says how many values
 * were shortened, and `--wide` (width 0) prints every value whole. Property tests (fast-check,
 * seed 21) check the width and escaping for any input.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { elideMiddle, formatTable, termSafe } from '../../../src/cli/common.js';

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

describe('termSafe', () => {
  it('escapes ESC, BEL, CR, DEL, C1 and direction overrides; leaves text, accents and … alone', () => {
    expect(termSafe('MON-\u001b]0;pwned\u0007-07')).toBe('MON-\\x1b]0;pwned\\x07-07');
    expect(termSafe('a\rb\nc\u007fd\u009be')).toBe('a\\x0db\\x0ac\\x7fd\\x9be');
    expect(termSafe('evil\u202egpj.exe')).toBe('evil\\u202egpj.exe');
    expect(termSafe('Zürich Bett 7 — Station 3…')).toBe('Zürich Bett 7 — Station 3…');
  });

  it('never lets a control character through, for any string', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => !CONTROL.test(termSafe(s))), { seed: 21, numRuns: 2000 });
  });
});

describe('formatTable', () => {
  const headers = ['MAC', 'MODEL', 'SWITCH PORT'];
  const rows = [['00:09:fb:1d:07:07', 'IntelliVue MX800', 'ICU-ACCESS-SW01 gi1-0-8'], ['9c:c8:ae:80:15:07', 'Alaris PC Unit 8015', null]];

  it('without a width, every value is whole and one line per row', () => {
    const t = formatTable(headers, rows, 0);
    expect(t.split('\n')).toHaveLength(3);
    expect(t).toContain('ICU-ACCESS-SW01 gi1-0-8');
    expect(t).toContain('Alaris PC Unit 8015');
    expect(t).not.toContain('…');
  });

  it('at 50 columns it wraps at spaces first and loses nothing', () => {
    const t = formatTable(headers, rows, 50);
    for (const line of t.split('\n')) expect([...line].length).toBeLessThanOrEqual(50);
    expect(t).not.toContain('…');
    expect(t).toContain('00:09:fb:1d:07:07');
    expect(t).toMatch(/ICU-ACCESS-SW01\s*\n.*gi1-0-8/);
  });

  it('narrower still, long words keep both ends and the table says so', () => {
    const t = formatTable(headers, rows, 30);
    expect(t).toMatch(/00:0.*….*07/);
    expect(t.split('\n').at(-1)).toMatch(/^\(\d+ value\(s\) shortened with … to fit 30 columns; --wide shows every value in full\)$/);
  });

  it('escapes control characters in cells and headers', () => {
    const t = formatTable(['HOST\u0007'], [['pump\u001b[2J']], 0);
    expect(t).toBe('HOST\\x07\npump\\x1b[2J');
  });

  it('fits any width from 60 up for any values, and keeps both ends of each elided word', () => {
    const cell = fc.oneof(fc.constant(null), fc.string({ maxLength: 40 }));
    fc.assert(fc.property(fc.array(fc.array(cell, { minLength: 4, maxLength: 4 }), { maxLength: 6 }), fc.integer({ min: 60, max: 200 }), (rs, width) => {
      const t = formatTable(['A', 'BB', 'CCC', 'DDDD'], rs, width);
      const body = t.split('\n').filter((l) => !l.startsWith('('));
      return body.every((l) => [...l].length <= width && !CONTROL.test(l));
    }), { seed: 21, numRuns: 500 });
  });

  it('elideMiddle keeps the start and the end', () => {
    expect(elideMiddle('00:09:fb:1d:07:07', 9)).toBe('00:0…7:07');
    expect(elideMiddle('short', 9)).toBe('short');
  });
});

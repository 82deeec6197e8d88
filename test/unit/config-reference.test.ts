import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConfig, checkConfigFile, configSchema } from '../../src/config.js';
import { configSections, GENERATED, renderConfigReference, renderDefaultConfig } from '../../src/config-reference.js';
import { ROOT } from '../helpers/cli.js';

describe('generated config files (npm run config:reference)', () => {
  it('docs/config-reference.md is what the schema renders (regenerate and commit when this fails)', () => {
    expect(readFileSync(join(ROOT, GENERATED.reference), 'utf8')).toBe(renderConfigReference());
  });

  it('config/auscult.yaml is what the schema renders (regenerate and commit when this fails)', () => {
    expect(readFileSync(join(ROOT, GENERATED.defaultConfig), 'utf8')).toBe(renderDefaultConfig());
  });

  it('config/auscult.yaml loads cleanly and equals the built-in defaults', () => {
    const fromFile = checkConfigFile(join(ROOT, GENERATED.defaultConfig), { env: {} });
    expect(fromFile.issues).toEqual([]);
    expect(fromFile.config).toEqual(checkConfig(null, null, { env: {} }).config);
  });

  it('every leaf key of the schema is documented with a description, in both files', () => {
    const defaults = configSchema.parse({}) as Record<string, unknown>;
    const leaves: string[] = [];
    const walk = (o: Record<string, unknown>, path: string[]) => {
      for (const [k, v] of Object.entries(o)) {
        if (v !== null && typeof v === 'object' && !Array.isArray(v)) walk(v as Record<string, unknown>, [...path, k]);
        else leaves.push([...path, k].join('.'));
      }
    };
    walk(defaults, []);
    const documented = configSections().flatMap((s) => s.keys);
    expect(documented.map((k) => k.key).sort()).toEqual(leaves.sort());
    for (const k of documented) expect(k.description.length, k.key).toBeGreaterThan(10);
    const reference = renderConfigReference();
    const yaml = renderDefaultConfig();
    for (const key of leaves) {
      expect(reference, key).toContain(`\`${key}\``);
      expect(yaml, key).toMatch(new RegExp(`^\\s*${key.split('.').pop()!}: `, 'm'));
    }
  });
});

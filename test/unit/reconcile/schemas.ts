/**
 * \summary ajv validators for the JSON Schemas in schemas/ (draft 2020-12), shared by the tests
 * that write exception lines or devices JSON: every line a test writes is validated.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { expect } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const load = (name: string): object => JSON.parse(readFileSync(`${ROOT}schemas/${name}`, 'utf8')) as object;

const ajv = new Ajv2020({ allErrors: true, strict: true });
// exception.schema.json refers to it for `event_type: remote_session` lines (issue 20).
ajv.addSchema(load('remote-session.schema.json'));
export const validateExceptionLine = ajv.compile(load('exception.schema.json'));
export const validateDevices = ajv.compile(load('devices.schema.json'));

/** Parses NDJSON text and asserts every line is schema-valid; returns the parsed lines. */
export function expectValidLines(text: string): Record<string, unknown>[] {
  const lines = text.split('\n').filter((l) => l !== '');
  return lines.map((l, i) => {
    const v = JSON.parse(l) as Record<string, unknown>;
    const ok = validateExceptionLine(v);
    expect(ok, `line ${i + 1}: ${JSON.stringify(validateExceptionLine.errors)}`).toBe(true);
    return v;
  });
}

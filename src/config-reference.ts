/**
 * \summary Renders `docs/config-reference.md` and `config/auscult.yaml` from the config schema
 * (src/config.ts), so neither can drift from it. `npm run config:reference` writes both; a test
 * renders them again and asserts the committed files are identical (fastify's habit).
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { z } from 'zod';

import { configSchema, ENV_OVERRIDES } from './config.js';

/** One documented key. */
export interface ConfigKeyDoc {
  /** Dotted key, e.g. `capture.interface`. */
  key: string;
  type: string;
  default: unknown;
  description: string;
  env: string | null;
  /** Range or allowed values, when constrained. */
  constraint: string | null;
}

/** One section (`capture`, `limits.dhcp`, ...) and its keys. */
export interface ConfigSectionDoc {
  key: string;
  description: string;
  keys: ConfigKeyDoc[];
}

interface JsonSchemaNode {
  type?: string | string[];
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchemaNode>;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  anyOf?: JsonSchemaNode[];
}

/** Every section and key of the schema, in schema order. */
export function configSections(): ConfigSectionDoc[] {
  const root = z.toJSONSchema(configSchema, { io: 'input' }) as JsonSchemaNode;
  const sections: ConfigSectionDoc[] = [];
  const walk = (node: JsonSchemaNode, path: string[]) => {
    const keys: ConfigKeyDoc[] = [];
    const nested: [string, JsonSchemaNode][] = [];
    for (const [name, child] of Object.entries(node.properties ?? {})) {
      if (child.properties !== undefined) { nested.push([name, child]); continue; }
      const key = [...path, name].join('.');
      const members = child.anyOf ?? [child];
      const types = members.flatMap((m) => (Array.isArray(m.type) ? m.type : [m.type ?? 'any']));
      const constraint = child.enum !== undefined
        ? child.enum.map((v) => String(v)).join(', ')
        : child.minimum !== undefined || child.maximum !== undefined
          ? `${child.minimum ?? ''}..${child.maximum ?? ''}`
          : child.maxLength !== undefined ? `at most ${child.maxLength} characters` : null;
      keys.push({
        key,
        type: types.join(' or '),
        default: child.default,
        description: child.description ?? '',
        env: ENV_OVERRIDES.find((o) => o.key === key)?.env ?? null,
        constraint,
      });
    }
    if (path.length === 0 && keys.length > 0) {
      sections.push({ key: '', description: 'Keys at the top level of the file.', keys });
    } else if (path.length > 0 && (keys.length > 0 || nested.length === 0)) {
      sections.push({ key: path.join('.'), description: node.description ?? '', keys });
    } else if (path.length > 0) {
      sections.push({ key: path.join('.'), description: node.description ?? '', keys: [] });
    }
    for (const [name, child] of nested) walk(child, [...path, name]);
  };
  walk(root, []);
  return sections;
}

const inlineYaml = (v: unknown) => stringify(v, { lineWidth: 0, collectionStyle: 'flow' }).trimEnd();

/** The Markdown reference. */
export function renderConfigReference(): string {
  const out: string[] = [
    '# auscult configuration reference',
    '',
    '<!-- Generated from the schema in src/config.ts by `npm run config:reference`. Do not edit: a test fails when this file differs. -->',
    '',
    '`auscult run` reads a YAML file (`--config F`, else `$AUSCULT_CONFIG`, else `config/auscult.yaml` when present, else the defaults below).',
    'Precedence, highest first: command-line flags, environment variables, the file, the defaults.',
    'Unknown keys are errors. Every error reads `file:line:col: key: reason` and exits 78; `auscult config check [F]` prints them all',
    'and compiles the BPF filter without opening the interface.',
    '',
    '## Environment variables',
    '',
    '| variable | key |',
    '|---|---|',
    ...ENV_OVERRIDES.map((o) => `| \`${o.env}\` | \`${o.key}\` |`),
    '| `AUSCULT_CONFIG` | the config file itself |',
    '',
  ];
  for (const section of configSections()) {
    out.push(section.key === '' ? '## Top level' : `## \`${section.key}\``, '', section.description, '');
    if (section.keys.length === 0) continue;
    out.push('| key | type | default | env | description |', '|---|---|---|---|---|');
    for (const k of section.keys) {
      const def = `\`${inlineYaml(k.default).replace(/\|/g, '\\|')}\``;
      const type = k.constraint ? `${k.type} (${k.constraint})` : k.type;
      const env = k.env ? `\`${k.env}\`` : '';
      out.push(`| \`${k.key}\` | ${type} | ${def} | ${env} | ${k.description.replace(/\|/g, '\\|')} |`);
    }
    out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}

/** Wraps a description into `# ` comment lines of at most ~96 columns. */
function commentLines(text: string, indent: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    if (line !== '' && line.length + word.length + 1 > 96 - indent.length) { lines.push(`${indent}# ${line}`); line = word; } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(`${indent}# ${line}`);
  return lines;
}

/** The default config file: every key at its default, each with its description as a comment. */
export function renderDefaultConfig(): string {
  const out: string[] = [
    '# auscult default configuration. Generated from src/config.ts by `npm run config:reference`;',
    '# the reference with types and ranges is docs/config-reference.md. Copy to /etc/auscult/auscult.yaml',
    '# and change what you need; `auscult config check <file>` validates it.',
  ];
  let open: string[] = [];
  for (const section of configSections()) {
    const parts = section.key === '' ? [] : section.key.split('.');
    // Emit the headers of sections not yet open.
    let common = 0;
    while (common < open.length && common < parts.length && open[common] === parts[common]) common++;
    for (let depth = common; depth < parts.length; depth++) {
      const indent = '  '.repeat(depth);
      out.push('');
      if (depth === parts.length - 1) out.push(...commentLines(section.description, indent));
      out.push(`${indent}${parts[depth] ?? ''}:`);
    }
    open = parts;
    const indent = '  '.repeat(parts.length);
    for (const k of section.keys) {
      if (parts.length === 0) out.push('');
      out.push(...commentLines(`${k.description}${k.env ? ` Env: ${k.env}.` : ''}`, indent));
      out.push(`${indent}${k.key.split('.').pop() ?? ''}: ${inlineYaml(k.default)}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** Where the generated files live, relative to the repository root. */
export const GENERATED = { reference: 'docs/config-reference.md', defaultConfig: 'config/auscult.yaml' } as const;

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(GENERATED.reference, renderConfigReference());
  writeFileSync(GENERATED.defaultConfig, renderDefaultConfig());
  process.stderr.write(`wrote ${GENERATED.reference} and ${GENERATED.defaultConfig}\n`);
}

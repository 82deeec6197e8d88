/**
 * \summary The fingerprint rule file format (fingerprints/*.yaml, style.md §6) as a zod schema.
 *
 * A file names the observation field its rules match (`matches`) and a `preference` (0.10–0.90;
 * higher files are tried first, values outside are reserved for site overrides). Each rule has
 * exactly one matcher for that field (`pattern` regex, `exact`, `prefix` or `list`), optional
 * further conditions on other observation fields of the same device (`also`), a certainty, the
 * fields it sets (with `{1}` / `{name}` capture interpolation), 1–20 examples, optional fixtures
 * and a source.
 */
import { createRequire } from 'node:module';
import type * as Zod from 'zod';
import { DEVICE_FIELDS } from '../field-candidate.js';

/** Fields a rule may not set: they are derived from `device_type` (data/device-types.ts). */
export const DERIVED_FIELDS = ['category', 'fda_class', 'fda_product_code', 'fda_regulation'] as const;

/** Certainty tiers (p0f style) and the confidence each stands for. */
export const CERTAINTY_TIERS = { specific: 0.9, generic: 0.6 } as const;

const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const FIELD = /^[a-z0-9_]+(?:\.[a-z0-9_-]+)+$/;

const settable = DEVICE_FIELDS.filter((f) => !(DERIVED_FIELDS as readonly string[]).includes(f)) as string[];

/** The schemas, given zod. */
function build(z: typeof Zod.z) {
  const conditionSchema = z
    .object({
      exact: z.string().min(1).optional(),
      prefix: z.string().min(1).optional(),
      list: z.array(z.string().min(1)).min(1).max(1000).optional(),
      pattern: z.string().min(1).max(1000).optional(),
      ignore_case: z.boolean().optional(),
    })
    .strict()
    .refine((c) => [c.exact, c.prefix, c.list, c.pattern].filter((v) => v !== undefined).length === 1, {
      message: 'needs exactly one of exact, prefix, list, pattern',
    });

  const exampleSchema = z
    .object({
      input: z.union([z.string(), z.record(z.string().regex(FIELD, 'not an observation field name'), z.string())]),
      expect: z.record(z.string(), z.string()),
      description: z.string().optional(),
    })
    .strict();

  const ruleSchema = z
    .object({
      id: z.string().regex(ID, 'must be kebab-case (a-z, 0-9, single dashes)').max(80),
      description: z.string().min(1).max(200),
      matches: z.string().regex(FIELD, 'not an observation field name').optional(),
      exact: z.string().min(1).optional(),
      prefix: z.string().min(1).optional(),
      list: z.array(z.string().min(1)).min(1).max(1000).optional(),
      pattern: z.string().min(1).max(1000).optional(),
      ignore_case: z.boolean().optional(),
      also: z.record(z.string().regex(FIELD, 'not an observation field name'), conditionSchema).optional(),
      certainty: z.union([z.number().min(0.05).max(0.99), z.enum(['specific', 'generic'])]),
      set: z
        .record(z.string(), z.string().min(1).max(255))
        .refine((s) => Object.keys(s).length > 0, { message: 'sets no field' }),
      examples: z.array(exampleSchema).min(1, 'every rule needs at least one example').max(20, 'at most 20 examples'),
      fixtures: z.array(z.string().min(1)).optional(),
      source: z.string().min(1),
    })
    .strict()
    .superRefine((r, ctx) => {
      const n = [r.exact, r.prefix, r.list, r.pattern].filter((v) => v !== undefined).length;
      if (n !== 1) ctx.addIssue({ code: 'custom', message: 'needs exactly one of pattern, exact, prefix, list', path: ['pattern'] });
      for (const f of Object.keys(r.set)) {
        if ((DERIVED_FIELDS as readonly string[]).includes(f)) {
          ctx.addIssue({ code: 'custom', message: `${f} is derived from device_type (data/device-types.ts); do not set it`, path: ['set', f] });
        } else if (!settable.includes(f)) {
          ctx.addIssue({ code: 'custom', message: `unknown device field '${f}'`, path: ['set', f] });
        }
      }
    });

  const ruleFileSchema = z
    .object({
      matches: z.string().regex(FIELD, 'not an observation field name').optional(),
      preference: z.number().min(0).max(1),
      description: z.string().optional(),
      rules: z.array(ruleSchema).min(1, 'a rule file needs at least one rule'),
    })
    .strict();
  return { conditionSchema, exampleSchema, ruleSchema, ruleFileSchema };
}

let built: ReturnType<typeof build> | undefined;

/**
 * The schemas, built at first use (issue 14, start-up): zod (about 95 modules) is loaded only
 * when a rule file is not in the build's cache (spec-cache.ts).
 */
export function ruleSchemas(): ReturnType<typeof build> {
  return (built ??= build((createRequire(import.meta.url)('zod') as typeof Zod).z));
}

type Schemas = ReturnType<typeof build>;
export type RuleSpec = Zod.infer<Schemas['ruleSchema']>;
export type RuleFileSpec = Zod.infer<Schemas['ruleFileSchema']>;
export type ConditionSpec = Zod.infer<Schemas['conditionSchema']>;
export type ExampleSpec = Zod.infer<Schemas['exampleSchema']>;

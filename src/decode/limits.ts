/**
 * \summary A decoder's limits, declared once: each limit's config key, bounds, default and
 * description live in one `declareLimits` call next to the decoder. Everything else derives from
 * that declaration: the decoder's defaults (`.defaults`), the config schema section
 * (src/config.ts `limitSchema`), docs/config-reference.md and config/auscult.yaml (rendered from
 * the schema), and the config-to-runtime mapping (`limitsFromConfig`).
 *
 * Pure data, no zod here: decoders stay free of the config library; src/config.ts turns a
 * declaration into zod (so a decoder file can declare limits without importing outside decode/).
 */

/** One tunable limit as the config file spells it. */
export type LimitDecl<V> =
  | { kind: 'int'; key: string; min: number; max: number; default: V & number; describe: string; scale: number }
  | { kind: 'ports'; key: string; maxItems: number; default: V & readonly number[]; describe: string }
  | { kind: 'enum'; key: string; values: readonly string[]; default: V & string; describe: string };

/**
 * An integer limit. `scale`: config units to runtime units (e.g. 1,000,000 for a key in seconds
 * whose runtime value is microseconds); `def` is in runtime units and must divide by it.
 */
export const intLimit = (key: string, min: number, max: number, def: number, describe: string, scale = 1): LimitDecl<number> =>
  ({ kind: 'int', key, min, max, default: def, describe, scale });

/** A list of TCP/UDP ports (1..65535), at most `maxItems`. */
export const portsLimit = (key: string, maxItems: number, def: readonly number[], describe: string): LimitDecl<readonly number[]> =>
  ({ kind: 'ports', key, maxItems, default: Object.freeze([...def]), describe });

/** One of a fixed set of words. */
export const enumLimit = <V extends string>(key: string, values: readonly V[], def: V, describe: string): LimitDecl<V> =>
  ({ kind: 'enum', key, values, default: def, describe });

/** The runtime value type of each field of a declaration. */
export type LimitValues<F> = { -readonly [K in keyof F]: F[K] extends LimitDecl<infer V> ? V : never };

export interface LimitSection<F extends Record<string, LimitDecl<unknown>> = Record<string, LimitDecl<unknown>>, S extends string = string> {
  /** The key under `limits:` in the config file (`limits.<section>.<key>`); '' for NO_LIMITS. */
  section: S;
  /** The section's description in the config reference (names the file that declares it). */
  describe: string;
  fields: F;
  /** Every field's default, in runtime units: the decoder's default limits. */
  defaults: Readonly<LimitValues<F>>;
}

/** Declares a decoder's limits (see the file header). */
export function declareLimits<S extends string, F extends Record<string, LimitDecl<unknown>>>(section: S, describe: string, fields: F): LimitSection<F, S> {
  const defaults: Record<string, unknown> = {};
  for (const [name, decl] of Object.entries(fields)) defaults[name] = decl.default;
  return { section, describe, fields, defaults: Object.freeze(defaults) as Readonly<LimitValues<F>> };
}

/** A decoder without tunable limits: no config section, no runtime limits. */
export const NO_LIMITS = declareLimits('', '', {});

/** The config value of one limit (config units), as the schema's default. */
export function configDefault(decl: LimitDecl<unknown>): unknown {
  if (decl.kind === 'int') return decl.default / decl.scale;
  if (decl.kind === 'ports') return [...decl.default];
  return decl.default;
}

/**
 * Runtime limits from the validated config section `values` (`limits.<section>`, keys as in the
 * file). A key absent from `values` keeps its default.
 */
export function limitsFromConfig<F extends Record<string, LimitDecl<unknown>>>(decl: LimitSection<F, string>, values: Readonly<Record<string, unknown>>): LimitValues<F> {
  const out: Record<string, unknown> = {};
  for (const [name, d] of Object.entries(decl.fields)) {
    const v = values[d.key];
    if (v === undefined) out[name] = d.default;
    else if (d.kind === 'int') out[name] = (v as number) * d.scale;
    else out[name] = v;
  }
  return out as LimitValues<F>;
}

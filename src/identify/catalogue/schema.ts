/**
 * \summary The product catalogue file format (fingerprints/products/<manufacturer>.yaml) as a
 * zod schema (zod, as the fingerprint rules and the config use: one validator in the project).
 *
 * A file names one manufacturer (its canonical name in data/manufacturers.ts and
 * fingerprints/vocabulary/manufacturers.txt) and lists its product families. A family has a
 * stable id, a name, the device type it is (data/device-types.ts gives the category and FDA
 * product code, class and regulation), the model patterns devices and CMMS exports write for it,
 * 1–20 examples that must resolve to it, and a source.
 *
 * Pattern syntax (matched against the model text after normalisation: case, punctuation and
 * diacritics ignored, a letter–digit boundary or a space may be present or not): literal words,
 * `#` for one digit, `*` for any run of letters and digits within a word. A pattern matches
 * whole words: `MX8##` matches "IntelliVue MX800" but not "MX8000A". A pattern that starts with
 * `~` is an ordinary word ("Essential", "Current") and answers only when the device's
 * manufacturer is this file's.
 */
import { createRequire } from 'node:module';
import type * as Zod from 'zod';

const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** Letters, digits, spaces and the few characters CMMS model names carry; `#` and `*` are wildcards. */
const PATTERN = /^~?[\p{L}\p{N} #*+./&()'_-]+$/u;

/** The schemas, given zod. */
function build(z: typeof Zod.z) {
  const familySchema = z
    .object({
      /** Stable, kebab-case, unique across the catalogue; evidence names it as `catalogue:<id>`. */
      id: z.string().regex(ID, 'kebab-case id'),
      /** The family's name as the manufacturer writes it. */
      name: z.string().min(2).max(120),
      /** device_type (fingerprints/vocabulary/device-types.txt). */
      type: z.string().regex(/^[a-z0-9_]+$/, 'a device type id'),
      /** Model patterns (names, part numbers, short and older names); `~` first: only with the manufacturer known. */
      models: z.array(z.string().min(2).max(80).regex(PATTERN, 'letters, digits, spaces, ~ first, # and * only')).min(1).max(40),
      /** Model texts that must resolve to this family (the name itself when absent). */
      examples: z.array(z.string().min(1).max(200)).min(1).max(20).optional(),
      /** Where the family and its type come from: product page/IFU, FDA 510(k)/classification, CISA advisory id. */
      source: z.string().min(8).max(400),
    })
    .strict();

  const catalogueFileSchema = z
    .object({
      /** Canonical manufacturer name (data/manufacturers.ts). */
      manufacturer: z.string().min(1),
      families: z.array(familySchema).min(1).max(500),
    })
    .strict();
  return { familySchema, catalogueFileSchema };
}

let built: ReturnType<typeof build> | undefined;

/**
 * The schemas, built at first use (issue 14, start-up): zod (about 95 modules) is loaded only
 * when a catalogue file is not in the build's cache (spec-cache.ts).
 */
export function catalogueSchemas(): ReturnType<typeof build> {
  return (built ??= build((createRequire(import.meta.url)('zod') as typeof Zod).z));
}

export type FamilySpec = Zod.infer<ReturnType<typeof build>['familySchema']>;
export type CatalogueFileSpec = Zod.infer<ReturnType<typeof build>['catalogueFileSchema']>;

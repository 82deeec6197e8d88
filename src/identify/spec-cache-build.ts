/**
 * \summary `npm run build` runs this after compiling: writes the compiled fingerprint rules and
 * product catalogue beside spec-cache.js, so a process starts without parsing and validating
 * their YAML (see spec-cache.ts). Only files without a problem are cached.
 */
import { CATALOGUE_CACHE, catalogueCacheEntries, DEFAULT_CATALOGUE_DIR } from './catalogue/catalogue.js';
import { DEFAULT_FINGERPRINTS_DIR } from './rules-identifier.js';
import { RULES_CACHE, ruleCacheEntries } from './rules/loader.js';

const rules = ruleCacheEntries(DEFAULT_FINGERPRINTS_DIR);
RULES_CACHE.write(rules);
const catalogue = catalogueCacheEntries(DEFAULT_CATALOGUE_DIR);
CATALOGUE_CACHE.write(catalogue);
process.stdout.write(`wrote ${RULES_CACHE.path} (${rules.size} rule files) and ${CATALOGUE_CACHE.path} (${catalogue.size} catalogue files)\n`);

/**
 * \summary The `yaml` package (a parser that keeps positions, for file:line:col problems), loaded
 * on first use. Start-up (issue 14): the rule and catalogue loaders parse with js-yaml first and
 * need positions only for a file with a problem, so a replay never pays for loading `yaml`.
 * `yaml` ships CommonJS for node, hence a synchronous require.
 */
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';

const require = createRequire(import.meta.url);
let loaded: typeof Yaml | undefined;

export function yamlLib(): typeof Yaml {
  loaded ??= require('yaml') as typeof Yaml;
  return loaded;
}

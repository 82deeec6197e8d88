/**
 * \summary The YAML parsers the rule and catalogue loaders use, each loaded on first use. Start-up
 * (issue 14): the loaders parse with js-yaml first and need the `yaml` package (a parser that
 * keeps positions, for file:line:col problems) only for a file with a problem, and neither for a
 * file the build cached (src/identify/spec-cache.ts), so a replay of the shipped rules loads
 * neither. Both ship CommonJS for node, hence a synchronous require.
 */
import { createRequire } from 'node:module';
import type JsYaml from 'js-yaml';
import type * as Yaml from 'yaml';

const require = createRequire(import.meta.url);
let loaded: typeof Yaml | undefined;

export function yamlLib(): typeof Yaml {
  loaded ??= require('yaml') as typeof Yaml;
  return loaded;
}

let jsLoaded: typeof JsYaml | undefined;

export function jsYamlLib(): typeof JsYaml {
  jsLoaded ??= require('js-yaml') as typeof JsYaml;
  return jsLoaded;
}

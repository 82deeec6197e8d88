/**
 * \summary `central.url`, `central.password_file`, `central.sensor_id` and `site` for the CLI:
 * flags over environment (AUSCULT_CENTRAL_URL, AUSCULT_SITE, ...) over the config file, through
 * the one config loader.
 */
import { loadConfig, resolveConfigPath, type ConfigOverrides } from '../config.js';
import { AuscultError } from '../errors.js';
import type { CentralTarget } from './connect.js';

export interface CentralFlags {
  central?: string | undefined;
  site?: string | undefined;
  config?: string | undefined;
  sensorId?: string | undefined;
}

export interface ResolvedCentral {
  target: CentralTarget | undefined;
  site: string | null;
  sensorId: string | null;
}

export function resolveCentral(flags: CentralFlags): ResolvedCentral {
  const o: ConfigOverrides = {};
  if (flags.central !== undefined) o['central.url'] = flags.central;
  if (flags.site !== undefined) o['site'] = flags.site;
  if (flags.sensorId !== undefined) o['central.sensor_id'] = flags.sensorId;
  const config = loadConfig(resolveConfigPath(flags.config), { overrides: o });
  const url = config.central.url;
  return {
    target: url === null ? undefined : { url, passwordFile: config.central.password_file },
    site: config.site,
    sensorId: config.central.sensor_id,
  };
}

/** The target, or a usage error naming the ways to give one. */
export function requireTarget(r: ResolvedCentral): CentralTarget {
  if (r.target === undefined) throw new AuscultError('AUS_ERR_CONFIG_KEY', 'no central database: give --central URL, AUSCULT_CENTRAL_URL or central.url in the config');
  return r.target;
}

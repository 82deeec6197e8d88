/**
 * \summary Connecting to the central PostgreSQL (`pg`): the URL (`central.url`, a
 * `postgres://` URL whose `sslmode` pg honours: disable, prefer, require, verify-ca, verify-full),
 * the password from AUSCULT_CENTRAL_PASSWORD or `central.password_file` (never from the config
 * file itself, never logged), and a redacted form of the URL for messages.
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { parseIntoClientConfig } from 'pg-connection-string';
import { AuscultError } from '../errors.js';

export interface CentralTarget {
  /** postgres://user[:password]@host:port/db?sslmode=... */
  url: string;
  /** File whose first line is the password (central.password_file). */
  passwordFile?: string | null;
  /** Sensor id for application_name (optional). */
  sensorId?: string;
}

/** The URL with any password replaced by `***`, for logs and messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    return u.toString();
  } catch {
    return '(unparsable central URL)';
  }
}

/** Checks the URL's form; a reason string when it is not a postgres URL. */
export function checkCentralUrl(url: string): string | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'not a URL (expected postgres://user@host:5432/dbname)';
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') return `scheme ${u.protocol} is not postgres: or postgresql:`;
  const sslmode = u.searchParams.get('sslmode');
  if (sslmode !== null && !['disable', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'].includes(sslmode)) return `sslmode=${sslmode} is not one of disable, prefer, require, verify-ca, verify-full, no-verify`;
  return undefined;
}

export function clientConfig(target: CentralTarget, env: Record<string, string | undefined> = process.env): pg.ClientConfig {
  const bad = checkCentralUrl(target.url);
  if (bad !== undefined) throw new AuscultError('AUS_ERR_CONFIG_KEY', `central.url: ${bad}`);
  // Parsed here rather than passed as connectionString: pg lets a connection string's fields
  // (an absent password too) override explicit ones. sslmode becomes pg's ssl settings.
  const config: pg.ClientConfig = {
    ...(parseIntoClientConfig(target.url) as pg.ClientConfig),
    connectionTimeoutMillis: 10_000,
    query_timeout: 120_000,
    application_name: target.sensorId !== undefined ? `auscult ${target.sensorId}`.slice(0, 63) : 'auscult',
  };
  const fromEnv = env['AUSCULT_CENTRAL_PASSWORD'];
  if (fromEnv !== undefined && fromEnv !== '') {
    config.password = fromEnv;
  } else if (target.passwordFile !== undefined && target.passwordFile !== null) {
    let text: string;
    try {
      text = readFileSync(target.passwordFile, 'utf8');
    } catch (err) {
      throw new AuscultError('AUS_ERR_CONFIG_FILE', `central.password_file: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, { file: target.passwordFile });
    }
    config.password = text.split(/\r?\n/)[0] ?? '';
  }
  return config;
}

/** A connected client; throws AUS_ERR_CENTRAL (exit 69) when the server cannot be reached. */
export async function connectCentral(target: CentralTarget): Promise<pg.Client> {
  const client = new pg.Client(clientConfig(target));
  client.on('error', () => { /* a dropped connection surfaces on the next query */ });
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw new AuscultError('AUS_ERR_CENTRAL', `central database ${redactUrl(target.url)}: ${(err as Error).message}`);
  }
  return client;
}

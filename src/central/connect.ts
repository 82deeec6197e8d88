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
import { checkCentralUrl, redactUrl } from './url.js';

export interface CentralTarget {
  /** postgres://user[:password]@host:port/db?sslmode=... */
  url: string;
  /** File whose first line is the password (central.password_file). */
  passwordFile?: string | null;
  /** Sensor id for application_name (optional). */
  sensorId?: string;
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

/**
 * An error met while talking to the central server, as AUS_ERR_CENTRAL (exit 69) when it came
 * from the server or the connection (a PostgreSQL error, the server shutting down, a dropped or
 * timed-out connection); anything else (a bug of ours) is returned unchanged.
 */
export function centralFailure(err: unknown, url: string): unknown {
  if (err instanceof AuscultError) return err;
  const e = err as { code?: unknown; message?: unknown };
  const fromServer = err instanceof pg.DatabaseError;
  const fromConnection = typeof e.code === 'string' && /^E[A-Z]+$/.test(e.code)
    || (typeof e.message === 'string' && /Connection terminated|Query read timeout|connection (?:is closed|timeout)|Client has encountered a connection error/i.test(e.message));
  if (!fromServer && !fromConnection) return err;
  return new AuscultError('AUS_ERR_CENTRAL', `central database ${redactUrl(url)}: ${String(e.message)}`);
}


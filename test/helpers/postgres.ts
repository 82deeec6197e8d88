/**
 * \summary Throw-away PostgreSQL clusters for tests (bench/pg-cluster.ts: initdb + pg_ctl on a
 * loopback port, as the postgres user when root) and a client on them. Tests skip with
 * `PG_SKIP_REASON` (naming the Debian package) when PostgreSQL is not installed.
 */
import pg from 'pg';
import { pgSkipReason, PG_PASSWORD, startPgCluster, type PgCluster } from '../../bench/pg-cluster.js';

export { PG_PASSWORD, startPgCluster, type PgCluster };
export const PG_SKIP_REASON = pgSkipReason();

export async function pgClient(cluster: PgCluster, database = 'postgres'): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port: cluster.port, user: 'postgres', password: PG_PASSWORD, database });
  await c.connect();
  return c;
}

/** The cluster's URL for another database in it. */
export function urlFor(cluster: PgCluster, database: string): string {
  return cluster.url.replace(/\/postgres$/, `/${database}`);
}

/**
 * \summary What a command asks before it loads the reconciler (issue 14, start-up): whether there
 * is anything to reconcile against, and the default exception stream. Only SQLite look-ups, so
 * `auscult replay` need not load reconcile.ts (diff, match, advisories, the NDJSON writer) when
 * no system of record or advisory was ever imported.
 */
import { hasAdvisories } from '../inventory/advisory-store.js';
import type { Db } from '../inventory/store.js';
import { currentSorImport } from './sor-store.js';

/** The default stream file. */
export const DEFAULT_STREAM = './exceptions.ndjson';

/** True when reconciliation has something to compare: a SoR snapshot or imported advisories. */
export function hasSorSnapshot(db: Db): boolean {
  return currentSorImport(db) !== undefined || hasAdvisories(db);
}

/**
 * \summary Memory per resident device (issue 13): replays a capture in this process with the
 * resident cap above its device count, so every device stays in memory, then drops the device
 * core's resident set and measures, after full GCs, how much heap that freed. Needs
 * `--expose-gc` (npm run bench runs with it). What is measured is the device core only (devices,
 * their evidence, chosen values, addresses, facts and memo), not the address binder or SQLite.
 */
import { rmSync } from 'node:fs';

import { loadConfig, runtimeLimits } from '../src/config.js';
import { silentLogger } from '../src/log.js';
import { openPipeline } from '../src/pipeline.js';

export interface DeviceMemory {
  /** Devices resident when measured (all of the capture's). */
  residentDevices: number;
  /** Heap freed by dropping them, per device. */
  bytesPerResidentDevice: number;
}

function heapAfterGc(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error('device memory: run node with --expose-gc');
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

export async function measureDeviceMemory(capture: string, db: string): Promise<DeviceMemory> {
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${db}${suffix}`, { force: true });
  const defaults = runtimeLimits(loadConfig(null));
  const limits = { ...defaults, model: { ...defaults.model, maxResidentDevices: defaults.model.maxDevices } };
  const pipeline = openPipeline(db, { logger: silentLogger(), limits });
  await pipeline.replayFile(capture);
  const residentDevices = pipeline.model.devices.size;
  const before = heapAfterGc();
  pipeline.model.devices.clear();
  const after = heapAfterGc();
  pipeline.db.close();
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${db}${suffix}`, { force: true });
  return { residentDevices, bytesPerResidentDevice: residentDevices === 0 ? 0 : Math.round((before - after) / residentDevices) };
}

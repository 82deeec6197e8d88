/**
 * \summary `auscult status`: the running sensor's health and key metrics, for a person
 * (from its /healthz and /metrics). Exit 0 healthy, 1 unhealthy or not reachable (as README says).
 */
import type { Command } from 'commander';
import { checkConfigFile, parseListenAddress, resolveConfigPath } from '../config.js';
import { EXIT } from '../errors.js';
import { writeStdout } from './common.js';

/** Sums every sample of a metric family in Prometheus text format (NaN when absent). */
export function metricValue(text: string, name: string, labels?: Record<string, string>): number {
  let sum = Number.NaN;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    if (labels && !Object.entries(labels).every(([k, v]) => (m[2] ?? '').includes(`${k}="${v}"`))) continue;
    const v = Number(m[3]);
    sum = Number.isNaN(sum) ? v : sum + v;
  }
  return sum;
}

function defaultBase(): string {
  const result = checkConfigFile(resolveConfigPath(undefined));
  const listen = result.config?.metrics.listen ?? '127.0.0.1:9464';
  const parsed = parseListenAddress(listen);
  if (typeof parsed === 'string') return 'http://127.0.0.1:9464';
  const host = parsed.host.includes(':') ? `[${parsed.host}]` : parsed.host;
  return `http://${host}:${parsed.port}`;
}

const fmt = (n: number) => (Number.isNaN(n) ? 'n/a' : Math.round(n).toLocaleString('en-US'));

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description("the running sensor's health and key metrics")
    .option('--metrics <url>', 'base URL of the sensor (default: from the config, http://127.0.0.1:9464)')
    .option('--json', 'print the /healthz JSON')
    .action(async (opts: { metrics?: string; json?: boolean }) => {
      const base = (opts.metrics ?? defaultBase()).replace(/\/+$/, '').replace(/\/metrics$/, '');
      let health: Record<string, unknown>;
      let metrics: string;
      let healthStatus: number;
      try {
        const h = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(5000) });
        healthStatus = h.status;
        health = await h.json() as Record<string, unknown>;
        metrics = await (await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
      } catch (err) {
        process.stderr.write(`auscult: cannot reach the sensor at ${base}: ${(err as Error).message} (is \`auscult run\` running? is metrics.listen the same?)\n`);
        process.exitCode = EXIT.NOT_FOUND;
        return;
      }
      if (opts.json) {
        writeStdout(JSON.stringify(health));
      } else {
        const age = health['last_packet_age_s'];
        const lines = [
          `status:            ${String(health['status'])}${Array.isArray(health['problems']) && health['problems'].length > 0 ? ` (${(health['problems'] as string[]).join('; ')})` : ''}`,
          `interface:         ${String(health['interface'])} (${health['capture_open'] === true ? 'capturing' : 'closed'})`,
          `last packet:       ${typeof age === 'number' ? `${age.toFixed(1)} s ago` : 'none yet'}`,
          `database:          ${health['db_writable'] === true ? 'writable' : 'NOT writable'}`,
          `uptime:            ${fmt(Number(health['uptime_s']))} s`,
          `devices:           ${fmt(metricValue(metrics, 'auscult_devices'))}`,
          `packets received:  ${fmt(metricValue(metrics, 'auscult_packets_received_total'))}`,
          `packets processed: ${fmt(metricValue(metrics, 'auscult_packets_processed_total'))}`,
          `dropped (ring):    ${fmt(metricValue(metrics, 'auscult_packets_dropped_app_total'))}`,
          `dropped (kernel):  ${fmt(metricValue(metrics, 'auscult_packets_dropped_kernel'))}`,
          `ring full:         ${fmt(metricValue(metrics, 'auscult_capture_ring_full_total'))} (times frames waited in the kernel for the pipeline; not loss)`,
          `dropped (NIC):     ${fmt(metricValue(metrics, 'auscult_nic_rx_missed'))}`,
          `no handler (NIC):  ${fmt(metricValue(metrics, 'auscult_nic_rx_dropped_nohandler'))} (LLDP/CDP and other frames the host kernel ignores; not loss)`,
          `open exceptions:   ${fmt(metricValue(metrics, 'auscult_exceptions_open'))}`,
          `decode anomalies:  ${fmt(metricValue(metrics, 'auscult_decode_anomalies_total'))}`,
          `rules loaded:      ${fmt(metricValue(metrics, 'auscult_rules_loaded'))}`,
          `reload failures:   ${fmt(metricValue(metrics, 'auscult_config_reload_failures_total'))}`,
        ];
        writeStdout(lines.join('\n'));
      }
      process.exitCode = healthStatus === 200 ? EXIT.OK : EXIT.NOT_FOUND;
    });
}

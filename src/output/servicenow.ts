/**
 * \summary The medical devices of the inventory as ServiceNow Identification and Reconciliation
 * (IRE) payloads (`POST /api/now/identifyreconcile?sysparm_data_source=...`), and a client that
 * sends them and checks each item's result.
 *
 * Payload: `{items: [...], relations: [...]}`, one payload per device: the device CI in a medical
 * class of ServiceNow's Enterprise Asset Management for Healthcare model (`cmdb_ci_med_*`:
 * `cmdb_ci_medical` is deprecated and there is no `cmdb_ci_medical_device`), the sensor as a
 * `cmdb_ci_appl` CI, and a "Detected by::Detects" relation from the device to the sensor. Values
 * are what the network showed: name (asset id, else host name, else MAC), `mac_address`,
 * `ip_address`, `serial_number`, `manufacturer` and `model_id` as display values, `firmware_version`,
 * and the network location in `location` (display value: the room or civic text, else
 * `switch port`). Only allowlisted device fields are sent, never evidence payloads.
 *
 * The API answers HTTP 200 even when items fail: each item of the answer's `result.items[]`
 * carries its own `errors[]` (and `operation`, `sysId`). `pushServiceNow` therefore checks every
 * item, retries a payload on 429/5xx/network errors with backoff (never on other 4xx), and reports
 * per device. Credentials come from the environment or a file, never the command line.
 */
import type { DeviceView } from '../inventory/device-view.js';

/** ServiceNow CI class for a device type (EAM for Healthcare model categories). */
export const CI_CLASS_BY_TYPE: Readonly<Record<string, string>> = {
  patient_monitor: 'cmdb_ci_med_patient_monitoring',
  ecg: 'cmdb_ci_med_patient_monitoring',
  infusion_pump: 'cmdb_ci_med_therapeutic_device',
  ventilator: 'cmdb_ci_med_therapeutic_device',
  anesthesia_machine: 'cmdb_ci_med_therapeutic_device',
  ct_scanner: 'cmdb_ci_med_diagnostic_imaging',
  mri_scanner: 'cmdb_ci_med_diagnostic_imaging',
};
export const DEFAULT_MED_CLASS = 'cmdb_ci_med_device';
export const SENSOR_CLASS = 'cmdb_ci_appl';
export const DETECTED_BY = 'Detected by::Detects';

export interface IrePayload {
  items: { className: string; values: Record<string, string> }[];
  relations: { parent: number; child: number; type: string }[];
}

/** One IRE payload per medical device (device item 0, sensor item 1, relation device → sensor). */
export function servicenowPayloads(devices: readonly DeviceView[], sensor: string): { device: DeviceView; payload: IrePayload }[] {
  return devices.filter((d) => d.category === 'medical').map((d) => {
    const values: Record<string, string | null> = {
      name: d.asset_id ?? d.hostname ?? d.mac ?? d.id,
      asset_tag: d.asset_id,
      mac_address: d.mac,
      ip_address: d.ip,
      serial_number: d.serial,
      manufacturer: d.manufacturer,
      model_id: d.model,
      firmware_version: d.firmware,
      location: d.location ?? (d.switch !== null || d.port !== null ? [d.switch, d.port].filter((x) => x !== null).join(' ') : null),
    };
    const clean: Record<string, string> = {};
    for (const [k, v] of Object.entries(values)) if (v !== null && v !== '') clean[k] = v;
    return {
      device: d,
      payload: {
        items: [
          { className: CI_CLASS_BY_TYPE[d.device_type ?? ''] ?? DEFAULT_MED_CLASS, values: clean },
          { className: SENSOR_CLASS, values: { name: `auscult ${sensor}` } },
        ],
        relations: [{ parent: 0, child: 1, type: DETECTED_BY }],
      },
    };
  });
}

export interface ServiceNowCredentials {
  user: string;
  password: string;
}

export interface PushOptions {
  instance: string;
  dataSource: string;
  credentials: ServiceNowCredentials;
  retries: number;
  backoffMs: number;
  fetchImpl?: typeof fetch;
}

export interface PushItemResult {
  device: string;
  ok: boolean;
  /** `INSERT`, `UPDATE`, `NO_CHANGE`, ... per item, or the errors. */
  detail: string;
  attempts: number;
}

type IreAnswer = { result?: { items?: { className?: string; operation?: string; sysId?: string; errors?: { error?: string; message?: string }[] }[] } };

/** Sends every payload; never throws for one device's failure (each is in the report). */
export async function pushServiceNow(payloads: readonly { device: DeviceView; payload: IrePayload }[], o: PushOptions): Promise<PushItemResult[]> {
  const url = new URL('/api/now/identifyreconcile', o.instance);
  url.searchParams.set('sysparm_data_source', o.dataSource);
  const auth = `Basic ${Buffer.from(`${o.credentials.user}:${o.credentials.password}`, 'utf8').toString('base64')}`;
  const doFetch = o.fetchImpl ?? fetch;
  const out: PushItemResult[] = [];
  for (const { device, payload } of payloads) {
    const name = device.asset_id ?? device.mac ?? device.id;
    let attempts = 0;
    let result: PushItemResult | null = null;
    while (result === null) {
      attempts++;
      let retryable = false;
      let detail: string;
      try {
        const res = await doFetch(url, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json', accept: 'application/json' }, body: JSON.stringify(payload) });
        const text = await res.text();
        if (res.status === 200 || res.status === 201) {
          const answer = JSON.parse(text) as IreAnswer;
          const items = answer.result?.items ?? [];
          const errors = items.flatMap((it) => (it.errors ?? []).map((e) => `${it.className ?? '?'}: ${e.error ?? ''} ${e.message ?? ''}`.trim()));
          if (items.length === 0) errors.push('the answer lists no items');
          result = errors.length === 0
            ? { device: name, ok: true, detail: items.map((it) => `${it.className ?? '?'} ${it.operation ?? '?'} ${it.sysId ?? ''}`.trim()).join('; '), attempts }
            : { device: name, ok: false, detail: errors.join('; '), attempts };
          break;
        }
        retryable = res.status === 429 || res.status >= 500;
        detail = `HTTP ${res.status}: ${text.slice(0, 200)}`;
      } catch (err) {
        retryable = true;
        detail = (err as Error).message;
      }
      if (!retryable || attempts > o.retries) result = { device: name, ok: false, detail, attempts };
      else await new Promise((r) => setTimeout(r, o.backoffMs * 2 ** (attempts - 1)));
    }
    out.push(result);
  }
  return out;
}

/**
 * \summary Result and anomaly types shared by every decoder.
 *
 * A decoder never throws past its boundary: it returns the partial record it could read plus a
 * list of anomaly codes (`proto.snake_case`, like Zeek's weirds). The pipeline counts every code.
 */

/** An anomaly code: `<protocol>.<snake_case_reason>`, e.g. `lldp.tlv_truncated`. */
export type AnomalyCode = `${string}.${string}`;

/** What every decoder returns: the (possibly partial) record and what was wrong with the input. */
export interface DecodeResult<T> {
  /** The record, as far as it could be read. */
  value: T;
  /** Named problems met while decoding, in the order they were met. Empty for clean input. */
  anomalies: AnomalyCode[];
}

export function ok<T>(value: T, anomalies: AnomalyCode[] = []): DecodeResult<T> {
  return { value, anomalies };
}

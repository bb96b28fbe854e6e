// Helpers every metric source shares: wire-safe names (METRIC_NAME_PATTERN, or the hub rejects the whole
// batch) with mount paths, interfaces and sensor labels squeezed into one segment, and value rounding.
import { createHash } from "node:crypto";
import { METRIC_NAME_PATTERN } from "@nebula/schema/wire/agent";

/** Flat name -> number map, one per collection: the `values` of a wire Sample. */
export type MetricValues = Record<string, number>;

const NOT_ALLOWED = /[^A-Za-z0-9_:@/+-]/g;
const MAX_SEGMENT = 80;

/**
 * One name segment: characters the wire forbids become "_" ("/srv/my.files" -> "/srv/my_files"); a segment
 * longer than the wire's 80 characters keeps its start and gains a short hash, so two long paths stay distinct.
 */
export function metricSegment(raw: string): string {
  const cleaned = raw.replace(NOT_ALLOWED, "_") || "_";
  if (cleaned.length <= MAX_SEGMENT) return cleaned;
  const hash = createHash("sha256").update(raw).digest("hex").slice(0, 8);
  return `${cleaned.slice(0, MAX_SEGMENT - 9)}+${hash}`;
}

/** Keeps only values the wire accepts, so one odd name from a source never costs the whole batch. */
export function wireSafe(values: MetricValues, dropped?: (name: string) => void): MetricValues {
  const safe: MetricValues = {};
  for (const [name, value] of Object.entries(values)) {
    if (Number.isFinite(value) && name.length <= 200 && METRIC_NAME_PATTERN.test(name)) safe[name] = value;
    else dropped?.(name);
  }
  return safe;
}

/** Two decimals are plenty for percentages and degrees, and keep batches small. */
export function round2(value: number): number {
  return Math.round(value * 100) / 100;
}

export function percent(part: number, whole: number): number {
  return whole > 0 ? round2((100 * part) / whole) : 0;
}

/**
 * Per-second rates of each device's byte counters between two reads, as `<prefix>.<device>.<rate name>`. A device
 * seen only once has no rate yet; a counter that went backwards (interface re-created, disk re-attached) is left
 * out so a reset never shows as a huge spike.
 */
export function counterRates<K extends string>(
  prefix: string,
  prev: Map<string, Record<K, number>>,
  cur: Map<string, Record<K, number>>,
  elapsedSeconds: number,
  rateNames: Record<K, string>,
): MetricValues {
  const values: MetricValues = {};
  if (elapsedSeconds <= 0) return values;
  for (const [device, now] of cur) {
    const before = prev.get(device);
    if (!before) continue;
    const key = `${prefix}.${metricSegment(device)}`;
    for (const counter of Object.keys(rateNames) as K[]) {
      const delta = now[counter] - before[counter];
      if (delta >= 0) values[`${key}.${rateNames[counter]}`] = Math.round(delta / elapsedSeconds);
    }
  }
  return values;
}

// Metric series as chart columns: one shared time axis (ms) and one value column per metric name, null where a
// metric has no value at that time. History comes from /metrics; live samples are appended as they arrive.
import type { MetricSeries, MetricsResponse } from "@nebula/schema/api/jobs";
import type { Sample } from "@nebula/schema/wire/agent";

export type Columns = { timestamps: number[]; values: Record<string, (number | null)[]> };

export const emptyColumns = (): Columns => ({ timestamps: [], values: {} });

export function columnsOf(series: readonly MetricSeries[]): Columns {
  const times = new Set<number>();
  for (const s of series) for (const p of s.points) times.add(p.t);
  const timestamps = [...times].sort((a, b) => a - b);
  const index = new Map(timestamps.map((t, i) => [t, i]));
  const values: Record<string, (number | null)[]> = {};
  for (const s of series) {
    const column: (number | null)[] = new Array(timestamps.length).fill(null);
    for (const p of s.points) column[index.get(p.t) ?? 0] = p.avg;
    values[s.name] = column;
  }
  return { timestamps, values };
}

/** Adds live samples after the last known time and drops what fell out of the window (before `from`). */
export function appendSamples(cols: Columns, samples: readonly Sample[], from: number): Columns {
  const last = cols.timestamps.at(-1) ?? Number.NEGATIVE_INFINITY;
  const fresh = samples.filter((s) => s.at > last).sort((a, b) => a.at - b.at);
  const names = new Set([...Object.keys(cols.values), ...fresh.flatMap((s) => Object.keys(s.values))]);
  let drop = 0;
  while (drop < cols.timestamps.length && (cols.timestamps[drop] ?? 0) < from) drop++;
  const timestamps = [...cols.timestamps.slice(drop), ...fresh.map((s) => s.at)];
  const values: Record<string, (number | null)[]> = {};
  for (const name of names) {
    const kept = (cols.values[name] ?? new Array(cols.timestamps.length).fill(null)).slice(drop);
    values[name] = [...kept, ...fresh.map((s) => s.values[name] ?? null)];
  }
  return { timestamps, values };
}

/**
 * How far apart points of a resolution are meant to be: a bucket for rollups, and for raw samples the agent's resting
 * interval (agentWire.DEFAULT_METRICS_INTERVAL_SECONDS; zod stays out of the bundle). Live samples come faster (2 s).
 */
export function stepOf(resolution: MetricsResponse["resolution"]): number {
  return resolution === "1h" ? 3_600_000 : resolution === "1m" ? 60_000 : 10_000;
}

/** Points further apart than this many intervals mean the host sent nothing in between (offline, or the agent stopped). */
export const GAP_INTERVALS = 2.5;

/**
 * The columns with one null row inside every gap, so uPlot (spanGaps: false) breaks the line there instead of
 * drawing a straight one across the hours the host was away. The interval is the larger of `stepMs` and the median
 * spacing, so an agent set to report less often is still drawn as a line, not as dots.
 */
export function breakGaps(timestamps: readonly number[], columns: readonly (readonly (number | null)[])[], stepMs: number): { timestamps: number[]; columns: (number | null)[][] } {
  const spacings = timestamps.slice(1).map((t, i) => t - (timestamps[i] ?? t));
  const median = [...spacings].sort((a, b) => a - b)[Math.floor(spacings.length / 2)] ?? 0;
  const widest = GAP_INTERVALS * Math.max(stepMs, median);
  const times: number[] = [];
  const out: (number | null)[][] = columns.map(() => []);
  for (const [i, t] of timestamps.entries()) {
    const before = timestamps[i - 1];
    if (before !== undefined && t - before > widest) {
      times.push((before + t) / 2);
      for (const column of out) column.push(null);
    }
    times.push(t);
    for (const [c, column] of columns.entries()) out[c]?.push(column[i] ?? null);
  }
  return { timestamps: times, columns: out };
}

export function latest(cols: Columns, name: string): number | null {
  const column = cols.values[name];
  if (!column) return null;
  for (let i = column.length - 1; i >= 0; i--) {
    const v = column[i];
    if (v !== null && v !== undefined) return v;
  }
  return null;
}

/** What a host reports more than one of, learned from the metric names in its samples. */
export type HostParts = {
  /** Mounts (disk.<mount>.used_pct). */
  disks: string[];
  /** Network interfaces (net.<if>.rx_bps / tx_bps). */
  interfaces: string[];
  /** Whole disks with IO rates (io.<disk>.read_bps / write_bps). */
  ioDisks: string[];
  /** Temperature sensors (temp.<sensor>), in °C. */
  sensors: string[];
  /** NVIDIA GPUs by index (gpu.<i>.util, .mem_used_pct, .temp). */
  gpus: string[];
};

export const PART_KINDS = ["disks", "interfaces", "ioDisks", "sensors", "gpus"] as const satisfies readonly (keyof HostParts)[];

const PART_PATTERNS: Record<keyof HostParts, RegExp> = {
  disks: /^disk\.(.+)\.used_pct$/,
  interfaces: /^net\.(.+)\.(?:rx|tx)_bps$/,
  ioDisks: /^io\.(.+)\.(?:read|write)_bps$/,
  sensors: /^temp\.(.+)$/,
  gpus: /^gpu\.(\d+)\./,
};

/** "core 2" before "core 10", "sdb" before "sdc": digit runs compare as numbers. */
const naturally = (a: string, b: string) => a.localeCompare(b, "en", { numeric: true });

export function discoverNames(names: Iterable<string>): HostParts {
  const found = Object.fromEntries(PART_KINDS.map((k) => [k, new Set<string>()])) as Record<keyof HostParts, Set<string>>;
  for (const name of names) {
    for (const kind of PART_KINDS) {
      const part = PART_PATTERNS[kind].exec(name)?.[1];
      if (part) found[kind].add(part);
    }
  }
  return Object.fromEntries(PART_KINDS.map((k) => [k, [...found[k]].sort(naturally)])) as HostParts;
}

/** Both sets of parts, sorted; the second may be a partial record (an older one saved before a kind existed). */
export function mergeParts(a: HostParts, b: Partial<HostParts>): HostParts {
  return Object.fromEntries(PART_KINDS.map((k) => [k, [...new Set([...a[k], ...(b[k] ?? [])])].sort(naturally)])) as HostParts;
}

/** The metrics API reads at most `max` names at once: comma-joined batches of them, in order. */
export function nameBatches(names: readonly string[], max: number): string[] {
  const batches: string[] = [];
  for (let i = 0; i < names.length; i += max) batches.push(names.slice(i, i + max).join(","));
  return batches;
}

/** The batches' answers as one (they share range and window), series in batch order; null for no batches. */
export function mergeResponses(parts: readonly MetricsResponse[]): MetricsResponse | null {
  const [first] = parts;
  return first ? { ...first, series: parts.flatMap((p) => p.series) } : null;
}

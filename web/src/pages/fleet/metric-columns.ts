// Metric series as chart columns: one shared time axis (ms) and one value column per metric name, null where a
// metric has no value at that time. History comes from /metrics; live samples are appended as they arrive.
import type { MetricSeries } from "@nebula/schema/api/jobs";
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

export function latest(cols: Columns, name: string): number | null {
  const column = cols.values[name];
  if (!column) return null;
  for (let i = column.length - 1; i >= 0; i--) {
    const v = column[i];
    if (v !== null && v !== undefined) return v;
  }
  return null;
}

/** Mounts and interfaces a host reports, from the metric names seen in its samples. */
export function discoverNames(names: Iterable<string>): { disks: string[]; interfaces: string[] } {
  const disks = new Set<string>();
  const interfaces = new Set<string>();
  for (const name of names) {
    const disk = /^disk\.(.+)\.used_pct$/.exec(name);
    if (disk?.[1]) disks.add(disk[1]);
    const net = /^net\.(.+)\.(rx|tx)_bps$/.exec(name);
    if (net?.[1]) interfaces.add(net[1]);
  }
  return { disks: [...disks].sort(), interfaces: [...interfaces].sort() };
}

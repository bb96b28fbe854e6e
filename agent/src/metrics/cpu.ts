// CPU utilisation from /proc/stat: the busy share of the jiffies that passed between two reads, overall and per core.
import { type MetricValues, percent } from "./metric-values.ts";

export interface CpuTimes {
  /** user + nice + system + idle + iowait + irq + softirq + steal (guest time is already inside user/nice). */
  total: number;
  /** idle + iowait: time the core had nothing to run. */
  idle: number;
  iowait: number;
}

export interface CpuSnapshot {
  all: CpuTimes;
  cores: Map<number, CpuTimes>;
}

const ZERO: CpuTimes = { total: 0, idle: 0, iowait: 0 };

function times(fields: string[]): CpuTimes {
  const n = (i: number) => Number(fields[i] ?? 0) || 0;
  const [user, nice, system, idle, iowait, irq, softirq, steal] = [n(1), n(2), n(3), n(4), n(5), n(6), n(7), n(8)];
  return { total: user + nice + system + idle + iowait + irq + softirq + steal, idle: idle + iowait, iowait };
}

export function parseProcStat(text: string): CpuSnapshot {
  const snapshot: CpuSnapshot = { all: ZERO, cores: new Map() };
  for (const line of text.split("\n")) {
    if (!line.startsWith("cpu")) continue;
    const fields = line.trim().split(/\s+/);
    const name = fields[0] ?? "";
    if (name === "cpu") snapshot.all = times(fields);
    else if (/^cpu\d+$/.test(name)) snapshot.cores.set(Number(name.slice(3)), times(fields));
  }
  return snapshot;
}

function busy(prev: CpuTimes, cur: CpuTimes): number | null {
  const total = cur.total - prev.total;
  const idle = cur.idle - prev.idle;
  // No jiffy passed (two reads within 10 ms) or counters went backwards (CPU hot-plugged): nothing to say.
  if (total <= 0 || idle < 0) return null;
  return percent(total - idle, total);
}

/**
 * Without a previous read the counters since boot are used, as vmstat's first line does, so the very first
 * sample already carries a CPU figure.
 */
export function cpuValues(prev: CpuSnapshot | null, cur: CpuSnapshot): MetricValues {
  const values: MetricValues = {};
  const before = prev?.all ?? ZERO;
  const total = busy(before, cur.all);
  if (total !== null) {
    values["cpu.total"] = total;
    values["cpu.iowait"] = percent(cur.all.iowait - before.iowait, cur.all.total - before.total);
  }
  for (const [core, now] of cur.cores) {
    const value = busy(prev?.cores.get(core) ?? ZERO, now);
    if (value !== null) values[`cpu.core.${core}`] = value;
  }
  return values;
}

// Memory and swap from /proc/meminfo, load averages from /proc/loadavg, uptime from /proc/uptime.
import { type MetricValues, percent } from "./metric-values.ts";

/** /proc/meminfo in bytes, keyed by its field names ("MemTotal", "MemAvailable", ...). */
export function parseMeminfo(text: string): Map<string, number> {
  const fields = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^([A-Za-z0-9_()]+):\s+(\d+)(\s+kB)?/.exec(line);
    if (match?.[1] && match[2]) fields.set(match[1], Number(match[2]) * (match[3] ? 1024 : 1));
  }
  return fields;
}

export function memoryValues(meminfo: Map<string, number>): MetricValues {
  const values: MetricValues = {};
  const total = meminfo.get("MemTotal");
  if (total) {
    // MemAvailable (Linux >= 3.14) counts reclaimable cache; older kernels get the classic approximation.
    const available =
      meminfo.get("MemAvailable") ?? (meminfo.get("MemFree") ?? 0) + (meminfo.get("Buffers") ?? 0) + (meminfo.get("Cached") ?? 0);
    const used = Math.max(0, total - available);
    values["mem.used_pct"] = percent(used, total);
    values["mem.used_bytes"] = used;
    values["mem.available_bytes"] = available;
    values["mem.total_bytes"] = total;
  }
  const swapTotal = meminfo.get("SwapTotal");
  if (swapTotal) {
    const swapUsed = Math.max(0, swapTotal - (meminfo.get("SwapFree") ?? 0));
    values["swap.used_pct"] = percent(swapUsed, swapTotal);
    values["swap.used_bytes"] = swapUsed;
  }
  return values;
}

export function loadValues(loadavg: string): MetricValues {
  const [one, five, fifteen] = loadavg.trim().split(/\s+/).map(Number);
  const values: MetricValues = {};
  if (Number.isFinite(one)) values["load.1"] = one as number;
  if (Number.isFinite(five)) values["load.5"] = five as number;
  if (Number.isFinite(fifteen)) values["load.15"] = fifteen as number;
  return values;
}

export function uptimeValues(uptime: string): MetricValues {
  const seconds = Number(uptime.trim().split(/\s+/)[0]);
  return Number.isFinite(seconds) ? { "host.uptime_s": Math.floor(seconds) } : {};
}

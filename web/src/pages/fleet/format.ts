// Numbers and names as a homelab owner reads them: percentages, bytes, bits per second, durations, containers.
import type { ContainerSummary } from "@nebula/schema/wire/job-results";

export function percent(value: number | null | undefined, digits = 1): string {
  return value === null || value === undefined || !Number.isFinite(value) ? "—" : `${value.toFixed(digits)}%`;
}

const BYTE_UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
export function bytes(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "—";
  let v = value;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < BYTE_UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 || v >= 100 ? 0 : 1)} ${BYTE_UNITS[i]}`;
}

const BIT_UNITS = ["bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s"];
/** Network metrics arrive in bytes per second; links are spoken of in bits. */
export function bitsPerSecond(bytesPerSecond: number | null | undefined): string {
  if (bytesPerSecond === null || bytesPerSecond === undefined || !Number.isFinite(bytesPerSecond)) return "—";
  let v = bytesPerSecond * 8;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < BIT_UNITS.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(i === 0 || v >= 100 ? 0 : 1)} ${BIT_UNITS[i]}`;
}

export function duration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h} h ${m % 60} min` : `${Math.floor(h / 24)} d ${h % 24} h`;
}

/** Docker lists a container under its names; one created without a name shows its short id. */
export const containerName = (c: ContainerSummary) => c.names[0] ?? c.id.slice(0, 12);

const SENSOR_NAMES: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^coretemp_Package_id_(\d+)$/, (m) => `CPU package ${m[1]}`],
  [/^coretemp_Core_(\d+)$/, (m) => `CPU core ${m[1]}`],
  [/^k10temp_(T\w+)$/, (m) => `CPU ${m[1]}`],
  [/^nvme_Composite(?:_(\d+))?$/, (m) => (m[1] ? `NVMe ${m[1]}` : "NVMe")],
  [/^acpitz_temp(\d+)$/, (m) => `ACPI zone ${m[1]}`],
];
/** A sensor as the agent names it (hwmon's `<chip>_<label>`, e.g. coretemp_Package_id_0) in words: "CPU package 0". */
export function sensorLabel(name: string): string {
  for (const [pattern, label] of SENSOR_NAMES) {
    const m = pattern.exec(name);
    if (m) return label(m);
  }
  return name.replaceAll("_", " ");
}

export type MetricUnit = "%" | "°C" | "bytes" | "bytes/s" | "bits/s" | "ms" | "s" | "W";

/** Fields the agent reports under a thing (`container.plex.<field>`), in words, with the unit the value is in. */
const FIELDS: Record<string, [string, MetricUnit | null]> = {
  running: ["running", null],
  up: ["up", null],
  stale: ["stale", null],
  restarts: ["restarts", null],
  total: ["total", "%"],
  iowait: ["I/O wait", "%"],
  cpu: ["CPU", "%"],
  util: ["load", "%"],
  temp: ["temperature", "°C"],
  mem_pct: ["memory", "%"],
  mem_bytes: ["memory", "bytes"],
  mem_used: ["memory used", null],
  mem_total: ["memory total", null],
  read_bps: ["read", "bytes/s"],
  write_bps: ["write", "bytes/s"],
  rx_bps: ["received", "bits/s"],
  tx_bps: ["sent", "bits/s"],
};
/** What the suffix of a field says about its unit (`used_pct`, `temp_c`, `mem_used_bytes`, `latency_ms`, `power_w`). */
const SUFFIX_UNITS: [string, MetricUnit][] = [
  ["_pct", "%"],
  ["_c", "°C"],
  ["_bytes", "bytes"],
  ["_ms", "ms"],
  ["_s", "s"],
  ["_w", "W"],
];
/** Host-wide groups (`mem.used_pct`) and groups of named things (`disk.<mount>.stale`), as the agent names them. */
const GROUPS: Record<string, string> = { cpu: "CPU", mem: "Memory", swap: "Swap", host: "Host", agent: "Agent" };
const THINGS: Record<string, string> = { container: "Container", probe: "Probe", vm: "VM", disk: "Mount", gpu: "GPU", io: "Disk", net: "Network" };

function field(raw: string): [string, MetricUnit | null] {
  const known = FIELDS[raw];
  if (known) return known;
  for (const [suffix, unit] of SUFFIX_UNITS) if (raw.endsWith(suffix)) return [field(raw.slice(0, -suffix.length))[0], unit];
  return [raw.replaceAll("_", " "), null];
}

/** A metric in words and the unit of its values, or null for a name the agent does not report. */
function describeMetric(name: string): { label: string; unit: MetricUnit | null } | null {
  const parts = name.split(".");
  const [group = "", middle = "", last] = parts;
  if (parts.length === 2) {
    if (group === "temp") return { label: `${middle === "*" ? "Any sensor" : sensorLabel(middle)} temperature`, unit: "°C" };
    if (group === "load" && /^\d+$/.test(middle)) return { label: `Load average (${middle} min)`, unit: null };
    if (name === "containers.running") return { label: "Running containers", unit: null };
    if (name === "agent.up") return { label: "Agent connected", unit: null };
    const words = GROUPS[group];
    if (!words) return null;
    const [what, unit] = field(middle);
    return { label: `${words} ${what}`, unit };
  }
  if (parts.length === 3 && last !== undefined) {
    if (group === "cpu" && middle === "core") return { label: `CPU core ${last}`, unit: "%" };
    const thing = THINGS[group];
    if (!thing) return null;
    const [what, unit] = field(last);
    // A rule over every mount or container (`disk.*.used_pct`).
    const who = middle === "*" ? `Any ${thing === "VM" || thing === "GPU" ? thing : thing.toLowerCase()}` : `${thing} ${middle}`;
    return { label: `${who} ${what}`, unit };
  }
  return null;
}

/** A metric as the agent names it (`disk./mnt/media.stale`) in words: "Mount /mnt/media stale"; unknown names as they are. */
export function metricLabel(name: string): string {
  return describeMetric(name)?.label ?? name;
}

/** A metric's value in the unit its name says: 93.5%, 41 °C, 1.2 GiB, 250 ms; a bare number where the name says none. */
export function metricValue(name: string, value: number | null): string {
  if (value === null || !Number.isFinite(value)) return "—";
  const n = +value.toFixed(2);
  switch (describeMetric(name)?.unit ?? null) {
    case "%":
      return `${n}%`;
    case "°C":
      return `${n} °C`;
    case "bytes":
      return bytes(value);
    case "bytes/s":
      return `${bytes(value)}/s`;
    case "bits/s":
      return bitsPerSecond(value);
    case "ms":
      return `${n} ms`;
    case "s":
      return duration(value * 1000);
    case "W":
      return `${n} W`;
    case null:
      return String(n);
  }
}

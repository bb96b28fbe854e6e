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

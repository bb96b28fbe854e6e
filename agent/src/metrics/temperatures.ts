// Temperatures in °C from hwmon sensors (/sys/class/hwmon/*/temp*_input), falling back to thermal zones
// (/sys/class/thermal/thermal_zone*/temp) on boards whose sensors have no hwmon driver.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { type MetricValues, metricSegment, round2 } from "./metric-values.ts";

/** One sensor file to read each tick and the metric it feeds. */
export interface Sensor {
  file: string;
  name: string;
}

async function text(file: string): Promise<string | null> {
  try {
    return (await readFile(file, "utf8")).trim();
  } catch {
    return null;
  }
}

/**
 * "temp2_input" before "temp10_input": runs of digits compare as numbers, the rest by code unit (sysfs names are
 * ASCII). Not localeCompare(…, { numeric: true }): its ICU collator keeps ~3 MB in the resting agent.
 */
export function naturalOrder(a: string, b: string): number {
  // Splitting on a captured digit run puts the digit runs at the odd indexes of both arrays.
  const as = a.split(/(\d+)/);
  const bs = b.split(/(\d+)/);
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    const x = as[i] as string;
    const y = bs[i] as string;
    if (x === y) continue;
    if (i % 2 === 1 && Number(x) !== Number(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return as.length - bs.length;
}

async function entries(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort(naturalOrder);
  } catch {
    return [];
  }
}

function uniqueName(base: string, taken: Set<string>): string {
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}_${n}`;
  taken.add(name);
  return name;
}

/** Finds sensors once; the set only changes when a driver loads, so collection re-discovers rarely. */
export async function discoverSensors(root: string): Promise<Sensor[]> {
  const sensors: Sensor[] = [];
  const taken = new Set<string>();
  const hwmon = path.join(root, "sys/class/hwmon");
  for (const chipDir of await entries(hwmon)) {
    const dir = path.join(hwmon, chipDir);
    const chip = (await text(path.join(dir, "name"))) ?? chipDir;
    for (const file of await entries(dir)) {
      const match = /^(temp\d+)_input$/.exec(file);
      if (!match?.[1]) continue;
      const label = (await text(path.join(dir, `${match[1]}_label`))) || match[1];
      sensors.push({ file: path.join(dir, file), name: uniqueName(`temp.${metricSegment(`${chip}_${label}`)}`, taken) });
    }
  }
  if (sensors.length > 0) return sensors;
  // Thermal zones usually mirror hwmon sensors (acpitz, x86_pkg_temp): read them only when hwmon has none.
  const thermal = path.join(root, "sys/class/thermal");
  for (const zone of await entries(thermal)) {
    if (!zone.startsWith("thermal_zone")) continue;
    const type = (await text(path.join(thermal, zone, "type"))) || zone;
    sensors.push({ file: path.join(thermal, zone, "temp"), name: uniqueName(`temp.${metricSegment(type)}`, taken) });
  }
  return sensors;
}

/** Sysfs reports millidegrees Celsius; a sensor that errors (asleep, unplugged) is left out of this sample. */
export async function readTemperatures(sensors: Sensor[]): Promise<MetricValues> {
  const values: MetricValues = {};
  const readings = await Promise.all(sensors.map((sensor) => text(sensor.file)));
  sensors.forEach((sensor, i) => {
    const milli = Number(readings[i] ?? Number.NaN);
    if (readings[i] && Number.isFinite(milli)) values[sensor.name] = round2(milli / 1000);
  });
  return values;
}

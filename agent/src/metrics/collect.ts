// Host metrics for one sample: reads /proc and /sys under a root ("/" on the host, a fixture tree in tests) with no
// dependencies, keeps the previous counters for rates, and merges what extra collectors (docker, ...) add.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { type Logger, silentLogger } from "../logging/logger.ts";
import { type CpuSnapshot, cpuValues, parseProcStat } from "./cpu.ts";
import { type DiskCounters, diskIoValues, parseDiskstats } from "./disk-io.ts";
import { type ChildStatFs, type StatFs, createDiskUsageReader, parseMounts } from "./disk-usage.ts";
import { type GpuGate, type RunProgram, createNvidiaSmiReader } from "./gpu.ts";
import { loadValues, memoryValues, parseMeminfo, uptimeValues } from "./memory.ts";
import { type MetricValues, wireSafe } from "./metric-values.ts";
import { type InterfaceCounters, networkValues, parseNetDev } from "./network.ts";
import { type Sensor, discoverSensors, readTemperatures } from "./temperatures.ts";

/** More values for the same sample, e.g. container counts and per-container CPU and memory from Docker. */
export type ExtraCollector = () => Promise<MetricValues> | MetricValues;

export interface HostCollectorOptions {
  /** Where /proc and /sys are read from. Default "/". */
  root?: string;
  /**
   * A clock that never jumps (rates divide by its elapsed time). Default process.uptime() (libuv's monotonic hrtime):
   * the global `performance` would load perf_hooks, ~1 MB of the resting agent's memory.
   */
  monotonicMs?: () => number;
  /** statfs of local filesystems (in-process) and of network ones (in a child: a dead NAS must not hold a pool thread). */
  statfs?: StatFs;
  networkStatfs?: ChildStatFs;
  statfsTimeoutMs?: number;
  /** Runs nvidia-smi; null turns GPU metrics off. */
  runProgram?: RunProgram | null;
  /** Gaming mode's hold on the card: nvidia-smi is skipped while it is handed over. */
  gpuGate?: GpuGate;
  extraCollectors?: ExtraCollector[];
  /** Sensors are looked for again every this many collections (a driver may load late). Default 60. */
  rediscoverSensorsEvery?: number;
  logger?: Logger;
}

export interface HostCollector {
  collect(): Promise<MetricValues>;
  addCollector(collector: ExtraCollector): void;
}

interface Counters {
  at: number;
  cpu: CpuSnapshot;
  disks: Map<string, DiskCounters>;
  interfaces: Map<string, InterfaceCounters>;
}

export function createHostCollector(options: HostCollectorOptions = {}): HostCollector {
  const root = options.root ?? "/";
  const monotonicMs = options.monotonicMs ?? (() => process.uptime() * 1000);
  const logger = options.logger ?? silentLogger;
  const extras = [...(options.extraCollectors ?? [])];
  const diskUsage = createDiskUsageReader({ root, statfs: options.statfs, networkStatfs: options.networkStatfs, timeoutMs: options.statfsTimeoutMs });
  const gpu = options.runProgram === null ? null : createNvidiaSmiReader(options.runProgram, logger, options.gpuGate);
  const rediscoverEvery = options.rediscoverSensorsEvery ?? 60;
  const failing = new Set<string>();
  let previous: Counters | null = null;
  let sensors: Sensor[] = [];
  let collections = 0;

  const read = (file: string) => readFile(path.join(root, file), "utf8");

  /** A source that fails (missing on this kernel, unreadable in a container) only loses its own values. */
  async function source(name: string, run: () => Promise<MetricValues> | MetricValues): Promise<MetricValues> {
    try {
      const values = await run();
      failing.delete(name);
      return values;
    } catch (err) {
      if (!failing.has(name)) logger.debug("metric source failed; skipping it until it recovers", { source: name, err });
      failing.add(name);
      return {};
    }
  }

  async function counters(): Promise<Counters> {
    const at = monotonicMs();
    const [stat, diskstats, netDev] = await Promise.all([read("proc/stat"), read("proc/diskstats").catch(() => ""), read("proc/net/dev").catch(() => "")]);
    return { at, cpu: parseProcStat(stat), disks: parseDiskstats(diskstats), interfaces: parseNetDev(netDev) };
  }

  async function rates(): Promise<MetricValues> {
    const cur = await counters();
    const prev = previous;
    previous = cur;
    const values = cpuValues(prev?.cpu ?? null, cur.cpu);
    if (!prev) return values;
    const elapsed = (cur.at - prev.at) / 1000;
    return { ...values, ...diskIoValues(prev.disks, cur.disks, elapsed), ...networkValues(prev.interfaces, cur.interfaces, elapsed) };
  }

  async function temperatures(): Promise<MetricValues> {
    if (collections % rediscoverEvery === 0) sensors = await discoverSensors(root);
    return readTemperatures(sensors);
  }

  async function collect(): Promise<MetricValues> {
    const parts = await Promise.all([
      source("rates", rates),
      source("memory", async () => memoryValues(parseMeminfo(await read("proc/meminfo")))),
      source("load", async () => loadValues(await read("proc/loadavg"))),
      source("uptime", async () => uptimeValues(await read("proc/uptime"))),
      source("disks", async () => diskUsage(parseMounts(await read("proc/mounts")))),
      source("temperatures", temperatures),
      gpu ? source("gpu", gpu) : {},
      ...extras.map((extra, i) => source(`extra.${i}`, extra)),
    ]);
    collections++;
    return wireSafe(Object.assign({}, ...parts), (name) => logger.debug("dropping a metric the wire would refuse", { name }));
  }

  return {
    collect,
    addCollector(collector) {
      extras.push(collector);
    },
  };
}

// Container metrics for the host's samples: counts, and per container running (0/1), restarts, CPU % and memory.
// One list call per collection plus one one-shot stats call per running container, all over the local socket;
// restart counts need an inspect each, so they are refreshed once a minute. Feeds the alert rules
// "container down" (container.<name>.running) and "restart looping" (container.<name>.restarts); a container stopped on
// purpose (gaming mode lends its GPU to the VM) has no `running` value while it is, so "down" never fires for it.
import { engineGet } from "../docker/engine-api.ts";
import { type MetricValues, metricSegment, percent, round2 } from "./metric-values.ts";

const STATS_TIMEOUT_MS = 3_000;
const RESTARTS_EVERY_MS = 60_000;

interface CpuReading {
  total: number;
  system: number;
}

/** The fields of Docker's container list this collector reads. */
interface ListedContainer {
  Id: string;
  Names: string[];
  State: string;
}

interface StatsBody {
  cpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number; online_cpus?: number };
  memory_stats?: { usage?: number; limit?: number; stats?: { inactive_file?: number; cache?: number } };
}

export interface ContainerMetricsOptions {
  now?: () => number;
  /** Containers stopped on purpose right now, by Docker name (gaming mode's): not down, so no `running` = 0. */
  stoppedOnPurpose?: (name: string) => boolean;
}

/** An extra collector for createHostCollector; a Docker that is down yields nothing (and no error spam). */
export function containerMetrics(socketPath: string, options: ContainerMetricsOptions = {}): () => Promise<MetricValues> {
  const now = options.now ?? Date.now;
  const stoppedOnPurpose = options.stoppedOnPurpose ?? (() => false);
  const previousCpu = new Map<string, CpuReading>();
  const restarts = new Map<string, number>();
  let restartsReadAt = 0;

  async function statsOf(id: string): Promise<StatsBody | null> {
    const signal = AbortSignal.timeout(STATS_TIMEOUT_MS);
    try {
      // one-shot: answer with the current numbers at once instead of sampling for a second (Docker API 1.41+).
      return await engineGet<StatsBody>(socketPath, `/containers/${encodeURIComponent(id)}/stats?stream=false&one-shot=true`, signal);
    } catch {
      return null;
    }
  }

  return async () => {
    const list = await engineGet<ListedContainer[]>(socketPath, "/containers/json?all=1", AbortSignal.timeout(STATS_TIMEOUT_MS));
    const values: MetricValues = { "containers.total": list.length, "containers.running": 0 };
    const readRestarts = now() - restartsReadAt >= RESTARTS_EVERY_MS;
    const running = list.filter((c) => c.State === "running");
    values["containers.running"] = running.length;
    const seen = new Set<string>();

    await Promise.all(
      list.map(async (c) => {
        const dockerName = (c.Names[0] ?? c.Id.slice(0, 12)).replace(/^\//, "");
        const name = metricSegment(dockerName);
        seen.add(c.Id);
        // Left out rather than 0: the edge's alert engine calls a series without samples "unknown", which never fires.
        if (c.State === "running") values[`container.${name}.running`] = 1;
        else if (!stoppedOnPurpose(dockerName)) values[`container.${name}.running`] = 0;
        if (readRestarts) {
          try {
            const info = await engineGet<{ RestartCount?: number }>(socketPath, `/containers/${encodeURIComponent(c.Id)}/json`, AbortSignal.timeout(STATS_TIMEOUT_MS));
            restarts.set(c.Id, info.RestartCount ?? 0);
          } catch {
            // gone between list and inspect: nothing to report
          }
        }
        const count = restarts.get(c.Id);
        if (count !== undefined) values[`container.${name}.restarts`] = count;
        if (c.State !== "running") return;
        const stats = await statsOf(c.Id);
        if (!stats) return;
        const mem = stats.memory_stats;
        if (mem?.usage !== undefined) {
          // As `docker stats` shows it: page cache that can be dropped is not the container's memory.
          const used = mem.usage - (mem.stats?.inactive_file ?? mem.stats?.cache ?? 0);
          values[`container.${name}.mem_bytes`] = Math.max(0, used);
          if (mem.limit) values[`container.${name}.mem_pct`] = percent(Math.max(0, used), mem.limit);
        }
        const cpu = stats.cpu_stats;
        const total = cpu?.cpu_usage?.total_usage;
        const system = cpu?.system_cpu_usage;
        if (total !== undefined && system !== undefined) {
          const before = previousCpu.get(c.Id);
          previousCpu.set(c.Id, { total, system });
          if (before && system > before.system && total >= before.total) {
            // Docker's formula: share of all CPUs' time, times the number of CPUs (100% = one full core).
            values[`container.${name}.cpu`] = round2(((total - before.total) / (system - before.system)) * (cpu?.online_cpus ?? 1) * 100);
          }
        }
      }),
    );
    for (const id of previousCpu.keys()) if (!seen.has(id)) previousCpu.delete(id);
    for (const id of restarts.keys()) if (!seen.has(id)) restarts.delete(id);
    if (readRestarts) restartsReadAt = now();
    return values;
  };
}

// Service probes in the host's samples: every configured service (NEBULA_PROBES) is probed once per resting metrics
// interval, a few at a time, and reported as probe.<name>.up (1/0) and probe.<name>.latency_ms. Feeds the
// "service probe failing" alert rule and the host page's probes tab.
//
// A round runs in the background and a sample carries the latest finished round: a hung service (up to its timeout)
// never holds back the CPU, memory and disk values of the same sample, and live ticks (every 2 s) never start a
// round of their own before the resting interval has passed. A round still running is never overlapped.
//
// A paused probe (gaming mode holds its service's container stopped) is not run and has no samples: the edge's alert
// engine calls a series without samples "unknown", which neither fires "probe failing" nor resolves it.
import { DEFAULT_METRICS_INTERVAL_SECONDS } from "@nebula/schema/wire/agent";
import type { ProbeTarget } from "../config/config.ts";
import { type ProbeResult, probeService } from "../host/service-probe.ts";
import { type Logger, silentLogger } from "../logging/logger.ts";
import { type MetricValues, metricSegment } from "./metric-values.ts";

/** Probes in flight at once: a homelab lists a handful, and a round must stay well inside one interval. */
export const PROBE_CONCURRENCY = 4;
/** Timer ticks land a few ms either side of the interval; a round is due slightly early rather than a whole tick late. */
const DUE_SLACK_MS = 1000;

export type ProbeFn = (kind: ProbeTarget["kind"], url: string, options: { timeoutMs: number; signal: AbortSignal }) => Promise<ProbeResult>;

export interface ProbeMetricsOptions {
  timeoutMs: number;
  concurrency?: number;
  /** Least time between the starts of two rounds. Default the resting metrics interval (10 s). */
  spacingMs?: number;
  /** Default Date.now. */
  now?: () => number;
  probe?: ProbeFn;
  logger?: Logger;
  /** Probes not to run right now, by name (their service is stopped on purpose). Default none. */
  paused?: (probe: string) => boolean;
}

export interface ProbeMetrics {
  /** An extra collector for the host collector: the latest round's values, starting a new round when one is due. */
  collect(): MetricValues;
  /** Resolves once no round is running. */
  idle(): Promise<void>;
  /** Cancels a running round; later collections report nothing. */
  stop(): void;
}

export const probeUpMetric = (name: string) => `probe.${metricSegment(name)}.up`;
export const probeLatencyMetric = (name: string) => `probe.${metricSegment(name)}.latency_ms`;

export function probeMetrics(targets: readonly ProbeTarget[], options: ProbeMetricsOptions): ProbeMetrics {
  const concurrency = Math.max(1, options.concurrency ?? PROBE_CONCURRENCY);
  const spacingMs = options.spacingMs ?? DEFAULT_METRICS_INTERVAL_SECONDS * 1000;
  const now = options.now ?? Date.now;
  const probe = options.probe ?? probeService;
  const logger = options.logger ?? silentLogger;
  const paused = options.paused ?? (() => false);
  const stopper = new AbortController();
  let latest: MetricValues = {};
  let round: Promise<void> | null = null;
  let startedAt = Number.NEGATIVE_INFINITY;
  /** Last up/down per probe, so a change is logged once rather than every round. */
  const wasUp = new Map<string, boolean>();

  async function probeOne(target: ProbeTarget, values: MetricValues): Promise<void> {
    let result: ProbeResult;
    try {
      result = await probe(target.kind, target.url, { timeoutMs: options.timeoutMs, signal: stopper.signal });
    } catch (err) {
      if (stopper.signal.aborted) return;
      // probeService answers "down" for anything the service does; an exception is the agent's own fault.
      logger.warn("service probe failed to run", { probe: target.name, err });
      result = { up: false, status: null, latencyMs: 0, detail: "probe failed to run" };
    }
    // Paused while it ran: the service may have been stopped under it, so what it saw is gaming mode's doing.
    if (paused(target.name)) return;
    values[probeUpMetric(target.name)] = result.up ? 1 : 0;
    // A latency only when something answered: a timeout's "latency" is the timeout, and would flatten the chart.
    if (result.status !== null) values[probeLatencyMetric(target.name)] = result.latencyMs;
    if (wasUp.get(target.name) !== result.up) {
      if (wasUp.has(target.name) || !result.up) logger.info(result.up ? "service probe up" : "service probe down", { probe: target.name, detail: result.detail });
      wasUp.set(target.name, result.up);
    }
  }

  async function runRound(): Promise<void> {
    const values: MetricValues = {};
    const queue = [...targets];
    const worker = async () => {
      for (let target = queue.shift(); target && !stopper.signal.aborted; target = queue.shift()) {
        if (!paused(target.name)) await probeOne(target, values);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
    if (!stopper.signal.aborted) latest = values;
  }

  return {
    collect() {
      if (targets.length === 0 || stopper.signal.aborted) return {};
      if (round === null && now() - startedAt >= spacingMs - DUE_SLACK_MS) {
        startedAt = now();
        round = runRound().finally(() => {
          round = null;
        });
      }
      const values = { ...latest };
      // A round finished before the pause still holds the values from before it; they are not news now.
      for (const target of targets) {
        if (!paused(target.name)) continue;
        delete values[probeUpMetric(target.name)];
        delete values[probeLatencyMetric(target.name)];
      }
      return values;
    },
    async idle() {
      while (round) await round;
    },
    stop() {
      stopper.abort();
      latest = {};
    },
  };
}

// The metrics pipeline: collects a sample every interval, spools it as a numbered batch, and sends unacked batches
// in order while the edge link is up, replaying everything unacked after a reconnect or a restart.
import {
  DEFAULT_METRICS_INTERVAL_SECONDS,
  type MetricsBatch,
  type Sample,
  type SpoolLoss,
} from "@nebula/schema/wire/agent";
import { type Logger, silentLogger } from "../logging/logger.ts";
import type { MetricsSpool } from "../spool/spool.ts";
import type { MetricValues } from "./metric-values.ts";

/** The wire's cap on samples in one batch. */
const MAX_BATCH_SAMPLES = 720;

export interface MetricsPipelineOptions {
  collect: () => Promise<MetricValues>;
  spool: Pick<MetricsSpool, "append" | "readFrom" | "ack" | "takeLoss" | "lossSent" | "ackedSeq">;
  /** Hands a message to the edge link; false when it could not be sent (the link just dropped). */
  send: (message: MetricsBatch | SpoolLoss) => boolean;
  /** Epoch milliseconds, stamped on each sample. Default Date.now. */
  now?: () => number;
  setTimer?: (run: () => void, ms: number) => unknown;
  clearTimer?: (timer: unknown) => void;
  /** The at-rest interval, and the one restored when the link drops. Default 10 s. */
  intervalSeconds?: number;
  /** Samples per batch. Default 1: every tick reaches the hub (and live charts) at once. */
  samplesPerBatch?: number;
  /** Batches sent and not yet acked, at most. Default 16. */
  maxInFlight?: number;
  logger?: Logger;
}

export interface MetricsPipeline {
  /** Collects once now, then every interval. */
  start(): void;
  /** Stops ticking and spools the partial batch, so a restart sends it. */
  stop(): Promise<void>;
  /** One collection, outside the schedule (tests, or a caller that wants a fresh sample now). */
  tick(): Promise<void>;
  /** The edge's set_interval: 2 s while someone watches live, back to 10 s after. */
  setInterval(seconds: number): void;
  readonly intervalSeconds: number;
  onConnected(): void;
  onDisconnected(): void;
  /** The edge's metrics_ack: everything up to `seq` is stored there. */
  onAck(seq: number): Promise<void>;
  /** Resolves once no collection, spooling or sending is under way. */
  idle(): Promise<void>;
}

export function createMetricsPipeline(options: MetricsPipelineOptions): MetricsPipeline {
  const { collect, spool, send } = options;
  const now = options.now ?? Date.now;
  const setTimer = options.setTimer ?? ((run, ms) => setTimeout(run, ms));
  const clearTimer = options.clearTimer ?? ((timer) => clearTimeout(timer as ReturnType<typeof setTimeout>));
  const restingSeconds = options.intervalSeconds ?? DEFAULT_METRICS_INTERVAL_SECONDS;
  const samplesPerBatch = Math.min(Math.max(1, options.samplesPerBatch ?? 1), MAX_BATCH_SAMPLES);
  const maxInFlight = Math.max(1, options.maxInFlight ?? 16);
  const logger = options.logger ?? silentLogger;

  let intervalSeconds = restingSeconds;
  let running = false;
  let timer: unknown = null;
  let lastTickAt = 0;
  let ticking: Promise<void> | null = null;
  let current: Sample[] = [];

  let connected = false;
  /** Bumped on every connect and disconnect, so a send loop from an earlier connection stops. */
  let connection = 0;
  let sentUpTo = 0;
  let inFlight: number[] = [];
  let pendingLoss: SpoolLoss | null = null;
  let pumping: Promise<void> | null = null;
  let pumpAgain = false;

  function schedule(delayMs: number): void {
    if (timer !== null) clearTimer(timer);
    timer = setTimer(onTimer, Math.max(0, delayMs));
  }

  function onTimer(): void {
    timer = null;
    if (!running) return;
    schedule(intervalSeconds * 1000);
    void tick();
  }

  function tick(): Promise<void> {
    // A collection still running (a slow mount) is not stacked on: this tick is simply skipped.
    if (ticking) return ticking;
    lastTickAt = now();
    ticking = collectAndSpool().finally(() => {
      ticking = null;
    });
    return ticking;
  }

  async function collectAndSpool(): Promise<void> {
    const at = now();
    try {
      current.push({ at, values: await collect() });
    } catch (err) {
      logger.warn("metrics collection failed", { err });
      return;
    }
    if (current.length >= samplesPerBatch) await flush();
  }

  async function flush(): Promise<void> {
    if (current.length === 0) return;
    const samples = current;
    current = [];
    try {
      await spool.append(samples);
    } catch (err) {
      // Disk full or read-only: keep the samples for the next flush, within what one batch may carry.
      current = [...samples, ...current].slice(-MAX_BATCH_SAMPLES);
      logger.warn("could not spool metrics; keeping them in memory", { err, samples: current.length });
      return;
    }
    void pump();
  }

  function pump(): Promise<void> {
    if (pumping) {
      pumpAgain = true;
      return pumping;
    }
    pumping = (async () => {
      do {
        pumpAgain = false;
        await sendPending();
      } while (pumpAgain && connected);
    })()
      .catch((err: unknown) => logger.warn("sending spooled metrics failed", { err }))
      .finally(() => {
        pumping = null;
      });
    return pumping;
  }

  async function sendPending(): Promise<void> {
    const mine = connection;
    const loss = spool.takeLoss();
    if (loss) pendingLoss = mergeLoss(pendingLoss, loss);
    if (!connected) return;
    if (pendingLoss) {
      if (!send(pendingLoss)) return;
      logger.warn("the metrics spool was full: oldest batches were dropped", { ...pendingLoss });
      pendingLoss = null;
      await spool.lossSent();
    }
    while (connected && connection === mine && inFlight.length < maxInFlight) {
      const batches = await spool.readFrom(sentUpTo, maxInFlight - inFlight.length);
      if (batches.length === 0 || connection !== mine) return;
      for (const batch of batches) {
        if (!connected || connection !== mine || !send(batch)) return;
        sentUpTo = batch.seq;
        inFlight.push(batch.seq);
      }
    }
  }

  function changeInterval(seconds: number): void {
    if (seconds === intervalSeconds) return;
    intervalSeconds = seconds;
    // The next tick moves to the new interval counted from the last one, so going live is felt at once.
    if (running) schedule(lastTickAt + seconds * 1000 - now());
  }

  return {
    start() {
      if (running) return;
      running = true;
      schedule(intervalSeconds * 1000);
      void tick();
    },
    async stop() {
      running = false;
      if (timer !== null) clearTimer(timer);
      timer = null;
      await ticking;
      await flush();
      await pumping;
    },
    tick,
    setInterval: changeInterval,
    get intervalSeconds() {
      return intervalSeconds;
    },
    onConnected() {
      connected = true;
      connection++;
      // Everything unacked goes again: the hub ignores seqs it already stored.
      sentUpTo = spool.ackedSeq;
      inFlight = [];
      void pump();
    },
    onDisconnected() {
      connected = false;
      connection++;
      inFlight = [];
      // Live mode is the watcher's; without a link nobody is watching, and the hub asks again after reconnecting.
      changeInterval(restingSeconds);
    },
    async onAck(seq) {
      inFlight = inFlight.filter((sent) => sent > seq);
      try {
        await spool.ack(seq);
      } catch (err) {
        logger.warn("could not record a metrics ack", { err, seq });
      }
      await pump();
    },
    async idle() {
      while (ticking || pumping) await (ticking ?? pumping);
    },
  };
}

function mergeLoss(a: SpoolLoss | null, b: SpoolLoss): SpoolLoss {
  if (!a) return b;
  return {
    type: "spool_loss",
    droppedBatches: a.droppedBatches + b.droppedBatches,
    droppedSamples: a.droppedSamples + b.droppedSamples,
    oldestDroppedAt: Math.min(a.oldestDroppedAt, b.oldestDroppedAt),
  };
}

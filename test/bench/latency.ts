// Latency figures for `npm run bench`: nearest-rank percentiles and a closed-loop load runner that keeps a
// fixed number of requests in flight, so sequential (1) and concurrent figures come from the same code.

/** Nearest-rank percentile (p in 0..100) of unsorted samples: always one of the samples, never interpolated. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new Error("percentile of no samples");
  if (!(p >= 0 && p <= 100)) throw new Error(`percentile must be within 0..100, got ${p}`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(samples: readonly number[]): LatencySummary {
  if (samples.length === 0) throw new Error("summary of no samples");
  return {
    count: samples.length,
    p50: percentile(samples, 50),
    p90: percentile(samples, 90),
    p95: percentile(samples, 95),
    p99: percentile(samples, 99),
    max: Math.max(...samples),
    mean: samples.reduce((sum, x) => sum + x, 0) / samples.length,
  };
}

export interface LoadResult extends LatencySummary {
  concurrency: number;
  elapsedMs: number;
  /** Completed requests per second over the whole run. */
  throughput: number;
}

/**
 * Sends `requests` requests with `concurrency` workers, each starting its next request when the previous one
 * ends (closed loop). `send(i)` performs request i and rejects on a wrong answer, which aborts the run.
 * Latency is timed around `send` only, so per-request preparation belongs outside it.
 * On a failure the runner stops handing out requests, waits for those in flight, then rejects.
 */
export async function runLoad(options: {
  requests: number;
  concurrency: number;
  send: (index: number) => Promise<void>;
}): Promise<LoadResult> {
  const { requests, concurrency, send } = options;
  if (!Number.isInteger(requests) || requests < 1) throw new Error(`requests must be a positive integer, got ${requests}`);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be a positive integer, got ${concurrency}`);
  const latencies: number[] = new Array(requests);
  let next = 0;
  const worker = async () => {
    while (next < requests) {
      const index = next++;
      const started = performance.now();
      try {
        await send(index);
      } catch (err) {
        next = requests; // the other workers stop handing out requests too
        throw err;
      }
      latencies[index] = performance.now() - started;
    }
  };
  const started = performance.now();
  // Settle every worker before reporting a failure, so no request is still in flight when the caller stops the stack.
  const outcomes = await Promise.allSettled(Array.from({ length: Math.min(concurrency, requests) }, worker));
  const failure = outcomes.find((o) => o.status === "rejected");
  if (failure) throw failure.reason;
  const elapsedMs = performance.now() - started;
  return { ...summarize(latencies), concurrency, elapsedMs, throughput: (requests / elapsedMs) * 1000 };
}

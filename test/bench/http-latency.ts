// Latency of the two endpoints the issue budgets, through the running stack on loopback: a signed Discord PING
// (signature check only, no Postgres, no cache) and GET /healthz (a Postgres round trip and a cache ping per call).
import { keepAliveClient } from "./keep-alive-client.ts";
import { type LoadResult, runLoad } from "./latency.ts";
import { type InteractionSigner, PING_BODY, PONG } from "./signed-ping.ts";

export interface LatencyRun {
  name: string;
  concurrency: number;
  result: LoadResult | null;
  /** Why the run stopped early, when it did: the bench reports it instead of a figure. */
  failure: string | null;
}

export interface HealthzRun extends LatencyRun {
  /** The probe latencies /healthz reports from inside the Worker, per measured request. */
  probes: { database: number[]; cache: number[] };
}

class StoppedEarly extends Error {}

export async function measurePing(options: {
  url: string;
  signer: InteractionSigner;
  concurrency: number;
  warmup: number;
  requests: number;
}): Promise<LatencyRun> {
  const { url, signer, concurrency, warmup, requests } = options;
  const client = keepAliveClient(url, concurrency);
  try {
    // Signing is preparation, not latency: every request is signed before the clock starts.
    const signed = Array.from({ length: warmup + requests }, () => signer.headers(PING_BODY));
    const ping = async (i: number) => {
      const res = await client.request("POST", "/interactions", { headers: signed[i] as Record<string, string>, body: PING_BODY });
      if (res.status !== 200 || res.body !== PONG) throw new Error(`PING answered ${res.status} ${res.body}, expected 200 ${PONG}`);
    };
    await runLoad({ requests: warmup, concurrency, send: ping });
    const result = await runLoad({ requests, concurrency, send: (i) => ping(warmup + i) });
    return { name: "POST /interactions (PING)", concurrency, result, failure: null };
  } finally {
    client.close();
  }
}

interface HealthBody {
  status: string;
  database: { latencyMs: number | null };
  cache: { latencyMs: number | null };
}

export async function measureHealthz(options: { url: string; concurrency: number; warmup: number; requests: number }): Promise<HealthzRun> {
  const { url, concurrency, warmup, requests } = options;
  const client = keepAliveClient(url, concurrency);
  const probes = { database: [] as number[], cache: [] as number[] };
  let answered = 0;
  const health = async (record: boolean) => {
    const res = await client.request("GET", "/healthz");
    if (res.status !== 200) throw new StoppedEarly(`request ${answered + 1} (counting ${warmup} warm-up) answered ${res.status} ${res.body}`);
    const body = JSON.parse(res.body) as HealthBody;
    answered++;
    if (record) {
      if (body.database.latencyMs !== null) probes.database.push(body.database.latencyMs);
      if (body.cache.latencyMs !== null) probes.cache.push(body.cache.latencyMs);
    }
  };
  const run: HealthzRun = { name: "GET /healthz", concurrency, result: null, failure: null, probes };
  try {
    await runLoad({ requests: warmup, concurrency, send: () => health(false) });
    run.result = await runLoad({ requests, concurrency, send: () => health(true) });
  } catch (err) {
    // A degraded answer is a finding about the stack, not a broken bench: report it in place of the figure.
    if (!(err instanceof StoppedEarly)) throw err;
    run.failure = err.message;
  } finally {
    client.close();
  }
  return run;
}

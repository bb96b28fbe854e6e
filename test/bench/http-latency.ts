// Latency of the endpoints the issue budgets, through the running stack on loopback: signed Discord interactions
// (a PING, answered after the signature check alone, and `/nebula status`, a command on the fast path: signature,
// parse, route, reply with no Postgres on the way; its usage count is queued and written after) and GET /healthz (a Postgres round trip and a cache ping per call).
// Interactions are signed by the same signer the tests use, with a key pair it generated; its public half is the
// stack's DISCORD_PUBLIC_KEY.
import type { InteractionSigner } from "../fakes/interaction-signer.ts";
import { keepAliveClient } from "./keep-alive-client.ts";
import { type LoadResult, runLoad } from "./latency.ts";

export type InteractionKind = "PING" | "/nebula status";

export const INTERACTION_KINDS: readonly InteractionKind[] = ["PING", "/nebula status"];

const PONG = JSON.stringify({ type: 1 });

/** The run's name in the report for each kind. */
export const interactionRunName = (kind: InteractionKind) => `POST /interactions (${kind})`;

/** Signs `count` distinct interactions of `kind` (fresh ids and tokens each), before any clock starts. */
export async function signInteractions(signer: InteractionSigner, kind: InteractionKind, count: number) {
  const out: { headers: Record<string, string>; body: string }[] = [];
  for (let i = 0; i < count; i++) {
    const payload = kind === "PING" ? signer.ping() : signer.slashCommand("nebula", { subcommand: "status" });
    const { headers, body } = await signer.sign(payload);
    out.push({ headers, body });
  }
  return out;
}

/** Throws unless `answer` is what Discord expects for `kind`: a PONG, or an immediate message (type 4). */
export function checkInteractionAnswer(kind: InteractionKind, answer: { status: number; body: string }): void {
  const ok = answer.status === 200 && (kind === "PING" ? answer.body === PONG : (JSON.parse(answer.body) as { type?: number }).type === 4);
  if (!ok) throw new Error(`${kind} answered ${answer.status} ${answer.body.slice(0, 300)}, expected 200 ${kind === "PING" ? PONG : "type 4"}`);
}

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

export async function measureInteraction(options: {
  url: string;
  signer: InteractionSigner;
  kind: InteractionKind;
  concurrency: number;
  warmup: number;
  requests: number;
}): Promise<LatencyRun> {
  const { url, signer, kind, concurrency, warmup, requests } = options;
  // Signing is preparation, not latency: every request is signed before the clock starts.
  const signed = await signInteractions(signer, kind, warmup + requests);
  const client = keepAliveClient(url, concurrency);
  try {
    const send = async (i: number) => {
      const { headers, body } = signed[i] as { headers: Record<string, string>; body: string };
      checkInteractionAnswer(kind, await client.request("POST", "/interactions", { headers, body }));
    };
    await runLoad({ requests: warmup, concurrency, send });
    const result = await runLoad({ requests, concurrency, send: (i) => send(warmup + i) });
    return { name: interactionRunName(kind), concurrency, result, failure: null };
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

// Requests straight into the Worker module this test file imported, with an env of the test's choosing, waiting
// for its after-response work. Unlike exports.default.fetch, the Worker's module state (the auth cache) is the
// same instance the test can look at, and the env can name the Postgres connection (application_name) so the
// local bridge counts exactly this test's queries.
import { env } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { withApplicationName } from "../../src/agents/hub-postgres.ts";
import type { Env } from "../../src/env.ts";
import worker from "../../src/index.ts";
import { url } from "./seed.ts";

/** The test env, with Postgres connections named `applicationName` when given. */
export function envNamed(applicationName?: string): Env {
  const base = env as unknown as Env;
  return applicationName ? { ...base, DATABASE_URL: withApplicationName(base.DATABASE_URL ?? "", applicationName) } : base;
}

export async function callWorker(path: string, init: RequestInit = {}, workerEnv: Env = envNamed()): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request(url(path), init), workerEnv, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** Connections and queries the local Postgres bridge saw under one application_name. */
export async function bridgeTraffic(applicationName: string): Promise<{ connections: number; queries: number }> {
  const bridge = ((env as unknown as Env).DB_WS_PROXY ?? "").split("/")[0];
  const res = await fetch(`http://${bridge}/__stats?app=${encodeURIComponent(applicationName)}`);
  if (!res.ok) throw new Error(`bridge stats answered ${res.status}`);
  return res.json();
}

/** A queue binding that keeps what the Worker sent, so the test decides when (and whether) the consumer sees it. */
export function recordingQueue(): { queue: Queue; sent: unknown[] } {
  const sent: unknown[] = [];
  const queue = {
    send: async (body: unknown) => void sent.push(body),
    sendBatch: async (messages: { body: unknown }[]) => void sent.push(...messages.map((m) => m.body)),
  } as unknown as Queue;
  return { queue, sent };
}

/** The same database under another name that does not exist: every query this env makes fails. */
export function envWithPostgresDown(applicationName: string): Env {
  const named = envNamed(applicationName);
  const missing = new URL(named.DATABASE_URL ?? "");
  missing.pathname = "/no_such_database";
  return { ...named, DATABASE_URL: missing.toString() };
}

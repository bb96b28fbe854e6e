// The AgentHub's only road to Postgres: hello, a job's end, the hourly rollup push. Each use opens its own
// connection (Workers cannot keep sockets between events), is bounded in time, and names itself with
// application_name `agent-hub:<agentId>` so Postgres (pg_stat_activity, the test bridge) can tell its queries apart.
import { loadConfig } from "../config/config.ts";
import { type Db, openDb } from "../db/client.ts";
import type { Env } from "../env.ts";
import { hubApplicationName } from "./hub-application-name.ts";

/** A stalled database must not hold the hub (and the agent's ack or a waiting API call) for long. */
export const HUB_POSTGRES_TIMEOUT_MS = 5_000;

export { hubApplicationName };

export function withApplicationName(databaseUrl: string, name: string): string {
  const url = new URL(databaseUrl);
  url.searchParams.set("application_name", name);
  return url.toString();
}

/** Runs `work` on a fresh connection; the connection is closed in the background (`defer`) once it is done. */
export async function withHubPostgres<T>(env: Env, agentId: string, defer: (p: Promise<unknown>) => void, work: (db: Db) => Promise<T>): Promise<T> {
  const config = loadConfig(env);
  const handle = openDb({ ...config, DATABASE_URL: withApplicationName(config.DATABASE_URL, hubApplicationName(agentId)) });
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Postgres did not answer within ${HUB_POSTGRES_TIMEOUT_MS} ms`)), HUB_POSTGRES_TIMEOUT_MS);
    });
    return await Promise.race([work(handle.db), timeout]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    defer(handle.close().catch(() => {}));
  }
}

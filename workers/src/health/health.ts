// Health of the deployment: can we reach Postgres and the cache, and which Discord parts are configured.
import type { api } from "@nebula/schema";
import { sql } from "drizzle-orm";
import { discordSignInEnabled } from "../auth/discord-sign-in.ts";
import type { Services } from "../http/context.ts";

export const VERSION = "0.1.0";
const PROBE_TIMEOUT_MS = 5_000;

async function timed<T>(work: () => Promise<T>): Promise<{ ok: boolean; latencyMs: number | null; error?: string }> {
  const started = performance.now();
  try {
    await Promise.race([
      work(),
      new Promise((_, reject) => setTimeout(() => reject(new Error(`timed out after ${PROBE_TIMEOUT_MS} ms`)), PROBE_TIMEOUT_MS)),
    ]);
    return { ok: true, latencyMs: Math.round((performance.now() - started) * 10) / 10 };
  } catch (err) {
    return { ok: false, latencyMs: null, error: err instanceof Error ? err.message.slice(0, 200) : "unreachable" };
  }
}

export async function checkHealth(services: Services): Promise<api.Health> {
  const [database, cache] = await Promise.all([
    timed(() => services.db.execute(sql`select 1`)),
    timed(async () => {
      if (!(await services.cache.ping())) throw new Error("ping failed");
    }),
  ]);
  const { config } = services;
  return {
    status: database.ok && cache.ok ? "ok" : "degraded",
    version: VERSION,
    database: database.ok ? { ok: true, latencyMs: database.latencyMs } : { ok: false, latencyMs: null, error: "unreachable" },
    cache: { ok: cache.ok, adapter: services.cache.adapter, latencyMs: cache.latencyMs },
    discord: {
      interactions: !!config.DISCORD_PUBLIC_KEY,
      signIn: discordSignInEnabled(config),
      bot: !!config.DISCORD_BOT_TOKEN,
    },
  };
}

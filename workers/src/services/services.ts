// Builds the per-request services (config, logger, db, cache, key ring); the one place clients are constructed.
import type { Context } from "hono";
import { createCache } from "../cache/create-cache.ts";
import type { Config } from "../config/config.ts";
import { type KeyRing, createKeyRing } from "../crypto/secret-box.ts";
import { shareDiscordLimits } from "../discord-rest/shared-client.ts";
import { type DbHandle, openDb } from "../db/client.ts";
import type { Env } from "../env.ts";
import type { Services } from "../http/context.ts";
import { type Logger, createLogger } from "../logging/logger.ts";

const keyRings = new Map<string, Promise<KeyRing>>();

export function keyRingFor(config: Config): Promise<KeyRing> {
  let ring = keyRings.get(config.ENCRYPTION_KEYS);
  if (!ring) {
    ring = createKeyRing(config.ENCRYPTION_KEYS);
    keyRings.set(config.ENCRYPTION_KEYS, ring);
  }
  return ring;
}

export interface ServicesScope {
  services: Services;
  /** Releases what the request opened (the Postgres socket). */
  dispose(): Promise<void>;
}

/** `now`: the clock, real time unless a cron run passes its trigger's scheduled time. */
export function createServices(env: Env, config: Config, logger: Logger, now: () => Date = () => new Date()): ServicesScope {
  shareDiscordLimits(env.DISCORD_LIMITS);
  let handle: DbHandle | undefined;
  const services: Services = {
    config,
    logger,
    now,
    get db() {
      handle ??= openDb(config);
      return handle.db;
    },
    cache: createCache(env, config),
    keyRing: () => keyRingFor(config),
  };
  return {
    services,
    dispose: async () => {
      if (handle) await handle.close().catch(() => {});
    },
  };
}

export function baseLogger(config: Pick<Config, "LOG_LEVEL">): Logger {
  return createLogger({ service: "worker" }, config.LOG_LEVEL);
}

/** Runs cleanup after the response without holding it up. */
export function afterResponse(c: Context, work: Promise<unknown>): void {
  try {
    c.executionCtx.waitUntil(work);
  } catch {
    // No execution context (plain app.request in unit tests): let it finish on its own.
    void work;
  }
}

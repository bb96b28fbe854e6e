// What the go-live domain needs, from a request's or a queue batch's services plus the Worker's bindings.
import type { Cache } from "../cache/cache.ts";
import type { Config } from "../config/config.ts";
import type { Db } from "../db/client.ts";
import type { Env } from "../env.ts";
import type { Services } from "../http/context.ts";
import type { Logger } from "../logging/logger.ts";
import type { Outbox } from "../outbox/outbox.ts";
import { type PlatformClients, platformClients } from "../platforms/platform-clients.ts";

export interface GoLiveDeps {
  db: Db;
  cache: Cache;
  config: Config;
  outboxes: DurableObjectNamespace<Outbox>;
  clients: PlatformClients;
  logger: Logger;
  now: () => Date;
  /** The YouTube live-chat pollers (workers/src/chat-bot/youtube-live-chat.ts); null where no binding is at hand. */
  liveChats: Env["YOUTUBE_LIVE_CHAT"] | null;
}

/** `env` is null where no binding is at hand (a slash command's run()): then nothing may enqueue a notice. */
export function goLiveDeps(env: Pick<Env, "OUTBOX" | "YOUTUBE_LIVE_CHAT"> | null, services: Services): GoLiveDeps {
  return {
    get db() {
      return services.db;
    },
    cache: services.cache,
    config: services.config,
    get outboxes() {
      if (!env) throw new Error("go-live: no OUTBOX binding here");
      return env.OUTBOX;
    },
    clients: platformClients(services.config, services.cache),
    logger: services.logger,
    now: services.now,
    liveChats: env?.YOUTUBE_LIVE_CHAT ?? null,
  };
}

/** The tenant's outbox (the same object as outbox.ts's getOutboxByName, without importing the Durable Object class). */
export function outboxOf(deps: Pick<GoLiveDeps, "outboxes">, tenantId: string): DurableObjectStub<Outbox> {
  return deps.outboxes.getByName(tenantId);
}

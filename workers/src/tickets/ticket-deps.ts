// What the ticket domain needs, built the same way from a request's, a queue batch's or a Durable Object's services:
// Postgres, the cache, the one Discord REST client, a logger and the clock.
import type { Cache } from "../cache/cache.ts";
import type { Config } from "../config/config.ts";
import type { Db } from "../db/client.ts";
import type { DiscordRest } from "../discord-rest/discord-rest.ts";
import { discordRestFor } from "../discord-rest/shared-client.ts";
import type { Services } from "../http/context.ts";
import type { Logger } from "../logging/logger.ts";

export interface TicketDeps {
  readonly db: Db;
  cache: Cache;
  rest: DiscordRest;
  config: Config;
  logger: Logger;
  now: () => Date;
}

export function ticketDeps(services: Services): TicketDeps {
  return {
    get db() {
      return services.db;
    },
    cache: services.cache,
    rest: discordRestFor(services.config),
    config: services.config,
    logger: services.logger,
    now: services.now,
  };
}

/** Who did something, for audit rows and the ticket's own columns. */
export interface TicketActor {
  /** A Discord user id, or null for Nebula itself (auto-close) or a dashboard user. */
  discordId: string | null;
  name: string;
  /** The audit actor id: a Nebula user id, `discord:<id>`, or `system:tickets`. */
  auditId: string;
  requestId?: string;
}

export const discordActor = (user: { id: string; username: string; global_name?: string | null }, requestId?: string): TicketActor => ({
  discordId: user.id,
  name: user.global_name || user.username,
  auditId: `discord:${user.id}`,
  requestId,
});

export const AUTO_CLOSE_ACTOR: TicketActor = { discordId: null, name: "Nebula (auto-close)", auditId: "system:tickets" };

// A connected Twitch channel feeds its owner's inbox: the connect registers the broadcaster as an inbox source of
// the tenant (streamer = the member who connected), and, after the callback has answered, creates the EventSub
// webhook subscriptions the inbox reads. Neither ever fails the connect: failures are logged.
import { inboxSources, newId } from "@nebula/schema";
import type { Cache } from "../cache/cache.ts";
import type { Config } from "../config/config.ts";
import type { Db } from "../db/client.ts";
import type { Logger } from "../logging/logger.ts";
import { platformClients } from "../platforms/platform-clients.ts";
import type { ConnectionRow } from "./connection-tokens.ts";

/** What the inbox needs from Twitch for one broadcaster; the base scopes grant every one of them. */
export function twitchInboxSubscriptions(broadcasterId: string): { type: string; version: string; condition: Record<string, string> }[] {
  const b = { broadcaster_user_id: broadcasterId };
  return [
    { type: "channel.follow", version: "2", condition: { ...b, moderator_user_id: broadcasterId } },
    { type: "channel.subscribe", version: "1", condition: b },
    { type: "channel.subscription.message", version: "1", condition: b },
    { type: "channel.subscription.gift", version: "1", condition: b },
    { type: "channel.cheer", version: "1", condition: b },
    { type: "channel.raid", version: "1", condition: { to_broadcaster_user_id: broadcasterId } },
  ];
}

/** The connected channel as an inbox source of the tenant; already registered is fine. */
export async function registerInboxSource(db: Db, logger: Logger, connection: ConnectionRow): Promise<void> {
  try {
    await db
      .insert(inboxSources)
      .values({ id: newId("inboxSource"), tenantId: connection.tenantId, platform: connection.platform, broadcasterId: connection.platformUserId, streamerUserId: connection.userId })
      .onConflictDoNothing();
  } catch (err) {
    logger.error("connections: the channel was not registered as an inbox source", { connectionId: connection.id, platform: connection.platform, err });
  }
}

export type InboxSubscribeOutcome = { created: number; existed: number; failed: string[] } | "not_configured";

/** Creates the inbox's EventSub subscriptions with the app token; one that already exists counts as done. */
export async function subscribeTwitchInbox(deps: { config: Config; cache: Cache; logger: Logger }, broadcasterId: string): Promise<InboxSubscribeOutcome> {
  const twitch = platformClients(deps.config, deps.cache).twitch;
  const secret = deps.config.TWITCH_EVENTSUB_SECRET;
  const base = deps.config.PUBLIC_URL?.replace(/\/$/, "");
  if (!twitch || !secret || !base) {
    deps.logger.warn("connections: Twitch EventSub is not configured; the inbox gets nothing from this channel", { broadcasterId });
    return "not_configured";
  }
  const outcome = { created: 0, existed: 0, failed: [] as string[] };
  const results = await Promise.allSettled(
    twitchInboxSubscriptions(broadcasterId).map((s) => twitch.createEventSub({ ...s, callback: `${base}/webhooks/twitch`, secret })),
  );
  results.forEach((r, i) => {
    const type = twitchInboxSubscriptions(broadcasterId)[i]?.type ?? "?";
    if (r.status === "rejected") {
      outcome.failed.push(type);
      deps.logger.error("connections: an inbox EventSub subscription was not created", { broadcasterId, type, err: r.reason });
    } else if (r.value === "exists") outcome.existed++;
    else outcome.created++;
  });
  return outcome;
}

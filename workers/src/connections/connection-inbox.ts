// A connected Twitch or Kick channel feeds its owner's inbox and chat bot: the connect registers the broadcaster as an
// inbox source of the tenant (streamer = the member who connected), and, after the callback has answered, creates the
// webhook subscriptions they read (Twitch's EventSub here, Kick's in kick-events.ts), storing how each one went
// (eventsub-status.ts), and retries the chat-bot channels this account's consent may unblock. None fails the connect.
import { type api, inboxSources, newId } from "@nebula/schema";
import { type Actor, recordAudit } from "../audit/audit.ts";
import type { Cache } from "../cache/cache.ts";
import type { Config } from "../config/config.ts";
import type { Db } from "../db/client.ts";
import type { Env } from "../env.ts";
import { AppError } from "../errors/app-error.ts";
import { forgetInboxRecipients } from "../inbox/recipients.ts";
import type { Logger } from "../logging/logger.ts";
import { platformClients } from "../platforms/platform-clients.ts";
import { EVENTSUB_HEALTHY } from "../platforms/twitch/twitch-client.ts";
import { createServices } from "../services/services.ts";
import { resubscribeTwitchChatsOf } from "../chat-bot/twitch-chat-subscription.ts";
import { featuresOf } from "./connect-flow.ts";
import type { ConnectionDeps, ConnectionRow } from "./connection-tokens.ts";
import { connectionView } from "./connections.ts";
import { type EventSubResult, type EventSubSpec, creationFailure, eventSubStatuses, recordEventSubs, unhealthyEventSubTypes } from "./eventsub-status.ts";
import { subscribeKickEvents, subscribeKickEventsLater } from "./kick-events.ts";

/**
 * What Twitch must push for one broadcaster: the inbox's six with the base scopes, and channel.chat.message (the chat
 * bot's commands, the inbox's mentions) once the chat bot's scopes are granted. Scopes per Twitch's EventSub reference.
 */
export function twitchEventSubscriptions(broadcasterId: string, granted: readonly string[]): EventSubSpec[] {
  const b = { broadcaster_user_id: broadcasterId };
  const specs: EventSubSpec[] = [
    { type: "channel.follow", version: "2", condition: { ...b, moderator_user_id: broadcasterId }, scopes: ["moderator:read:followers"] },
    { type: "channel.subscribe", version: "1", condition: b, scopes: ["channel:read:subscriptions"] },
    { type: "channel.subscription.message", version: "1", condition: b, scopes: ["channel:read:subscriptions"] },
    { type: "channel.subscription.gift", version: "1", condition: b, scopes: ["channel:read:subscriptions"] },
    { type: "channel.cheer", version: "1", condition: b, scopes: ["bits:read"] },
    { type: "channel.raid", version: "1", condition: { to_broadcaster_user_id: broadcasterId }, scopes: [] },
  ];
  if (featuresOf("twitch", granted).chatbot) {
    // The broadcaster's own account reads its chat: user:read:chat + user:bot from the chatting user (user_id).
    specs.push({ type: "channel.chat.message", version: "1", condition: { ...b, user_id: broadcasterId }, scopes: ["user:read:chat", "user:bot"] });
  }
  return specs;
}

/** The connected channel as an inbox source of the tenant; already registered is fine. */
export async function registerInboxSource(deps: { db: Db; cache: Cache; logger: Logger }, connection: ConnectionRow): Promise<void> {
  // Spotify only feeds the overlays' now-playing layer; it has no channel and no inbox events.
  if (connection.platform === "spotify") return;
  const { db, logger } = deps;
  try {
    await db
      .insert(inboxSources)
      .values({ id: newId("inboxSource"), tenantId: connection.tenantId, platform: connection.platform, broadcasterId: connection.platformUserId, streamerUserId: connection.userId })
      .onConflictDoNothing();
    await forgetInboxRecipients(deps.cache, connection.platform, connection.platformUserId);
  } catch (err) {
    logger.error("connections: the channel was not registered as an inbox source", { connectionId: connection.id, platform: connection.platform, err });
  }
}

export type EventSubOutcome = { created: number; existed: number; failed: string[] } | "not_configured";

/**
 * Creates the connection's EventSub subscriptions with the app token (one that already exists counts as done) and
 * stores each outcome. `retry`: only the types stored as failed or revoked, after deleting Twitch's dead copies (a
 * revoked or failed subscription still counts against the app's total, and blocks an identical new one, until deleted).
 */
export async function subscribeTwitchEvents(
  deps: { db: Db; config: Config; cache: Cache; logger: Logger; now: () => Date },
  connection: ConnectionRow,
  options: { retry?: boolean } = {},
): Promise<EventSubOutcome> {
  const twitch = platformClients(deps.config, deps.cache).twitch;
  const secret = deps.config.TWITCH_EVENTSUB_SECRET;
  const base = deps.config.PUBLIC_URL?.replace(/\/$/, "");
  const broadcasterId = connection.platformUserId;
  if (!twitch || !secret || !base) {
    deps.logger.warn("connections: Twitch EventSub is not configured; the inbox gets nothing from this channel", { broadcasterId });
    return "not_configured";
  }
  let specs = twitchEventSubscriptions(broadcasterId, connection.scopes);
  if (options.retry) {
    const unhealthy = await unhealthyEventSubTypes(deps.db, connection.id);
    specs = specs.filter((s) => unhealthy.has(s.type));
    if (specs.length > 0) {
      for (const s of await twitch.listEventSubs({ userId: broadcasterId })) {
        if (!EVENTSUB_HEALTHY.has(s.status) && specs.some((spec) => spec.type === s.type)) await twitch.deleteEventSub(s.id);
      }
    }
  }
  const outcome = { created: 0, existed: 0, failed: [] as string[] };
  const settled = await Promise.allSettled(specs.map((s) => twitch.createEventSub({ type: s.type, version: s.version, condition: s.condition, callback: `${base}/webhooks/twitch`, secret })));
  const results = specs.map((spec, i): { spec: EventSubSpec; result: EventSubResult } => {
    const r = settled[i] as PromiseSettledResult<Awaited<ReturnType<typeof twitch.createEventSub>>>;
    if (r.status === "rejected") {
      outcome.failed.push(spec.type);
      deps.logger.warn("connections: an EventSub subscription was not created", { connectionId: connection.id, broadcasterId, type: spec.type, err: r.reason });
      return { spec, result: { state: "failed", ...creationFailure(r.reason, spec, connection.scopes) } };
    }
    if (r.value === "exists") outcome.existed++;
    else outcome.created++;
    return { spec, result: { state: "subscribed", twitchSubscriptionId: r.value === "exists" ? null : r.value.id } };
  });
  await recordEventSubs(deps.db, connection, results, deps.now(), { replaceAll: !options.retry });
  return outcome;
}

/** After the callback has answered: the request's services are closed by then, so this opens (and closes) its own. */
export async function subscribeAfterConnect(env: Env, config: Config, logger: Logger, connection: ConnectionRow): Promise<void> {
  if (connection.platform === "kick") return subscribeKickEventsLater(env, config, logger, connection.platformUserId);
  const scope = createServices(env, config, logger);
  try {
    await subscribeTwitchEvents(scope.services, connection);
    // This account may be the bot or the broadcaster of a chat-bot channel that Twitch refused to deliver until now.
    await resubscribeTwitchChatsOf(scope.services, connection.platformUserId);
  } catch (err) {
    logger.error("connections: EventSub subscriptions failed", { connectionId: connection.id, err });
  } finally {
    await scope.dispose();
  }
}

/** The Streams page's Retry: re-creates what failed or was revoked, and answers the connection as it now stands. */
export async function resubscribeConnectionEvents(deps: ConnectionDeps, connection: ConnectionRow, actor: Actor, requestId: string): Promise<api.ConnectionView> {
  if (connection.platform !== "twitch" && connection.platform !== "kick") throw new AppError("BAD_REQUEST", "Only Twitch and Kick connections have event subscriptions");
  const outcome = connection.platform === "kick" ? await subscribeKickEvents(deps, connection.platformUserId) : await subscribeTwitchEvents(deps, connection, { retry: true });
  if (outcome === "not_configured") {
    throw new AppError("MISCONFIGURED", connection.platform === "kick" ? "Kick is not configured on this server (KICK_CLIENT_ID and KICK_CLIENT_SECRET)" : "Twitch EventSub is not configured on this server (TWITCH_EVENTSUB_SECRET and PUBLIC_URL)");
  }
  await recordAudit(
    deps.db,
    actor,
    { tenantId: connection.tenantId, action: "connection.eventsub.retry", targetType: "platform_connection", targetId: connection.id, details: { created: outcome.created, existed: outcome.existed, failed: outcome.failed } },
    requestId,
  );
  const status = await eventSubStatuses(deps.db, [connection.id]);
  return connectionView(connection, deps.now(), status.get(connection.id) ?? null);
}

// A Kick channel feeds the inbox and, once it is a chat-bot channel, the chat bot: its webhook subscriptions are made
// to match (kick-event-subscriptions.ts decides which, and creates only the missing) when the channel is connected,
// added as an inbox source or added as a chat-bot channel. Each outcome is stored on the Kick connections of that
// channel in the table Twitch's EventSub uses, so the Streams page shows "N of M subscribed" and the reasons for both.
// Kick subscribes with the app token (Kick: any broadcaster, given its user id), so no user scope is involved and a
// failure is never fixed by a reconnect: Retry (connection-inbox.ts) asks again.
import { api, chatChannels, platformConnections } from "@nebula/schema";
import { and, eq } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import { z } from "zod";
import type { Cache } from "../cache/cache.ts";
import type { Config } from "../config/config.ts";
import type { Db } from "../db/client.ts";
import type { Env } from "../env.ts";
import type { AppEnv } from "../http/context.ts";
import type { Logger } from "../logging/logger.ts";
import { type KickEventResult, ensureKickEvents, kickChannelEvents } from "../platforms/kick/kick-event-subscriptions.ts";
import { platformClients } from "../platforms/platform-clients.ts";
import { afterResponse, createServices } from "../services/services.ts";
import type { EventSubOutcome } from "./connection-inbox.ts";
import { type EventSubResult, type EventSubSpec, recordEventSubs } from "./eventsub-status.ts";

type KickEventDeps = { db: Db; config: Config; cache: Cache; logger: Logger; now: () => Date };

/** A chat-bot channel in any tenant: Kick has one subscription per app and broadcaster, so one is enough. */
async function isChatBotChannel(db: Db, broadcasterId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: chatChannels.id })
    .from(chatChannels)
    .where(and(eq(chatChannels.platform, "kick"), eq(chatChannels.channelId, broadcasterId)))
    .limit(1);
  return !!row;
}

const asStored = (broadcasterId: string, r: KickEventResult): { spec: EventSubSpec; result: EventSubResult } => ({
  spec: { type: r.event.name, version: String(r.event.version), condition: { broadcaster_user_id: broadcasterId }, scopes: [] },
  result: r.state === "subscribed" ? { state: "subscribed", twitchSubscriptionId: r.subscriptionId } : { state: "failed", reason: r.reason, needsReconnect: false },
});

/**
 * Subscribes what the Kick channel needs (listing first: a second run creates nothing) and stores the outcome on every
 * Kick connection of the channel. Never throws for Kick's answers: they become failed rows with their reason.
 */
export async function subscribeKickEvents(deps: KickEventDeps, broadcasterId: string): Promise<EventSubOutcome> {
  if (!deps.config.KICK_CLIENT_ID || !deps.config.KICK_CLIENT_SECRET || !/^\d+$/.test(broadcasterId)) {
    deps.logger.warn("connections: Kick is not configured; the inbox gets nothing from this channel", { broadcasterId });
    return "not_configured";
  }
  const kick = platformClients(deps.config, deps.cache).kick;
  const results = await ensureKickEvents(kick, Number(broadcasterId), kickChannelEvents({ chatBot: await isChatBotChannel(deps.db, broadcasterId) }));
  const outcome = { created: 0, existed: 0, failed: [] as string[] };
  for (const r of results) {
    if (r.state === "failed") outcome.failed.push(r.event.name);
    else if (r.existed) outcome.existed++;
    else outcome.created++;
  }
  if (outcome.failed.length > 0) deps.logger.warn("connections: Kick event subscriptions were not all created", { broadcasterId, failed: outcome.failed, reasons: results.flatMap((r) => (r.state === "failed" ? [r.reason] : [])) });
  const connections = await deps.db
    .select({ id: platformConnections.id, tenantId: platformConnections.tenantId })
    .from(platformConnections)
    .where(and(eq(platformConnections.platform, "kick"), eq(platformConnections.platformUserId, broadcasterId)));
  const stored = results.map((r) => asStored(broadcasterId, r));
  for (const connection of connections) await recordEventSubs(deps.db, connection, stored, deps.now(), { replaceAll: true });
  return outcome;
}

/** After the response (a connect's redirect, a dashboard add): opens and closes its own services. Failures are logged. */
export async function subscribeKickEventsLater(env: Env, config: Config, logger: Logger, broadcasterId: string): Promise<void> {
  const scope = createServices(env, config, logger);
  try {
    await subscribeKickEvents(scope.services, broadcasterId);
  } catch (err) {
    logger.error("connections: Kick event subscriptions failed", { broadcasterId, err });
  } finally {
    await scope.dispose();
  }
}

/**
 * For the dashboard routes that add a channel (an inbox source, a chat-bot channel): once one answered 201 with a Kick
 * channel (`broadcasterId` or `channelId`), its subscriptions are made after the response.
 */
export const subscribeAddedKickChannel: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  if (c.req.method !== "POST" || c.res.status !== 201) return;
  const added = AddedChannel.safeParse(await c.res.clone().json().catch(() => null));
  if (!added.success || added.data.platform !== "kick") return;
  const broadcasterId = "broadcasterId" in added.data ? added.data.broadcasterId : added.data.channelId;
  afterResponse(c, subscribeKickEventsLater(c.env, c.var.services.config, c.var.services.logger, broadcasterId));
};

const AddedChannel = z.union([api.InboxSourceView.pick({ platform: true, broadcasterId: true }), api.ChatChannelView.pick({ platform: true, channelId: true })]);

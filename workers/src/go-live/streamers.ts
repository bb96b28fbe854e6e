// Tracked streamers of a tenant: add (resolving the account through the platform's API when connected, in a guild
// linked to this tenant), change, remove, list; their sessions; and "send test alert" through the outbox.
import { type api, DEFAULT_GO_LIVE_TEMPLATE, newId, streamSessions, trackedStreamers } from "@nebula/schema";
import { and, desc, eq } from "drizzle-orm";
import { type Actor as AuditActor, recordAudit } from "../audit/audit.ts";
import { assertChannelInGuild } from "../discord-guilds/guild-access.ts";
import { tenantGuild } from "../discord-guilds/guilds.ts";
import { discordRestFor } from "../discord-rest/shared-client.ts";
import { markIdleGateChanged } from "../cron/idle-gates.ts";
import { AppError } from "../errors/app-error.ts";
import { iso } from "../http/respond.ts";
import { forgetInboxRecipients } from "../inbox/recipients.ts";
import { platformStatus } from "../platforms/platform-clients.ts";
import { type GoLiveDeps, outboxOf } from "./go-live-deps.ts";
import { goLiveItem } from "./go-live-message.ts";
import type { TrackedStreamer } from "./observe.ts";
import { ensureDetection } from "./subscriptions.ts";

type Platform = api.CreateTrackedStreamerRequest["platform"];

export function detectionOf(deps: Pick<GoLiveDeps, "config">, streamer: Pick<TrackedStreamer, "platform" | "discordUserId">): api.TrackedStreamerView["detection"] {
  const status = platformStatus(deps.config);
  const hasPublicUrl = !!deps.config.PUBLIC_URL;
  if (streamer.platform === "twitch" && status.twitch.connected) return status.twitch.eventSub && hasPublicUrl ? "webhook" : "polling";
  if (streamer.platform === "youtube" && status.youtube.connected) return hasPublicUrl ? "webhook" : "polling";
  if (streamer.platform === "kick" && status.kick.connected) return "webhook";
  return streamer.discordUserId ? "presence" : "not_connected";
}

export function streamerView(deps: Pick<GoLiveDeps, "config">, s: TrackedStreamer): api.TrackedStreamerView {
  return {
    id: s.id,
    guildId: s.guildId,
    platform: s.platform,
    platformUserId: s.platformUserId,
    login: s.login,
    displayName: s.displayName,
    channelId: s.channelId,
    pingRoleId: s.pingRoleId,
    template: s.template,
    embed: s.embed,
    allowEveryone: s.allowEveryone,
    enabled: s.enabled,
    discordUserId: s.discordUserId,
    detection: detectionOf(deps, s),
    createdAt: iso(s.createdAt),
  };
}

/** The platform's id and names for an account, from its API when connected, else from what the caller gave. */
async function resolveAccount(deps: GoLiveDeps, platform: Platform, account: string, givenId?: string): Promise<{ id: string; login: string; displayName: string }> {
  const notFound = () => new AppError("NOT_FOUND", `No ${platform} account named ${account}`);
  if (platform === "twitch" && deps.clients.twitch) {
    const [user] = /^\d+$/.test(account) ? await deps.clients.twitch.getUsers({ ids: [account] }) : await deps.clients.twitch.getUsers({ logins: [account] });
    if (!user) throw notFound();
    return { id: user.id, login: user.login, displayName: user.display_name };
  }
  if (platform === "youtube" && deps.clients.youtube) {
    const [channel] = /^UC[\w-]{22}$/.test(account) ? await deps.clients.youtube.channels({ ids: [account] }) : await deps.clients.youtube.channels({ handle: account.replace(/^@?/, "@") });
    if (!channel) throw notFound();
    return { id: channel.id, login: channel.snippet.customUrl ?? channel.id, displayName: channel.snippet.title };
  }
  if (platform === "kick" && deps.config.KICK_CLIENT_ID) {
    const [channel] = await deps.clients.kick.channels({ slugs: [account.toLowerCase()] });
    if (!channel) throw notFound();
    return { id: String(channel.broadcaster_user_id), login: channel.slug, displayName: channel.slug };
  }
  if (!givenId) throw new AppError("MISCONFIGURED", `${platform} is not connected: give platformUserId, or set its credentials`, { details: { platform } });
  return { id: givenId, login: account, displayName: account };
}

/** Who changes go-live settings (a dashboard user, an API token, or a slash command's member) and the request. */
export interface Actor extends AuditActor {
  requestId?: string;
}

export async function listStreamers(deps: GoLiveDeps, tenantId: string, guildId?: string): Promise<TrackedStreamer[]> {
  return deps.db
    .select()
    .from(trackedStreamers)
    .where(and(eq(trackedStreamers.tenantId, tenantId), ...(guildId ? [eq(trackedStreamers.guildId, guildId)] : [])))
    .orderBy(trackedStreamers.createdAt);
}

export async function getStreamer(deps: GoLiveDeps, tenantId: string, id: string): Promise<TrackedStreamer> {
  const [row] = await deps.db.select().from(trackedStreamers).where(and(eq(trackedStreamers.id, id), eq(trackedStreamers.tenantId, tenantId))).limit(1);
  if (!row) throw new AppError("NOT_FOUND", "Tracked streamer not found");
  return row;
}

export async function addStreamer(deps: GoLiveDeps, tenantId: string, input: api.CreateTrackedStreamerRequest, actor: Actor): Promise<TrackedStreamer> {
  await tenantGuild(deps.db, tenantId, input.guildId);
  // Also guards /streams add: its channel option is resolved by Discord, but the check is cheap and cached.
  await assertChannelInGuild(discordRestFor(deps.config), deps.cache, input.guildId, input.channelId, "channelId");
  const account = await resolveAccount(deps, input.platform, input.account, input.platformUserId);
  const [row] = await deps.db
    .insert(trackedStreamers)
    .values({
      id: newId("trackedStreamer"),
      tenantId,
      guildId: input.guildId,
      platform: input.platform,
      platformUserId: account.id,
      login: account.login,
      displayName: account.displayName,
      channelId: input.channelId,
      pingRoleId: input.pingRoleId ?? null,
      template: input.template ?? DEFAULT_GO_LIVE_TEMPLATE,
      embed: input.embed ?? true,
      allowEveryone: input.allowEveryone ?? false,
      enabled: input.enabled ?? true,
      discordUserId: input.discordUserId ?? null,
    })
    .onConflictDoNothing()
    .returning();
  if (!row) throw new AppError("CONFLICT", `${account.displayName} is already tracked in this server`);
  // The */5 poll skips Postgres while no streamer is tracked: it has one now.
  await markIdleGateChanged(deps.cache, "go-live.poll");
  // A tracked channel's inbox events go to the tenant too (inbox/recipients.ts), so its cached owners change.
  await forgetInboxRecipients(deps.cache, row.platform, row.platformUserId);
  await writeAudit(deps, tenantId, actor, "streams.add", row.id, { platform: row.platform, account: row.login });
  await ensureDetection(deps, row.platform, row.platformUserId);
  return row;
}

export async function updateStreamer(deps: GoLiveDeps, tenantId: string, id: string, input: api.UpdateTrackedStreamerRequest, actor: Actor): Promise<TrackedStreamer> {
  if (input.channelId) {
    const current = await getStreamer(deps, tenantId, id);
    await assertChannelInGuild(discordRestFor(deps.config), deps.cache, current.guildId, input.channelId, "channelId");
  }
  const [row] = await deps.db
    .update(trackedStreamers)
    .set({ ...input, updatedAt: deps.now() })
    .where(and(eq(trackedStreamers.id, id), eq(trackedStreamers.tenantId, tenantId)))
    .returning();
  if (!row) throw new AppError("NOT_FOUND", "Tracked streamer not found");
  if (input.enabled !== undefined) await markIdleGateChanged(deps.cache, "go-live.poll");
  await forgetInboxRecipients(deps.cache, row.platform, row.platformUserId);
  await writeAudit(deps, tenantId, actor, "streams.update", id, { fields: Object.keys(input) });
  return row;
}

export async function removeStreamer(deps: GoLiveDeps, tenantId: string, id: string, actor: Actor): Promise<TrackedStreamer> {
  const [row] = await deps.db.delete(trackedStreamers).where(and(eq(trackedStreamers.id, id), eq(trackedStreamers.tenantId, tenantId))).returning();
  if (!row) throw new AppError("NOT_FOUND", "Tracked streamer not found");
  await markIdleGateChanged(deps.cache, "go-live.poll");
  await forgetInboxRecipients(deps.cache, row.platform, row.platformUserId);
  await writeAudit(deps, tenantId, actor, "streams.remove", id, { platform: row.platform, account: row.login });
  return row;
}

export async function listSessions(deps: GoLiveDeps, tenantId: string, query: { streamerId?: string; limit: number }) {
  const rows = await deps.db
    .select()
    .from(streamSessions)
    .where(and(eq(streamSessions.tenantId, tenantId), ...(query.streamerId ? [eq(streamSessions.streamerId, query.streamerId)] : [])))
    .orderBy(desc(streamSessions.startedAt))
    .limit(query.limit);
  return rows.map((s) => ({
    id: s.id,
    streamerId: s.streamerId,
    platform: s.platform,
    streamKey: s.streamKey,
    startedAt: iso(s.startedAt),
    endedAt: iso(s.endedAt),
    title: s.title,
    game: s.game,
    url: s.url,
    vodUrl: s.vodUrl,
    viewers: s.viewers,
    sources: s.sources,
    notified: s.notificationOutboxId !== null,
  }));
}

/** A sample notice in the streamer's channel, exactly as a go-live would look (role ping included). */
export async function sendTestAlert(deps: GoLiveDeps, tenantId: string, id: string, actor: Actor): Promise<{ outboxId: string; queued: boolean }> {
  const streamer = await getStreamer(deps, tenantId, id);
  const outboxId = `golive-test:${streamer.id}:${actor.requestId ?? newId("streamSession")}`;
  const item = goLiveItem(
    streamer,
    {
      id: outboxId,
      title: "Test alert from Nebula Command",
      game: "Just Chatting",
      url: `https://${streamer.platform === "twitch" ? "www.twitch.tv" : streamer.platform === "kick" ? "kick.com" : "www.youtube.com"}/${streamer.login}`,
      thumbnailUrl: null,
      viewers: 42,
      startedAt: deps.now(),
    },
    outboxId,
  );
  const result = await outboxOf(deps, tenantId).enqueue(item);
  await writeAudit(deps, tenantId, actor, "streams.test", id, {});
  return { outboxId, queued: result.stored === 1 };
}

async function writeAudit(deps: GoLiveDeps, tenantId: string, actor: Actor, action: string, target: string, details: Record<string, unknown>): Promise<void> {
  await recordAudit(deps.db, actor, { tenantId, action, targetType: "tracked_streamer", targetId: target, details }, actor.requestId);
}

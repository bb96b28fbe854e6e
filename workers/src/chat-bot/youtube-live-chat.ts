// YouTubeLiveChat: one Durable Object per live chat (named by its liveChatId) that reads the chat the way YouTube asks:
// liveChatMessages.list with the last nextPageToken, the next call no sooner than the page's pollingIntervalMillis (its
// alarm), backing off after errors, pausing until midnight Pacific when the day's quota is gone, and stopping for good
// when the chat ends (offlineAt, 403 liveChatEnded, 404). Text messages go through the one chat bot (commands,
// anti-spam); super chats, stickers, memberships and lines mentioning the channel become inbox notifications. The
// first page is the chat's history and is skipped, as Nightbot and other bots do: a command typed before the bot
// joined is not answered late. Starting a chat refreshes the copies of the channel row that the chat bot and the
// tenant's ChatTimers keep.
import { DurableObject } from "cloudflare:workers";
import { type api, chatChannels, platformConnections } from "@nebula/schema";
import { and, eq } from "drizzle-orm";
import type { Cache } from "../cache/cache.ts";
import { loadConfig } from "../config/config.ts";
import { tokenFor } from "../connections/connection-tokens.ts";
import type { Env } from "../env.ts";
import { AppError } from "../errors/app-error.ts";
import type { Services } from "../http/context.ts";
import { inboxFromYouTubeChat } from "../inbox/inbox-events.ts";
import type { ChannelNames } from "../inbox/mentions.ts";
import { type Logger, createLogger } from "../logging/logger.ts";
import { type HandledChatLine, showChatOnOverlays } from "../overlays/overlay-chat.ts";
import { platformClients } from "../platforms/platform-clients.ts";
import { type LiveChatPage, youtubeReasonOf } from "../platforms/youtube/youtube-client.ts";
import { isQuotaExhausted, nextQuotaReset, quotaUsage } from "../platforms/youtube/youtube-quota.ts";
import { createServices } from "../services/services.ts";
import { syncTimers } from "./chat-bot-admin.ts";
import { handleChatMessage } from "./chat-bot.ts";
import { forgetChatChannel } from "./chat-config.ts";
import { chatBotDeps } from "./chat-events.ts";
import { fromYouTubeChat } from "./chat-message.ts";
import {
  ANNOUNCE_EVERY_MS,
  LIVE_CHAT_KEY_TTL_SECONDS,
  type LiveChatState,
  type LiveChatTarget,
  MAX_ERRORS,
  backoffMs,
  chatIsOver,
  intervalOf,
  isActive,
  liveChatKey,
  newLiveChatState,
  quotaBudgetedIntervalMs,
} from "./youtube-live-chat-state.ts";

/** Tests move this object's clock forward (ms) instead of waiting. */
export const LIVE_CHAT_CLOCK_OFFSET_KEY = "clock-offset-ms";
const STATE_KEY = "state";

export class YouTubeLiveChat extends DurableObject<Env> {
  private state: LiveChatState | null = null;
  private polling: Promise<void> | null = null;
  /** The channel's names for mentions; undefined until read (channelNames). */
  private names: ChannelNames | null | undefined = undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      this.state = ctx.storage.kv.get<LiveChatState>(STATE_KEY) ?? null;
    });
  }

  private offset(): number {
    return this.ctx.storage.kv.get<number>(LIVE_CHAT_CLOCK_OFFSET_KEY) ?? 0;
  }

  private now(): number {
    return Date.now() + this.offset();
  }

  /**
   * Starts reading this chat (idempotent: go-live sees the same broadcast live on every check). The first page is
   * fetched now, so the caller's answer already says whether the chat could be read.
   */
  async start(target: LiveChatTarget): Promise<api.YouTubeLiveChatPoller> {
    const current = this.state;
    const same = current && current.liveChatId === target.liveChatId && current.connectionId === target.connectionId;
    // An ended chat stays ended: YouTube gives every broadcast a new liveChatId.
    if (!same || (!isActive(current) && current.status !== "ended")) {
      const fresh = newLiveChatState(target, this.now());
      this.save(fresh);
      await this.withServices(fresh, (services, logger) => this.refreshChannelCopies(services, logger, fresh));
      await this.poll();
    }
    return viewOf(this.state as LiveChatState);
  }

  /** Stops polling (the broadcast ended, or the channel was removed); with `videoId`, only if it is that broadcast. */
  async stop(reason: string, videoId?: string): Promise<api.YouTubeLiveChatPoller | null> {
    const s = this.state;
    if (!s) return null;
    if (isActive(s) && (videoId === undefined || videoId === s.videoId)) {
      await this.withServices(s, (services) => this.finish(services, "stopped", reason));
    }
    return viewOf(this.state as LiveChatState);
  }

  async status(): Promise<api.YouTubeLiveChatPoller | null> {
    return this.state ? viewOf(this.state) : null;
  }

  /**
   * The start may have just given the channel row its connection (a channel added without one speaks with its owner's):
   * the chat bot's cached row and the ChatTimers object's copy would otherwise keep speaking without a token until the
   * next dashboard edit. Timer marks survive a sync, so no timer starts its interval over.
   */
  private async refreshChannelCopies(services: Services, logger: Logger, s: LiveChatState): Promise<void> {
    try {
      await forgetChatChannel(services.cache, { platform: "youtube", channelId: s.channelId });
      await syncTimers({ db: services.db, cache: services.cache, now: services.now, timers: this.env.CHAT_TIMERS ?? null }, s.tenantId);
    } catch (err) {
      logger.warn("youtube: the chat bot's copies of the channel were not refreshed", { err });
    }
  }

  override async alarm(): Promise<void> {
    await this.poll();
  }

  /** One poll at a time: an alarm that arrives while start() polls is served by the running one. */
  private poll(): Promise<void> {
    this.polling ??= this.pollOnce().finally(() => {
      this.polling = null;
    });
    return this.polling;
  }

  private save(state: LiveChatState): void {
    this.state = state;
    this.ctx.storage.kv.put(STATE_KEY, state);
  }

  /** The alarm fires at a time on this object's clock (which tests move forward). */
  private async armAt(at: number): Promise<void> {
    await this.ctx.storage.setAlarm(at - this.offset());
  }

  private async withServices<T>(s: LiveChatState, work: (services: Services, logger: Logger) => Promise<T>): Promise<T> {
    const config = loadConfig(this.env);
    const logger = createLogger({ service: "youtube-live-chat", tenantId: s.tenantId, liveChatId: s.liveChatId }, config.LOG_LEVEL);
    const scope = createServices(this.env, config, logger);
    scope.services.now = () => new Date(this.now());
    try {
      return await work(scope.services, logger);
    } finally {
      await scope.dispose();
    }
  }

  private async pollOnce(): Promise<void> {
    const s = this.state;
    if (!s || !isActive(s)) {
      await this.ctx.storage.deleteAlarm();
      return;
    }
    // Never sooner than YouTube asked (or than the quota reset): an early alarm only re-arms.
    if (s.nextPollAt !== null && this.now() < s.nextPollAt) {
      await this.armAt(s.nextPollAt);
      return;
    }
    await this.withServices(s, async (services, logger) => {
      try {
        const youtube = platformClients(services.config, services.cache).youtube;
        if (!youtube) throw new AppError("MISCONFIGURED", "YouTube is not configured (YOUTUBE_API_KEY is not set)");
        const token = await tokenFor(services, s.connectionId);
        const page = await youtube.liveChatMessages(s.liveChatId, s.pageToken, { accessToken: token.accessToken });
        await this.received(services, logger, s, page);
      } catch (err) {
        await this.failed(services, logger, err);
      }
    });
  }

  private async received(services: Services, logger: Logger, s: LiveChatState, page: LiveChatPage): Promise<void> {
    const polledAt = this.now();
    const youtubeIntervalMs = intervalOf(page.pollingIntervalMillis);
    // Stretched so the day's reads fit the units left for chat (youtube-live-chat-state.ts keeps 20% for the rest).
    const quota = await quotaUsage(services.cache, polledAt);
    const interval = quotaBudgetedIntervalMs({ youtubeIntervalMs, used: quota.used, limit: quota.limit, now: polledAt, resetAt: nextQuotaReset(polledAt) });
    const history = !s.primed;
    // The token is kept before the items are handled: if this object is evicted mid-page, a command is answered at
    // most once rather than twice.
    this.save({ ...s, status: "polling", pageToken: page.nextPageToken ?? s.pageToken, primed: true, pollingIntervalMs: interval, youtubeIntervalMs, lastPollAt: polledAt, nextPollAt: polledAt + interval, errors: 0, lastError: null });
    if (!history && page.items.length > 0) await this.handle(services, logger, page.items);
    await this.announce(services.cache, polledAt);
    if (page.offlineAt) {
      await this.finish(services, "ended", `the stream went offline at ${page.offlineAt}`);
      return;
    }
    await this.armAt(polledAt + interval);
  }

  /**
   * Text messages to the chat bot, in order (it ignores the bot's own lines, which come back in the next page);
   * everything else (super chats, memberships) to the inbox.
   */
  private async handle(services: Services, logger: Logger, items: LiveChatPage["items"]): Promise<void> {
    const s = this.state as LiveChatState;
    const deps = chatBotDeps(this.env, services);
    let handled = 0;
    const shown: HandledChatLine[] = [];
    for (const item of items) {
      if (item.snippet.type !== "textMessageEvent") continue;
      try {
        const message = fromYouTubeChat(s.channelId, item);
        const outcome = await handleChatMessage(deps, message);
        if (outcome.kind !== "ignored") handled += 1;
        shown.push({ message, outcome });
      } catch (err) {
        logger.warn("youtube chat message not handled", { err, messageId: item.id });
      }
    }
    // The page's lines reach the overlays' chat boxes in one call per overlay, after the bot has answered them all.
    await showChatOnOverlays(deps, this.env.OVERLAY_ROOM, shown);
    let stored = 0;
    try {
      stored = await inboxFromYouTubeChat(
        { db: services.db, feeds: this.env.INBOX_FEED, rooms: this.env.OVERLAY_ROOM, logger, cache: services.cache },
        s.channelId,
        items,
        services.now(),
        async () => {
          const [connection] = await services.db.select({ userId: platformConnections.userId }).from(platformConnections).where(eq(platformConnections.id, s.connectionId));
          return { tenantId: s.tenantId, streamerUserId: connection?.userId ?? null };
        },
        shown.length > 0 ? await this.channelNames(services) : null,
      );
    } catch (err) {
      logger.warn("youtube chat notifications not stored", { err });
    }
    const current = this.state as LiveChatState;
    this.save({ ...current, messagesHandled: current.messagesHandled + handled, notifications: current.notifications + stored });
  }

  /**
   * What a viewer types to mention the channel (its @handle, its name), for the inbox's mentions: from the tenant's
   * connection of the channel, else the chat-bot channel's login. Read once per object lifetime, not per page.
   */
  private async channelNames(services: Services): Promise<ChannelNames | null> {
    if (this.names !== undefined) return this.names;
    const s = this.state as LiveChatState;
    const [connection] = await services.db
      .select({ login: platformConnections.login, displayName: platformConnections.displayName })
      .from(platformConnections)
      .where(and(eq(platformConnections.tenantId, s.tenantId), eq(platformConnections.platform, "youtube"), eq(platformConnections.platformUserId, s.channelId)))
      .limit(1);
    if (connection) {
      // A channel without a handle has its id as login (platform-oauth.ts): no one types that.
      this.names = { handle: connection.login === s.channelId ? null : connection.login, displayName: connection.displayName };
    } else {
      const [channel] = await services.db.select({ login: chatChannels.channelLogin }).from(chatChannels).where(eq(chatChannels.id, s.channelRowId)).limit(1);
      this.names = channel && channel.login !== s.channelId ? { handle: channel.login, displayName: null } : null;
    }
    return this.names;
  }

  /** Tells the sender which chat the channel broadcasts into; refreshed hourly so a long broadcast keeps it. */
  private async announce(cache: Cache, now: number): Promise<void> {
    const s = this.state as LiveChatState;
    if (now - s.announcedAt < ANNOUNCE_EVERY_MS) return;
    await cache.set(liveChatKey(s.channelId), s.liveChatId, { ttlSeconds: LIVE_CHAT_KEY_TTL_SECONDS });
    this.save({ ...s, announcedAt: now });
  }

  private async failed(services: Services, logger: Logger, err: unknown): Promise<void> {
    const s = this.state as LiveChatState;
    const now = this.now();
    const reason = youtubeReasonOf(err);
    const httpStatus = err instanceof AppError ? ((err.details as { status?: number } | null)?.status ?? null) : null;
    if (isQuotaExhausted(err)) {
      const resumeAt = nextQuotaReset(now);
      logger.warn("youtube: live chat polling paused until the daily quota resets", { resumeAt: new Date(resumeAt).toISOString() });
      this.save({ ...s, status: "paused_quota", nextPollAt: resumeAt, lastError: `The day's YouTube API quota is used up; reading resumes at ${new Date(resumeAt).toISOString()} (midnight Pacific time)` });
      await this.armAt(resumeAt);
      return;
    }
    if (chatIsOver(httpStatus, reason)) {
      await this.finish(services, "ended", reason ?? "the live chat no longer exists");
      return;
    }
    const code = err instanceof AppError ? err.code : "INTERNAL";
    // A connection that needs re-authorization, or a server without YouTube, will not fix itself by polling again.
    if (code === "CONFLICT" || code === "NOT_FOUND" || code === "MISCONFIGURED") {
      logger.warn("youtube: live chat polling stopped", { err });
      await this.finish(services, "stopped", err instanceof Error ? err.message : "stopped");
      return;
    }
    const errors = s.errors + 1;
    const message = err instanceof AppError ? err.message : "the poll failed";
    logger.warn("youtube: live chat poll failed", { err, errors });
    if (errors >= MAX_ERRORS) {
      this.save({ ...s, errors, lastError: message });
      await this.finish(services, "stopped", `${errors} polls failed in a row (last: ${message})`);
      return;
    }
    const wait = backoffMs(errors, s.pollingIntervalMs);
    this.save({ ...s, status: "backoff", errors, lastError: message, nextPollAt: now + wait });
    await this.armAt(now + wait);
  }

  private async finish(services: Services, status: "ended" | "stopped", reason: string): Promise<void> {
    const s = this.state as LiveChatState;
    this.save({ ...s, status, nextPollAt: null, endedAt: this.now(), endReason: reason });
    await this.ctx.storage.deleteAlarm();
    // Only this chat's traces: a new broadcast of the same channel may already have replaced them.
    if ((await services.cache.get(liveChatKey(s.channelId))) === s.liveChatId) await services.cache.delete(liveChatKey(s.channelId));
    await services.db
      .update(chatChannels)
      .set({ liveChatId: null, updatedAt: services.now() })
      .where(and(eq(chatChannels.id, s.channelRowId), eq(chatChannels.liveChatId, s.liveChatId)));
  }
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function viewOf(s: LiveChatState): api.YouTubeLiveChatPoller {
  return {
    videoId: s.videoId,
    liveChatId: s.liveChatId,
    status: s.status,
    pollingIntervalMs: s.pollingIntervalMs,
    youtubeIntervalMs: s.youtubeIntervalMs ?? null,
    lastPollAt: iso(s.lastPollAt),
    nextPollAt: iso(s.nextPollAt),
    errors: s.errors,
    lastError: s.lastError,
    messagesHandled: s.messagesHandled,
    notifications: s.notifications,
    startedAt: new Date(s.startedAt).toISOString(),
    endedAt: iso(s.endedAt),
    endReason: s.endReason,
  };
}

export function getYouTubeLiveChatByName(ns: DurableObjectNamespace<YouTubeLiveChat>, liveChatId: string): DurableObjectStub<YouTubeLiveChat> {
  return ns.getByName(liveChatId);
}

// Arrangement for the YouTube live-chat suites: a tenant whose streamer connected their YouTube channel through the
// real OAuth flow (fake Google), a chat-bot channel on it, a live broadcast with an open chat at the fake YouTube, and
// what starts the poller: go-live's videos.list check, or the youtube.live-chat-discovery cron job. The poller's and
// the timers' clocks are moved forward instead of waiting.
import { createExecutionContext, runDurableObjectAlarm, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { expect } from "vitest";
import { createCache } from "../../src/cache/create-cache.ts";
import { CHAT_TIMERS_CLOCK_OFFSET_KEY, type ChatTimers } from "../../src/chat-bot/chat-timers.ts";
import { LIVE_CHAT_CLOCK_OFFSET_KEY, type YouTubeLiveChat, getYouTubeLiveChatByName } from "../../src/chat-bot/youtube-live-chat.ts";
import { loadConfig } from "../../src/config/config.ts";
import { CRON_JOBS } from "../../src/cron/registry.ts";
import { youtubeVideo } from "../../src/go-live/sources.ts";
import { quotaDay } from "../../src/platforms/youtube/youtube-quota.ts";
import { createLogger } from "../../src/logging/logger.ts";
import type { FakeBroadcastList, FakeChatEvent, FakeLiveChatState } from "../../../test/fakes/youtube.ts";
import { accountId, connect, connectionOf } from "../connections/connection-harness.ts";
import { YOUTUBE, env, fake, withDeps } from "../go-live/go-live-harness.ts";
import { type SeededTenant, asUser, seedTenant, url, withDb } from "../support/seed.ts";
import { exports } from "cloudflare:workers";

export { env, fake };

export interface LiveChatLab extends SeededTenant {
  channelId: string;
  connectionId: string;
  channelRowId: string;
  videoId: string;
  liveChatId: string;
}

let serial = 0;

/**
 * A tenant, its owner's YouTube connection (with the chat bot's scopes) and a chat-bot channel on that channel, added
 * through the API as the dashboard does (without a connection: the poller's start fills in the owner's).
 */
export async function seedLiveChatLab(options: { pollingIntervalMillis?: number } = {}): Promise<LiveChatLab> {
  const tenant = await withDb((db) => seedTenant(db, "YouTube chat lab"));
  const channelId = accountId("youtube");
  const { landing } = await connect(tenant.tenantId, tenant.members.owner, "youtube", { id: channelId, login: `nova${channelId.slice(-6)}`, displayName: "Nova Live" }, { feature: "chatbot" });
  const connection = await connectionOf(tenant.tenantId, tenant.members.owner.userId, "youtube");
  expect(connection, landing).toBeDefined();
  const added = await chatBotApi<{ id: string }>(tenant, "POST", "/channels", { platform: "youtube", channelId, channelLogin: "novalive", botUserId: channelId, botIsModerator: true });
  expect(added.status).toBe(201);
  const channelRowId = added.body.id;
  serial += 1;
  const videoId = `vid${Date.now().toString(36)}${serial}`.slice(0, 11);
  const liveChatId = `KicKGFVDY2hhdC${Date.now().toString(36)}${serial}`;
  await fake(YOUTUBE, "/__control/youtube/live-chats", { liveChatId, ownerChannelId: channelId, pollingIntervalMillis: options.pollingIntervalMillis ?? 12_345 });
  return { ...tenant, channelId, connectionId: connection?.id as string, channelRowId, videoId, liveChatId };
}

/** The broadcast goes live (or ends) at the fake only, as YouTube Studio's "Stream now" does: nothing of ours looks yet. */
export async function onAir(lab: LiveChatLab, live: "live" | "ended"): Promise<void> {
  const startedAt = new Date(Date.now() - 60_000).toISOString();
  await fake(YOUTUBE, "/__control/youtube/videos", [
    { id: lab.videoId, channelId: lab.channelId, title: "Live now", live, startedAt, ...(live === "ended" ? { endedAt: new Date().toISOString() } : {}), liveChatId: lab.liveChatId },
  ]);
}

/** The broadcast goes live (or ends) at the fake; go-live's videos.list check then sees it, as a WebSub push would make it. */
export async function broadcast(lab: LiveChatLab, live: "live" | "ended"): Promise<void> {
  await onAir(lab, live);
  await withDeps((deps) => youtubeVideo(deps, lab.channelId, lab.videoId, "websub"));
}

export const DISCOVERY_JOB = CRON_JOBS.find((job) => job.name === "youtube.live-chat-discovery");

/** One run of the youtube.live-chat-discovery cron job, as the scheduled handler runs it. */
export async function discover(): Promise<void> {
  if (!DISCOVERY_JOB) throw new Error("youtube.live-chat-discovery is not registered");
  const ctx = createExecutionContext();
  await DISCOVERY_JOB.run(env, ctx, createLogger({ test: "discovery" }, "error"));
  await waitOnExecutionContext(ctx);
}

/** Every liveBroadcasts.list call the fake has answered (all channels), and the lab channel's own. */
export async function broadcastLists(lab: LiveChatLab): Promise<{ all: number; own: FakeBroadcastList[] }> {
  const { broadcastLists } = await fake<{ broadcastLists: FakeBroadcastList[] }>(YOUTUBE, "/__control/youtube/state");
  return { all: broadcastLists.length, own: broadcastLists.filter((b) => b.channelId === lab.channelId) };
}

export const chatTimers = (lab: LiveChatLab) => env.CHAT_TIMERS.getByName(lab.tenantId);

/** Moves the tenant's ChatTimers clock forward by `ms` and runs its alarm now. */
export async function advanceTimers(lab: LiveChatLab, ms: number): Promise<boolean> {
  await runInDurableObject(chatTimers(lab), async (_t: ChatTimers, state) => {
    state.storage.kv.put(CHAT_TIMERS_CLOCK_OFFSET_KEY, (state.storage.kv.get<number>(CHAT_TIMERS_CLOCK_OFFSET_KEY) ?? 0) + ms);
  });
  return runDurableObjectAlarm(chatTimers(lab));
}

export const poller = (lab: LiveChatLab) => getYouTubeLiveChatByName(env.YOUTUBE_LIVE_CHAT, lab.liveChatId);

export const chatState = (lab: LiveChatLab) => fake<FakeLiveChatState>(YOUTUBE, `/__control/youtube/live-chats/${encodeURIComponent(lab.liveChatId)}`);

export const viewerSays = (lab: LiveChatLab, events: FakeChatEvent[]) => fake<{ ids: string[] }>(YOUTUBE, `/__control/youtube/live-chats/${encodeURIComponent(lab.liveChatId)}/messages`, events);

export const setChat = (lab: LiveChatLab, change: { pollingIntervalMillis?: number; offlineAt?: string | null; ended?: boolean; quotaExceeded?: boolean; failNext?: number }) =>
  fake(YOUTUBE, `/__control/youtube/live-chats/${encodeURIComponent(lab.liveChatId)}/set`, change);

/** The poller's scheduled alarm (epoch ms on the real clock) and its clock offset. */
export function alarmOf(lab: LiveChatLab): Promise<{ alarm: number | null; offset: number }> {
  return runInDurableObject(poller(lab), async (_o: YouTubeLiveChat, state) => ({ alarm: await state.storage.getAlarm(), offset: state.storage.kv.get<number>(LIVE_CHAT_CLOCK_OFFSET_KEY) ?? 0 }));
}

/** Moves the poller's clock forward by exactly `ms` and runs its alarm now (early: it only re-arms). */
export async function advanceBy(lab: LiveChatLab, ms: number): Promise<boolean> {
  await runInDurableObject(poller(lab), async (_o: YouTubeLiveChat, state) => {
    state.storage.kv.put(LIVE_CHAT_CLOCK_OFFSET_KEY, (state.storage.kv.get<number>(LIVE_CHAT_CLOCK_OFFSET_KEY) ?? 0) + ms);
  });
  return runDurableObjectAlarm(poller(lab));
}

/**
 * Moves the poller's clock forward by `ms`, or up to its next read when that is later (the day's quota budget stretches
 * YouTube's interval by the units left and the hours to midnight Pacific), and runs its alarm: the poller reads.
 */
export async function advanceAndPoll(lab: LiveChatLab, ms: number): Promise<boolean> {
  const { alarm } = await alarmOf(lab);
  return advanceBy(lab, Math.max(ms, alarm === null ? 0 : alarm - Date.now()));
}

const cache = () => createCache(env, loadConfig(env));
const quotaKey = () => `youtube:quota:${quotaDay(Date.now())}`;
export const quotaUsed = async () => Number((await cache().get(quotaKey())) ?? 0);
export const setQuotaUsed = (units: number) => cache().set(quotaKey(), String(units), { ttlSeconds: 3600 });

export async function chatBotApi<T = unknown>(lab: SeededTenant, method: string, path: string, body?: unknown, role: keyof SeededTenant["members"] = "owner"): Promise<{ status: number; body: T }> {
  const res = await exports.default.fetch(url(`/api/t/${lab.tenantId}/streams/chat-bot${path}`), asUser(lab.members[role], { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }));
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

export const viewer = (n: number) => ({ channelId: `UCviewer${String(n).padStart(14, "0")}`, displayName: `@viewer${n}` });

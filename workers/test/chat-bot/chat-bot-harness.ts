// Arrangement for the chat bot suites: a tenant whose bot sits in a Twitch (or Kick) channel, commands and settings
// made through the API as a streamer would, signed chat deliveries from the platform fakes, and waits on what the
// fakes received or on the queue consumer finishing an event (its de-duplication key turns "done").
import { exports } from "cloudflare:workers";
import { chatChannels, newId } from "@nebula/schema";
import { expect, vi } from "vitest";
import { createCache } from "../../src/cache/create-cache.ts";
import { loadConfig } from "../../src/config/config.ts";
import { dedupeKey } from "../../src/discord-queue/consumer.ts";
import type { FakeTwitchChatState } from "../../../test/fakes/twitch-chat.ts";
import { accountId, connect, connectionOf } from "../connections/connection-harness.ts";
import { KICK, type Signed, TWITCH, deliver, env, fake, twitchUserId } from "../go-live/go-live-harness.ts";
import { type SeededTenant, asUser, seedTenant, url, withDb } from "../support/seed.ts";

export { KICK, TWITCH, deliver, env, fake };
export const WAIT = { timeout: 20_000, interval: 50 };

export interface ChatLab extends SeededTenant {
  broadcasterId: string;
  botId: string;
  channelRowId: string;
}

/** A tenant with a Twitch channel whose bot is (by default) a moderator there. */
export async function seedChatLab(options: { moderator?: boolean } = {}): Promise<ChatLab> {
  const broadcasterId = twitchUserId();
  const botId = twitchUserId();
  const lab = await withDb(async (db) => {
    const tenant = await seedTenant(db, "Chat lab");
    const [row] = await db.insert(chatChannels).values({ id: newId("chatChannel"), tenantId: tenant.tenantId, platform: "twitch", channelId: broadcasterId, channelLogin: "novachat", botUserId: botId, botIsModerator: options.moderator ?? true }).returning();
    return { ...tenant, broadcasterId, botId, channelRowId: (row as { id: string }).id };
  });
  if (options.moderator ?? true) await fake(TWITCH, "/__control/twitch/moderators", { broadcaster_id: broadcasterId, user_id: botId });
  return lab;
}

/**
 * A Kick account connected by the owner with the chat bot's scopes (Kick chat needs the speaking account's user token
 * with chat:write): the connection a Kick channel names to speak as that account.
 */
export async function kickBot(lab: SeededTenant, login = "kickbot"): Promise<{ connectionId: string; botId: string }> {
  const account = { id: accountId("kick"), login };
  await connect(lab.tenantId, lab.members.owner, "kick", account, { feature: "chatbot" });
  const row = await connectionOf(lab.tenantId, lab.members.owner.userId, "kick");
  if (!row) throw new Error("Kick bot not connected");
  return { connectionId: row.id, botId: account.id };
}

export async function api<T = unknown>(lab: SeededTenant, method: string, path: string, body?: unknown, role: keyof SeededTenant["members"] = "owner"): Promise<{ status: number; body: T }> {
  const res = await exports.default.fetch(url(`/api/t/${lab.tenantId}/streams/chat-bot${path}`), asUser(lab.members[role], { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }));
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

export interface ChatLine {
  text: string;
  chatter?: string;
  login?: string;
  fragments?: { type: string; text: string }[];
  badges?: string[];
}

/** A signed channel.chat.message delivered to /webhooks/twitch; returns the EventSub message id and chat message id. */
export async function chat(lab: ChatLab, line: ChatLine): Promise<{ eventId: string; chatMessageId: string }> {
  const signed = await fake<Signed & { messageId: string }>(TWITCH, "/__control/twitch/chat-message", {
    broadcaster_user_id: lab.broadcasterId,
    chatter_user_id: line.chatter ?? "555001",
    chatter_user_login: line.login ?? "viewer",
    text: line.text,
    fragments: line.fragments,
    badges: line.badges,
  });
  const res = await deliver("/webhooks/twitch", signed);
  expect(res.status).toBe(204);
  return { eventId: signed.headers["twitch-eventsub-message-id"] as string, chatMessageId: signed.messageId };
}

/** Waits until the queue consumer finished the event (all its handlers ran). */
export async function processed(kind: "twitch.notification" | "twitch.revocation" | "kick.event", eventId: string): Promise<void> {
  const cache = createCache(env, loadConfig(env));
  await vi.waitFor(async () => expect(await cache.get(dedupeKey("platform.event", `${kind}:${eventId}`))).toBe("done"), WAIT);
}

export async function chatAndWait(lab: ChatLab, line: ChatLine): Promise<{ eventId: string; chatMessageId: string }> {
  const sent = await chat(lab, line);
  await processed("twitch.notification", sent.eventId);
  return sent;
}

export const twitchChat = () => fake<FakeTwitchChatState>(TWITCH, "/__control/twitch/chat");

export async function sentTo(lab: ChatLab) {
  return (await twitchChat()).messages.filter((m) => m.broadcaster_id === lab.broadcasterId);
}

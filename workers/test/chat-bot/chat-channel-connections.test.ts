// A chat-bot channel speaking as one of the tenant's connections, set through the API as the Channels tab does: the
// connection must be the tenant's own (another tenant's is the same 404 as a missing one), of the channel's platform,
// with the chat bot's scopes; a reply then reaches (fake) Twitch with that connection's user token, and with the app's
// token once unlinked. Disconnecting an account undoes what it left running: its EventSub subscriptions at Twitch, the
// inbox source its connect registered, the channels' link (they fall back to the app token), a YouTube chat poller,
// each step on its own, audited.
import { auditLog, chatChannels, eventSubSubscriptions, inboxSources, platformConnections } from "@nebula/schema";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import type { ConnectionRow } from "../../src/connections/connection-tokens.ts";
import { cleanUpAfterDisconnect } from "../../src/connections/disconnect-cleanup.ts";
import { type Account, ORIGINS, accountId, call, connect, connectionOf, withDeps } from "../connections/connection-harness.ts";
import { twitchUserId } from "../go-live/go-live-harness.ts";
import { type SeededTenant, asUser, seedTenant, withDb } from "../support/seed.ts";
import { broadcast, poller, seedLiveChatLab } from "../youtube-live-chat/live-chat-harness.ts";
import { type ChatLab, TWITCH, WAIT, api, chatAndWait, fake, twitchChat } from "./chat-bot-harness.ts";

interface ChannelBody {
  id: string;
  platform: string;
  channelId: string;
  botUserId: string;
  botIsModerator: boolean;
  botAccount: { connectionId: string; login: string; displayName: string; chatScopes: boolean } | null;
  chatSubscription: { subscribed: boolean; reason: string | null } | null;
}
interface ErrorBody {
  error: { code: string; message: string };
}

let tenant: SeededTenant;
let bot: Account;
let botConnection: ConnectionRow;

async function connected(lab: SeededTenant, member: keyof SeededTenant["members"], account: Account, feature: "base" | "chatbot"): Promise<ConnectionRow> {
  await connect(lab.tenantId, lab.members[member], "twitch", account, { feature });
  const row = await connectionOf(lab.tenantId, lab.members[member].userId, "twitch");
  if (!row) throw new Error("not connected");
  return row;
}

const channelIn = async (lab: SeededTenant, id: string) => (await api<{ channels: ChannelBody[] }>(lab, "GET", "")).body.channels.find((c) => c.id === id);

async function subscriptionsOf(broadcasterId: string): Promise<{ type: string }[]> {
  const state = await (await fetch(`${ORIGINS.twitch}/__control/twitch/state`)).json<{ subscriptions: { type: string; condition: Record<string, string> }[] }>();
  return state.subscriptions.filter((s) => Object.values(s.condition).includes(broadcasterId));
}

/** The last message the bot sent in a channel, and whose token sent it (null: the app's). */
async function lastSent(channelId: string) {
  const sent = (await twitchChat()).messages.filter((m) => m.broadcaster_id === channelId && m.is_sent);
  const last = sent.at(-1);
  return last ? { text: last.message, sender: last.sender_id, token: last.token_user_id } : null;
}

beforeAll(async () => {
  tenant = await withDb((db) => seedTenant(db, "Channel links lab"));
  bot = { id: accountId("twitch"), login: "linkbot", displayName: "LinkBot" };
  botConnection = await connected(tenant, "owner", bot, "chatbot");
  expect((await api(tenant, "POST", "/commands", { name: "hi", response: "hello #{count}", globalCooldownSeconds: 0 })).status).toBe(201);
});

describe("linking a chat channel to a connection", () => {
  it("links the tenant's own connection: the bot speaks as its account, and the list names it", async () => {
    const created = await api<ChannelBody>(tenant, "POST", "/channels", { platform: "twitch", channelId: twitchUserId(), channelLogin: "linkedchan", connectionId: botConnection.id, botIsModerator: true });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ botUserId: bot.id, botAccount: { connectionId: botConnection.id, login: "linkbot", displayName: "LinkBot", chatScopes: true } });
    expect(await channelIn(tenant, created.body.id)).toMatchObject({ botAccount: { login: "linkbot" } });
  });

  it("answers another tenant's connection with the same 404 as a missing one, on create and update", async () => {
    const other = await withDb((db) => seedTenant(db, "Someone else's lab"));
    const theirs = await connected(other, "owner", { id: accountId("twitch"), login: "theirbot" }, "chatbot");
    const body = (connectionId: string) => ({ platform: "twitch", channelId: twitchUserId(), channelLogin: "stolenchan", connectionId });
    const foreign = await api<ErrorBody>(tenant, "POST", "/channels", body(theirs.id));
    const missing = await api<ErrorBody>(tenant, "POST", "/channels", body("pcn_0000000000000000"));
    expect(foreign.status).toBe(404);
    expect(missing.status).toBe(404);
    expect({ code: foreign.body.error.code, message: foreign.body.error.message }).toEqual({ code: missing.body.error.code, message: missing.body.error.message });

    const mine = await api<ChannelBody>(tenant, "POST", "/channels", { platform: "twitch", channelId: twitchUserId(), channelLogin: "appchan", botUserId: "777001" });
    expect(mine.body.botAccount).toBeNull();
    const relink = await api<ErrorBody>(tenant, "PATCH", `/channels/${mine.body.id}`, { connectionId: theirs.id });
    expect(relink.status).toBe(404);
    expect(relink.body.error.message).toBe(missing.body.error.message);
    expect(await channelIn(tenant, mine.body.id)).toMatchObject({ botUserId: "777001", botAccount: null });
  });

  it("refuses a connection of another platform, and one without the chat bot's scopes (400)", async () => {
    const wrongPlatform = await api<ErrorBody>(tenant, "POST", "/channels", { platform: "kick", channelId: "9090901", channelLogin: "kickchan", connectionId: botConnection.id });
    expect(wrongPlatform.status).toBe(400);
    expect(wrongPlatform.body.error.message).toContain("twitch account");

    const baseOnly = await connected(tenant, "operator", { id: accountId("twitch"), login: "basebot" }, "base");
    const noScopes = await api<ErrorBody>(tenant, "POST", "/channels", { platform: "twitch", channelId: twitchUserId(), channelLogin: "scopelesschan", connectionId: baseOnly.id });
    expect(noScopes.status).toBe(400);
    expect(noScopes.body.error.message).toContain("chat bot's scopes");

    const plain = await api<ChannelBody>(tenant, "POST", "/channels", { platform: "twitch", channelId: twitchUserId(), channelLogin: "plainchan", botUserId: "777002" });
    expect((await api(tenant, "PATCH", `/channels/${plain.body.id}`, { connectionId: baseOnly.id })).status).toBe(400);
    // Without a connection the bot needs to be named.
    expect((await api(tenant, "POST", "/channels", { platform: "twitch", channelId: twitchUserId(), channelLogin: "nobotchan" })).status).toBe(400);
  });

  it("a reply leaves with the linked connection's user token, and with the app token again once unlinked", async () => {
    const broadcasterId = twitchUserId();
    const added = await api<ChannelBody>(tenant, "POST", "/channels", { platform: "twitch", channelId: broadcasterId, channelLogin: "replychan", botUserId: bot.id, botIsModerator: true });
    expect(added.body.botAccount).toBeNull();
    await fake(TWITCH, "/__control/twitch/moderators", { broadcaster_id: broadcasterId, user_id: bot.id });
    const lab: ChatLab = { ...tenant, broadcasterId, botId: bot.id, channelRowId: added.body.id };

    // Each line from another viewer: the same line three times from one would be moderated as a repeat.
    await chatAndWait(lab, { text: "!hi", chatter: "565101" });
    await vi.waitFor(async () => expect(await lastSent(broadcasterId)).toEqual({ text: "hello #1", sender: bot.id, token: null }), WAIT);

    const linked = await api<ChannelBody>(tenant, "PATCH", `/channels/${added.body.id}`, { connectionId: botConnection.id });
    expect(linked.status).toBe(200);
    expect(linked.body.botAccount?.connectionId).toBe(botConnection.id);
    await chatAndWait(lab, { text: "!hi", chatter: "565102" });
    await vi.waitFor(async () => expect(await lastSent(broadcasterId)).toEqual({ text: "hello #2", sender: bot.id, token: bot.id }), WAIT);

    const unlinked = await api<ChannelBody>(tenant, "PATCH", `/channels/${added.body.id}`, { connectionId: null });
    expect(unlinked.body).toMatchObject({ botUserId: bot.id, botAccount: null });
    await chatAndWait(lab, { text: "!hi", chatter: "565103" });
    await vi.waitFor(async () => expect(await lastSent(broadcasterId)).toEqual({ text: "hello #3", sender: bot.id, token: null }), WAIT);
  });
});

describe("disconnecting an account", () => {
  it("deletes its EventSub subscriptions, its inbox source and the channels' link; the bot falls back to the app token", async () => {
    const lab = await withDb((db) => seedTenant(db, "Disconnect cleanup lab"));
    const streamer = { id: accountId("twitch"), login: "leavingcaster" };
    const connection = await connected(lab, "admin", streamer, "chatbot");
    // The six inbox types and the chat bot's channel.chat.message, created after the callback answered.
    await vi.waitFor(async () => expect((await subscriptionsOf(streamer.id)).length).toBe(7), WAIT);
    const inboxSourceOf = () => withDb((db) => db.select().from(inboxSources).where(and(eq(inboxSources.tenantId, lab.tenantId), eq(inboxSources.broadcasterId, streamer.id))));
    expect(await inboxSourceOf()).toHaveLength(1);
    // The streamer's own account is the bot in their channel.
    const channel = await api<ChannelBody>(lab, "POST", "/channels", { platform: "twitch", channelId: streamer.id, channelLogin: streamer.login, connectionId: connection.id, botIsModerator: true });
    expect(channel.body.botAccount?.login).toBe(streamer.login);
    expect((await api(lab, "POST", "/commands", { name: "bye", response: "still here #{count}", globalCooldownSeconds: 0 })).status).toBe(201);
    const chatLab: ChatLab = { ...lab, broadcasterId: streamer.id, botId: streamer.id, channelRowId: channel.body.id };
    await chatAndWait(chatLab, { text: "!bye" });
    await vi.waitFor(async () => expect(await lastSent(streamer.id)).toEqual({ text: "still here #1", sender: streamer.id, token: streamer.id }), WAIT);

    const res = await call(`/api/t/${lab.tenantId}/streams/connections/${connection.id}`, asUser(lab.members.admin, { method: "DELETE" }));
    expect(res.status).toBe(204);

    expect(await subscriptionsOf(streamer.id)).toEqual([]);
    expect(await inboxSourceOf()).toEqual([]);
    expect(await channelIn(lab, channel.body.id)).toMatchObject({ botUserId: streamer.id, botAccount: null });
    // The bot heard this chat through the streamer's own subscription, now deleted; with the authorization withdrawn
    // Twitch refuses a new one, and the Channels tab says so.
    expect((await channelIn(lab, channel.body.id))?.chatSubscription).toMatchObject({ subscribed: false, reason: expect.stringContaining("the broadcaster must connect") });
    await chatAndWait(chatLab, { text: "!bye" });
    await vi.waitFor(async () => expect(await lastSent(streamer.id)).toEqual({ text: "still here #2", sender: streamer.id, token: null }), WAIT);
    const [audit] = await withDb((db) => db.select().from(auditLog).where(and(eq(auditLog.tenantId, lab.tenantId), eq(auditLog.action, "connection.disconnect.cleanup"))));
    expect(audit?.details).toMatchObject({ platform: "twitch", twitch: { deleted: 7 }, twitchChat: { rechecked: 1, heard: 0 }, inboxSource: { removed: 1 }, chatChannels: { unlinked: 1 } });
  });

  it("keeps the subscriptions while another tenant still has the channel connected (Twitch has one for the app)", async () => {
    const first = await withDb((db) => seedTenant(db, "Shared channel lab A"));
    const second = await withDb((db) => seedTenant(db, "Shared channel lab B"));
    const streamer = { id: accountId("twitch"), login: "sharedcaster" };
    const inFirst = await connected(first, "owner", streamer, "base");
    await vi.waitFor(async () => expect((await subscriptionsOf(streamer.id)).length).toBe(6), WAIT);
    const inSecond = await connected(second, "owner", streamer, "base");
    // Its subscribe (after the callback) found all six existing: wait until it has recorded that, so no create of its
    // own can land after the disconnects below.
    await vi.waitFor(async () => expect(await withDb((db) => db.select().from(eventSubSubscriptions).where(eq(eventSubSubscriptions.connectionId, inSecond.id)))).toHaveLength(6), WAIT);

    const disconnect = (lab: SeededTenant, id: string) => call(`/api/t/${lab.tenantId}/streams/connections/${id}`, asUser(lab.members.owner, { method: "DELETE" }));
    expect((await disconnect(first, inFirst.id)).status).toBe(204);
    expect((await subscriptionsOf(streamer.id)).length).toBe(6);
    expect((await disconnect(second, inSecond.id)).status).toBe(204);
    expect(await subscriptionsOf(streamer.id)).toEqual([]);
  });

  it("runs every step when one fails: Twitch refusing still leaves the inbox source removed and the channels unlinked", async () => {
    const lab = await withDb((db) => seedTenant(db, "Cleanup failure lab"));
    const streamer = { id: accountId("twitch"), login: "unreachablecaster" };
    const connection = await connected(lab, "admin", streamer, "chatbot");
    const channel = await api<ChannelBody>(lab, "POST", "/channels", { platform: "twitch", channelId: streamer.id, channelLogin: streamer.login, connectionId: connection.id });
    expect(channel.status).toBe(201);
    // As disconnect does: the row goes first. Then Twitch's API at a base where the fake answers 404: its step fails;
    // the others run.
    await withDb((db) => db.delete(platformConnections).where(eq(platformConnections.id, connection.id)));
    const report = await withDeps(new Date(), (deps) => cleanUpAfterDisconnect({ ...deps, config: { ...deps.config, TWITCH_API_BASE: `${ORIGINS.twitch}/gone/helix` }, liveChats: null, timers: null }, connection));
    expect(report).toMatchObject({ twitch: { failed: expect.stringContaining("404") }, inboxSource: { removed: 1 }, chatChannels: { unlinked: 1 } });
    const [row] = await withDb((db) => db.select({ connectionId: chatChannels.connectionId }).from(chatChannels).where(eq(chatChannels.id, channel.body.id)));
    expect(row?.connectionId).toBeNull();
  });

  it("stops the YouTube live-chat poller reading with the disconnected account", async () => {
    const lab = await seedLiveChatLab();
    await broadcast(lab, "live");
    expect(await poller(lab).status()).toMatchObject({ status: "polling" });

    const res = await call(`/api/t/${lab.tenantId}/streams/connections/${lab.connectionId}`, asUser(lab.members.owner, { method: "DELETE" }));
    expect(res.status).toBe(204);

    expect(await poller(lab).status()).toMatchObject({ status: "stopped", endReason: "the connection was disconnected" });
    const [row] = await withDb((db) => db.select({ connectionId: chatChannels.connectionId, liveChatId: chatChannels.liveChatId }).from(chatChannels).where(eq(chatChannels.id, lab.channelRowId)));
    expect(row).toEqual({ connectionId: null, liveChatId: null });
  });
});

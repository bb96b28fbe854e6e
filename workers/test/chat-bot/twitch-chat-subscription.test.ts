// The Twitch chat bot hears a channel through its own channel.chat.message subscription, {broadcaster_user_id: the
// channel, user_id: the bot}, made with the app token when the channel is added, whoever the broadcaster is and
// whatever token the bot speaks with. Twitch (the fake enforces the same rule) refuses it unless the bot granted
// user:read:chat + user:bot and the broadcaster granted channel:bot or made the bot a moderator; the Channels tab then
// says why, and a save or a connect of the missing account tries again. Removing the channel deletes it.
import { describe, expect, it, vi } from "vitest";
import type { ConnectionRow } from "../../src/connections/connection-tokens.ts";
import { type Account, accountId, connect, connectionOf } from "../connections/connection-harness.ts";
import { type Signed, twitchUserId } from "../go-live/go-live-harness.ts";
import { type SeededTenant, seedTenant, withDb } from "../support/seed.ts";
import { type ChatLab, TWITCH, WAIT, api, chat, deliver, fake, processed, sentTo } from "./chat-bot-harness.ts";

interface ChannelBody {
  id: string;
  botUserId: string;
  chatSubscription: { subscribed: boolean; reason: string | null } | null;
}

async function connected(lab: SeededTenant, member: keyof SeededTenant["members"], account: Account): Promise<ConnectionRow> {
  await connect(lab.tenantId, lab.members[member], "twitch", account, { feature: "chatbot" });
  const row = await connectionOf(lab.tenantId, lab.members[member].userId, "twitch");
  if (!row) throw new Error("not connected");
  return row;
}

/** The channel.chat.message subscriptions Twitch (the fake) holds for this channel, by their condition. */
async function chatSubscriptionsAt(channelId: string): Promise<Record<string, string>[]> {
  const state = await fake<{ subscriptions: { type: string; condition: Record<string, string> }[] }>(TWITCH, "/__control/twitch/state");
  return state.subscriptions.filter((s) => s.type === "channel.chat.message" && s.condition.broadcaster_user_id === channelId).map((s) => s.condition);
}

const channelIn = async (lab: SeededTenant, id: string) => (await api<{ channels: ChannelBody[] }>(lab, "GET", "")).body.channels.find((c) => c.id === id);
const makeModerator = (broadcasterId: string, userId: string) => fake(TWITCH, "/__control/twitch/moderators", { broadcaster_id: broadcasterId, user_id: userId });

describe("a Twitch chat-bot channel's chat subscription", () => {
  it("adding a channel whose bot is a connected moderator subscribes {channel, bot}; saving makes no second; removing deletes it", async () => {
    const lab = await withDb((db) => seedTenant(db, "Chat subscription lab"));
    const bot = await connected(lab, "owner", { id: accountId("twitch"), login: "personabot" });
    const channelId = twitchUserId();
    await makeModerator(channelId, bot.platformUserId);

    const added = await api<ChannelBody>(lab, "POST", "/channels", { platform: "twitch", channelId, channelLogin: "personachan", connectionId: bot.id, botIsModerator: true });
    expect(added.status).toBe(201);
    expect(added.body.chatSubscription).toEqual({ subscribed: true, reason: null });
    expect(await chatSubscriptionsAt(channelId)).toEqual([{ broadcaster_user_id: channelId, user_id: bot.platformUserId }]);

    expect((await api(lab, "PATCH", `/channels/${added.body.id}`, { enabled: true })).status).toBe(200);
    expect(await chatSubscriptionsAt(channelId)).toHaveLength(1);

    expect((await api(lab, "DELETE", `/channels/${added.body.id}`)).status).toBe(204);
    expect(await chatSubscriptionsAt(channelId)).toEqual([]);
  });

  it("without channel:bot or moderator status Twitch refuses: the Channels tab shows why, and a save after modding subscribes", async () => {
    const lab = await withDb((db) => seedTenant(db, "Chat subscription refused lab"));
    const bot = await connected(lab, "owner", { id: accountId("twitch"), login: "unmoddedbot" });
    const channelId = twitchUserId();

    const added = await api<ChannelBody>(lab, "POST", "/channels", { platform: "twitch", channelId, channelLogin: "strictchan", connectionId: bot.id });
    expect(added.status).toBe(201);
    expect(added.body.chatSubscription).toMatchObject({ subscribed: false, reason: expect.stringContaining("channel:bot or make the bot a moderator") });
    expect((await channelIn(lab, added.body.id))?.chatSubscription).toEqual(added.body.chatSubscription);
    expect(await chatSubscriptionsAt(channelId)).toEqual([]);

    await makeModerator(channelId, bot.platformUserId);
    const saved = await api<ChannelBody>(lab, "PATCH", `/channels/${added.body.id}`, { botIsModerator: true });
    expect(saved.body.chatSubscription).toEqual({ subscribed: true, reason: null });
    expect(await chatSubscriptionsAt(channelId)).toEqual([{ broadcaster_user_id: channelId, user_id: bot.platformUserId }]);
  });

  it("an app-token channel whose bot has not authorized the app is refused until that account connects", async () => {
    const lab = await withDb((db) => seedTenant(db, "Chat subscription connect lab"));
    const botAccount = { id: accountId("twitch"), login: "latebot" };
    const channelId = twitchUserId();
    await makeModerator(channelId, botAccount.id);

    const added = await api<ChannelBody>(lab, "POST", "/channels", { platform: "twitch", channelId, channelLogin: "latechan", botUserId: botAccount.id, botIsModerator: true });
    expect(added.body.chatSubscription).toMatchObject({ subscribed: false, reason: expect.stringContaining("the bot account must connect with the chat bot enabled") });

    // Subscriptions are made after the callback has answered: wait for the tab to say so.
    await connected(lab, "admin", botAccount);
    await vi.waitFor(async () => expect((await channelIn(lab, added.body.id))?.chatSubscription).toEqual({ subscribed: true, reason: null }), WAIT);
    expect(await chatSubscriptionsAt(channelId)).toEqual([{ broadcaster_user_id: channelId, user_id: botAccount.id }]);
  });

  it("Twitch revoking it shows why in the tab; one revoked for failed deliveries is made again", async () => {
    const lab = await withDb((db) => seedTenant(db, "Chat subscription revoked lab"));
    const bot = await connected(lab, "owner", { id: accountId("twitch"), login: "revokedbot" });
    const channelId = twitchUserId();
    await makeModerator(channelId, bot.platformUserId);
    const added = await api<ChannelBody>(lab, "POST", "/channels", { platform: "twitch", channelId, channelLogin: "revokedchan", connectionId: bot.id, botIsModerator: true });
    const revoke = async (status: string) => {
      const state = await fake<{ subscriptions: { id: string; type: string; status: string; condition: Record<string, string> }[] }>(TWITCH, "/__control/twitch/state");
      const sub = state.subscriptions.find((s) => s.type === "channel.chat.message" && s.condition.broadcaster_user_id === channelId && s.status !== status);
      const signed = await fake<Signed>(TWITCH, "/__control/twitch/sign", { messageType: "revocation", subscriptionType: "channel.chat.message", subscriptionId: sub?.id, status });
      expect((await deliver("/webhooks/twitch", signed)).status).toBe(204);
      await processed("twitch.revocation", signed.headers["twitch-eventsub-message-id"] as string);
      return sub?.id;
    };

    const failedDeliveries = await revoke("notification_failures_exceeded");
    expect((await channelIn(lab, added.body.id))?.chatSubscription).toEqual({ subscribed: true, reason: null });
    const now = await fake<{ subscriptions: { id: string; type: string; status: string; condition: Record<string, string> }[] }>(TWITCH, "/__control/twitch/state");
    expect(now.subscriptions.filter((s) => s.type === "channel.chat.message" && s.condition.broadcaster_user_id === channelId).map((s) => [s.id === failedDeliveries, s.status])).toEqual([[false, "webhook_callback_verification_pending"]]);

    await revoke("authorization_revoked");
    expect((await channelIn(lab, added.body.id))?.chatSubscription).toEqual({ subscribed: false, reason: "revoked by Twitch: the broadcaster withdrew this app's authorization" });
  });

  it("one chat line delivered through the broadcaster's and the bot's subscriptions is answered once", async () => {
    const lab = await withDb((db) => seedTenant(db, "Chat line twice lab"));
    const bot = await connected(lab, "owner", { id: accountId("twitch"), login: "oncebot" });
    const channelId = twitchUserId();
    await makeModerator(channelId, bot.platformUserId);
    const added = await api<ChannelBody>(lab, "POST", "/channels", { platform: "twitch", channelId, channelLogin: "oncechan", connectionId: bot.id, botIsModerator: true });
    expect((await api(lab, "POST", "/commands", { name: "once", response: "answered #{count}", globalCooldownSeconds: 0 })).status).toBe(201);
    const chatLab: ChatLab = { ...lab, broadcasterId: channelId, botId: bot.platformUserId, channelRowId: added.body.id };

    const line = { broadcaster_user_id: channelId, chatter_user_id: "575001", text: "!once", chat_message_id: `line-${channelId}` };
    for (const userId of [channelId, bot.platformUserId]) {
      const signed = await fake<Signed>(TWITCH, "/__control/twitch/chat-message", { ...line, user_id: userId });
      expect((await deliver("/webhooks/twitch", signed)).status).toBe(204);
      await processed("twitch.notification", signed.headers["twitch-eventsub-message-id"] as string);
    }
    // A later line is answered: the first was handled once, so this is #2.
    await chat(chatLab, { text: "!once", chatter: "575002" });
    await vi.waitFor(async () => expect((await sentTo(chatLab)).filter((m) => m.is_sent).map((m) => m.message)).toEqual(["answered #1", "answered #2"]), WAIT);
  });
});

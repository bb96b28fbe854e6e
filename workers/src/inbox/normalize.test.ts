// The normalizers against payload samples from the platforms' reference docs (Twitch EventSub, Kick events,
// YouTube liveChatMessages): each becomes the right inbox draft, and what is not a notification becomes null.
import { describe, expect, it } from "vitest";
import { mentionsChannel } from "./mentions.ts";
import { normalizeKick } from "./normalize-kick.ts";
import { normalizeTwitch } from "./normalize-twitch.ts";
import { normalizeYouTubeChatItem } from "./normalize-youtube.ts";

const at = new Date("2026-11-20T18:00:00.000Z");
const meta = { messageId: "befa7b53-d79d-478f-86b9-120f112b044e", receivedAt: at };
const broadcaster = { broadcaster_user_id: "1337", broadcaster_user_login: "cooler_user", broadcaster_user_name: "Cooler_User" };

describe("Twitch EventSub", () => {
  it("channel.follow v2", () => {
    const d = normalizeTwitch("channel.follow", { user_id: "1234", user_login: "cool_user", user_name: "Cool_User", ...broadcaster, followed_at: "2020-07-15T18:16:11.17106713Z" }, meta);
    expect(d).toMatchObject({ platform: "twitch", type: "follow", sourceEventId: meta.messageId, broadcasterId: "1337", actor: { id: "1234", name: "Cool_User", avatarUrl: null }, occurredAt: "2020-07-15T18:16:11.17106713Z", message: null });
  });

  it("channel.subscribe; a gifted recipient's is left to the gift event", () => {
    expect(normalizeTwitch("channel.subscribe", { user_id: "1234", user_login: "cool_user", user_name: "Cool_User", ...broadcaster, tier: "1000", is_gift: false }, meta)).toMatchObject({ type: "sub", tier: "Tier 1" });
    expect(normalizeTwitch("channel.subscribe", { user_id: "1234", user_login: "cool_user", user_name: "Cool_User", ...broadcaster, tier: "1000", is_gift: true }, meta)).toBeNull();
  });

  it("channel.subscription.message (resub) keeps months and the viewer's message", () => {
    const d = normalizeTwitch(
      "channel.subscription.message",
      { user_id: "1234", user_login: "cool_user", user_name: "Cool_User", ...broadcaster, tier: "2000", message: { text: "Love the stream! FevziGG", emotes: [{ begin: 23, end: 30, id: "302976485" }] }, cumulative_months: 15, streak_months: 1, duration_months: 6 },
      meta,
    );
    expect(d).toMatchObject({ type: "resub", tier: "Tier 2", months: 15, message: "Love the stream! FevziGG" });
  });

  it("channel.subscription.gift, named and anonymous", () => {
    expect(normalizeTwitch("channel.subscription.gift", { user_id: "1234", user_login: "cool_user", user_name: "Cool_User", ...broadcaster, total: 2, tier: "1000", cumulative_total: 284, is_anonymous: false }, meta)).toMatchObject({ type: "gift_sub", count: 2, actor: { id: "1234", name: "Cool_User" } });
    expect(normalizeTwitch("channel.subscription.gift", { user_id: null, user_login: null, user_name: null, ...broadcaster, total: 5, tier: "3000", cumulative_total: null, is_anonymous: true }, meta)).toMatchObject({ count: 5, tier: "Tier 3", actor: { id: null, name: "Anonymous" } });
  });

  it("channel.cheer", () => {
    expect(normalizeTwitch("channel.cheer", { is_anonymous: false, user_id: "1234", user_login: "cool_user", user_name: "Cool_User", ...broadcaster, message: "pogchamp", bits: 1000 }, meta)).toMatchObject({ type: "cheer", bits: 1000, message: "pogchamp" });
  });

  it("channel.raid belongs to the raided channel", () => {
    const d = normalizeTwitch("channel.raid", { from_broadcaster_user_id: "1234", from_broadcaster_user_login: "cool_user", from_broadcaster_user_name: "Cool_User", to_broadcaster_user_id: "1337", to_broadcaster_user_login: "cooler_user", to_broadcaster_user_name: "Cooler_User", viewers: 9001 }, meta);
    expect(d).toMatchObject({ type: "raid", broadcasterId: "1337", viewers: 9001, actor: { id: "1234", name: "Cool_User" } });
  });

  it("channel.chat.message: a mention of the broadcaster only", () => {
    const chat = (text: string, fragments: unknown[], chatter = "4145994") => ({
      ...broadcaster,
      chatter_user_id: chatter,
      chatter_user_login: "viewer32",
      chatter_user_name: "viewer32",
      message_id: "cc106a89-1814-919d-454c-f4f2f970aae7",
      message: { text, fragments },
      message_type: "text",
    });
    const mention = [{ type: "text", text: "hi ", cheermote: null, emote: null, mention: null }, { type: "mention", text: "@Cooler_User", cheermote: null, emote: null, mention: { user_id: "1337", user_name: "Cooler_User", user_login: "cooler_user" } }];
    expect(normalizeTwitch("channel.chat.message", chat("hi @Cooler_User", mention), meta)).toMatchObject({ type: "mention", actor: { id: "4145994", name: "viewer32" }, message: "hi @Cooler_User" });
    expect(normalizeTwitch("channel.chat.message", chat("yo @cooler_user!", [{ type: "text", text: "yo @cooler_user!" }]), meta)).toMatchObject({ type: "mention" });
    expect(normalizeTwitch("channel.chat.message", chat("hello chat", [{ type: "text", text: "hello chat" }]), meta)).toBeNull();
    expect(normalizeTwitch("channel.chat.message", chat("@cooler_userz hi", [{ type: "text", text: "@cooler_userz hi" }]), meta)).toBeNull();
    expect(normalizeTwitch("channel.chat.message", chat("me @Cooler_User", mention, "1337"), meta)).toBeNull();
  });

  it("channel.chat.message: one line reaching us through two subscriptions (the broadcaster's, the bot's) is one mention", () => {
    const line = { ...broadcaster, chatter_user_id: "4145994", chatter_user_login: "viewer32", chatter_user_name: "viewer32", message_id: "cc106a89-1814-919d-454c-f4f2f970aae7", message: { text: "hi @cooler_user", fragments: [] }, message_type: "text" };
    const viaBroadcaster = normalizeTwitch("channel.chat.message", line, { ...meta, messageId: "eventsub-delivery-1" });
    const viaBot = normalizeTwitch("channel.chat.message", line, { ...meta, messageId: "eventsub-delivery-2" });
    expect(viaBroadcaster?.sourceEventId).toBe("cc106a89-1814-919d-454c-f4f2f970aae7");
    expect(viaBot?.sourceEventId).toBe(viaBroadcaster?.sourceEventId);
  });

  it("ignores what is not a notification", () => {
    expect(normalizeTwitch("stream.online", { id: "9001", ...broadcaster, type: "live", started_at: at.toISOString() }, meta)).toBeNull();
  });
});

describe("Kick", () => {
  const kbroadcaster = { is_anonymous: false, user_id: 123456789, username: "broadcaster_name", is_verified: true, profile_picture: "https://files.kick.com/b.jpg", channel_slug: "broadcaster_channel", identity: null };
  const viewer = { is_anonymous: false, user_id: 987654321, username: "viewer_name", is_verified: false, profile_picture: "https://files.kick.com/v.jpg", channel_slug: "viewer_channel", identity: null };

  it("channel.followed", () => {
    expect(normalizeKick("channel.followed", { broadcaster: kbroadcaster, follower: viewer }, meta)).toMatchObject({ platform: "kick", type: "follow", broadcasterId: "123456789", actor: { id: "987654321", name: "viewer_name", avatarUrl: "https://files.kick.com/v.jpg" } });
  });

  it("channel.subscription.new / renewal / gifts", () => {
    expect(normalizeKick("channel.subscription.new", { broadcaster: kbroadcaster, subscriber: viewer, duration: 1, created_at: "2025-01-14T16:08:06Z", expires_at: "2025-02-14T16:08:06Z" }, meta)).toMatchObject({ type: "sub", months: 1, occurredAt: "2025-01-14T16:08:06Z" });
    expect(normalizeKick("channel.subscription.renewal", { broadcaster: kbroadcaster, subscriber: viewer, duration: 3, created_at: "2025-01-14T16:08:06Z", expires_at: "2025-02-14T16:08:06Z" }, meta)).toMatchObject({ type: "resub", months: 3 });
    expect(normalizeKick("channel.subscription.gifts", { broadcaster: kbroadcaster, gifter: viewer, giftees: [{ ...viewer, user_id: 1 }, { ...viewer, user_id: 2 }], created_at: "2025-01-14T16:08:06Z", expires_at: "2025-02-14T16:08:06Z" }, meta)).toMatchObject({ type: "gift_sub", count: 2, actor: { name: "viewer_name" } });
    expect(normalizeKick("channel.subscription.gifts", { broadcaster: kbroadcaster, gifter: { is_anonymous: true, user_id: null, username: null }, giftees: [viewer] }, meta)).toMatchObject({ actor: { id: null, name: "Anonymous" }, count: 1 });
  });

  it("chat.message.sent: mentions of the broadcaster only", () => {
    const chat = (content: string, sender = viewer) => ({ message_id: "unique_message_id_123", replies_to: null, broadcaster: kbroadcaster, sender, content, emotes: [] });
    expect(normalizeKick("chat.message.sent", chat("gg @broadcaster_name"), meta)).toMatchObject({ type: "mention", message: "gg @broadcaster_name" });
    expect(normalizeKick("chat.message.sent", chat("gg all"), meta)).toBeNull();
    expect(normalizeKick("chat.message.sent", chat("@broadcaster_name me", kbroadcaster), meta)).toBeNull();
    expect(normalizeKick("livestream.status.updated", { broadcaster: kbroadcaster, is_live: true }, meta)).toBeNull();
  });

  it("kicks.gifted: a cheer counted in Kicks", () => {
    const gift = { amount: 500, name: "Rage Quit", type: "LEVEL_UP", tier: "MID", message: "w", pinned_time_seconds: 600 };
    const { is_anonymous: _a, identity: _i, ...sender } = viewer;
    expect(normalizeKick("kicks.gifted", { broadcaster: kbroadcaster, sender, gift, created_at: "2025-10-20T04:00:08.634Z" }, meta)).toMatchObject({
      platform: "kick",
      type: "cheer",
      broadcasterId: "123456789",
      actor: { id: "987654321", name: "viewer_name" },
      amount: 500,
      currency: "KICKS",
      bits: null,
      tier: "Rage Quit",
      message: "w",
      occurredAt: "2025-10-20T04:00:08.634Z",
    });
  });
});

describe("YouTube liveChatMessages", () => {
  const author = { channelId: "UCviewer0000000000000001", channelUrl: "http://www.youtube.com/channel/UCviewer0000000000000001", displayName: "Super Fan", profileImageUrl: "https://yt3.ggpht.com/fan.jpg", isVerified: false, isChatOwner: false, isChatSponsor: true, isChatModerator: false };
  const item = (type: string, details: Record<string, unknown>) => ({
    kind: "youtube#liveChatMessage",
    etag: "abc",
    id: `LCC.${type}`,
    snippet: { type, liveChatId: "Cg0KC2xpdmU", authorChannelId: author.channelId, publishedAt: "2026-11-20T17:59:00.000Z", hasDisplayContent: true, displayMessage: "x", ...details },
    authorDetails: author,
  });
  const channel = "UCbroadcaster00000000001";

  it("superChatEvent: micros become the amount", () => {
    expect(normalizeYouTubeChatItem(channel, item("superChatEvent", { superChatDetails: { amountMicros: "5000000", currency: "USD", amountDisplayString: "$5.00", userComment: "Great stream!", tier: 2 } }), at)).toMatchObject({
      platform: "youtube",
      type: "super_chat",
      sourceEventId: "LCC.superChatEvent",
      broadcasterId: channel,
      amount: 5,
      currency: "USD",
      message: "Great stream!",
      actor: { id: author.channelId, name: "Super Fan", avatarUrl: "https://yt3.ggpht.com/fan.jpg" },
      occurredAt: "2026-11-20T17:59:00.000Z",
    });
  });

  it("superStickerEvent, newSponsorEvent, memberMilestoneChatEvent, membershipGiftingEvent", () => {
    expect(normalizeYouTubeChatItem(channel, item("superStickerEvent", { superStickerDetails: { superStickerMetadata: { stickerId: "s", altText: "Cat dancing", language: "en" }, amountMicros: "1990000", currency: "EUR", amountDisplayString: "€1.99", tier: 1 } }), at)).toMatchObject({ type: "super_chat", amount: 1.99, currency: "EUR", message: "Sticker: Cat dancing" });
    expect(normalizeYouTubeChatItem(channel, item("newSponsorEvent", { newSponsorDetails: { memberLevelName: "Gold", isUpgrade: false } }), at)).toMatchObject({ type: "membership", tier: "Gold", months: 1 });
    expect(normalizeYouTubeChatItem(channel, item("memberMilestoneChatEvent", { memberMilestoneChatDetails: { userComment: "A year!", memberMonth: 12, memberLevelName: "Gold" } }), at)).toMatchObject({ type: "membership", months: 12, message: "A year!" });
    expect(normalizeYouTubeChatItem(channel, item("membershipGiftingEvent", { membershipGiftingDetails: { giftMembershipsCount: 5, giftMembershipsLevelName: "Gold" } }), at)).toMatchObject({ type: "gift_sub", count: 5, tier: "Gold" });
  });

  it("ignores plain chat and garbage", () => {
    expect(normalizeYouTubeChatItem(channel, item("textMessageEvent", { textMessageDetails: { messageText: "hi" } }), at)).toBeNull();
    expect(normalizeYouTubeChatItem(channel, null, at)).toBeNull();
  });

  it("textMessageEvent: a line naming the channel's @handle or display name is a mention; the owner's own is not", () => {
    const names = { handle: "@novalive", displayName: "Nova Live" };
    const says = (text: string, who = author) => ({ ...item("textMessageEvent", { textMessageDetails: { messageText: text } }), authorDetails: who });
    expect(normalizeYouTubeChatItem(channel, says("hey @NovaLive, loved it"), at, names)).toMatchObject({ type: "mention", message: "hey @NovaLive, loved it", actor: { name: "Super Fan" } });
    expect(normalizeYouTubeChatItem(channel, says("nova live is the best"), at, names)).toMatchObject({ type: "mention" });
    expect(normalizeYouTubeChatItem(channel, says("@novalivers unite"), at, names)).toBeNull();
    expect(normalizeYouTubeChatItem(channel, says("supernova lives on"), at, names)).toBeNull();
    expect(normalizeYouTubeChatItem(channel, says("hi @novalive"), at)).toBeNull();
    expect(normalizeYouTubeChatItem(channel, says("thanks @novalive", { ...author, channelId: channel, isChatOwner: true }), at, names)).toBeNull();
  });
});

describe("mentionsChannel", () => {
  it("matches whole words only, case-insensitively, in any script", () => {
    expect(mentionsChannel("gg @Ünïcode!", { handle: "ünïcode", displayName: null })).toBe(true);
    expect(mentionsChannel("gg @ünïcodex", { handle: "ünïcode", displayName: null })).toBe(false);
    expect(mentionsChannel("email me at a@b.c", { handle: "b", displayName: null })).toBe(false);
    expect(mentionsChannel("ask a.b+c about it", { handle: null, displayName: "a.b+c" })).toBe(true);
    expect(mentionsChannel("ab is here", { handle: null, displayName: "ab" })).toBe(false);
  });
});

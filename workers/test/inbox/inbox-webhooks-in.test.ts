// Events in: each platform's events through its real signed webhook → queue → inbox rows with the normalized
// fields, pushed live to the tenant's open inbox; duplicates stored once; the YouTube poller's entry point.
import { env } from "cloudflare:workers";
import { unifiedInboxNotifications } from "@nebula/schema";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env.ts";
import { inboxFromYouTubeChat } from "../../src/inbox/inbox-events.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { KICK, type Signed, TWITCH, deliver, fake } from "../go-live/go-live-harness.ts";
import { withDb } from "../support/seed.ts";
import { addChannel, nextItem, openInbox, platformId, seedInboxTenant } from "./inbox-harness.ts";

const rowsOf = (tenantId: string) => withDb((db) => db.select().from(unifiedInboxNotifications).where(eq(unifiedInboxNotifications.tenantId, tenantId)));

describe("Twitch EventSub → inbox", () => {
  it("follow, sub, resub, gift, cheer, raid and a mention arrive live and are stored normalized; a repeat is stored once", async () => {
    const tenant = await seedInboxTenant();
    const broadcaster = platformId();
    await addChannel(tenant, "twitch", broadcaster);
    const socket = await openInbox(tenant.members.viewer, tenant.tenantId);
    const b = { broadcaster_user_id: broadcaster, broadcaster_user_login: "inboxcaster", broadcaster_user_name: "InboxCaster" };
    const user = { user_id: "5551", user_login: "fan_one", user_name: "Fan_One" };
    const send = async (subscriptionType: string, event: Record<string, unknown>) => {
      const signed = await fake<Signed>(TWITCH, "/__control/twitch/sign", { messageType: "notification", subscriptionType, event, condition: { broadcaster_user_id: broadcaster } });
      expect((await deliver("/webhooks/twitch", signed)).status).toBe(204);
      return signed;
    };

    const follow = await send("channel.follow", { ...user, ...b, followed_at: "2026-11-20T18:00:00.000Z" });
    expect(await nextItem(socket)).toMatchObject({ platform: "twitch", type: "follow", actor: { id: "5551", name: "Fan_One" }, broadcasterId: broadcaster, streamerUserId: tenant.owner.userId, readAt: null });
    // Twitch resends the same message id; and a queue redelivery would carry it too.
    expect((await deliver("/webhooks/twitch", follow)).status).toBe(204);

    await send("channel.subscribe", { ...user, ...b, tier: "1000", is_gift: false });
    expect(await nextItem(socket)).toMatchObject({ type: "sub", tier: "Tier 1" });
    await send("channel.subscription.message", { ...user, ...b, tier: "2000", message: { text: "15 months <b>hi</b>", emotes: [] }, cumulative_months: 15, streak_months: 3, duration_months: 1 });
    expect(await nextItem(socket)).toMatchObject({ type: "resub", months: 15, message: "15 months <b>hi</b>" });
    await send("channel.subscription.gift", { user_id: null, user_login: null, user_name: null, ...b, total: 5, tier: "1000", cumulative_total: null, is_anonymous: true });
    expect(await nextItem(socket)).toMatchObject({ type: "gift_sub", count: 5, actor: { id: null, name: "Anonymous" } });
    await send("channel.cheer", { is_anonymous: false, ...user, ...b, message: "Cheer100 go go", bits: 100 });
    expect(await nextItem(socket)).toMatchObject({ type: "cheer", bits: 100, message: "Cheer100 go go" });
    await send("channel.raid", { from_broadcaster_user_id: "777", from_broadcaster_user_login: "raider", from_broadcaster_user_name: "Raider", to_broadcaster_user_id: broadcaster, to_broadcaster_user_login: "inboxcaster", to_broadcaster_user_name: "InboxCaster", viewers: 42 });
    expect(await nextItem(socket)).toMatchObject({ type: "raid", viewers: 42, actor: { id: "777", name: "Raider" } });
    // A plain chat line is no notification; the mention after it is.
    await send("channel.chat.message", { ...b, chatter_user_id: "5552", chatter_user_login: "chatty", chatter_user_name: "Chatty", message_id: "m1", message: { text: "hello chat", fragments: [{ type: "text", text: "hello chat" }] } });
    await send("channel.chat.message", { ...b, chatter_user_id: "5552", chatter_user_login: "chatty", chatter_user_name: "Chatty", message_id: "m2", message: { text: "@InboxCaster hi", fragments: [{ type: "mention", text: "@InboxCaster", mention: { user_id: broadcaster, user_login: "inboxcaster", user_name: "InboxCaster" } }, { type: "text", text: " hi" }] } });
    expect(await nextItem(socket)).toMatchObject({ type: "mention", actor: { name: "Chatty" }, message: "@InboxCaster hi" });

    const rows = await rowsOf(tenant.tenantId);
    expect(rows.map((r) => r.type).sort()).toEqual(["cheer", "follow", "gift_sub", "mention", "raid", "resub", "sub"]);
    const followRow = rows.find((r) => r.type === "follow");
    expect(followRow).toMatchObject({ sourceEventId: follow.headers["twitch-eventsub-message-id"], occurredAt: new Date("2026-11-20T18:00:00.000Z") });
    socket.close();
  });

  it("each tenant that owns the channel gets its own copy", async () => {
    const [a, b] = [await seedInboxTenant("Inbox A"), await seedInboxTenant("Inbox B")];
    const broadcaster = platformId();
    await addChannel(a, "twitch", broadcaster);
    await addChannel(b, "twitch", broadcaster);
    const [sa, sb] = [await openInbox(a.owner, a.tenantId), await openInbox(b.owner, b.tenantId)];
    const signed = await fake<Signed>(TWITCH, "/__control/twitch/sign", { messageType: "notification", subscriptionType: "channel.follow", event: { user_id: "9", user_login: "both", user_name: "Both", broadcaster_user_id: broadcaster, broadcaster_user_login: "x", broadcaster_user_name: "X", followed_at: new Date().toISOString() } });
    expect((await deliver("/webhooks/twitch", signed)).status).toBe(204);
    const [ia, ib] = [await nextItem(sa), await nextItem(sb)];
    expect(ia.id).not.toBe(ib.id);
    expect((await rowsOf(a.tenantId)).length).toBe(1);
    expect((await rowsOf(b.tenantId)).length).toBe(1);
    sa.close();
    sb.close();
  });
});

describe("Kick webhooks → inbox", () => {
  it("follow, new sub, renewal, gifts, a mention and Kicks; a duplicate message id is stored once", async () => {
    const tenant = await seedInboxTenant();
    const kickId = Number(platformId());
    await addChannel(tenant, "kick", String(kickId));
    const socket = await openInbox(tenant.owner, tenant.tenantId);
    const broadcaster = { is_anonymous: false, user_id: kickId, username: "kickcaster", is_verified: true, profile_picture: "https://files.kick.com/k.jpg", channel_slug: "kickcaster", identity: null };
    const viewer = { is_anonymous: false, user_id: 4242, username: "kickfan", is_verified: false, profile_picture: "https://files.kick.com/f.jpg", channel_slug: "kickfan", identity: null };
    const send = async (eventType: string, event: Record<string, unknown>, messageId?: string) => {
      const signed = await fake<Signed>(KICK, "/__control/kick/sign", { eventType, event, ...(messageId ? { messageId } : {}) });
      expect((await deliver("/webhooks/kick", signed)).status).toBe(204);
      return signed;
    };
    const follow = await send("channel.followed", { broadcaster, follower: viewer });
    expect(await nextItem(socket)).toMatchObject({ platform: "kick", type: "follow", actor: { id: "4242", name: "kickfan", avatarUrl: "https://files.kick.com/f.jpg" } });
    expect((await deliver("/webhooks/kick", follow)).status).toBe(204);
    await send("channel.subscription.new", { broadcaster, subscriber: viewer, duration: 1, created_at: new Date().toISOString(), expires_at: new Date().toISOString() });
    expect(await nextItem(socket)).toMatchObject({ type: "sub", months: 1 });
    await send("channel.subscription.renewal", { broadcaster, subscriber: viewer, duration: 4, created_at: new Date().toISOString(), expires_at: new Date().toISOString() });
    expect(await nextItem(socket)).toMatchObject({ type: "resub", months: 4 });
    await send("channel.subscription.gifts", { broadcaster, gifter: viewer, giftees: [viewer, { ...viewer, user_id: 4243 }, { ...viewer, user_id: 4244 }], created_at: new Date().toISOString(), expires_at: new Date().toISOString() });
    expect(await nextItem(socket)).toMatchObject({ type: "gift_sub", count: 3 });
    await send("chat.message.sent", { message_id: "k1", replies_to: null, broadcaster, sender: viewer, content: "no mention here", emotes: [] });
    await send("chat.message.sent", { message_id: "k2", replies_to: null, broadcaster, sender: viewer, content: "hey @kickcaster <script>", emotes: [] });
    expect(await nextItem(socket)).toMatchObject({ type: "mention", message: "hey @kickcaster <script>" });
    // Kicks are Kick's cheers: the amount is in Kicks, not bits.
    const { is_anonymous: _a, identity: _i, ...sender } = viewer;
    await send("kicks.gifted", { broadcaster, sender, gift: { amount: 500, name: "Rage Quit", type: "LEVEL_UP", tier: "MID", message: "w", pinned_time_seconds: 600 }, created_at: "2026-11-20T18:05:00.634Z" });
    expect(await nextItem(socket)).toMatchObject({ platform: "kick", type: "cheer", amount: 500, currency: "KICKS", bits: null, tier: "Rage Quit", message: "w", actor: { id: "4242", name: "kickfan" } });
    const rows = await rowsOf(tenant.tenantId);
    expect(rows.map((r) => r.type).sort()).toEqual(["cheer", "follow", "gift_sub", "mention", "resub", "sub"]);
    socket.close();
  });
});

describe("YouTube live chat → inbox (the poller's entry point)", () => {
  it("stores super chats and memberships once each, pushes them live, ignores plain chat", async () => {
    const tenant = await seedInboxTenant();
    const channelId = `UC${platformId().padEnd(22, "q")}`;
    await addChannel(tenant, "youtube", channelId);
    const socket = await openInbox(tenant.owner, tenant.tenantId);
    const author = { channelId: "UCfan000000000000000000001", displayName: "Big Fan", profileImageUrl: "https://yt3.ggpht.com/a.jpg", isChatSponsor: false };
    const item = (id: string, type: string, details: Record<string, unknown>) => ({ kind: "youtube#liveChatMessage", id, snippet: { type, publishedAt: "2026-11-20T18:01:00.000Z", ...details }, authorDetails: author });
    const page = [
      item(`sc-${channelId}`, "superChatEvent", { superChatDetails: { amountMicros: "20000000", currency: "GBP", amountDisplayString: "£20.00", userComment: "for the cat", tier: 3 } }),
      item(`tx-${channelId}`, "textMessageEvent", { textMessageDetails: { messageText: "hi" } }),
      item(`ms-${channelId}`, "newSponsorEvent", { newSponsorDetails: { memberLevelName: "Crew", isUpgrade: false } }),
    ];
    const deps = { db: undefined as never, feeds: (env as Env).INBOX_FEED, rooms: (env as Env).OVERLAY_ROOM, logger: createLogger({ test: "inbox" }, "error") };
    const stored = await withDb((db) => inboxFromYouTubeChat({ ...deps, db }, channelId, page, new Date()));
    expect(stored).toBe(2);
    expect(await nextItem(socket)).toMatchObject({ platform: "youtube", type: "super_chat", amount: 20, currency: "GBP", message: "for the cat", actor: { name: "Big Fan" } });
    expect(await nextItem(socket)).toMatchObject({ type: "membership", tier: "Crew" });
    // The poller reads overlapping pages: the same items again change nothing.
    expect(await withDb((db) => inboxFromYouTubeChat({ ...deps, db }, channelId, page, new Date()))).toBe(0);
    const rows = await withDb((db) => db.select().from(unifiedInboxNotifications).where(and(eq(unifiedInboxNotifications.tenantId, tenant.tenantId), eq(unifiedInboxNotifications.platform, "youtube"))));
    expect(rows).toHaveLength(2);
    socket.close();
  });
});

// Inbox → overlays: a signed Twitch webhook becomes an inbox item and, once, an alert on every overlay of the
// tenant that owns the channel; redelivering the same item (the queue's at-least-once) plays nothing again.
import { env } from "cloudflare:workers";
import { overlayWire, unifiedInboxNotifications } from "@nebula/schema";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env.ts";
import { inboxItemOf } from "../../src/inbox/inbox-store.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { alertOfInboxItem, sendInboxItemsToOverlays } from "../../src/overlays/overlay-inbox.ts";
import { type Signed, TWITCH, deliver, fake } from "../go-live/go-live-harness.ts";
import { addChannel, nextItem, openInbox, platformId, seedInboxTenant } from "../inbox/inbox-harness.ts";
import { withDb } from "../support/seed.ts";
import { type TestSocket, mustConnect } from "../support/sockets.ts";
import { createOverlayAs, sampleDocument, socketPath } from "./support.ts";

async function openSource(publicId: string): Promise<TestSocket> {
  const source = await mustConnect(socketPath(publicId));
  expect(overlayWire.HelloFrame.parse(await source.nextJson()).lastSeq).toBe(0);
  overlayWire.DocumentFrame.parse(await source.nextJson());
  return source;
}

const nextEvent = async (source: TestSocket) => overlayWire.EventFrame.parse(await source.nextJson());

describe("inbox items on overlays", () => {
  it("a Twitch follow through the webhook reaches every overlay of the tenant once, as a follow alert", async () => {
    const tenant = await seedInboxTenant("Overlay inbox lab");
    const broadcaster = platformId();
    await addChannel(tenant, "twitch", broadcaster);
    const overlays = [
      await createOverlayAs(tenant.members.operator, tenant, { name: "Main", document: sampleDocument() }),
      await createOverlayAs(tenant.members.operator, tenant, { name: "BRB", document: sampleDocument() }),
    ];
    const sources = await Promise.all(overlays.map((o) => openSource(o.publicId)));
    const inbox = await openInbox(tenant.owner, tenant.tenantId);
    const b = { broadcaster_user_id: broadcaster, broadcaster_user_login: "overlaycaster", broadcaster_user_name: "OverlayCaster" };
    const send = async (subscriptionType: string, event: Record<string, unknown>) => {
      const signed = await fake<Signed>(TWITCH, "/__control/twitch/sign", { messageType: "notification", subscriptionType, event, condition: { broadcaster_user_id: broadcaster } });
      expect((await deliver("/webhooks/twitch", signed)).status).toBe(204);
      return signed;
    };

    const follow = await send("channel.follow", { user_id: "6001", user_login: "new_fan", user_name: "New_Fan", ...b, followed_at: "2026-11-20T18:00:00.000Z" });
    const followItem = await nextItem(inbox);
    for (const source of sources) {
      expect(await nextEvent(source)).toEqual({
        type: "event",
        seq: 1,
        event: { type: "alert", kind: "follow", platform: "twitch", user: "New_Fan", amount: null, currency: null, count: null, months: null, message: null, test: false, at: "2026-11-20T18:00:00.000Z" },
      });
    }

    // Twitch resends the message, and the queue redelivers the stored item to the fan-out: neither plays again.
    expect((await deliver("/webhooks/twitch", follow)).status).toBe(204);
    const [row] = await withDb((db) => db.select().from(unifiedInboxNotifications).where(and(eq(unifiedInboxNotifications.tenantId, tenant.tenantId), eq(unifiedInboxNotifications.id, followItem.id))));
    if (!row) throw new Error("the follow was not stored");
    await withDb((db) => sendInboxItemsToOverlays({ db, rooms: (env as Env).OVERLAY_ROOM, logger: createLogger({ test: "overlay-inbox" }, "error") }, tenant.tenantId, [{ ...inboxItemOf(row), sourceEventId: row.sourceEventId }]));

    // A mention is no alert; the raid after it is the next event on every overlay, numbered right after the follow.
    await send("channel.chat.message", { ...b, chatter_user_id: "6002", chatter_user_login: "chatty", chatter_user_name: "Chatty", message_id: "m-ov-1", message: { text: "@OverlayCaster hi", fragments: [{ type: "mention", text: "@OverlayCaster", mention: { user_id: broadcaster, user_login: "overlaycaster", user_name: "OverlayCaster" } }, { type: "text", text: " hi" }] } });
    expect((await nextItem(inbox)).type).toBe("mention");
    await send("channel.raid", { from_broadcaster_user_id: "777", from_broadcaster_user_login: "raider", from_broadcaster_user_name: "Raider", to_broadcaster_user_id: broadcaster, to_broadcaster_user_login: "overlaycaster", to_broadcaster_user_name: "OverlayCaster", viewers: 42 });
    for (const source of sources) {
      expect(await nextEvent(source)).toMatchObject({ seq: 2, event: { type: "alert", kind: "raid", user: "Raider", count: 42, test: false } });
      source.close();
    }
    inbox.close();
  });

  it("maps every inbox type to its alert kind with the numbers its template uses", () => {
    const base = { id: "inb_0000000000000000", platform: "twitch", streamerUserId: null, broadcasterId: "1", actor: { id: "2", name: "Viewer", avatarUrl: null }, amount: null, currency: null, bits: null, months: null, count: null, viewers: null, tier: null, message: null, occurredAt: "2026-11-20T18:00:00.000Z", readAt: null } as const;
    expect(alertOfInboxItem({ ...base, type: "cheer", bits: 300, message: "Cheer300" })).toMatchObject({ kind: "cheer", amount: 300, currency: null, message: "Cheer300" });
    // Kick's kicks.gifted: a cheer with an amount of Kicks and no bits.
    expect(alertOfInboxItem({ ...base, platform: "kick", type: "cheer", amount: 500, currency: "KICKS" })).toMatchObject({ kind: "cheer", platform: "kick", amount: 500, currency: null });
    expect(alertOfInboxItem({ ...base, type: "gift_sub", count: 5, tier: "Tier 1" })).toMatchObject({ kind: "giftsub", count: 5 });
    expect(alertOfInboxItem({ ...base, type: "resub", months: 15 })).toMatchObject({ kind: "resub", months: 15 });
    expect(alertOfInboxItem({ ...base, type: "sub" })).toMatchObject({ kind: "sub" });
    expect(alertOfInboxItem({ ...base, platform: "custom", type: "donation", amount: 12.5, currency: "EUR" })).toMatchObject({ kind: "donation", platform: "other", amount: 12.5, currency: "EUR" });
    expect(alertOfInboxItem({ ...base, platform: "youtube", type: "super_chat", amount: 20, currency: "USD" })).toMatchObject({ kind: "superchat", platform: "youtube", amount: 20 });
    expect(alertOfInboxItem({ ...base, platform: "youtube", type: "membership", months: 3 })).toMatchObject({ kind: "membership", months: 3 });
    expect(alertOfInboxItem({ ...base, type: "mention", message: "@x hi" })).toBeNull();
    for (const type of ["follow", "sub", "resub", "gift_sub", "cheer", "raid", "donation", "super_chat", "membership"] as const) {
      expect(overlayWire.AlertEvent.safeParse(alertOfInboxItem({ ...base, type, actor: { ...base.actor, name: "x".repeat(300) }, message: "m".repeat(2000) })).success).toBe(true);
    }
  });

  it("the room plays a keyed event once and refuses another tenant's", async () => {
    const tenant = await seedInboxTenant("Overlay keys lab");
    const other = await seedInboxTenant("Overlay keys rival");
    const overlay = await createOverlayAs(tenant.members.operator, tenant, { name: "Main", document: sampleDocument() });
    const room = (env as Env).OVERLAY_ROOM.getByName(overlay.publicId);
    const event = { type: "alert", kind: "follow", platform: "twitch", user: "Once", amount: null, currency: null, count: null, months: null, message: null, test: false, at: new Date().toISOString() } as const;
    expect(await room.broadcastKeyed(tenant.tenantId, [{ key: "inbox:a", event }, { key: "inbox:b", event }])).toEqual([{ seq: 1, delivered: 0 }, { seq: 2, delivered: 0 }]);
    expect(await room.broadcastKeyed(tenant.tenantId, [{ key: "inbox:a", event }, { key: "inbox:c", event }])).toEqual([{ seq: 3, delivered: 0 }]);
    expect(await room.broadcastKeyed(other.tenantId, [{ key: "inbox:d", event }])).toBeNull();
  });
});

// The unified inbox feeds the overlays: every new inbox item of a tenant (a follow, sub, cheer, raid, donation…)
// goes to each of the tenant's overlays as an alert event, so alert boxes play it and event lists show it. One
// Durable Object call per overlay carries all of a batch's items; each is keyed on the inbox item id, so a queue
// redelivery never plays an alert twice.
import { type api, overlays, type overlayWire } from "@nebula/schema";
import { eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import type { Env } from "../env.ts";
import type { Logger } from "../logging/logger.ts";
import type { KeyedEvent } from "./overlay-room.ts";
import { getOverlay, publishOverlay } from "./overlays.ts";

export interface OverlayFanOutDeps {
  db: Db;
  rooms: Env["OVERLAY_ROOM"];
  logger: Logger;
}

const ALERT_KIND: Record<api.InboxItem["type"], overlayWire.AlertKind | null> = {
  follow: "follow",
  sub: "sub",
  resub: "resub",
  gift_sub: "giftsub",
  cheer: "cheer",
  raid: "raid",
  donation: "donation",
  super_chat: "superchat",
  membership: "membership",
  // A chat line naming the streamer is for the inbox, not for an alert on stream.
  mention: null,
};

const PLATFORM: Record<api.InboxItem["platform"], overlayWire.AlertEvent["platform"]> = { twitch: "twitch", youtube: "youtube", kick: "kick", custom: "other" };

const clip = (text: string, max: number) => (text.length > max ? text.slice(0, max) : text);
const nonNegative = (n: number | null) => (n === null || !Number.isFinite(n) ? null : Math.max(0, n));
const wholeCount = (n: number | null) => (n === null ? null : Math.max(0, Math.trunc(n)));

/** The alert an inbox item plays, or null for items that are no alert (mentions). */
export function alertOfInboxItem(item: api.InboxItem): overlayWire.AlertEvent | null {
  const kind = ALERT_KIND[item.type];
  if (!kind) return null;
  const currency = item.currency && item.currency.length <= 8 ? item.currency : null;
  return {
    type: "alert",
    kind,
    platform: PLATFORM[item.platform],
    user: clip(item.actor.name.trim() || "Anonymous", 100),
    // Bits are a cheer's amount, as in the test alert and the "{user} cheered {amount} bits" template.
    amount: nonNegative(kind === "cheer" ? item.bits : item.amount),
    currency: kind === "cheer" ? null : currency,
    count: wholeCount(kind === "raid" ? item.viewers : item.count),
    months: wholeCount(item.months),
    message: item.message === null ? null : clip(item.message, 500),
    test: false,
    at: item.occurredAt,
  };
}

/**
 * Sends a tenant's new inbox items to every one of its overlays; nothing when it has none or no item is an alert.
 * A failed overlay is logged and skipped (the inbox has the items; the other overlays still get them).
 */
export async function sendInboxItemsToOverlays(deps: OverlayFanOutDeps, tenantId: string, items: readonly api.InboxItem[]): Promise<void> {
  const events: KeyedEvent[] = [];
  for (const item of items) {
    const event = alertOfInboxItem(item);
    if (event) events.push({ key: `inbox:${item.id}`, event });
  }
  if (events.length === 0) return;
  let targets: { id: string; publicId: string }[];
  try {
    targets = await deps.db.select({ id: overlays.id, publicId: overlays.publicId }).from(overlays).where(eq(overlays.tenantId, tenantId));
  } catch (err) {
    deps.logger.warn("overlays: inbox items not sent; the overlays could not be read", { tenantId, err });
    return;
  }
  await Promise.all(
    targets.map(async (overlay) => {
      try {
        const room = deps.rooms.getByName(overlay.publicId);
        if ((await room.broadcastKeyed(tenantId, events)) !== null) return;
        // The room lost its state (a fresh deployment's storage): Postgres has the truth, so publish and retry once.
        const overlayDeps = { db: deps.db, rooms: deps.rooms, now: () => new Date() };
        await publishOverlay(overlayDeps, await getOverlay(overlayDeps, tenantId, overlay.id));
        await room.broadcastKeyed(tenantId, events);
      } catch (err) {
        deps.logger.warn("overlays: inbox items not sent to an overlay", { tenantId, overlayId: overlay.id, err });
      }
    }),
  );
}

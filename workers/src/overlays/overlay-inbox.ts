// The unified inbox feeds the overlays: every inbox event of a tenant (a follow, sub, cheer, raid, donation…) goes
// to each of the tenant's overlays that show alerts, so alert boxes play it, event lists show it and goal bars count
// it. It goes before the event is stored: the overlays to call are cached per tenant, so a warm alert never waits on
// Postgres. One Durable Object call per overlay carries all of a batch's events; each is keyed on the platform's own
// event id, so a redelivery (Twitch's, or the queue's after a failed insert) never plays an alert twice.
import { type api, overlays, type overlayWire } from "@nebula/schema";
import { eq } from "drizzle-orm";
import type { Cache } from "../cache/cache.ts";
import type { Db } from "../db/client.ts";
import type { Env } from "../env.ts";
import type { Logger } from "../logging/logger.ts";
import type { KeyedEvent } from "./overlay-room.ts";
import { getOverlay, overlayAlertTargetsKey, publishOverlay } from "./overlays.ts";

export interface OverlayFanOutDeps {
  db: Db;
  rooms: Env["OVERLAY_ROOM"];
  logger: Logger;
  /** Where the tenant's alert overlays are remembered; without it they are read from Postgres every time. */
  cache?: Cache;
}

/** What an alert is made of: an inbox draft or a stored item, with the platform's id of the event. */
export type InboxAlertSource = Pick<api.InboxItem, "platform" | "type" | "actor" | "amount" | "currency" | "bits" | "months" | "count" | "viewers" | "tier" | "message" | "occurredAt"> & { sourceEventId: string };

/** The same event always has the same key in a room, whichever path (live run, queue retry) delivers it. */
export const inboxAlertKey = (item: Pick<InboxAlertSource, "platform" | "sourceEventId">) => `inbox:${item.platform}:${item.sourceEventId}`;

/** Layers that react to alerts: an overlay without one (a BRB screen of text and images) gets no call. */
const ALERT_LAYERS = new Set<overlayWire.OverlayLayerType>(["alert-box", "event-list", "goal-bar"]);
/** Every change to a tenant's overlays drops the cached list (overlays.ts); the TTL bounds a change made elsewhere. */
const TARGETS_TTL_SECONDS = 300;
const targetsKey = overlayAlertTargetsKey;

export type OverlayTarget = { id: string; publicId: string };
type AlertTarget = OverlayTarget;

async function readTargets(db: Db, tenantId: string, layers: ReadonlySet<overlayWire.OverlayLayerType>): Promise<OverlayTarget[]> {
  const rows = await db.select({ id: overlays.id, publicId: overlays.publicId, document: overlays.document }).from(overlays).where(eq(overlays.tenantId, tenantId));
  return rows.filter((r) => r.document.layers.some((l) => layers.has(l.type))).map((r) => ({ id: r.id, publicId: r.publicId }));
}

/**
 * The tenant's overlays with one of `layers`: from the cache under `key` (a key overlays.ts drops on every change),
 * else Postgres (then cached). A cache outage reads Postgres. The chat fan-out (overlay-chat.ts) shares it.
 */
export async function overlayTargets(deps: Pick<OverlayFanOutDeps, "db" | "cache">, tenantId: string, layers: ReadonlySet<overlayWire.OverlayLayerType>, key: string): Promise<OverlayTarget[]> {
  const cache = deps.cache;
  if (!cache) return readTargets(deps.db, tenantId, layers);
  const hit = await cache.get(key).catch(() => null);
  if (hit !== null) return JSON.parse(hit) as OverlayTarget[];
  const targets = await readTargets(deps.db, tenantId, layers);
  await cache.set(key, JSON.stringify(targets), { ttlSeconds: TARGETS_TTL_SECONDS }).catch(() => {});
  return targets;
}

/** The tenant's overlays that show alerts. */
const alertTargets = (deps: OverlayFanOutDeps, tenantId: string) => overlayTargets(deps, tenantId, ALERT_LAYERS, targetsKey(tenantId));

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
export function alertOfInboxItem(item: Omit<InboxAlertSource, "sourceEventId">): overlayWire.AlertEvent | null {
  const kind = ALERT_KIND[item.type];
  if (!kind) return null;
  const currency = item.currency && item.currency.length <= 8 ? item.currency : null;
  return {
    type: "alert",
    kind,
    platform: PLATFORM[item.platform],
    user: clip(item.actor.name.trim() || "Anonymous", 100),
    // Bits are a cheer's amount, as in the test alert and the "{user} cheered {amount} bits" template; Kick's cheer
    // (kicks.gifted) has no bits, only an amount of Kicks.
    amount: nonNegative(kind === "cheer" ? (item.bits ?? item.amount) : item.amount),
    currency: kind === "cheer" ? null : currency,
    count: wholeCount(kind === "raid" ? item.viewers : item.count),
    months: wholeCount(item.months),
    message: item.message === null ? null : clip(item.message, 500),
    test: false,
    at: item.occurredAt,
  };
}

/**
 * Sends a tenant's inbox events to every one of its overlays that shows alerts; nothing when it has none or no event
 * is an alert. A failed overlay is logged and skipped (the inbox has the items; the other overlays still get them).
 */
export async function sendInboxItemsToOverlays(deps: OverlayFanOutDeps, tenantId: string, items: readonly InboxAlertSource[]): Promise<void> {
  const events: KeyedEvent[] = [];
  for (const item of items) {
    const event = alertOfInboxItem(item);
    if (event) events.push({ key: inboxAlertKey(item), event });
  }
  if (events.length === 0) return;
  let targets: AlertTarget[];
  try {
    targets = await alertTargets(deps, tenantId);
  } catch (err) {
    deps.logger.warn("overlays: inbox items not sent; the overlays could not be read", { tenantId, err });
    return;
  }
  await Promise.all(
    targets.map(async (overlay) => {
      try {
        const room = deps.rooms.getByName(overlay.publicId);
        if ((await room.broadcastKeyed(tenantId, events)) !== null) return;
        // The room lost its state (a fresh deployment's storage), or the cached public id was just rotated away:
        // Postgres has the truth, so publish its room and retry there once.
        const overlayDeps = { db: deps.db, rooms: deps.rooms, now: () => new Date() };
        const row = await getOverlay(overlayDeps, tenantId, overlay.id);
        await publishOverlay(overlayDeps, row);
        if (row.publicId !== overlay.publicId) await deps.cache?.delete(targetsKey(tenantId)).catch(() => {});
        await deps.rooms.getByName(row.publicId).broadcastKeyed(tenantId, events);
      } catch (err) {
        deps.logger.warn("overlays: inbox items not sent to an overlay", { tenantId, overlayId: overlay.id, err });
      }
    }),
  );
}

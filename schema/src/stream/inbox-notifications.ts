// The unified inbox: follows, subs, resubs, gift subs, cheers, donations, raids, mentions, super chats and
// memberships from every platform, normalized into one row shape. The platform's own event id makes delivery
// idempotent (queues and platforms both deliver at least once).
import { sql } from "drizzle-orm";
import { index, integer, numeric, text, uniqueIndex } from "drizzle-orm/pg-core";
import { at, createdAt } from "../core/columns.ts";
import { tenants } from "../core/tenants.ts";
import { users } from "../core/users.ts";
import { stream } from "./columns.ts";

export const INBOX_PLATFORMS = ["twitch", "youtube", "kick", "custom"] as const;
export type InboxPlatform = (typeof INBOX_PLATFORMS)[number];

export const INBOX_TYPES = ["follow", "sub", "resub", "gift_sub", "cheer", "donation", "raid", "mention", "super_chat", "membership"] as const;
export type InboxType = (typeof INBOX_TYPES)[number];

export const unifiedInboxNotifications = stream.table(
  "unified_inbox_notifications",
  {
    /** `inb_…` */
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    /** The tenant member whose channel it happened on, when known (inbox sources name them). */
    streamerUserId: text("streamer_user_id").references(() => users.id, { onDelete: "set null" }),
    platform: text("platform", { enum: INBOX_PLATFORMS }).notNull(),
    type: text("type", { enum: INBOX_TYPES }).notNull(),
    /** The platform's (or the custom source's) id of the event: unique per tenant and platform. */
    sourceEventId: text("source_event_id").notNull(),
    /** The channel it happened on: Twitch/Kick broadcaster user id, YouTube channel id, custom source id. */
    broadcasterId: text("broadcaster_id").notNull(),
    actorId: text("actor_id"),
    actorName: text("actor_name").notNull(),
    actorAvatarUrl: text("actor_avatar_url"),
    /** Money (donations, super chats), in the currency's major unit. */
    amount: numeric("amount", { precision: 14, scale: 2 }),
    currency: text("currency"),
    bits: integer("bits"),
    months: integer("months"),
    /** Gift subs / gifted memberships. */
    count: integer("count"),
    viewers: integer("viewers"),
    /** Sub tier or membership level, as the platform names it. */
    tier: text("tier"),
    /** Written by the viewer: shown as text, never as HTML. */
    message: text("message"),
    occurredAt: at("occurred_at").notNull(),
    readAt: at("read_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("unified_inbox_source_event_uq").on(t.tenantId, t.platform, t.sourceEventId),
    // The list: newest first, keyset-paged by (occurred_at, id); filtered variants for the chips.
    index("unified_inbox_list_idx").on(t.tenantId, t.occurredAt.desc(), t.id.desc()),
    index("unified_inbox_platform_idx").on(t.tenantId, t.platform, t.occurredAt.desc()),
    index("unified_inbox_type_idx").on(t.tenantId, t.type, t.occurredAt.desc()),
    index("unified_inbox_unread_idx").on(t.tenantId, t.occurredAt.desc()).where(sql`${t.readAt} is null`),
    // Retention purge scans by age.
    index("unified_inbox_occurred_idx").on(t.occurredAt),
  ],
);

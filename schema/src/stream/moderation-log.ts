// What the chat bot's anti-spam did: which rule a message broke, the action taken (delete, warn, timeout), the
// strike it was, and an excerpt of the message, for the Log tab and for appeals.
import { index, integer, text } from "drizzle-orm/pg-core";
import { createdAt } from "../core/columns.ts";
import { tenants } from "../core/tenants.ts";
import { STREAM_PLATFORMS } from "../discord/tracked-streamers.ts";
import { stream } from "./columns.ts";

export const MODERATION_RULES = ["links", "caps", "repeat", "symbols", "emotes", "zalgo", "length", "banned_words"] as const;
export type ModerationRule = (typeof MODERATION_RULES)[number];
export const MODERATION_ACTIONS = ["delete", "warn", "timeout"] as const;
export type ModerationAction = (typeof MODERATION_ACTIONS)[number];

export const moderationLog = stream.table(
  "moderation_log",
  {
    /** `mlg_…` */
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    platform: text("platform", { enum: STREAM_PLATFORMS }).notNull(),
    channelId: text("channel_id").notNull(),
    userId: text("user_id").notNull(),
    userName: text("user_name").notNull(),
    rule: text("rule", { enum: MODERATION_RULES }).notNull(),
    action: text("action", { enum: MODERATION_ACTIONS }).notNull(),
    /** Timeouts only. */
    durationSeconds: integer("duration_seconds"),
    /** 1 for a user's first offence within the strike memory. */
    strike: integer("strike").notNull(),
    /** The first 500 characters. */
    excerpt: text("excerpt").notNull(),
    messageId: text("message_id").notNull(),
    /** Set when the platform refused the action (bot not a moderator, token missing …). */
    error: text("error"),
    createdAt: createdAt(),
  },
  (t) => [index("moderation_log_tenant_idx").on(t.tenantId, t.createdAt), index("moderation_log_message_idx").on(t.tenantId, t.messageId)],
);

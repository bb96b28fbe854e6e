// What the bot did for each member join or leave: one row per Gateway event id (so a replayed event finds its row
// and does nothing twice), with the outcome of the greeting, the DM and the auto-roles, for the dashboard's log.
import { index, text } from "drizzle-orm/pg-core";
import { createdAt, updatedAt } from "../core/columns.ts";
import { tenants } from "../core/tenants.ts";
import { discord } from "./columns.ts";

export const WELCOME_EVENT_KINDS = ["joined", "left"] as const;
/** queued: in the outbox; skipped: off, no channel, or a bot; none: nothing to send. */
export const WELCOME_MESSAGE_STATUSES = ["queued", "skipped"] as const;
/** blocked: Discord 50007 "Cannot send messages to this user" (DMs closed): recorded, never retried. */
export const WELCOME_DM_STATUSES = ["sent", "blocked", "failed", "skipped"] as const;
/** pending: the member has not passed Membership Screening yet; the roles are given when they do. */
export const WELCOME_ROLE_STATUSES = ["given", "partial", "forbidden", "failed", "skipped", "pending"] as const;

export const welcomeEvents = discord.table(
  "welcome_events",
  {
    /** The Gateway event id (stable across replays). */
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    guildId: text("guild_id").notNull(),
    userId: text("user_id").notNull(),
    userName: text("user_name").notNull(),
    kind: text("kind", { enum: WELCOME_EVENT_KINDS }).notNull(),
    messageStatus: text("message_status", { enum: WELCOME_MESSAGE_STATUSES }),
    dmStatus: text("dm_status", { enum: WELCOME_DM_STATUSES }),
    dmError: text("dm_error"),
    roleStatus: text("role_status", { enum: WELCOME_ROLE_STATUSES }),
    roleError: text("role_error"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("welcome_events_guild_idx").on(t.guildId, t.createdAt)],
);

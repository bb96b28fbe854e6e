// Per-guild ticket settings (TicketsBot's "settings" page): the per-user open-ticket limit, support hours, auto-close
// after inactivity, the transcript log channel, rating after close, and the guild's ticket number counter. One row per
// guild; opening a ticket locks it, so numbers stay sequential and the per-user limit holds under concurrent opens.
import { boolean, integer, jsonb, text } from "drizzle-orm/pg-core";
import { createdAt, updatedAt } from "../core/columns.ts";
import { tenants } from "../core/tenants.ts";
import { discord } from "./columns.ts";

/** A weekly window in the guild's time zone: day 0 = Sunday, times "HH:MM" (end after start, same day). */
export interface SupportWindow {
  day: number;
  start: string;
  end: string;
}

export interface SupportHours {
  /** IANA time zone, e.g. "Europe/Berlin". */
  timeZone: string;
  windows: SupportWindow[];
}

export const ticketSettings = discord.table("ticket_settings", {
  guildId: text("guild_id").primaryKey(),
  tenantId: text("tenant_id")
    .notNull()
    .references(() => tenants.id, { onDelete: "cascade" }),
  perUserLimit: integer("per_user_limit").notNull().default(1),
  /** Null: staff are always around. Outside the windows a ticket still opens; the opener is told when staff are back. */
  supportHours: jsonb("support_hours").$type<SupportHours>(),
  /** Null: never. Otherwise an open ticket with no message for this many hours is closed (TicketTimers alarm). */
  autoCloseHours: integer("auto_close_hours"),
  /** Where close summaries (with the transcript link) are posted; null: nowhere. */
  logChannelId: text("log_channel_id"),
  ratingEnabled: boolean("rating_enabled").notNull().default(true),
  /** The number the next ticket of this guild gets. */
  nextNumber: integer("next_number").notNull().default(1),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

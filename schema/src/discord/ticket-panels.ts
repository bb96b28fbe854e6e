// Ticket panels: a message in a channel with one button per category (or one select menu when there are more than
// five, Discord's buttons-per-row limit), from which members open tickets. message_id is the posted message, so
// "re-post" edits it in place. ticket_kind says where its tickets live: a private thread under the panel's channel, or
// a text channel of their own (TicketsBot's two modes), under discord_category_id when one is set.
import { index, text } from "drizzle-orm/pg-core";
import { createdAt, updatedAt } from "../core/columns.ts";
import { tenants } from "../core/tenants.ts";
import { discord } from "./columns.ts";

export const TICKET_KINDS = ["thread", "channel"] as const;
export type TicketKind = (typeof TICKET_KINDS)[number];

export const ticketPanels = discord.table(
  "ticket_panels",
  {
    /** `tkp_…` */
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    guildId: text("guild_id").notNull(),
    /** Where the panel is posted; thread tickets are created under it. */
    channelId: text("channel_id").notNull(),
    /** "thread" (the default, what every panel did before) or "channel". */
    ticketKind: text("ticket_kind", { enum: TICKET_KINDS }).notNull().default("thread"),
    /** Channel tickets only: the Discord category channel (type 4) they are created in; null: top level. */
    discordCategoryId: text("discord_category_id"),
    title: text("title").notNull(),
    description: text("description").notNull().default(""),
    messageId: text("message_id"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("ticket_panels_guild_idx").on(t.tenantId, t.guildId)],
);

// Ticket categories of a panel: name, emoji, staff roles (who may claim and close, and who is mentioned into the
// private thread), and the questions of the modal form shown before a ticket opens (Discord: at most 5 text inputs).
import { index, integer, jsonb, text } from "drizzle-orm/pg-core";
import { createdAt, updatedAt } from "../core/columns.ts";
import { tenants } from "../core/tenants.ts";
import { discord } from "./columns.ts";
import { ticketPanels } from "./ticket-panels.ts";

export interface TicketQuestion {
  label: string;
  /** "short" is one line, "paragraph" several (Discord text input styles 1 and 2). */
  style: "short" | "paragraph";
  required: boolean;
  placeholder?: string;
  maxLength?: number;
}

export const ticketCategories = discord.table(
  "ticket_categories",
  {
    /** `tkc_…`; rides in the panel's custom_ids, so it stays stable when the panel is edited. */
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    guildId: text("guild_id").notNull(),
    panelId: text("panel_id")
      .notNull()
      .references(() => ticketPanels.id, { onDelete: "cascade" }),
    position: integer("position").notNull().default(0),
    name: text("name").notNull(),
    emoji: text("emoji"),
    description: text("description").notNull().default(""),
    staffRoleIds: jsonb("staff_role_ids").$type<string[]>().notNull().default([]),
    questions: jsonb("questions").$type<TicketQuestion[]>().notNull().default([]),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("ticket_categories_panel_idx").on(t.panelId)],
);

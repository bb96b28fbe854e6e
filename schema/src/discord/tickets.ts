// Tickets: one private thread (or, from a "channel" panel, one text channel) per ticket, numbered per guild (unique,
// sequential), with the opener's answers, who claimed it, activity and first staff response (for stats and
// auto-close), and how it ended (reason, rating).
// open_interaction_id is unique: a redelivered modal submit finds its ticket instead of opening a second one.
import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, text, uniqueIndex } from "drizzle-orm/pg-core";
import { at, createdAt, updatedAt } from "../core/columns.ts";
import { tenants } from "../core/tenants.ts";
import { discord } from "./columns.ts";
import { ticketCategories } from "./ticket-categories.ts";
import { TICKET_KINDS } from "./ticket-panels.ts";

export const TICKET_STATUSES = ["open", "closed"] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export interface TicketAnswer {
  question: string;
  answer: string;
}

export const tickets = discord.table(
  "tickets",
  {
    /** `tkt_…` */
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    guildId: text("guild_id").notNull(),
    number: integer("number").notNull(),
    categoryId: text("category_id").references(() => ticketCategories.id, { onDelete: "set null" }),
    /** Kept so a deleted category still names its tickets. */
    categoryName: text("category_name").notNull(),
    /** Where the ticket lives, fixed at open: later changes to its panel do not move open tickets. */
    kind: text("kind", { enum: TICKET_KINDS }).notNull().default("thread"),
    /**
     * The ticket's Discord channel: the private thread, or the text channel of a "channel" ticket (deleted at close);
     * null only between the row and its creation.
     */
    threadId: text("thread_id"),
    /** The first message in the thread (answers and buttons). */
    welcomeMessageId: text("welcome_message_id"),
    openerId: text("opener_id").notNull(),
    openerName: text("opener_name").notNull(),
    subject: text("subject").notNull(),
    answers: jsonb("answers").$type<TicketAnswer[]>().notNull().default([]),
    status: text("status", { enum: TICKET_STATUSES }).notNull().default("open"),
    claimedById: text("claimed_by_id"),
    claimedByName: text("claimed_by_name"),
    openedAt: at("opened_at").notNull().defaultNow(),
    lastActivityAt: at("last_activity_at").notNull().defaultNow(),
    firstStaffResponseAt: at("first_staff_response_at"),
    closedAt: at("closed_at"),
    closedById: text("closed_by_id"),
    closedByName: text("closed_by_name"),
    closeReason: text("close_reason"),
    /** The close's side effects (transcript, log, archive, rating prompt) all done; a retried close resumes until then. */
    closeFinishedAt: at("close_finished_at"),
    transcriptCount: integer("transcript_count").notNull().default(0),
    transcriptTruncated: boolean("transcript_truncated").notNull().default(false),
    rating: integer("rating"),
    openInteractionId: text("open_interaction_id").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("tickets_guild_number_uq").on(t.guildId, t.number),
    uniqueIndex("tickets_open_interaction_uq").on(t.openInteractionId),
    index("tickets_guild_status_idx").on(t.tenantId, t.guildId, t.status),
    index("tickets_opener_open_idx").on(t.guildId, t.openerId).where(sql`${t.status} = 'open'`),
    index("tickets_thread_idx").on(t.threadId),
  ],
);

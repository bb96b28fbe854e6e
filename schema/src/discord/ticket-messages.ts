// Ticket transcripts: the thread's messages fetched through Discord REST at close (oldest first, capped), kept so the
// dashboard can show and download them after Discord's thread is archived or deleted. User content: escape on output.
import { boolean, index, jsonb, primaryKey, text } from "drizzle-orm/pg-core";
import { at } from "../core/columns.ts";
import { discord } from "./columns.ts";
import { tickets } from "./tickets.ts";

export interface TranscriptAttachment {
  filename: string;
  url: string;
}

export const ticketMessages = discord.table(
  "ticket_messages",
  {
    ticketId: text("ticket_id")
      .notNull()
      .references(() => tickets.id, { onDelete: "cascade" }),
    messageId: text("message_id").notNull(),
    authorId: text("author_id").notNull(),
    authorName: text("author_name").notNull(),
    authorBot: boolean("author_bot").notNull().default(false),
    content: text("content").notNull().default(""),
    /** Embed titles/descriptions flattened to text (the bot's own messages are mostly embeds). */
    embedText: text("embed_text").notNull().default(""),
    attachments: jsonb("attachments").$type<TranscriptAttachment[]>().notNull().default([]),
    sentAt: at("sent_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.ticketId, t.messageId] }), index("ticket_messages_order_idx").on(t.ticketId, t.sentAt)],
);

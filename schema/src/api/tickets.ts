// Tickets on the wire: /api/t/:tenantId/discord/guilds/:guildId/tickets/… (settings, panels with their categories,
// posting a panel, the ticket list with search and filters, one ticket with its transcript, stats, closing).
import { z } from "zod";
import { TICKET_KINDS } from "../discord/ticket-panels.ts";
import { TICKET_STATUSES } from "../discord/tickets.ts";

const snowflake = z.string().regex(/^\d{5,25}$/, "must be a Discord id");
const isoDate = z.iso.datetime({ offset: true });
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, "must be HH:MM");

export const TicketIdParams = z.object({ guildId: snowflake, ticketId: z.string().regex(/^tkt_[0-9a-z]{16}$/) });
export const TicketPanelParams = z.object({ guildId: snowflake, panelId: z.string().regex(/^tkp_[0-9a-z]{16}$/) });
export const TicketGuildParams = z.object({ guildId: snowflake });

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const SupportWindow = z
  .object({ day: z.number().int().min(0).max(6), start: hhmm, end: hhmm })
  .refine((w) => w.start < w.end, "end must be after start");

export const SupportHours = z.object({
  timeZone: z.string().min(1).max(64).refine(validTimeZone, "unknown time zone"),
  windows: z.array(SupportWindow).min(1).max(28),
});

export const TicketSettings = z.object({
  /** Open tickets one member may have at once in this server. */
  perUserLimit: z.number().int().min(1).max(20),
  supportHours: SupportHours.nullable(),
  /** Close an open ticket after this many hours without a message; null: never. At most 30 days. */
  autoCloseHours: z.number().int().min(1).max(720).nullable(),
  logChannelId: snowflake.nullable(),
  ratingEnabled: z.boolean(),
});
export type TicketSettings = z.infer<typeof TicketSettings>;
export const UpdateTicketSettingsRequest = TicketSettings.partial().refine((v) => Object.keys(v).length > 0, "nothing to change");

/** Discord: a modal holds at most 5 text inputs; labels at most 45 characters, placeholders 100, values 4000. */
export const TicketQuestion = z.object({
  label: z.string().trim().min(1).max(45),
  style: z.enum(["short", "paragraph"]).default("paragraph"),
  required: z.boolean().default(true),
  placeholder: z.string().max(100).optional(),
  maxLength: z.number().int().min(1).max(4000).optional(),
});

export const TicketCategoryInput = z.object({
  /** Keep the id of an existing category so buttons already posted keep working. */
  id: z.string().regex(/^tkc_[0-9a-z]{16}$/).optional(),
  /** Discord: a button label is at most 80 characters, a select option's 100. */
  name: z.string().trim().min(1).max(80),
  /** A unicode emoji (custom emojis are not supported here). */
  emoji: z.string().max(16).nullable().optional(),
  description: z.string().max(100).default(""),
  staffRoleIds: z.array(snowflake).max(10).default([]),
  questions: z.array(TicketQuestion).max(5).default([]),
});

export const TicketKind = z.enum(TICKET_KINDS);

export const TicketPanelInput = z
  .object({
    channelId: snowflake,
    /** Discord: embed titles are at most 256 characters, descriptions 4096. */
    title: z.string().trim().min(1).max(256),
    description: z.string().max(2000).default(""),
    /** Discord: a select menu holds at most 25 options. More than 5 categories switch the panel to a select menu. */
    categories: z.array(TicketCategoryInput).min(1).max(25),
    /** "thread": a private thread under `channelId` per ticket; "channel": a text channel of its own per ticket. */
    ticketKind: TicketKind.default("thread"),
    /** Channel tickets: the Discord category (a type 4 channel) they are created in; null or absent: top level. */
    discordCategoryId: snowflake.nullable().optional(),
  })
  .refine((p) => p.ticketKind === "channel" || !p.discordCategoryId, { path: ["discordCategoryId"], message: "a Discord category applies to channel tickets only" });
export type TicketPanelInput = z.infer<typeof TicketPanelInput>;

export const TicketCategoryView = z.object({
  id: z.string(),
  name: z.string(),
  emoji: z.string().nullable(),
  description: z.string(),
  staffRoleIds: z.array(z.string()),
  questions: z.array(TicketQuestion),
});

export const TicketPanelView = z.object({
  id: z.string(),
  guildId: z.string(),
  channelId: z.string(),
  title: z.string(),
  description: z.string(),
  messageId: z.string().nullable(),
  ticketKind: TicketKind,
  discordCategoryId: z.string().nullable(),
  style: z.enum(["buttons", "select"]),
  categories: z.array(TicketCategoryView),
  updatedAt: isoDate,
});
export type TicketPanelView = z.infer<typeof TicketPanelView>;

export const TicketConfigView = z.object({ settings: TicketSettings, panels: z.array(TicketPanelView) });
export type TicketConfigView = z.infer<typeof TicketConfigView>;

export const PostedPanel = z.object({ panel: TicketPanelView, action: z.enum(["created", "edited"]) });

export const TicketStatusName = z.enum(TICKET_STATUSES);

export const TicketListQuery = z.object({
  /** Matches the subject or the opener's name (substring), the opener's Discord id, or a ticket number ("12", "#12"). */
  q: z.string().trim().max(100).optional(),
  status: TicketStatusName.optional(),
  categoryId: z.string().regex(/^tkc_[0-9a-z]{16}$/).optional(),
  /** A Discord user id, or "none" for unclaimed tickets. */
  claimedBy: z.union([snowflake, z.literal("none")]).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  /** Tickets numbered below this one (the previous page's nextCursor). */
  cursor: z.coerce.number().int().min(1).optional(),
});

export const TicketSummary = z.object({
  id: z.string(),
  number: z.number().int(),
  guildId: z.string(),
  categoryId: z.string().nullable(),
  categoryName: z.string(),
  kind: TicketKind,
  /** The ticket's Discord channel: its private thread, or its text channel (deleted at close) for "channel" tickets. */
  threadId: z.string().nullable(),
  subject: z.string(),
  openerId: z.string(),
  openerName: z.string(),
  status: TicketStatusName,
  claimedById: z.string().nullable(),
  claimedByName: z.string().nullable(),
  openedAt: isoDate,
  lastActivityAt: isoDate,
  firstStaffResponseAt: isoDate.nullable(),
  closedAt: isoDate.nullable(),
  closeReason: z.string().nullable(),
  rating: z.number().int().nullable(),
});
export type TicketSummary = z.infer<typeof TicketSummary>;
export const TicketPage = z.object({ items: z.array(TicketSummary), nextCursor: z.number().int().nullable() });

export const TranscriptMessage = z.object({
  id: z.string(),
  authorId: z.string(),
  authorName: z.string(),
  authorBot: z.boolean(),
  content: z.string(),
  embedText: z.string(),
  attachments: z.array(z.object({ filename: z.string(), url: z.string() })),
  sentAt: isoDate,
});

export const TicketDetail = TicketSummary.extend({
  answers: z.array(z.object({ question: z.string(), answer: z.string() })),
  closedByName: z.string().nullable(),
  transcript: z.array(TranscriptMessage),
  transcriptTruncated: z.boolean(),
});
export type TicketDetail = z.infer<typeof TicketDetail>;

export const TicketStatsQuery = z.object({
  /** Tickets opened at or after this instant (default: all). */
  since: isoDate.optional(),
});

const StatsRow = z.object({
  count: z.number().int(),
  open: z.number().int(),
  closed: z.number().int(),
  /** Median seconds from open to the first message of staff; null when no ticket has one. */
  medianFirstResponseSeconds: z.number().nullable(),
  /** Median seconds from open to close over closed tickets. */
  medianResolutionSeconds: z.number().nullable(),
  averageRating: z.number().nullable(),
  ratings: z.number().int(),
});

export const TicketStats = StatsRow.extend({
  categories: z.array(StatsRow.extend({ categoryId: z.string().nullable(), categoryName: z.string() })),
});
export type TicketStats = z.infer<typeof TicketStats>;

export const CloseTicketRequest = z.object({ reason: z.string().trim().max(500).optional() });

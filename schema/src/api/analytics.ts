// Server analytics on the wire: GET /api/t/:tenantId/discord/guilds/:guildId/analytics, daily series (UTC days) of
// joins, leaves, messages per channel, command usage and go-live notifications. Counts only, never content.
import { z } from "zod";

const day = z.iso.date();

/** The ranges the dashboard offers; `from`/`to` may name any span up to the longest. */
export const ANALYTICS_RANGES = { "7d": 7, "30d": 30, "90d": 90 } as const;
export const MAX_ANALYTICS_DAYS = 90;
/** Channels and commands beyond the top N are summed into `other`. */
export const ANALYTICS_TOP_N = 10;

export const AnalyticsQuery = z
  .strictObject({
    range: z.enum(Object.keys(ANALYTICS_RANGES) as [keyof typeof ANALYTICS_RANGES, ...(keyof typeof ANALYTICS_RANGES)[]]).optional(),
    from: day.optional(),
    to: day.optional(),
    granularity: z.literal("day").default("day"),
  })
  .refine((q) => !(q.range && (q.from || q.to)), { message: "give either range or from/to, not both", path: ["range"] })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: "from must not be after to", path: ["from"] });
export type AnalyticsQuery = z.infer<typeof AnalyticsQuery>;

const series = z.array(z.number().int().min(0));

export const KeyedSeries = z.object({ key: z.string(), total: z.number().int(), series });

export const GuildAnalytics = z.object({
  guildId: z.string(),
  from: day,
  to: day,
  granularity: z.literal("day"),
  /** One entry per UTC day, from..to inclusive; every series below has the same length. */
  days: z.array(day),
  joins: series,
  leaves: series,
  /** joins - leaves per day (may be negative). */
  net: z.array(z.number().int()),
  messages: z.object({
    total: series,
    /** The busiest channels (key: channel id), most messages first. */
    channels: z.array(KeyedSeries),
    /** Every other channel together. */
    other: series,
  }),
  /** Slash commands by name, most used first. */
  commands: z.array(KeyedSeries),
  /** Go-live notifications posted (stream sessions announced) per day. */
  goLive: series,
  /** Tickets opened and closed per day; null until the tickets feature records them. */
  tickets: z.object({ opened: series, closed: series }).nullable(),
});
export type GuildAnalytics = z.infer<typeof GuildAnalytics>;

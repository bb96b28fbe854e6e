// Streamers a guild follows for go-live notifications: which platform account, where the notice goes (channel, role
// to ping, whether the template may ping @everyone), how it reads (template with {streamer} {title} {game} {url}
// {platform} {viewers} {everyone}, embed on or off), and optionally the Discord member whose "Streaming" presence
// also counts as a go-live signal.
import { sql } from "drizzle-orm";
import { boolean, index, text, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt, updatedAt } from "../core/columns.ts";
import { tenants } from "../core/tenants.ts";
import { discord } from "./columns.ts";

export const STREAM_PLATFORMS = ["twitch", "youtube", "kick"] as const;
export type StreamPlatform = (typeof STREAM_PLATFORMS)[number];

export const DEFAULT_GO_LIVE_TEMPLATE = "{streamer} is live on {platform}: {title}\n{url}";

export const trackedStreamers = discord.table(
  "tracked_streamers",
  {
    /** `str_…` */
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    guildId: text("guild_id").notNull(),
    platform: text("platform", { enum: STREAM_PLATFORMS }).notNull(),
    /** Twitch user id, YouTube channel id (UC…), Kick broadcaster user id. */
    platformUserId: text("platform_user_id").notNull(),
    login: text("login").notNull(),
    displayName: text("display_name").notNull(),
    channelId: text("channel_id").notNull(),
    pingRoleId: text("ping_role_id"),
    template: text("template").notNull().default(DEFAULT_GO_LIVE_TEMPLATE),
    embed: boolean("embed").notNull().default(true),
    /** @everyone / @here (or {everyone}) in the template ping only when this is on; off, they are plain text. */
    allowEveryone: boolean("allow_everyone").notNull().default(false),
    enabled: boolean("enabled").notNull().default(true),
    /** The member whose Discord "Streaming" activity also signals this streamer going live (linked accounts). */
    discordUserId: text("discord_user_id"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("tracked_streamers_guild_account_uq").on(t.tenantId, t.guildId, t.platform, t.platformUserId),
    // Every source looks streamers up by platform account, across tenants.
    index("tracked_streamers_account_idx").on(t.platform, t.platformUserId).where(sql`${t.enabled}`),
    index("tracked_streamers_member_idx").on(t.guildId, t.discordUserId).where(sql`${t.discordUserId} is not null`),
  ],
);

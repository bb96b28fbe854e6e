// Server analytics for the Discord section: daily joins, leaves, messages per channel, command usage, go-live
// notifications and tickets over the last 7, 30 or 90 days (counts only).
import type { GuildAnalytics } from "@nebula/schema/api/analytics";
import { query } from "@solidjs/router";
import { request } from "./client.ts";
import { guildPath } from "./discord.ts";

export type { GuildAnalytics } from "@nebula/schema/api/analytics";
export type AnalyticsRange = "7d" | "30d" | "90d";

export const getGuildAnalytics = query(
  (tenantId: string, guildId: string, range: AnalyticsRange) =>
    request<GuildAnalytics>("GET", guildPath(tenantId, guildId, `/analytics?${new URLSearchParams({ range })}`)),
  "discord-analytics",
);

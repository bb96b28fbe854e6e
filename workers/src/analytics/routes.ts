// GET /api/t/:tenantId/discord/guilds/:guildId/analytics?range=7d|30d|90d or ?from&to (UTC days, at most 90),
// granularity=day: daily series for the dashboard's charts. Tenant role first, then Manage Server in the guild.
import { api } from "@nebula/schema";
import { Hono } from "hono";
import { requireGuildManager } from "../discord-guilds/require-guild-manager.ts";
import type { AppEnv } from "../http/context.ts";
import { query } from "../http/validate.ts";
import { authorize } from "../tenancy/access.ts";
import { guildAnalytics, resolveRange } from "./report.ts";
// The gateway handlers that feed the counters register themselves on import.
import "./gateway-counters.ts";

export const analyticsRoutes = new Hono<AppEnv>().get("/discord/guilds/:guildId/analytics", authorize("discord.read"), requireGuildManager, query(api.AnalyticsQuery), async (c) => {
  const { db, now } = c.var.services;
  const range = resolveRange(c.req.valid("query"), now());
  return c.json(api.GuildAnalytics.parse(await guildAnalytics(db, c.var.tenant.tenantId, c.var.discordGuild.row.guildId, range)));
});

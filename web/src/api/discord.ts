// The Discord section's reads and writes for linked servers: the "Add to server" link, the tenant's linked guilds,
// unlinking, and one guild's channels and roles (which needs Manage Server in that guild: a 403 says so).
import type { DiscordGuild, DiscordGuildOverview, DiscordInstallUrl } from "@nebula/schema/api/discord";
import { query } from "@solidjs/router";
import { request } from "./client.ts";

/** `/api/t/<tenant><rest>`, with the tenant id encoded: every Discord route is tenant-scoped. */
export const discordTenantPath = (tenantId: string, rest: string) => `/api/t/${encodeURIComponent(tenantId)}${rest}`;
export const guildPath = (tenantId: string, guildId: string, rest = "") =>
  discordTenantPath(tenantId, `/discord/guilds/${encodeURIComponent(guildId)}${rest}`);

export const getDiscordGuilds = query(
  (tenantId: string) => request<{ guilds: DiscordGuild[] }>("GET", discordTenantPath(tenantId, "/discord/guilds")),
  "discord-guilds",
);

/** Channels and roles for pickers, and why the caller may manage the guild. 403 without Manage Server there. */
export const getGuildOverview = query(
  (tenantId: string, guildId: string) => request<DiscordGuildOverview>("GET", guildPath(tenantId, guildId, "/overview")),
  "discord-guild-overview",
);

/** Not cached: each press of "Add to server" gets a fresh single-use state (valid 10 minutes). */
export const getInstallUrl = (tenantId: string, guildId?: string) =>
  request<DiscordInstallUrl>("GET", discordTenantPath(tenantId, `/discord/install-url${guildId ? `?guildId=${encodeURIComponent(guildId)}` : ""}`));

export const unlinkGuild = (tenantId: string, guildId: string) => request<void>("DELETE", guildPath(tenantId, guildId));

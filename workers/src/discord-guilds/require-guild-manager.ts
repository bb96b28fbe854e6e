// Guild settings need two things: the tenant role (authorize(), which runs first) and, in Discord, Manage Server (or
// Administrator, or ownership) in that guild for the signed-in user's linked Discord account. Use it on every route
// under /api/t/:tenantId/discord/guilds/:guildId/… after authorize(): `.get(path, authorize(p), requireGuildManager, h)`;
// the handler reads `c.var.discordGuild`.
import { createMiddleware } from "hono/factory";
import { AppError } from "../errors/app-error.ts";
import { discordRestFor } from "../discord-rest/shared-client.ts";
import type { AppEnv } from "../http/context.ts";
import { type DiscordGuildWire, type GuildAccess, guildAccess } from "./guild-access.ts";
import { type GuildRow, discordIdOf, tenantGuild } from "./guilds.ts";

export interface ManagedGuild {
  row: GuildRow;
  /** The guild as the bot sees it now (cached ≤ 60 s). */
  discord: DiscordGuildWire;
  access: GuildAccess;
  discordUserId: string;
}

export type GuildEnv = { Bindings: AppEnv["Bindings"]; Variables: AppEnv["Variables"] & { discordGuild: ManagedGuild } };

const SNOWFLAKE = /^\d{5,25}$/;

/**
 * The same check for a guild id not in the path (e.g. go-live: in the body, or on the stored row): the guild must be
 * linked to the tenant, and the signed-in user's Discord account must manage it. 403 no_discord_account /
 * missing_manage_guild otherwise.
 */
export async function assertGuildManager(c: { var: Readonly<AppEnv["Variables"]> }, guildId: string): Promise<ManagedGuild> {
  const { services } = c.var;
  if (!SNOWFLAKE.test(guildId)) throw new AppError("NOT_FOUND", "Discord server not found");
  const row = await tenantGuild(services.db, c.var.tenant.tenantId, guildId);
  const auth = c.var.auth;
  const discordUserId = auth ? await discordIdOf(services.db, auth.user.id) : null;
  if (!discordUserId) {
    throw new AppError("FORBIDDEN", "Link your Discord account (sign in with Discord) to manage this server's settings", { details: { reason: "no_discord_account" } });
  }
  const { guild, access } = await guildAccess(discordRestFor(services.config), services.cache, guildId, discordUserId);
  if (!guild) throw new AppError("NOT_FOUND", "The bot is no longer in this Discord server; add it again");
  if (!access) {
    throw new AppError("FORBIDDEN", `You need the Manage Server permission in ${guild.name} to change its settings`, { details: { reason: "missing_manage_guild" } });
  }
  return { row, discord: guild, access, discordUserId };
}

export const requireGuildManager = createMiddleware<GuildEnv>(async (c, next) => {
  c.set("discordGuild", await assertGuildManager(c, c.req.param("guildId") ?? ""));
  await next();
});

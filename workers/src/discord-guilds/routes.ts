// /api/t/:tenantId/discord/*: the "Add to server" link, linked guilds (list, unlink) and one guild's channels and
// roles for settings pages; and /auth/discord/install/callback, where Discord sends the browser back after the install.
import { api } from "@nebula/schema";
import { Hono } from "hono";
import { z } from "zod";
import { authenticate } from "../auth/authenticate.ts";
import { discordRestFor } from "../discord-rest/shared-client.ts";
import { AppError } from "../errors/app-error.ts";
import { caller } from "../http/caller.ts";
import type { AppEnv } from "../http/context.ts";
import { params, query } from "../http/validate.ts";
import { rateLimit } from "../rate-limit/rate-limit.ts";
import { authorize, roleIn } from "../tenancy/access.ts";
import { fetchGuild, guildAccess } from "./guild-access.ts";
import { type GuildRow, adoptDiscordId, iconUrlOf, linkGuild, listTenantGuilds, unlinkGuild } from "./guilds.ts";
import { installRedirectUri, installerDiscordId, mayInstall, startGuildInstall, takeInstallState } from "./install.ts";
import { requireGuildManager } from "./require-guild-manager.ts";

function guildJson(row: GuildRow, botPresent: boolean | null): api.DiscordGuild {
  return {
    guildId: row.guildId,
    name: row.name,
    iconUrl: iconUrlOf(row.guildId, row.icon),
    installedAt: row.installedAt.toISOString(),
    installedBy: row.installedBy,
    botPresent,
  };
}

export const discordGuildRoutes = new Hono<AppEnv>()
  .get("/discord/install-url", authorize("discord.manage"), query(api.DiscordInstallUrlQuery), async (c) => {
    const { services } = c.var;
    const result = await startGuildInstall(services.config, services.cache, {
      tenantId: c.var.tenant.tenantId,
      userId: caller(c).userId,
      guildId: c.req.valid("query").guildId,
      redirectUri: installRedirectUri(c.req.url, services.config.PUBLIC_URL),
      now: services.now(),
    });
    return c.json(api.DiscordInstallUrl.parse(result));
  })
  .get("/discord/guilds", authorize("discord.read"), async (c) => {
    const { services } = c.var;
    const rows = await listTenantGuilds(services.db, c.var.tenant.tenantId);
    const rest = discordRestFor(services.config);
    const guilds = await Promise.all(
      rows.map(async (row) => {
        if (!rest.hasBotToken) return guildJson(row, null);
        const present = await fetchGuild(rest, services.cache, row.guildId).then(
          (g) => g !== null,
          () => null,
        );
        return guildJson(row, present);
      }),
    );
    return c.json(api.DiscordGuildList.parse({ guilds }));
  })
  .delete("/discord/guilds/:guildId", authorize("discord.manage"), params(api.DiscordGuildParams), async (c) => {
    const { services } = c.var;
    await unlinkGuild(services.db, c.var.tenant.tenantId, c.req.valid("param").guildId, caller(c), services.now(), c.var.requestId);
    return c.body(null, 204);
  });

const ChannelWire = z.looseObject({ id: z.string(), name: z.string().nullish(), type: z.number().int(), parent_id: z.string().nullish(), position: z.number().int().default(0) });

/** Routes that need Manage Server in the guild: the tenant role first (authorize), then requireGuildManager. */
export const discordGuildManagerRoutes = new Hono<AppEnv>().get(
  "/discord/guilds/:guildId/overview",
  authorize("discord.read"),
  requireGuildManager,
  async (c) => {
    const managed = c.var.discordGuild;
    const rest = discordRestFor(c.var.services.config);
    const channels = z.array(ChannelWire).parse(await rest.request({ method: "GET", path: `/guilds/${managed.row.guildId}/channels`, auth: "bot", idempotent: true }));
    return c.json(
      api.DiscordGuildOverview.parse({
        guild: guildJson(managed.row, true),
        channels: channels.map((ch) => ({ id: ch.id, name: ch.name ?? "", type: ch.type, parentId: ch.parent_id ?? null, position: ch.position })),
        roles: managed.discord.roles
          .filter((r) => r.id !== managed.row.guildId)
          .map((r) => ({ id: r.id, name: r.name, color: r.color, position: r.position, managed: r.managed })),
        access: managed.access,
      }),
    );
  },
);

const installLimit = rateLimit({ name: "discord-install", limit: 20, windowSeconds: 60 });

const CallbackQuery = z.object({
  code: z.string().max(500).optional(),
  state: z.string().max(200).optional(),
  guild_id: z.string().regex(/^\d{5,25}$/).optional(),
  permissions: z.string().max(30).optional(),
  error: z.string().max(200).optional(),
});

const back = (to: string, params: Record<string, string>) => `${to}?${new URLSearchParams(params).toString()}`;
const DISCORD_PAGE = "/discord";

/** GET /auth/discord/install/callback: Discord adds code, state and guild_id; the browser carries the session. */
export const discordInstallRoutes = new Hono<AppEnv>().get("/callback", installLimit, authenticate, query(CallbackQuery), async (c) => {
  const { services } = c.var;
  const q = c.req.valid("query");
  const state = q.state ? await takeInstallState(services.cache, q.state) : null;
  if (!state) return c.redirect(back(DISCORD_PAGE, { error: "install_state" }));
  const auth = c.var.auth;
  // The state is bound to who asked for the link: another signed-in user cannot finish it.
  if (!auth || auth.user.id !== state.userId) return c.redirect(back(DISCORD_PAGE, { error: "install_user" }));
  if (q.error) {
    if (q.error !== "access_denied") services.logger.warn("discord install returned an error", { error: q.error });
    return c.redirect(back(DISCORD_PAGE, { error: q.error === "access_denied" ? "install_denied" : "install_failed" }));
  }
  if (!q.code || !q.guild_id) return c.redirect(back(DISCORD_PAGE, { error: "install_failed" }));
  // The role is read again: it may have changed during the 10 minutes.
  if (!mayInstall(await roleIn(services.db, state.tenantId, state.userId))) return c.redirect(back(DISCORD_PAGE, { error: "install_forbidden" }));
  try {
    const redirectUri = installRedirectUri(c.req.url, services.config.PUBLIC_URL);
    const installer = await installerDiscordId(services.config, redirectUri, q.code, state.verifier);
    // guild_id arrives in the URL, so it proves nothing alone: the bot must be in that guild now, and the Discord
    // account that approved must be able to manage it (Discord requires Manage Server to add a bot).
    const { guild, access } = await guildAccess(discordRestFor(services.config), services.cache, q.guild_id, installer, { fresh: true });
    if (!guild) return c.redirect(back(DISCORD_PAGE, { error: "install_bot_missing" }));
    if (!access) return c.redirect(back(DISCORD_PAGE, { error: "install_not_manager" }));
    await adoptDiscordId(services.db, state.userId, installer);
    await linkGuild(
      services.db,
      { tenantId: state.tenantId, guildId: guild.id, name: guild.name, icon: guild.icon ?? null, userId: state.userId, discordUserId: installer },
      { id: auth.user.id, name: auth.user.name },
      services.now(),
      c.var.requestId,
    );
    return c.redirect(back(DISCORD_PAGE, { linked: guild.id }));
  } catch (err) {
    if (err instanceof AppError && err.code === "CONFLICT") return c.redirect(back(DISCORD_PAGE, { error: "install_conflict" }));
    services.logger.warn("discord install failed", { err });
    return c.redirect(back(DISCORD_PAGE, { error: "install_failed" }));
  }
});

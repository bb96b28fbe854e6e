// Now Playing over HTTP: the public Plex receiver at /webhooks/plex/:token (unsigned, so the URL is the secret;
// 2 MB body limit for the poster part; rejected tokens rate-limited per client) and a guild's settings under
// /api/t/:tenantId/discord/guilds/:guildId/now-playing (tenant role, then Manage Server in the guild).
import { api } from "@nebula/schema";
import { Hono } from "hono";
import { callerOf } from "../audit/audit.ts";
import { limitBody } from "../app.ts";
import { type GuildEnv, requireGuildManager } from "../discord-guilds/require-guild-manager.ts";
import { discordRestFor } from "../discord-rest/shared-client.ts";
import type { Env } from "../env.ts";
import { AppError } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import { jsonBody } from "../http/validate.ts";
import { rateLimitFailures } from "../rate-limit/rate-limit.ts";
import { authorize } from "../tenancy/access.ts";
import { MAX_PLEX_BODY_BYTES, receivePlexWebhook } from "./receive.ts";
import { type SettingsContext, deleteNowPlaying, putNowPlaying, readNowPlaying, rotateNowPlayingToken } from "./settings.ts";

// Only rejected tokens count: a good Plex server is never throttled, a scanner guessing URLs soon is.
const tokenFailures = rateLimitFailures({ name: "plex-webhooks", limit: 30, windowSeconds: 60 });

export const plexWebhookRoutes = new Hono<AppEnv>().post("/:token", limitBody(MAX_PLEX_BODY_BYTES), tokenFailures, async (c) => {
  const { services } = c.var;
  try {
    const answer = await receivePlexWebhook(
      { cache: services.cache, db: () => services.db, boards: c.env.NOW_PLAYING, now: services.now },
      { token: c.req.param("token"), contentType: c.req.header("content-type"), form: () => c.req.raw.formData() },
    );
    return c.json(api.PlexHookAnswer.parse(answer), 202);
  } catch (err) {
    if (err instanceof AppError) throw err;
    // The path holds the webhook's secret: log here without it, instead of letting onError log the path.
    services.logger.error("plex webhook failed", { err, guild: null });
    throw new AppError("INTERNAL", "Internal error");
  }
});

/** What the settings functions need, read off a request that passed requireGuildManager. */
function settingsContext(c: { env: Env; var: GuildEnv["Variables"]; req: { url: string } }): SettingsContext {
  const { db, cache, now, config } = c.var.services;
  const auth = c.var.auth;
  if (!auth) throw new AppError("UNAUTHORIZED", "Sign in first");
  return {
    db,
    cache,
    rest: discordRestFor(config),
    boards: c.env.NOW_PLAYING,
    tenantId: c.var.tenant.tenantId,
    guildId: c.var.discordGuild.row.guildId,
    actor: callerOf(auth),
    origin: config.PUBLIC_URL ? new URL(config.PUBLIC_URL).origin : new URL(c.req.url).origin,
    now: now(),
    requestId: c.var.requestId,
  };
}

const PATH = "/discord/guilds/:guildId/now-playing";

export const nowPlayingRoutes = new Hono<AppEnv>()
  .get(PATH, authorize("discord.read"), requireGuildManager, async (c) => c.json(api.NowPlayingSettingsView.parse(await readNowPlaying(settingsContext(c)))))
  .put(PATH, authorize("discord.manage"), requireGuildManager, jsonBody(api.NowPlayingSettingsRequest), async (c) => {
    const { created, view } = await putNowPlaying(settingsContext(c), c.req.valid("json"));
    return created ? c.json(api.NowPlayingSettingsWithUrl.parse(view), 201) : c.json(api.NowPlayingSettingsView.parse(view), 200);
  })
  .post(`${PATH}/rotate-token`, authorize("discord.manage"), requireGuildManager, async (c) =>
    c.json(api.NowPlayingSettingsWithUrl.parse(await rotateNowPlayingToken(settingsContext(c)))),
  )
  .delete(PATH, authorize("discord.manage"), requireGuildManager, async (c) => {
    await deleteNowPlaying(settingsContext(c));
    return c.body(null, 204);
  });

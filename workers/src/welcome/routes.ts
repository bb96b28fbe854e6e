// Welcome over HTTP, under /api/t/:tenantId/discord/guilds/:guildId/welcome: the settings (GET, PUT), the live
// preview the dashboard's editor shows (POST preview: unsaved settings rendered for a sample member, no Discord
// call but the member count), and "send test" (POST test: the greeting for you, through the outbox, to the channel).
import { api } from "@nebula/schema";
import { type Context, Hono } from "hono";
import { callerOf } from "../audit/audit.ts";
import { type GuildEnv, requireGuildManager } from "../discord-guilds/require-guild-manager.ts";
import { discordRestFor } from "../discord-rest/shared-client.ts";
import { AppError } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";
import { jsonBody } from "../http/validate.ts";
import { authorize } from "../tenancy/access.ts";
import { avatarUrl } from "../templates/discord-values.ts";
import { memberCountOf } from "./greet.ts";
import { type WelcomeScene, leaveMessage, welcomeDm, welcomeMessage } from "./welcome-message.ts";
import { checkWelcomeTemplates, loadWelcomeRow, settingsOf, updateWelcomeSettings, welcomeView } from "./welcome-settings.ts";

const PATH = "/discord/guilds/:guildId/welcome";
/** The preview's member count when Discord does not give one. */
const SAMPLE_MEMBER_COUNT = 100;

const guildOf = (c: Context<GuildEnv>) => c.var.discordGuild.row.guildId;

function authOf(c: Context<GuildEnv>) {
  if (!c.var.auth) throw new AppError("UNAUTHORIZED", "Sign in required");
  return c.var.auth;
}

/** The signed-in manager as the sample member: they see the greeting the way a newcomer would. */
async function sampleScene(c: Context<GuildEnv>, discordUserId: string, guild: { id: string; name: string }): Promise<WelcomeScene> {
  const name = authOf(c).user.name;
  const count = await memberCountOf(discordRestFor(c.var.services.config), guild.id);
  return { member: { id: discordUserId, username: name.toLowerCase().replace(/\s+/g, "_").slice(0, 32) || "new_member", global_name: name, avatar: null }, guild, memberCount: count ?? SAMPLE_MEMBER_COUNT };
}

export const welcomeRoutes = new Hono<AppEnv>()
  .get(PATH, authorize("discord.read"), requireGuildManager, async (c) => c.json(api.WelcomeSettingsView.parse(await welcomeView(c.var.services.db, c.var.tenant.tenantId, guildOf(c)))))
  .put(PATH, authorize("discord.manage"), requireGuildManager, jsonBody(api.UpdateWelcomeSettingsRequest), async (c) => {
    const { services } = c.var;
    await updateWelcomeSettings({ db: services.db, rest: discordRestFor(services.config), cache: services.cache, now: services.now(), requestId: c.var.requestId }, c.var.tenant.tenantId, c.var.discordGuild.discord, c.req.valid("json"), callerOf(authOf(c)));
    return c.json(api.WelcomeSettingsView.parse(await welcomeView(services.db, c.var.tenant.tenantId, guildOf(c))));
  })
  .post(`${PATH}/preview`, authorize("discord.read"), requireGuildManager, jsonBody(api.WelcomePreviewRequest), async (c) => {
    const managed = c.var.discordGuild;
    const saved = settingsOf(await loadWelcomeRow(c.var.services.db, c.var.tenant.tenantId, managed.row.guildId));
    const settings = { ...saved, ...c.req.valid("json") };
    const scene = await sampleScene(c, managed.discordUserId, { id: managed.row.guildId, name: managed.discord.name });
    const { errors, warnings } = checkWelcomeTemplates(settings);
    // The preview draws a fixed choice for {random:…} so the editor does not flicker while typing.
    const fixed = { random: () => 0 };
    return c.json(
      api.WelcomePreview.parse({
        member: { id: scene.member.id, username: scene.member.username, globalName: scene.member.global_name ?? null, avatarUrl: avatarUrl(scene.member) },
        welcome: welcomeMessage(settings, scene, fixed),
        dm: welcomeDm(settings, scene, fixed),
        leave: leaveMessage(settings, scene, fixed),
        errors,
        warnings,
      }),
    );
  })
  .post(`${PATH}/test`, authorize("discord.manage"), requireGuildManager, async (c) => {
    const managed = c.var.discordGuild;
    const settings = settingsOf(await loadWelcomeRow(c.var.services.db, c.var.tenant.tenantId, managed.row.guildId));
    if (!settings.channelId) throw new AppError("BAD_REQUEST", "Pick the welcome channel and save before sending a test", { details: { issues: [{ path: "channelId", code: "custom", message: "no welcome channel" }] } });
    const message = welcomeMessage(settings, await sampleScene(c, managed.discordUserId, { id: managed.row.guildId, name: managed.discord.name }));
    if (!message) throw new AppError("BAD_REQUEST", "The welcome message renders to nothing: write a text or an embed");
    const outboxId = `welcome-test:${crypto.randomUUID()}`;
    await c.env.OUTBOX.getByName(c.var.tenant.tenantId).enqueue({ id: outboxId, destination: { kind: "channel", channelId: settings.channelId }, message });
    return c.json(api.WelcomeTestResult.parse({ outboxId, channelId: settings.channelId }), 202);
  });

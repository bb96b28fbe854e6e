// /streams add|remove|list: go-live notifications from Discord itself. Manage Server is required (checked on the fast
// path, before deferring); the work runs deferred with Postgres, on the tenant this server is linked to.
import { discordWire } from "@nebula/schema";
import { findLinkedGuild } from "../discord-guilds/guilds.ts";
import { InteractionError, requireManageGuild } from "../interactions/guards.ts";
import { defineCommand, defineInteractionModule } from "../interactions/registry.ts";
import { goLiveDeps } from "./go-live-deps.ts";
import { PLATFORM_NAMES } from "./go-live-message.ts";
import { addStreamer, listStreamers, removeStreamer } from "./streamers.ts";

const { ApplicationCommandOptionType: O } = discordWire;
const PLATFORM_CHOICES = (["twitch", "youtube", "kick"] as const).map((p) => ({ name: PLATFORM_NAMES[p], value: p }));
/** Discord: MANAGE_GUILD, so the command is hidden from members who could not use it anyway. */
const MANAGE_GUILD = String(1 << 5);

export const streamsCommand = defineCommand({
  name: "streams",
  description: "Go-live notifications for this server",
  scope: "global",
  definition: { default_member_permissions: MANAGE_GUILD, contexts: [0] },
  options: [
    {
      type: O.SUB_COMMAND,
      name: "add",
      description: "Announce when a streamer goes live",
      options: [
        { type: O.STRING, name: "platform", description: "Where they stream", required: true, choices: PLATFORM_CHOICES },
        { type: O.STRING, name: "account", description: "Twitch login, YouTube @handle or channel id, Kick slug", required: true },
        { type: O.CHANNEL, name: "channel", description: "Where the notice goes", required: true },
        { type: O.ROLE, name: "role", description: "Role to ping" },
      ],
    },
    {
      type: O.SUB_COMMAND,
      name: "remove",
      description: "Stop announcing a streamer",
      options: [
        { type: O.STRING, name: "platform", description: "Where they stream", required: true, choices: PLATFORM_CHOICES },
        { type: O.STRING, name: "account", description: "The account as it was added", required: true },
      ],
    },
    { type: O.SUB_COMMAND, name: "list", description: "Streamers announced in this server" },
  ],
  ephemeral: true,
  respond(ctx) {
    requireManageGuild(ctx);
    return ctx.defer({ ephemeral: true });
  },
  async run(ctx) {
    const guildId = ctx.guildId;
    if (!guildId) throw new InteractionError("Use this inside a server.");
    const link = await findLinkedGuild(ctx.services.db, guildId);
    if (!link) throw new InteractionError("This server is not linked to Nebula yet. In the dashboard: Discord, Add to server.");
    const deps = goLiveDeps(null, ctx.services);
    const actor = { id: `discord:${ctx.user.id}`, name: `${ctx.user.username} (Discord)`, requestId: ctx.requestId };
    const streamers = await listStreamers(deps, link.tenantId, guildId);
    if (ctx.subcommand === "list") {
      if (streamers.length === 0) return { content: "No streamers are announced here yet. Add one with `/streams add`." };
      return { content: streamers.map((s) => `• **${s.displayName}** on ${PLATFORM_NAMES[s.platform]} → <#${s.channelId}>${s.pingRoleId ? ` (pings <@&${s.pingRoleId}>)` : ""}${s.enabled ? "" : " (paused)"}`).join("\n").slice(0, 2000) };
    }
    const platform = ctx.options.string("platform") as "twitch" | "youtube" | "kick";
    const account = (ctx.options.string("account") ?? "").trim();
    if (ctx.subcommand === "add") {
      const added = await addStreamer(deps, link.tenantId, { platform, account, guildId, channelId: ctx.options.id("channel") ?? "", pingRoleId: ctx.options.id("role") }, actor).catch((err: unknown) => {
        throw new InteractionError(err instanceof Error ? err.message : "Could not add that streamer.");
      });
      return { content: `Announcing **${added.displayName}** (${PLATFORM_NAMES[platform]}) in <#${added.channelId}>.` };
    }
    const target = streamers.find((s) => s.platform === platform && [s.login.toLowerCase(), s.platformUserId, s.displayName.toLowerCase()].includes(account.toLowerCase().replace(/^@/, "")));
    if (!target) throw new InteractionError(`No ${PLATFORM_NAMES[platform]} streamer named ${account} is announced here.`);
    await removeStreamer(deps, link.tenantId, target.id, actor);
    return { content: `Stopped announcing **${target.displayName}**.` };
  },
});

export const streamsModule = defineInteractionModule({ name: "streams", commands: [streamsCommand] });

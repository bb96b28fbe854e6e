// /nebula: the bot's own command, proving each path of the platform. `status` answers on the fast path (the edge is
// up, no Postgres) with a Refresh button (component round trip); `link` is deferred and reads Postgres in run() to say
// which tenant this server is linked to; `help` shows autocomplete.
import { discordWire } from "@nebula/schema";
import { findLinkedGuild } from "../../discord-guilds/guilds.ts";
import { encodeCustomId } from "../custom-id.ts";
import { InteractionError } from "../guards.ts";
import { defineCommand, defineComponent, defineInteractionModule } from "../registry.ts";
import { type MessageReply, buttonRow } from "../replies.ts";

const { ApplicationCommandOptionType: O } = discordWire;

export const HELP_TOPICS = [
  { value: "install", name: "Adding Nebula to a server", text: "Open the dashboard, Discord, Add to server, and pick this server." },
  { value: "link", name: "Which tenant a server belongs to", text: "`/nebula link` shows it; unlink it from the dashboard's Discord settings." },
  { value: "status", name: "Is the bot up?", text: "`/nebula status` answers from the edge without touching the database." },
  { value: "permissions", name: "Who may change settings", text: "Tenant admins who also have Manage Server in this Discord server." },
] as const;

function statusMessage(checks: number, at: Date): MessageReply {
  return {
    ephemeral: true,
    embeds: [{ title: "Nebula Command", description: "The edge is up and answering interactions.", color: 0x57f287, footer: { text: `Checked ${at.toISOString()}` } }],
    components: [buttonRow([{ customId: encodeCustomId("nebula.status", checks + 1), label: "Refresh", emoji: "🔄" }])],
  };
}

export const nebulaCommand = defineCommand({
  name: "nebula",
  description: "Nebula Command: status, server link and help",
  scope: "global",
  options: [
    { type: O.SUB_COMMAND, name: "status", description: "Is the Nebula edge up?" },
    { type: O.SUB_COMMAND, name: "link", description: "Which Nebula tenant this server is linked to" },
    {
      type: O.SUB_COMMAND,
      name: "help",
      description: "Help on one topic",
      options: [{ type: O.STRING, name: "topic", description: "What you need help with", required: true, autocomplete: true }],
    },
  ],
  respond(ctx) {
    switch (ctx.subcommand) {
      case "status":
        return ctx.reply(statusMessage(0, ctx.services.now()));
      case "link":
        if (!ctx.guildId) throw new InteractionError("Use this inside a server.");
        return ctx.defer({ ephemeral: true });
      case "help": {
        const topic = HELP_TOPICS.find((t) => t.value === ctx.options.string("topic"));
        return ctx.reply({ ephemeral: true, content: topic ? `**${topic.name}**\n${topic.text}` : "No help on that topic yet." });
      }
      default:
        throw new InteractionError("Unknown subcommand.");
    }
  },
  async run(ctx) {
    const link = ctx.guildId ? await findLinkedGuild(ctx.services.db, ctx.guildId) : null;
    if (!link) return { content: "This server is not linked to a Nebula tenant yet. In the dashboard: Discord, Add to server." };
    return { content: `This server is linked to **${link.tenantName}** (since ${link.installedAt.toISOString().slice(0, 10)}).` };
  },
  autocomplete(ctx) {
    const typed = ctx.focused.value.toLowerCase();
    return HELP_TOPICS.filter((t) => t.name.toLowerCase().includes(typed) || t.value.includes(typed)).map((t) => ({ name: t.name, value: t.value }));
  },
});

/** The Refresh button of /nebula status: arg 0 counts refreshes, state carried in the custom_id. */
export const nebulaStatusRefresh = defineComponent({
  prefix: "nebula.status",
  respond(ctx) {
    const checks = Number(ctx.args[0] ?? "0") || 0;
    return ctx.update(statusMessage(checks, ctx.services.now()));
  },
});

export const nebulaModule = defineInteractionModule({ name: "nebula", commands: [nebulaCommand], components: [nebulaStatusRefresh] });

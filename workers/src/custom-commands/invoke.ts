// Answering a custom command: on the fast path from the guild's cache entry (no Postgres): enabled, allowed roles,
// per-user and global cooldowns (atomic cache claims that expire on their own), the templated response, and one use
// counted. On a cache miss the command defers, and run() warms the entry from Postgres and answers the same way.
import { discordWire } from "@nebula/schema";
import type { Cache } from "../cache/cache.ts";
import type { CommandContext, FastServices } from "../interactions/context.ts";
import { InteractionError, PERMISSION, hasPermission, memberPermissions } from "../interactions/guards.ts";
import type { Command, CommandLookup } from "../interactions/registry.ts";
import type { MessageReply } from "../interactions/replies.ts";
import { NOT_AVAILABLE } from "../interactions/router.ts";
import { serverValues, userValues } from "../templates/discord-values.ts";
import { renderMessage } from "../templates/message-template.ts";
import type { TemplateValues } from "../templates/template.ts";
import { type CachedCommand, type GuildCommands, readGuildCommands, warmGuildCommands } from "./command-cache.ts";
import { countUse } from "./usage.ts";

const { ApplicationCommandOptionType: O } = discordWire;

/** The placeholders a custom command's response may use ({option.<name>} for each option). */
export const CUSTOM_COMMAND_VARIABLES = ["user", "user.mention", "user.name", "user.username", "user.id", "user.avatar", "server", "server.name", "server.id", "channel", "args", "count"] as const;
export const CUSTOM_COMMAND_PREFIXES = ["option."] as const;

const cooldownKey = (commandId: string, userId: string | null) => (userId ? `ccmd:cd:${commandId}:u:${userId}` : `ccmd:cd:${commandId}:g`);

/** Claims a cooldown window; when taken, how many seconds remain (the value is the window's end). */
async function claimCooldown(cache: Cache, key: string, seconds: number, now: number): Promise<number | null> {
  if (seconds <= 0) return null;
  if (await cache.setIfAbsent(key, String(now + seconds * 1000), seconds)) return null;
  const until = Number((await cache.get(key)) ?? 0);
  return Math.max(1, Math.ceil((until - now) / 1000));
}

function optionValues(ctx: CommandContext, command: CachedCommand): { values: Record<string, string>; args: string; users: string[] } {
  const values: Record<string, string> = {};
  const parts: string[] = [];
  const users: string[] = [];
  const all = ctx.options.all();
  for (const option of command.options) {
    const raw = all[option.name];
    if (raw === undefined) {
      values[`option.${option.name}`] = "";
      continue;
    }
    let text = String(raw);
    if (option.type === "user") {
      text = `<@${raw}>`;
      // The member picked this user themselves: a "/hug @friend" command may ping them, as the invoker could.
      users.push(String(raw));
    } else if (option.type === "channel") text = `<#${raw}>`;
    else if (option.type === "role") text = `<@&${raw}>`;
    values[`option.${option.name}`] = text;
    parts.push(text);
  }
  return { values, args: parts.join(" "), users };
}

/** Everything a use decides, with no Postgres: the reply to show (ephemeral for refusals). */
export async function answerCustomCommand(ctx: CommandContext & { services: FastServices }, entry: GuildCommands, command: CachedCommand): Promise<MessageReply> {
  const { cache, now } = ctx.services;
  if (!command.enabled) return { content: `/${command.name} is turned off in this server.`, ephemeral: true };
  if (command.allowedRoleIds.length > 0) {
    const roles = ctx.member?.roles ?? [];
    // Administrators pass, as they pass every Discord permission check.
    const admin = hasPermission(memberPermissions(ctx), PERMISSION.ADMINISTRATOR);
    if (!admin && !roles.some((r) => command.allowedRoleIds.includes(r))) {
      return { content: `You need one of these roles to use /${command.name}: ${command.allowedRoleIds.map((r) => `<@&${r}>`).join(", ")}`, ephemeral: true };
    }
  }
  const at = now().getTime();
  const userWait = await claimCooldown(cache, cooldownKey(command.id, ctx.user.id), command.userCooldownSeconds, at);
  if (userWait !== null) return { content: `/${command.name} is on cooldown for you: try again in ${userWait} s.`, ephemeral: true };
  const globalWait = await claimCooldown(cache, cooldownKey(command.id, null), command.globalCooldownSeconds, at);
  if (globalWait !== null) {
    // Not used after all: give the member's window back.
    if (command.userCooldownSeconds > 0) await cache.delete(cooldownKey(command.id, ctx.user.id));
    return { content: `/${command.name} was just used here: try again in ${globalWait} s.`, ephemeral: true };
  }
  const pending = await countUse(cache, command.id);
  const options = optionValues(ctx, command);
  const values: TemplateValues = {
    ...userValues(ctx.user),
    ...serverValues({ id: entry.guildId, name: entry.guildName }),
    channel: ctx.channelId ? `<#${ctx.channelId}>` : "",
    args: options.args,
    count: command.usageCount + pending,
    ...options.values,
  };
  const message = renderMessage({ content: command.template, embed: command.embed }, values, { mentionUsers: [ctx.user.id, ...options.users] });
  if (!message) return { content: `/${command.name} has an empty response; ask an admin to fix it in the dashboard.`, ephemeral: true };
  return {
    ...(message.content ? { content: message.content } : {}),
    ...(message.embeds ? { embeds: message.embeds as Record<string, unknown>[] } : {}),
    allowedMentions: message.allowed_mentions,
    ephemeral: command.ephemeral,
  };
}

const OPTION_TYPES = { string: O.STRING, integer: O.INTEGER, user: O.USER, channel: O.CHANNEL, role: O.ROLE } as const;

/** The Discord command object for bulk overwrite. */
export function customCommandDefinition(command: { name: string; description: string; options: { name: string; description: string; type: keyof typeof OPTION_TYPES; required: boolean }[] }): discordWire.ApplicationCommandDefinition {
  // Discord: `contexts` applies to global commands only; a guild command is usable in its guild.
  return {
    type: 1,
    name: command.name,
    description: command.description,
    ...(command.options.length
      ? { options: command.options.map((o) => ({ type: OPTION_TYPES[o.type], name: o.name, description: o.description, required: o.required })) }
      : {}),
  };
}

function cachedCommand(entry: GuildCommands, command: CachedCommand): Command {
  return {
    name: command.name,
    description: command.name,
    scope: "guild",
    definitionJson: { type: 1, name: command.name, description: command.name },
    respond: async (ctx) => ctx.reply(await answerCustomCommand(ctx, entry, command)),
  };
}

/**
 * A command whose guild entry is not in the cache: it defers (visible, since the command's own flag is not known
 * yet), and run() warms the entry; an ephemeral answer then replaces the visible "thinking…" with an ephemeral
 * follow-up (Discord fixes a reply's visibility at defer time).
 */
function coldCommand(name: string, guildId: string): Command {
  return {
    name,
    description: name,
    scope: "guild",
    definitionJson: { type: 1, name, description: name },
    respond: (ctx) => ctx.defer(),
    run: async (ctx) => {
      const entry = await warmGuildCommands(ctx.services.db, ctx.services.cache, guildId);
      const command = entry.commands.find((c) => c.name === name);
      if (!command) throw new InteractionError(NOT_AVAILABLE);
      const answer = await answerCustomCommand(ctx, entry, command);
      if (!answer.ephemeral) return answer;
      await ctx.deleteOriginal();
      await ctx.followUp(answer);
      return undefined;
    },
  };
}

/** The router's fallback for names outside the static registry. */
export async function resolveCustomCommand(name: string, lookup: CommandLookup): Promise<Command | undefined> {
  // Custom commands are guild commands: Discord names the guild they are registered to in data.guild_id. A global
  // command (no data.guild_id) that no module knows is not ours, and is answered at once without the cache.
  if (!lookup.guildId || lookup.commandGuildId !== lookup.guildId) return undefined;
  const entry = await readGuildCommands(lookup.services.cache, lookup.guildId);
  if (!entry) return coldCommand(name, lookup.guildId);
  const command = entry.commands.find((c) => c.name === name);
  return command ? cachedCommand(entry, command) : undefined;
}

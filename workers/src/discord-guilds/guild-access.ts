// Who may manage a guild, computed from Discord through the bot (GET /guilds/{id}, GET /guilds/{id}/members/{user}):
// the owner, a member with Administrator, or one with Manage Server; and whether a channel id belongs to that guild
// (GET /channels/{id}). Answers are cached briefly (Discord rate limits; a permission removed in Discord takes effect
// here within GUILD_CACHE_SECONDS).
import { z } from "zod";
import type { Cache } from "../cache/cache.ts";
import type { DiscordRest } from "../discord-rest/discord-rest.ts";
import { AppError, upstreamStatus } from "../errors/app-error.ts";
import { PERMISSION, hasPermission } from "../interactions/guards.ts";

export const GUILD_CACHE_SECONDS = 60;

const snowflake = z.string().regex(/^\d{5,25}$/);

export const DiscordGuildWire = z.looseObject({
  id: snowflake,
  name: z.string(),
  icon: z.string().nullish(),
  owner_id: snowflake,
  roles: z.array(z.looseObject({ id: snowflake, name: z.string(), permissions: z.string().regex(/^\d+$/), position: z.number().int().default(0), color: z.number().int().default(0), managed: z.boolean().default(false) })).default([]),
});
export type DiscordGuildWire = z.infer<typeof DiscordGuildWire>;

const MemberWire = z.looseObject({ roles: z.array(snowflake).default([]), user: z.looseObject({ id: snowflake }).optional() });

export type GuildAccess = "owner" | "administrator" | "manage_guild";

function requireBot(rest: DiscordRest): void {
  if (!rest.hasBotToken) throw new AppError("MISCONFIGURED", "The Discord bot is not configured (set DISCORD_BOT_TOKEN)");
}

/** The guild as the bot sees it; null when the bot is not in it (Discord answers 403/404). Cached briefly. */
export async function fetchGuild(rest: DiscordRest, cache: Cache, guildId: string, options: { fresh?: boolean } = {}): Promise<DiscordGuildWire | null> {
  requireBot(rest);
  const key = `discord:guild:${guildId}`;
  if (!options.fresh) {
    const hit = await cache.get(key);
    if (hit) return hit === "absent" ? null : DiscordGuildWire.parse(JSON.parse(hit));
  }
  let guild: DiscordGuildWire | null;
  try {
    guild = DiscordGuildWire.parse(await rest.request({ method: "GET", path: `/guilds/${guildId}`, auth: "bot", idempotent: true }));
  } catch (err) {
    const status = upstreamStatus(err);
    if (status !== 403 && status !== 404) throw err;
    guild = null;
  }
  await cache.set(key, guild ? JSON.stringify(guild) : "absent", { ttlSeconds: GUILD_CACHE_SECONDS });
  return guild;
}

/** Discord: a member's base permissions are @everyone's (role id = guild id) OR'ed with each of their roles'. */
export function accessOf(guild: DiscordGuildWire, userId: string, memberRoles: string[] | null): GuildAccess | null {
  if (guild.owner_id === userId) return "owner";
  if (memberRoles === null) return null;
  let bits = 0n;
  for (const role of guild.roles) if (role.id === guild.id || memberRoles.includes(role.id)) bits |= BigInt(role.permissions);
  if ((bits & PERMISSION.ADMINISTRATOR) !== 0n) return "administrator";
  return hasPermission(bits, PERMISSION.MANAGE_GUILD) ? "manage_guild" : null;
}

/** How `discordUserId` may manage the guild, or null (not a member, or no Manage Server). */
export async function guildAccess(rest: DiscordRest, cache: Cache, guildId: string, discordUserId: string, options: { fresh?: boolean } = {}): Promise<{ guild: DiscordGuildWire | null; access: GuildAccess | null }> {
  const guild = await fetchGuild(rest, cache, guildId, options);
  if (!guild) return { guild: null, access: null };
  if (guild.owner_id === discordUserId) return { guild, access: "owner" };
  const key = `discord:member-roles:${guildId}:${discordUserId}`;
  let roles: string[] | null;
  const hit = options.fresh ? null : await cache.get(key);
  if (hit) roles = JSON.parse(hit) as string[] | null;
  else {
    try {
      const member = MemberWire.parse(await rest.request({ method: "GET", path: `/guilds/${guildId}/members/${discordUserId}`, auth: "bot", idempotent: true }));
      roles = member.roles;
    } catch (err) {
      if (upstreamStatus(err) !== 404) throw err;
      roles = null;
    }
    await cache.set(key, JSON.stringify(roles), { ttlSeconds: GUILD_CACHE_SECONDS });
  }
  return { guild, access: accessOf(guild, discordUserId, roles) };
}

const ChannelWire = z.looseObject({ id: snowflake, guild_id: snowflake.nullish(), type: z.number().int().optional() });

/**
 * Refuses (400, `details.field`) a channel id that is not a channel of `guildId` as Discord sees it. One bot serves
 * every tenant, so a channel id taken bare would let one tenant make the bot post into another tenant's server.
 * Discord: a thread's channel object carries its guild_id too, so threads of the guild pass; DM channels have none.
 * Channels the bot cannot see (403) or that do not exist (404) get the same answer, so nothing about another server
 * leaks. Only positive answers are cached: a channel moved between guilds is impossible, a deleted one is not.
 */
export async function assertChannelInGuild(
  rest: DiscordRest,
  cache: Cache,
  guildId: string,
  channelId: string,
  field: string,
  /** Channel types accepted (Discord: 0 text, 4 category, …) and what a refused type is told; any type when absent. */
  kind?: { types: readonly number[]; message: string },
): Promise<void> {
  const refused = (message = "That channel is not in this server") => new AppError("BAD_REQUEST", message, { details: { field, issues: [{ path: field, code: "custom", message }] } });
  if (!snowflake.safeParse(channelId).success) throw refused();
  const key = `discord:channel-guild:${channelId}`;
  // The cache knows the guild only, so a check of the type always asks Discord (saving a form, not a hot path).
  if (!kind && (await cache.get(key)) === guildId) return;
  requireBot(rest);
  let channel: z.infer<typeof ChannelWire> | null = null;
  try {
    channel = ChannelWire.parse(await rest.request({ method: "GET", path: `/channels/${channelId}`, auth: "bot", idempotent: true }));
  } catch (err) {
    const status = upstreamStatus(err);
    if (status !== 403 && status !== 404) throw err;
  }
  if (channel?.guild_id !== guildId) throw refused();
  await cache.set(key, guildId, { ttlSeconds: GUILD_CACHE_SECONDS });
  if (kind && !kind.types.includes(channel.type ?? -1)) throw refused(kind.message);
}

/** Each non-empty channel id of a settings change, checked in order (the first refusal names its field). */
export async function assertChannelsInGuild(rest: DiscordRest, cache: Cache, guildId: string, fields: Record<string, string | null | undefined>): Promise<void> {
  for (const [field, channelId] of Object.entries(fields)) if (channelId) await assertChannelInGuild(rest, cache, guildId, channelId, field);
}

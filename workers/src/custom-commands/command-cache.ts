// A guild's custom commands as the interaction path reads them: one cache entry per guild, written whenever a
// command is saved and warmed from Postgres on a miss (in a deferred run, where Postgres is allowed). The entry also
// says when a guild has none, so an unknown name in a warm guild is answered at once.
import { api, customCommands, guilds } from "@nebula/schema";
import { and, eq, isNull } from "drizzle-orm";
import { z } from "zod";
import type { Cache } from "../cache/cache.ts";
import type { Db } from "../db/client.ts";

/** Long enough that a busy guild never waits on Postgres; a miss only costs one deferred reply. */
export const GUILD_COMMANDS_TTL_SECONDS = 7 * 24 * 3600;

// The same shapes the API validates: what was saved is what the cache holds.
const CachedOption = api.CustomCommandOption.pick({ name: true, type: true, required: true });
const CachedEmbed = api.CustomCommandEmbed;

export const CachedCommand = z.object({
  id: z.string(),
  name: z.string(),
  options: z.array(CachedOption),
  template: z.string(),
  embed: CachedEmbed.nullable(),
  ephemeral: z.boolean(),
  allowedRoleIds: z.array(z.string()),
  userCooldownSeconds: z.number().int(),
  globalCooldownSeconds: z.number().int(),
  enabled: z.boolean(),
  /** Postgres's count when the entry was written; {count} adds the uses the cache counted since. */
  usageCount: z.number().int(),
});
export type CachedCommand = z.infer<typeof CachedCommand>;

export const GuildCommands = z.object({ tenantId: z.string(), guildId: z.string(), guildName: z.string(), commands: z.array(CachedCommand) });
export type GuildCommands = z.infer<typeof GuildCommands>;

export const guildCommandsKey = (guildId: string) => `ccmd:guild:${guildId}`;

/** The cached entry; null on a miss (or an entry this version cannot read). */
export async function readGuildCommands(cache: Cache, guildId: string): Promise<GuildCommands | null> {
  const raw = await cache.get(guildCommandsKey(guildId));
  if (!raw) return null;
  try {
    const parsed = GuildCommands.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** Reads the guild's commands from Postgres and writes the entry; a guild not linked to any tenant gets none. */
export async function warmGuildCommands(db: Db, cache: Cache, guildId: string): Promise<GuildCommands> {
  const [guild] = await db
    .select({ tenantId: guilds.tenantId, name: guilds.name })
    .from(guilds)
    .where(and(eq(guilds.guildId, guildId), isNull(guilds.removedAt)))
    .limit(1);
  const rows = guild
    ? await db
        .select()
        .from(customCommands)
        .where(and(eq(customCommands.guildId, guildId), eq(customCommands.tenantId, guild.tenantId)))
    : [];
  const entry: GuildCommands = {
    tenantId: guild?.tenantId ?? "",
    guildId,
    guildName: guild?.name ?? "",
    commands: rows.map((r) => ({
      id: r.id,
      name: r.name,
      options: r.options.map((o) => ({ name: o.name, type: o.type, required: o.required })),
      template: r.template,
      embed: r.embed,
      ephemeral: r.ephemeral,
      allowedRoleIds: r.allowedRoleIds,
      userCooldownSeconds: r.userCooldownSeconds,
      globalCooldownSeconds: r.globalCooldownSeconds,
      enabled: r.enabled,
      usageCount: r.usageCount,
    })),
  };
  await cache.set(guildCommandsKey(guildId), JSON.stringify(entry), { ttlSeconds: GUILD_COMMANDS_TTL_SECONDS });
  return entry;
}

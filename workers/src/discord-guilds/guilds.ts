// Linked guilds of a tenant: link (a guild belongs to one tenant at a time), list, unlink, and the lookup the bot
// uses to learn which tenant a guild's interaction or event belongs to.
import { guilds, tenants, users } from "@nebula/schema";
import { and, eq, isNull, sql } from "drizzle-orm";
import { type Actor, recordAudit } from "../audit/audit.ts";
import type { Db } from "../db/client.ts";
import { AppError } from "../errors/app-error.ts";

export type GuildRow = typeof guilds.$inferSelect;

export function iconUrlOf(guildId: string, icon: string | null): string | null {
  return icon ? `https://cdn.discordapp.com/icons/${guildId}/${icon}.png` : null;
}

/** The tenant a guild is linked to (null: not linked, or unlinked). */
export async function findLinkedGuild(db: Db, guildId: string): Promise<(GuildRow & { tenantName: string }) | null> {
  const [row] = await db
    .select({ guild: guilds, tenantName: tenants.name })
    .from(guilds)
    .innerJoin(tenants, eq(tenants.id, guilds.tenantId))
    .where(and(eq(guilds.guildId, guildId), isNull(guilds.removedAt)))
    .limit(1);
  return row ? { ...row.guild, tenantName: row.tenantName } : null;
}

/** One guild of this tenant; another tenant's guild is the same 404 as a missing one. */
export async function tenantGuild(db: Db, tenantId: string, guildId: string): Promise<GuildRow> {
  const [row] = await db
    .select()
    .from(guilds)
    .where(and(eq(guilds.guildId, guildId), eq(guilds.tenantId, tenantId), isNull(guilds.removedAt)))
    .limit(1);
  if (!row) throw new AppError("NOT_FOUND", "Discord server not found");
  return row;
}

export function listTenantGuilds(db: Db, tenantId: string): Promise<GuildRow[]> {
  return db
    .select()
    .from(guilds)
    .where(and(eq(guilds.tenantId, tenantId), isNull(guilds.removedAt)))
    .orderBy(guilds.installedAt);
}

export interface LinkGuild {
  tenantId: string;
  guildId: string;
  name: string;
  icon: string | null;
  userId: string;
  discordUserId: string;
}

/**
 * Links a guild to a tenant; reinstalling into the same tenant refreshes it. A guild still linked to another tenant
 * is a CONFLICT: that tenant has to unlink it first (its admins may not even know this tenant exists).
 */
export async function linkGuild(db: Db, link: LinkGuild, actor: Actor, now: Date, requestId?: string): Promise<GuildRow> {
  const [row] = await db
    .insert(guilds)
    .values({
      guildId: link.guildId,
      tenantId: link.tenantId,
      name: link.name,
      icon: link.icon,
      installedBy: link.userId,
      installedByDiscordId: link.discordUserId,
      installedAt: now,
    })
    .onConflictDoUpdate({
      target: guilds.guildId,
      set: { tenantId: link.tenantId, name: link.name, icon: link.icon, installedBy: link.userId, installedByDiscordId: link.discordUserId, installedAt: now, removedAt: null, updatedAt: now },
      setWhere: sql`${guilds.tenantId} = ${link.tenantId} OR ${guilds.removedAt} IS NOT NULL`,
    })
    .returning();
  if (!row) {
    await recordAudit(db, actor, { tenantId: link.tenantId, action: "discord.guild.link", targetType: "discord_guild", targetId: link.guildId, result: "failure", details: { reason: "linked to another tenant" } }, requestId);
    throw new AppError("CONFLICT", "This Discord server is already linked to another Nebula tenant; it has to be unlinked there first");
  }
  await recordAudit(db, actor, { tenantId: link.tenantId, action: "discord.guild.link", targetType: "discord_guild", targetId: link.guildId, details: { name: link.name } }, requestId);
  return row;
}

export async function unlinkGuild(db: Db, tenantId: string, guildId: string, actor: Actor, now: Date, requestId?: string): Promise<void> {
  const [row] = await db
    .update(guilds)
    .set({ removedAt: now, updatedAt: now })
    .where(and(eq(guilds.guildId, guildId), eq(guilds.tenantId, tenantId), isNull(guilds.removedAt)))
    .returning({ guildId: guilds.guildId });
  if (!row) throw new AppError("NOT_FOUND", "Discord server not found");
  await recordAudit(db, actor, { tenantId, action: "discord.guild.unlink", targetType: "discord_guild", targetId: guildId }, requestId);
}

/** The signed-in user's Discord account id, or null when they never linked one. */
export async function discordIdOf(db: Db, userId: string): Promise<string | null> {
  const [row] = await db.select({ discordId: users.discordId }).from(users).where(eq(users.id, userId)).limit(1);
  return row?.discordId ?? null;
}

/** Links a Discord account to a user who has none, unless another user already holds it. */
export async function adoptDiscordId(db: Db, userId: string, discordId: string): Promise<void> {
  await db
    .update(users)
    .set({ discordId })
    .where(and(eq(users.id, userId), isNull(users.discordId), sql`NOT EXISTS (SELECT 1 FROM ${users} u2 WHERE u2.discord_id = ${discordId})`));
}

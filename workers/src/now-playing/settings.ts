// A guild's Now Playing settings: set (the first time mints the webhook URL, shown once), read with what is playing,
// rotate the URL (the old one stops at once), and turn off. Every change is audited, drops the cached hook material
// and tells the guild's board about its channel.
import { type api, nowPlayingSettings } from "@nebula/schema";
import { and, eq } from "drizzle-orm";
import type { z } from "zod";
import { type Caller, recordAudit } from "../audit/audit.ts";
import type { Cache } from "../cache/cache.ts";
import { sha256Hex } from "../crypto/tokens.ts";
import type { Db } from "../db/client.ts";
import { assertChannelInGuild } from "../discord-guilds/guild-access.ts";
import type { DiscordRest } from "../discord-rest/discord-rest.ts";
import type { Env } from "../env.ts";
import { AppError } from "../errors/app-error.ts";
import { iso } from "../http/respond.ts";
import { forgetPlexHook, newPlexToken, plexHookPath } from "./hook-material.ts";
import { getNowPlayingBoard } from "./now-playing-board.ts";

type Row = typeof nowPlayingSettings.$inferSelect;
type SettingsInput = z.output<typeof api.NowPlayingSettingsRequest>;

export interface SettingsContext {
  db: Db;
  cache: Cache;
  rest: DiscordRest;
  boards: Env["NOW_PLAYING"];
  tenantId: string;
  guildId: string;
  actor: Caller;
  /** Where Plex reaches this deployment: PUBLIC_URL or the request's origin. */
  origin: string;
  now: Date;
  requestId: string;
}

async function settingsRow(ctx: Pick<SettingsContext, "db" | "tenantId" | "guildId">): Promise<Row | null> {
  const [row] = await ctx.db
    .select()
    .from(nowPlayingSettings)
    .where(and(eq(nowPlayingSettings.guildId, ctx.guildId), eq(nowPlayingSettings.tenantId, ctx.tenantId)))
    .limit(1);
  return row ?? null;
}

async function present(ctx: Pick<SettingsContext, "boards">, row: Row): Promise<api.NowPlayingSettingsView> {
  const { state } = await getNowPlayingBoard(ctx.boards, row.guildId).current();
  return {
    guildId: row.guildId,
    channelId: row.channelId,
    enabled: row.enabled,
    plexUsers: row.plexUsers,
    libraries: row.libraries,
    tokenCreatedAt: iso(row.tokenCreatedAt),
    updatedAt: iso(row.updatedAt),
    current: state,
  };
}

export async function readNowPlaying(ctx: Pick<SettingsContext, "db" | "boards" | "tenantId" | "guildId">): Promise<api.NowPlayingSettingsView> {
  const row = await settingsRow(ctx);
  if (!row) throw new AppError("NOT_FOUND", "Now Playing is not set up for this server");
  return present(ctx, row);
}

/** Creates or changes the settings. Only a create answers the webhook URL (201); a change keeps the URL. */
export async function putNowPlaying(ctx: SettingsContext, input: SettingsInput): Promise<{ created: boolean; view: api.NowPlayingSettingsView | api.NowPlayingSettingsWithUrl }> {
  // One bot serves every tenant: a channel of another server would get this server's board.
  await assertChannelInGuild(ctx.rest, ctx.cache, ctx.guildId, input.channelId, "channelId");
  const before = await settingsRow(ctx);
  const token = before ? null : newPlexToken();
  const values = { channelId: input.channelId, enabled: input.enabled, plexUsers: input.plexUsers, libraries: input.libraries, updatedBy: ctx.actor.id, updatedAt: ctx.now };
  const row = await ctx.db.transaction(async (tx) => {
    let saved: Row | undefined;
    if (before) {
      [saved] = await tx.update(nowPlayingSettings).set(values).where(eq(nowPlayingSettings.guildId, ctx.guildId)).returning();
    } else {
      // A concurrent create for the same guild loses on the primary key: one URL per guild.
      [saved] = await tx
        .insert(nowPlayingSettings)
        .values({ guildId: ctx.guildId, tenantId: ctx.tenantId, tokenHash: await sha256Hex(token as string), tokenCreatedAt: ctx.now, createdAt: ctx.now, ...values })
        .onConflictDoNothing()
        .returning();
    }
    if (!saved) throw new AppError("CONFLICT", "Now Playing was just set up for this server by someone else; reload");
    await recordAudit(
      tx,
      ctx.actor,
      { tenantId: ctx.tenantId, action: before ? "now_playing.update" : "now_playing.create", targetType: "discord_guild", targetId: ctx.guildId, details: { channelId: input.channelId, enabled: input.enabled, plexUsers: input.plexUsers.length, libraries: input.libraries.length } },
      ctx.requestId,
    );
    return saved;
  });
  if (before) await forgetPlexHook(ctx.cache, before.tokenHash);
  await getNowPlayingBoard(ctx.boards, ctx.guildId).configure({ guildId: ctx.guildId, channelId: row.channelId });
  const view = await present(ctx, row);
  return { created: !before, view: token ? { ...view, webhookUrl: `${ctx.origin}${plexHookPath(token)}` } : view };
}

/** A new webhook URL, shown once; Plex posting to the old one gets 401 from now on. */
export async function rotateNowPlayingToken(ctx: SettingsContext): Promise<api.NowPlayingSettingsWithUrl> {
  const before = await settingsRow(ctx);
  if (!before) throw new AppError("NOT_FOUND", "Now Playing is not set up for this server");
  const token = newPlexToken();
  const [row] = await ctx.db
    .update(nowPlayingSettings)
    .set({ tokenHash: await sha256Hex(token), tokenCreatedAt: ctx.now, updatedBy: ctx.actor.id, updatedAt: ctx.now })
    .where(eq(nowPlayingSettings.guildId, ctx.guildId))
    .returning();
  await recordAudit(ctx.db, ctx.actor, { tenantId: ctx.tenantId, action: "now_playing.rotate_token", targetType: "discord_guild", targetId: ctx.guildId }, ctx.requestId);
  await forgetPlexHook(ctx.cache, before.tokenHash);
  return { ...(await present(ctx, row as Row)), webhookUrl: `${ctx.origin}${plexHookPath(token)}` };
}

export async function deleteNowPlaying(ctx: SettingsContext): Promise<void> {
  const before = await settingsRow(ctx);
  if (!before) throw new AppError("NOT_FOUND", "Now Playing is not set up for this server");
  await ctx.db.transaction(async (tx) => {
    await tx.delete(nowPlayingSettings).where(eq(nowPlayingSettings.guildId, ctx.guildId));
    await recordAudit(tx, ctx.actor, { tenantId: ctx.tenantId, action: "now_playing.delete", targetType: "discord_guild", targetId: ctx.guildId }, ctx.requestId);
  });
  await forgetPlexHook(ctx.cache, before.tokenHash);
  await getNowPlayingBoard(ctx.boards, ctx.guildId).retire();
}

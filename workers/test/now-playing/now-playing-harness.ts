// Arrangement for the Now Playing suites: a tenant whose admin manages a linked guild in the fake Discord, settings
// made through the API, Plex deliveries built by the fake sender (test/fakes/plex.ts), the guild's board held so the
// test decides when it renders, and what the fake Discord stored in the board's channel.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env as bindings, exports } from "cloudflare:workers";
import { api, guilds, users } from "@nebula/schema";
import { eq } from "drizzle-orm";
import { expect } from "vitest";
import type { FakeMessage } from "../../../test/fakes/discord-guild-types.ts";
import { type PlexEvent, type PlexItem, type PlexSender, plexPayload, plexRequestInit, thumbBlob } from "../../../test/fakes/plex.ts";
import type { Env } from "../../src/env.ts";
import { type NowPlayingBoard, getNowPlayingBoard } from "../../src/now-playing/now-playing-board.ts";
import { guildState, seedGuild, snowflake } from "../discord/fake-discord.ts";
import { type SeededMember, type SeededTenant, asUser, seedTenant, url, withDb } from "../support/seed.ts";

export const env = bindings as Env;

export interface NowPlayingLab extends SeededTenant {
  guildId: string;
  channelId: string;
}

/** A tenant with a linked guild whose owner (in Discord) is the tenant's admin; the viewer is a plain member there. */
export async function seedNowPlayingLab(name = "Plex lab"): Promise<NowPlayingLab> {
  const guildId = snowflake();
  const channelId = snowflake();
  const adminDiscord = snowflake();
  const viewerDiscord = snowflake();
  await seedGuild({
    id: guildId,
    name: `${name} server`,
    ownerId: adminDiscord,
    channels: [{ id: channelId, name: "now-playing", type: 0 }],
    members: [
      { user: { id: adminDiscord, username: "admin" }, roles: [] },
      { user: { id: viewerDiscord, username: "viewer" }, roles: [] },
    ],
  });
  return withDb(async (db) => {
    const lab = await seedTenant(db, name);
    await db.insert(guilds).values({ guildId, tenantId: lab.tenantId, name: `${name} server` });
    await db.update(users).set({ discordId: adminDiscord }).where(eq(users.id, lab.members.admin.userId));
    await db.update(users).set({ discordId: viewerDiscord }).where(eq(users.id, lab.members.viewer.userId));
    return { ...lab, guildId, channelId };
  });
}

export function call(member: SeededMember, path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(url(path), asUser(member, init));
}

export const settingsPath = (lab: NowPlayingLab) => `/api/t/${lab.tenantId}/discord/guilds/${lab.guildId}/now-playing`;

export async function setUpNowPlaying(lab: NowPlayingLab, body: Record<string, unknown> = {}): Promise<api.NowPlayingSettingsWithUrl> {
  const res = await call(lab.members.admin, settingsPath(lab), { method: "PUT", body: JSON.stringify({ channelId: lab.channelId, ...body }) });
  expect(res.status, await res.clone().text()).toBe(201);
  return api.NowPlayingSettingsWithUrl.parse(await res.json());
}

export const board = (lab: NowPlayingLab) => getNowPlayingBoard(env.NOW_PLAYING, lab.guildId);

/** A coalescing window of a day: workerd never renders on its own, the test does with render(). */
export async function holdBoard(lab: NowPlayingLab): Promise<void> {
  await runInDurableObject(board(lab), (b: NowPlayingBoard) => b.tune({ coalesceMs: 24 * 3600_000 }));
}

/** Runs the board's pending render (what its alarm does after the coalescing window); false when none was pending. */
export function render(lab: NowPlayingLab): Promise<boolean> {
  return runDurableObjectAlarm(board(lab));
}

/** Plex posting one event to the guild's webhook URL; play events carry the poster part, as Plex's do. */
export function plex(webhookUrl: string, event: PlexEvent, item: PlexItem, who: PlexSender = {}, headers: Record<string, string> = {}): Promise<Response> {
  const init = plexRequestInit(plexPayload(event, item, who), event === "media.play" ? { thumb: thumbBlob() } : {});
  return exports.default.fetch(url(new URL(webhookUrl).pathname), { ...init, headers: { ...(init.headers as Record<string, string>), ...headers } });
}

/** What Discord holds in the board's channel (the fake's guild model), oldest first. */
export async function channelMessages(lab: NowPlayingLab): Promise<FakeMessage[]> {
  const guild = await guildState(lab.guildId);
  const channels = guild.channels as { id: string; messages: FakeMessage[] }[];
  return channels.find((c) => c.id === lab.channelId)?.messages ?? [];
}

/** Someone deletes the board's message in Discord (a moderator cleaning the channel). */
export async function deleteMessage(lab: NowPlayingLab, messageId: string): Promise<void> {
  const res = await fetch(`${env.DISCORD_API_BASE}/channels/${lab.channelId}/messages/${messageId}`, { method: "DELETE", headers: { authorization: `Bot ${env.DISCORD_BOT_TOKEN}` } });
  expect(res.status).toBe(204);
}

export interface ReceivedEmbed {
  title?: string;
  fields?: { name: string; value: string }[];
}
export const embedOf = (m: FakeMessage | undefined) => (m?.embeds[0] ?? {}) as ReceivedEmbed;

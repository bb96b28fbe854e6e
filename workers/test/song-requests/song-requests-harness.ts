// Arrangement for the song-request suites: videos on the fake YouTube (fresh ids per test, the real videos.list wire
// format), the queue's API as a tenant's members call it, an overlay with a YouTube now-playing layer and a renderer
// on it, and the tenant's SongQueue object with its alarm.
import { exports } from "cloudflare:workers";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { type api, type overlayWire, songRequests } from "@nebula/schema";
import { and, eq } from "drizzle-orm";
import { expect } from "vitest";
import { createCache } from "../../src/cache/create-cache.ts";
import { loadConfig } from "../../src/config/config.ts";
import { quotaUsage } from "../../src/platforms/youtube/youtube-quota.ts";
import type { SongQueue } from "../../src/song-requests/song-queue.ts";
import { SONG_END_GRACE_MS } from "../../src/song-requests/song-requests.ts";
import { YOUTUBE, env, fake } from "../go-live/go-live-harness.ts";
import { createOverlayAs } from "../overlays/support.ts";
import { type SeededMember, type SeededTenant, asUser, url, withDb } from "../support/seed.ts";

export { env };

export interface FakeVideo {
  id: string;
  title: string;
  channelTitle?: string;
  duration?: string;
  live?: "live" | "none" | "upcoming";
  embeddable?: boolean;
  ageRestricted?: boolean;
  privacyStatus?: "public" | "unlisted" | "private";
}

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
/** An 11-character id no other test uses. */
export function videoId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(11));
  return [...bytes].map((b) => ALPHABET[b % 64]).join("");
}

/** Puts videos on the fake YouTube (a fresh id unless one is given); answers them with their ids. */
export async function publishVideos(...videos: (Omit<FakeVideo, "id"> & { id?: string })[]): Promise<FakeVideo[]> {
  const withIds = videos.map((v) => ({ ...v, id: v.id ?? videoId() }));
  await fake(YOUTUBE, "/__control/youtube/videos", withIds.map((v) => ({ channelId: "UCsongs0000000000000000a", live: "none", ...v })));
  return withIds;
}

export async function lookupsOf(id: string): Promise<number> {
  const state = await fake<{ videoLookups: Record<string, number> }>(YOUTUBE, "/__control/youtube/state");
  return state.videoLookups[id] ?? 0;
}

export async function quotaUsed(): Promise<number> {
  return (await quotaUsage(createCache(env, loadConfig(env)), Date.now())).used;
}

export const songsPath = (tenant: SeededTenant, rest = "") => `/api/t/${tenant.tenantId}/streams/song-requests${rest}`;

export async function songsApi<T = unknown>(member: SeededMember, method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await exports.default.fetch(url(path), asUser(member, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }));
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

export const queueOf = async (tenant: SeededTenant, member: SeededMember = tenant.members.viewer) => {
  const res = await songsApi<api.SongQueueView>(member, "GET", songsPath(tenant));
  expect(res.status).toBe(200);
  return res.body;
};

/** An operator adds a song on the dashboard; fails the test unless it was accepted. */
export async function addSong(tenant: SeededTenant, video: string): Promise<api.AddedSongRequest> {
  const res = await songsApi<api.AddedSongRequest>(tenant.members.operator, "POST", songsPath(tenant, "/queue"), { video });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

const base = { opacity: 1, visible: true, locked: false, rotation: 0 };

export function songOverlayDocument(): overlayWire.OverlayDocument {
  return {
    version: 1,
    canvas: { width: 1920, height: 1080 },
    layers: [{ ...base, id: "song", name: "Song request", type: "now-playing", x: 40, y: 40, w: 600, h: 100, z: 0, source: "youtube", font: "Inter, sans-serif", size: 24, colour: "#ffffff" }],
  };
}

export const songOverlay = (tenant: SeededTenant) => createOverlayAs(tenant.members.operator, tenant, { name: "Songs", document: songOverlayDocument() });

export const songQueueOf = (tenant: Pick<SeededTenant, "tenantId">) => env.SONG_QUEUE.getByName(tenant.tenantId);
export const songAlarm = (tenant: Pick<SeededTenant, "tenantId">) => runInDurableObject(songQueueOf(tenant), async (_q: SongQueue, state) => state.storage.getAlarm());
/** What the runtime does when the alarm's time comes, now. */
export const runSongAlarm = (tenant: Pick<SeededTenant, "tenantId">) => runDurableObjectAlarm(songQueueOf(tenant));

/** The playing song has been on for its whole length and the grace: its start moves back that far in Postgres. */
export async function letSongRunOut(tenant: Pick<SeededTenant, "tenantId">, songId: string): Promise<void> {
  await withDb(async (db) => {
    const [row] = await db.select().from(songRequests).where(and(eq(songRequests.id, songId), eq(songRequests.tenantId, tenant.tenantId)));
    if (!row) throw new Error("no such song");
    await db
      .update(songRequests)
      .set({ startedAt: new Date(Date.now() - row.durationSeconds * 1000 - SONG_END_GRACE_MS - 1000) })
      .where(eq(songRequests.id, songId));
  });
}

export const watchLink = (id: string) => `https://www.youtube.com/watch?v=${id}&t=12s`;

// A tenant's YouTube song-request queue: add by link or id (looked up with videos.list, one quota unit, and checked
// against the rules), list, remove, move, skip, clear, settings, and the auto-advance when the playing song ran out.
// Postgres is the truth; every change takes the tenant's settings row FOR UPDATE, so two requests (a !skip and the
// alarm, two !sr for the last place) never interleave, and bumps the queue's revision. After it commits, the queue's
// state goes to the tenant's SongQueue Durable Object, which times the current song and tells the overlays.
import { type SongRequestSource, api, newId, songRequestSettings, songRequests } from "@nebula/schema";
import { and, asc, count, desc, eq, inArray, sql } from "drizzle-orm";
import { type Actor, recordAudit } from "../audit/audit.ts";
import type { Cache } from "../cache/cache.ts";
import type { Config } from "../config/config.ts";
import type { Db } from "../db/client.ts";
import type { Env } from "../env.ts";
import { AppError, notFound } from "../errors/app-error.ts";
import { iso } from "../http/respond.ts";
import type { Logger } from "../logging/logger.ts";
import { platformClients } from "../platforms/platform-clients.ts";
import { type SongVideo, checkLength, checkQueueRoom, playableSong, songRefused } from "./song-rules.ts";
import { youtubeVideoIdOf } from "./youtube-video-id.ts";

/** The embedded player starts a little late (buffering, a slow page): the next song waits this long past the end. */
export const SONG_END_GRACE_MS = 5_000;
/** How many finished songs the queue view lists. */
const HISTORY = 20;

export interface SongRequestDeps {
  db: Db;
  cache: Cache;
  config: Config;
  logger: Logger;
  now: () => Date;
  /** The tenants' SongQueue Durable Objects, told of every change. */
  queues: Env["SONG_QUEUE"];
  requestId?: string;
}

/** Who asks for a song: a chatter (platform user id) or a member on the dashboard. */
export interface Requester {
  name: string;
  platform: SongRequestSource;
  id: string;
  /** Moderators and the dashboard are not held to the per-user limit. */
  privileged: boolean;
}

/** The song playing, as the SongQueue object times it and the overlays show it. */
export interface PlayingSong {
  id: string;
  videoId: string;
  title: string;
  channelTitle: string;
  durationSeconds: number;
  thumbnailUrl: string | null;
  requestedBy: string;
  /** ISO 8601. */
  startedAt: string;
}

export interface SongQueueState {
  tenantId: string;
  revision: number;
  playing: PlayingSong | null;
}

type Row = typeof songRequests.$inferSelect;
type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
type Settings = typeof songRequestSettings.$inferSelect;

export const songNotFound = () => notFound("Song request");

/** What the view and the playing song share. */
const songFacts = (row: Row) => ({ id: row.id, videoId: row.videoId, title: row.title, channelTitle: row.channelTitle, durationSeconds: row.durationSeconds, thumbnailUrl: row.thumbnailUrl });

export function songView(row: Row): api.SongRequestView {
  return {
    ...songFacts(row),
    requestedBy: { name: row.requestedByName, platform: row.requestedByPlatform },
    status: row.status,
    requestedAt: iso(row.createdAt),
    startedAt: iso(row.startedAt),
    endedAt: iso(row.endedAt),
  };
}

const settingsView = (s: Settings): api.SongRequestSettings => ({
  enabled: s.enabled,
  commandsEnabled: s.commandsEnabled,
  maxDurationSeconds: s.maxDurationSeconds,
  perUserLimit: s.perUserLimit,
  queueLimit: s.queueLimit,
});

function playingOf(row: Row | undefined): PlayingSong | null {
  if (!row?.startedAt) return null;
  return {
    ...songFacts(row),
    requestedBy: row.requestedByName,
    startedAt: row.startedAt.toISOString(),
  };
}

/** The tenant's settings, or the defaults before anyone saved them. */
export async function songSettings(db: Db, tenantId: string): Promise<api.SongRequestSettings> {
  const [row] = await db.select().from(songRequestSettings).where(eq(songRequestSettings.tenantId, tenantId));
  return row ? settingsView(row) : { ...api.DEFAULT_SONG_REQUEST_SETTINGS };
}

/**
 * The settings read at most once however many steps of one chat line ask (the link exemption from anti-spam, the
 * command switch, the request's limits): "!sr" runs them all on the chat hot path.
 */
export function songSettingsOnce(db: Db, tenantId: string): () => Promise<api.SongRequestSettings> {
  let read: Promise<api.SongRequestSettings> | undefined;
  return () => {
    read ??= songSettings(db, tenantId);
    return read;
  };
}

const waiting = (tenantId: string) => and(eq(songRequests.tenantId, tenantId), eq(songRequests.status, "queued"));
const current = (tenantId: string) => and(eq(songRequests.tenantId, tenantId), eq(songRequests.status, "playing"));

async function playingRow(tx: Tx, tenantId: string): Promise<Row | undefined> {
  const [row] = await tx.select().from(songRequests).where(current(tenantId));
  return row;
}

async function queuedRows(tx: Tx, tenantId: string): Promise<Row[]> {
  return tx.select().from(songRequests).where(waiting(tenantId)).orderBy(asc(songRequests.position), asc(songRequests.createdAt));
}

/** The queue plays while it holds songs: with nothing playing, the first waiting song starts. */
async function startNextIfIdle(tx: Tx, tenantId: string, now: Date): Promise<Row | undefined> {
  const playing = await playingRow(tx, tenantId);
  if (playing) return playing;
  const [next] = await tx.select().from(songRequests).where(waiting(tenantId)).orderBy(asc(songRequests.position), asc(songRequests.createdAt)).limit(1);
  if (!next) return undefined;
  const [started] = await tx.update(songRequests).set({ status: "playing", startedAt: now, updatedAt: now }).where(eq(songRequests.id, next.id)).returning();
  return started;
}

/** The playing song leaves (played out, skipped or removed) and the next one starts. */
async function finishPlaying(tx: Tx, row: Row, status: "played" | "skipped" | "removed", now: Date): Promise<Row | undefined> {
  await tx.update(songRequests).set({ status, endedAt: now, updatedAt: now }).where(eq(songRequests.id, row.id));
  return startNextIfIdle(tx, row.tenantId, now);
}

interface Change<T> {
  value: T;
  /** The queue changed: its revision is bumped and the SongQueue object told. */
  changed: boolean;
}

/**
 * Runs `work` holding the tenant's queue lock (its settings row, made with the defaults if missing). Answers its value
 * and, when the queue changed, the state the SongQueue object must follow.
 */
async function underLock<T>(deps: SongRequestDeps, tenantId: string, work: (tx: Tx, settings: Settings) => Promise<Change<T>>): Promise<{ value: T; state: SongQueueState | null }> {
  return deps.db.transaction(async (tx) => {
    await tx.insert(songRequestSettings).values({ tenantId }).onConflictDoNothing();
    const [settings] = await tx.select().from(songRequestSettings).where(eq(songRequestSettings.tenantId, tenantId)).for("update");
    if (!settings) throw new AppError("INTERNAL", "Song request settings row missing after insert");
    const { value, changed } = await work(tx, settings);
    if (!changed) return { value, state: null };
    const [bumped] = await tx
      .update(songRequestSettings)
      .set({ queueRevision: sql`${songRequestSettings.queueRevision} + 1` })
      .where(eq(songRequestSettings.tenantId, tenantId))
      .returning({ revision: songRequestSettings.queueRevision });
    return { value, state: { tenantId, revision: bumped?.revision ?? settings.queueRevision + 1, playing: playingOf(await playingRow(tx, tenantId)) } };
  });
}

/** Hands the new state to the tenant's SongQueue object; a failure there is logged (the queue itself has changed). */
async function tellQueue(deps: SongRequestDeps, state: SongQueueState | null): Promise<void> {
  if (!state) return;
  try {
    await deps.queues.getByName(state.tenantId).follow(state);
  } catch (err) {
    deps.logger.warn("song requests: the queue's timer and overlays were not told of a change", { tenantId: state.tenantId, err });
  }
}

async function changeQueue<T>(deps: SongRequestDeps, tenantId: string, work: (tx: Tx, settings: Settings) => Promise<Change<T>>): Promise<T> {
  const { value, state } = await underLock(deps, tenantId, work);
  await tellQueue(deps, state);
  return value;
}

const audit = (deps: SongRequestDeps, tx: Tx, actor: Actor, tenantId: string, action: string, targetId: string | undefined, details: Record<string, unknown>) =>
  recordAudit(tx, actor, { tenantId, action, targetType: "song_request", ...(targetId ? { targetId } : {}), details }, deps.requestId);

export async function songQueue(deps: Pick<SongRequestDeps, "db">, tenantId: string): Promise<api.SongQueueView> {
  const db = deps.db;
  const [settingsRow] = await db.select().from(songRequestSettings).where(eq(songRequestSettings.tenantId, tenantId));
  const rows = await db
    .select()
    .from(songRequests)
    .where(and(eq(songRequests.tenantId, tenantId), inArray(songRequests.status, ["queued", "playing"])))
    .orderBy(asc(songRequests.position), asc(songRequests.createdAt));
  const history = await db
    .select()
    .from(songRequests)
    .where(and(eq(songRequests.tenantId, tenantId), inArray(songRequests.status, ["played", "skipped", "removed"])))
    .orderBy(desc(songRequests.updatedAt))
    .limit(HISTORY);
  const playing = rows.find((r) => r.status === "playing");
  return {
    settings: settingsRow ? settingsView(settingsRow) : { ...api.DEFAULT_SONG_REQUEST_SETTINGS },
    playing: playing ? songView(playing) : null,
    queue: rows.filter((r) => r.status === "queued").map(songView),
    history: history.map(songView),
    revision: settingsRow?.queueRevision ?? 0,
  };
}

async function countsOf(tx: Pick<Db, "select">, tenantId: string, videoId: string, requester: Requester) {
  const [row] = await tx
    .select({
      waiting: count(sql`case when ${songRequests.status} = 'queued' then 1 end`),
      mine: count(sql`case when ${songRequests.status} = 'queued' and ${songRequests.requestedByPlatform} = ${requester.platform} and ${songRequests.requestedById} = ${requester.id} then 1 end`),
      duplicate: count(sql`case when ${songRequests.videoId} = ${videoId} then 1 end`),
    })
    .from(songRequests)
    .where(and(eq(songRequests.tenantId, tenantId), inArray(songRequests.status, ["queued", "playing"])));
  return { waiting: row?.waiting ?? 0, mine: row?.mine ?? 0, duplicate: (row?.duplicate ?? 0) > 0 };
}

/**
 * Adds a song by link or id. The queue's limits are checked before YouTube is asked (a refused request costs no quota)
 * and again under the lock with the video's facts. Answers the request and its place: 0 when it plays at once.
 */
export async function requestSong(
  deps: SongRequestDeps,
  tenantId: string,
  input: string,
  requester: Requester,
  actor: Actor,
  /** The settings when the caller has read them already (a chat line); the lock re-reads them before the insert. */
  settingsOf: () => Promise<api.SongRequestSettings> = () => songSettings(deps.db, tenantId),
): Promise<api.AddedSongRequest> {
  const videoId = youtubeVideoIdOf(input);
  if (!videoId) throw songRefused("invalid_link", "That is not a YouTube link or video id.");
  const settings = await settingsOf();
  const before = await countsOf(deps.db, tenantId, videoId, requester);
  checkQueueRoom(before, settings, requester.privileged);
  const video = await lookUp(deps, videoId, settings);
  return changeQueue(deps, tenantId, async (tx, locked) => {
    const fresh = settingsView(locked);
    // The rules may have changed while YouTube was asked.
    checkLength(video.durationSeconds, fresh);
    checkQueueRoom(await countsOf(tx, tenantId, videoId, requester), fresh, requester.privileged);
    const now = deps.now();
    const [last] = await tx.select({ position: sql<number>`coalesce(max(${songRequests.position}), 0)` }).from(songRequests).where(and(eq(songRequests.tenantId, tenantId), inArray(songRequests.status, ["queued", "playing"])));
    const [inserted] = await tx
      .insert(songRequests)
      .values({
        id: newId("songRequest"),
        tenantId,
        ...video,
        requestedByName: requester.name.slice(0, 100),
        requestedByPlatform: requester.platform,
        requestedById: requester.id,
        status: "queued",
        position: Number(last?.position ?? 0) + 1,
        createdAt: now,
        updatedAt: now,
      })
      .returning();
    if (!inserted) throw new AppError("INTERNAL", "Song request insert returned nothing");
    const playing = await startNextIfIdle(tx, tenantId, now);
    const row = playing?.id === inserted.id ? playing : inserted;
    const position = row.status === "playing" ? 0 : (await queuedRows(tx, tenantId)).findIndex((r) => r.id === row.id) + 1;
    await audit(deps, tx, actor, tenantId, "song_request.add", row.id, { videoId, title: row.title, via: requester.platform });
    return { value: { request: songView(row), position }, changed: true };
  });
}

/** videos.list for the one video (one quota unit, counted by the client), checked against the rules. */
async function lookUp(deps: SongRequestDeps, videoId: string, settings: api.SongRequestSettings): Promise<SongVideo> {
  const youtube = platformClients(deps.config, deps.cache).youtube;
  if (!youtube) throw new AppError("MISCONFIGURED", "YouTube is not connected (YOUTUBE_API_KEY is not set)");
  return playableSong(videoId, await youtube.songVideo(videoId), settings);
}

/** Takes a waiting song out of the queue, or stops the playing one (the next starts). */
export async function removeSong(deps: SongRequestDeps, tenantId: string, songId: string, actor: Actor): Promise<void> {
  await changeQueue(deps, tenantId, async (tx) => {
    const [row] = await tx.select().from(songRequests).where(and(eq(songRequests.id, songId), eq(songRequests.tenantId, tenantId), inArray(songRequests.status, ["queued", "playing"])));
    if (!row) throw songNotFound();
    const now = deps.now();
    if (row.status === "playing") await finishPlaying(tx, row, "removed", now);
    else await tx.update(songRequests).set({ status: "removed", endedAt: now, updatedAt: now }).where(eq(songRequests.id, row.id));
    await audit(deps, tx, actor, tenantId, "song_request.remove", row.id, { videoId: row.videoId, title: row.title, wasPlaying: row.status === "playing" });
    return { value: undefined, changed: true };
  });
}

/** !wrongsong: the requester's newest waiting song leaves the queue. Answers it, or null when they have none waiting. */
export async function withdrawLastRequest(deps: SongRequestDeps, tenantId: string, requester: Requester, actor: Actor): Promise<api.SongRequestView | null> {
  return changeQueue(deps, tenantId, async (tx) => {
    const [row] = await tx
      .select()
      .from(songRequests)
      .where(and(waiting(tenantId), eq(songRequests.requestedByPlatform, requester.platform), eq(songRequests.requestedById, requester.id)))
      .orderBy(desc(songRequests.createdAt))
      .limit(1);
    if (!row) return { value: null, changed: false };
    const now = deps.now();
    const [removed] = await tx.update(songRequests).set({ status: "removed", endedAt: now, updatedAt: now }).where(eq(songRequests.id, row.id)).returning();
    await audit(deps, tx, actor, tenantId, "song_request.withdraw", row.id, { videoId: row.videoId, title: row.title });
    return { value: songView(removed ?? row), changed: true };
  });
}

/** Puts a waiting song at `position` (1: next); past the end means last. */
export async function moveSong(deps: SongRequestDeps, tenantId: string, songId: string, position: number, actor: Actor): Promise<void> {
  await changeQueue(deps, tenantId, async (tx) => {
    const rows = await queuedRows(tx, tenantId);
    const from = rows.findIndex((r) => r.id === songId);
    if (from < 0) throw songNotFound();
    const [moved] = rows.splice(from, 1) as [Row];
    const to = Math.min(position - 1, rows.length);
    rows.splice(to, 0, moved);
    const now = deps.now();
    // Positions follow the playing song's (kept), so they stay apart from it.
    const base = ((await playingRow(tx, tenantId))?.position ?? 0) + 1;
    for (const [i, row] of rows.entries()) {
      if (row.position !== base + i) await tx.update(songRequests).set({ position: base + i, updatedAt: now }).where(eq(songRequests.id, row.id));
    }
    await audit(deps, tx, actor, tenantId, "song_request.move", songId, { from: from + 1, to: to + 1 });
    return { value: undefined, changed: from !== to };
  });
}

export interface Skipped {
  skipped: api.SongRequestView | null;
  playing: api.SongRequestView | null;
}

/** Skip / next: the playing song is marked skipped and the next waiting one starts (or the first one, when idle). */
export async function skipSong(deps: SongRequestDeps, tenantId: string, actor: Actor): Promise<Skipped> {
  return changeQueue(deps, tenantId, async (tx) => {
    const now = deps.now();
    const playing = await playingRow(tx, tenantId);
    const next = playing ? await finishPlaying(tx, playing, "skipped", now) : await startNextIfIdle(tx, tenantId, now);
    if (!playing && !next) return { value: { skipped: null, playing: null }, changed: false };
    await audit(deps, tx, actor, tenantId, "song_request.skip", playing?.id, { skipped: playing?.title ?? null, next: next?.title ?? null });
    const skipped = playing ? songView({ ...playing, status: "skipped", endedAt: now }) : null;
    return { value: { skipped, playing: next ? songView(next) : null }, changed: true };
  });
}

/** Empties the waiting songs; the playing one plays on. Answers how many were removed. */
export async function clearQueue(deps: SongRequestDeps, tenantId: string, actor: Actor): Promise<number> {
  return changeQueue(deps, tenantId, async (tx) => {
    const now = deps.now();
    const removed = await tx.update(songRequests).set({ status: "removed", endedAt: now, updatedAt: now }).where(waiting(tenantId)).returning({ id: songRequests.id });
    if (removed.length > 0) await audit(deps, tx, actor, tenantId, "song_request.clear", undefined, { removed: removed.length });
    return { value: removed.length, changed: removed.length > 0 };
  });
}

export async function saveSongSettings(deps: SongRequestDeps, tenantId: string, input: api.SongRequestSettings, actor: Actor): Promise<api.SongRequestSettings> {
  return changeQueue(deps, tenantId, async (tx) => {
    const [row] = await tx
      .update(songRequestSettings)
      .set({ ...input, updatedAt: deps.now() })
      .where(eq(songRequestSettings.tenantId, tenantId))
      .returning();
    if (!row) throw new AppError("INTERNAL", "Song request settings update returned nothing");
    await recordAudit(tx, actor, { tenantId, action: "song_request.settings", targetType: "song_request_settings", targetId: tenantId, details: { ...input } }, deps.requestId);
    return { value: settingsView(row), changed: false };
  });
}

/** When the playing song is due to end (with the grace), as epoch ms. */
export const songEndsAt = (song: Pick<PlayingSong, "startedAt" | "durationSeconds">) => Date.parse(song.startedAt) + song.durationSeconds * 1000 + SONG_END_GRACE_MS;

/**
 * The SongQueue object's alarm: if the playing song has run out, it is marked played and the next one starts. Answers
 * the queue's state either way (the caller is that object, so it is not told again here).
 */
export async function advanceIfDue(deps: SongRequestDeps, tenantId: string): Promise<SongQueueState> {
  const { value, state } = await underLock(deps, tenantId, async (tx, settings) => {
    const now = deps.now();
    const playing = await playingRow(tx, tenantId);
    const song = playingOf(playing);
    if (playing && song && songEndsAt(song) <= now.getTime()) {
      await finishPlaying(tx, playing, "played", now);
      return { value: null, changed: true };
    }
    return { value: { tenantId, revision: settings.queueRevision, playing: song }, changed: false };
  });
  return state ?? (value as SongQueueState);
}

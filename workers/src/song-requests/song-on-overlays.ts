// The song-request queue on stream: the current song as a now-playing event with source "youtube" (title, channel,
// thumbnail, requester, where it stands), sent to each of the tenant's overlays that has a YouTube now-playing layer.
// Song changes are minutes apart, so the overlays are read from Postgres each time rather than cached.
import { type overlayWire, overlays } from "@nebula/schema";
import { eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import type { Env } from "../env.ts";
import type { Logger } from "../logging/logger.ts";
import { publishOverlay } from "../overlays/overlays.ts";
import type { PlayingSong } from "./song-requests.ts";

const clip = (text: string, max: number) => (text.length > max ? text.slice(0, max) : text);

/** What a youtube now-playing layer shows at `at`: the song and how far it has played, or nothing. */
export function songNowPlayingEvent(song: PlayingSong | null, at: Date): overlayWire.NowPlayingEvent {
  if (!song) return { type: "now-playing", source: "youtube", track: null, at: at.toISOString() };
  const durationMs = song.durationSeconds * 1000;
  // The overlay protocol takes http(s) images up to 2048 characters; YouTube's thumbnails are i.ytimg.com links.
  const art = song.thumbnailUrl && /^https?:\/\//.test(song.thumbnailUrl) && song.thumbnailUrl.length <= 2048 ? song.thumbnailUrl : null;
  return {
    type: "now-playing",
    source: "youtube",
    track: {
      title: clip(song.title, 300),
      artist: clip(song.channelTitle, 300),
      album: null,
      artUrl: art,
      isPlaying: true,
      progressMs: Math.min(durationMs, Math.max(0, at.getTime() - Date.parse(song.startedAt))),
      durationMs,
      requestedBy: clip(song.requestedBy, 100),
    },
    at: at.toISOString(),
  };
}

/** The same track on screen: a later event about it need not be sent to a room that shows it. */
export function sameSong(a: overlayWire.NowPlayingEvent | null | undefined, b: overlayWire.NowPlayingEvent | null | undefined): boolean {
  const x = a?.track ?? null;
  const y = b?.track ?? null;
  if (x === null || y === null) return x === y;
  return x.title === y.title && x.artist === y.artist && x.artUrl === y.artUrl && x.durationMs === y.durationMs && x.requestedBy === y.requestedBy;
}

export const hasSongLayer = (document: overlayWire.OverlayDocument) => document.layers.some((l) => l.type === "now-playing" && l.source === "youtube");

export interface SongOverlayDeps {
  db: Db;
  rooms: Env["OVERLAY_ROOM"];
  logger: Logger;
}

/**
 * Sends the event to every overlay of the tenant with a YouTube now-playing layer, keyed on the queue's revision so a
 * retried announcement plays once. A failed overlay is logged and skipped; the others still get it.
 */
export async function showSongOnOverlays(deps: SongOverlayDeps, tenantId: string, revision: number, event: overlayWire.NowPlayingEvent): Promise<void> {
  const rows = await deps.db.select().from(overlays).where(eq(overlays.tenantId, tenantId));
  const events = [{ key: `song:${revision}`, event }];
  await Promise.all(
    rows
      .filter((row) => hasSongLayer(row.document))
      .map(async (row) => {
        try {
          const room = deps.rooms.getByName(row.publicId);
          if ((await room.broadcastKeyed(tenantId, events)) !== null) return;
          // The room lost its state (a fresh deployment's storage): Postgres has the truth, so publish and retry once.
          await publishOverlay({ db: deps.db, rooms: deps.rooms, now: () => new Date() }, row);
          await room.broadcastKeyed(tenantId, events);
        } catch (err) {
          deps.logger.warn("song requests: the current song was not sent to an overlay", { tenantId, overlayId: row.id, err });
        }
      }),
  );
}

// YouTube song requests for the Streams section: the queue (now playing, waiting, played), adding by link, removing,
// moving, skipping, clearing, and the rules.
import type { AddedSongRequest, SongQueueView, SongRequestSettings, SongRequestView } from "@nebula/schema/api/song-requests";
import { query } from "@solidjs/router";
import { request } from "./client.ts";

export type { AddedSongRequest, SongQueueView, SongRequestSettings, SongRequestView };

const songsPath = (tenantId: string, rest = "") => `/api/t/${encodeURIComponent(tenantId)}/streams/song-requests${rest}`;

export const getSongQueue = query((tenantId: string) => request<SongQueueView>("GET", songsPath(tenantId)), "song-queue");

export const addSongRequest = (tenantId: string, video: string) => request<AddedSongRequest>("POST", songsPath(tenantId, "/queue"), { video });
export const removeSongRequest = (tenantId: string, songId: string) => request<void>("DELETE", songsPath(tenantId, `/queue/${encodeURIComponent(songId)}`));
export const moveSongRequest = (tenantId: string, songId: string, position: number) => request<SongQueueView>("POST", songsPath(tenantId, `/queue/${encodeURIComponent(songId)}/move`), { position });
export const skipSong = (tenantId: string) => request<SongQueueView>("POST", songsPath(tenantId, "/skip"));
export const clearSongQueue = (tenantId: string) => request<SongQueueView>("DELETE", songsPath(tenantId, "/queue"));
export const saveSongRequestSettings = (tenantId: string, settings: SongRequestSettings) => request<SongRequestSettings>("PUT", songsPath(tenantId, "/settings"), settings);

/** The embedded player's origin: youtube-nocookie sets no cookies until the viewer plays. */
export const YOUTUBE_EMBED_BASE = "https://www.youtube-nocookie.com/embed/";

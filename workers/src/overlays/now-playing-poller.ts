// The now-playing layer's data: while an overlay with a Spotify now-playing layer has a renderer connected, its
// OverlayRoom's alarm asks Spotify every NOW_PLAYING_POLL_MS what plays and sends a NowPlayingEvent only when that is
// news. No renderer, no alarm and no call: an idle overlay costs nothing. The access token lives in memory only
// (never in the room's storage); Postgres is read when the room wakes and when the token is about to expire.
import { type overlayWire, platformConnections } from "@nebula/schema";
import { and, asc, eq, inArray } from "drizzle-orm";
import { loadConfig } from "../config/config.ts";
import { type ConnectionDeps, type PlatformToken, TOKEN_MARGIN_MS, refreshConnection, tokenFor } from "../connections/connection-tokens.ts";
import { missingCredentials } from "../connections/platform-oauth.ts";
import type { Db } from "../db/client.ts";
import type { Env } from "../env.ts";
import { AppError } from "../errors/app-error.ts";
import { createLogger } from "../logging/logger.ts";
import { type CurrentlyPlaying, SpotifyClient, SpotifyUnauthorized } from "../platforms/spotify/spotify-client.ts";
import { createServices } from "../services/services.ts";
import { type PlaybackMark, markOf, nowPlayingEvent, playbackChanged } from "./now-playing-state.ts";

/** Spotify has no push for playback: a poll every 5 s keeps a track change on stream within a few seconds. */
export const NOW_PLAYING_POLL_MS = 5_000;
/** After Spotify failed (5xx, a timeout) or a refresh could not finish: look again later, not every 5 s. */
export const NOW_PLAYING_RETRY_MS = 30_000;

const WANT_KEY = "now-playing:want";
const MARK_KEY = "now-playing:mark";
const LAST_KEY = "now-playing:last";

/** What the published document asks to be polled. */
export interface NowPlayingWant {
  /** The layer's connection, or null for the tenant's first connected Spotify account. */
  connectionId: string | null;
}

export function nowPlayingWant(document: overlayWire.OverlayDocument): NowPlayingWant | null {
  for (const layer of document.layers) {
    if (layer.type === "now-playing" && layer.source === "spotify") return { connectionId: layer.connectionId ?? null };
  }
  return null;
}

async function firstSpotifyConnection(db: Db, tenantId: string): Promise<string | null> {
  const [row] = await db
    .select({ id: platformConnections.id })
    .from(platformConnections)
    .where(and(eq(platformConnections.tenantId, tenantId), eq(platformConnections.platform, "spotify"), inArray(platformConnections.status, ["connected", "expiring"])))
    .orderBy(asc(platformConnections.createdAt))
    .limit(1);
  return row?.id ?? null;
}

type Emit = (event: overlayWire.NowPlayingEvent) => void;

/** Why a poll stopped: no token to poll with (no connection, or it needs re-authorization). */
const STOP = null;

/** A poll's outcome: when to poll next (or STOP), and the event to send if the playback is news. */
interface Poll {
  next: number | null;
  event: overlayWire.NowPlayingEvent | null;
}

export class NowPlayingPoller {
  private token: PlatformToken | null = null;

  constructor(private readonly ctx: DurableObjectState) {}

  private get kv() {
    return this.ctx.storage.kv;
  }

  /** The document was published: remember what it wants polled, so an alarm after a restart knows without it. */
  configure(document: overlayWire.OverlayDocument): void {
    const want = nowPlayingWant(document);
    const before = this.kv.get<NowPlayingWant>(WANT_KEY);
    if (want) this.kv.put(WANT_KEY, want);
    else this.kv.delete(WANT_KEY);
    if (before?.connectionId !== want?.connectionId) this.token = null;
  }

  /** The newest event, for a renderer that connects now. */
  latest(): overlayWire.NowPlayingEvent[] {
    const event = this.kv.get<overlayWire.NowPlayingEvent>(LAST_KEY);
    return event ? [event] : [];
  }

  /** A renderer connected or the document changed: poll now, unless a poll (or a 429's wait) is already due. */
  async wake(): Promise<void> {
    if (!this.kv.get(WANT_KEY)) return;
    if ((await this.ctx.storage.getAlarm()) !== null) return;
    await this.ctx.storage.setAlarm(Date.now());
  }

  /** The room's alarm: one poll while a renderer is connected, then the next alarm; none when nobody watches. */
  async tick(env: Env, tenantId: string | null, renderers: number, emit: Emit): Promise<void> {
    const want = this.kv.get<NowPlayingWant>(WANT_KEY);
    if (!want || !tenantId || renderers === 0) {
      this.token = null;
      return;
    }
    const config = loadConfig(env);
    if (missingCredentials(config, "spotify").length > 0) return;
    const logger = createLogger({ service: "overlay-now-playing", tenantId }, config.LOG_LEVEL);
    const scope = createServices(env, config, logger);
    let outcome: Poll;
    try {
      outcome = await this.poll(scope.services, tenantId, want);
    } catch (err) {
      logger.warn("now playing: the poll failed; trying again later", { err });
      outcome = { next: NOW_PLAYING_RETRY_MS, event: null };
    } finally {
      await scope.dispose();
    }
    // The next alarm is set before the event goes out: whoever sees the event sees the poll finished.
    if (outcome.next !== STOP) await this.ctx.storage.setAlarm(Date.now() + outcome.next);
    if (outcome.event) emit(outcome.event);
  }

  private async poll(deps: ConnectionDeps, tenantId: string, want: NowPlayingWant): Promise<Poll> {
    const token = await this.tokenOf(deps, tenantId, want);
    if (!token) return { next: STOP, event: this.clear() };
    const spotify = new SpotifyClient({ apiBase: deps.config.SPOTIFY_API_BASE });
    let refreshed = false;
    for (;;) {
      try {
        const playback = await spotify.currentlyPlaying((this.token ?? token).accessToken);
        return { next: NOW_PLAYING_POLL_MS, event: this.report(playback) };
      } catch (err) {
        if (err instanceof AppError && err.code === "RATE_LIMITED") {
          // Spotify: 429 with Retry-After (seconds); asking again sooner only extends the wait.
          const seconds = (err.details as { retryAfterSeconds?: number } | null)?.retryAfterSeconds ?? 0;
          return { next: Math.max(NOW_PLAYING_POLL_MS, seconds * 1000), event: null };
        }
        if (!(err instanceof SpotifyUnauthorized)) throw err;
        if (refreshed) {
          this.token = null;
          return { next: NOW_PLAYING_RETRY_MS, event: null };
        }
        // Spotify: 401 "The access token expired" (or was revoked): one refresh, one more try.
        refreshed = true;
        const result = await refreshConnection(deps, token.connectionId, { force: true });
        if (result.outcome === "needs_reauth") {
          this.token = null;
          return { next: STOP, event: this.clear() };
        }
        if (result.outcome === "failed") {
          this.token = null;
          return { next: NOW_PLAYING_RETRY_MS, event: null };
        }
        this.token = { ...token, accessToken: result.accessToken, expiresAt: result.row.expiresAt };
      }
    }
  }

  /** The cached token while it has a minute left; else the connection's from Postgres (refreshed there if due). */
  private async tokenOf(deps: ConnectionDeps, tenantId: string, want: NowPlayingWant): Promise<PlatformToken | null> {
    const cached = this.token;
    const fresh = cached && (!cached.expiresAt || cached.expiresAt.getTime() - Date.now() > TOKEN_MARGIN_MS);
    if (cached && fresh && (want.connectionId === null || want.connectionId === cached.connectionId)) return cached;
    this.token = null;
    const connectionId = want.connectionId ?? (await firstSpotifyConnection(deps.db, tenantId));
    if (!connectionId) return null;
    let token: PlatformToken;
    try {
      token = await tokenFor(deps, connectionId);
    } catch (err) {
      // Gone, or the user must connect again: nothing to poll with until the overlay is saved or reconnected.
      if (err instanceof AppError && (err.code === "NOT_FOUND" || err.code === "CONFLICT")) return null;
      throw err;
    }
    // A layer naming another tenant's connection (an imported overlay, a forged save) reads nothing.
    if (token.tenantId !== tenantId || token.platform !== "spotify") return null;
    this.token = token;
    return token;
  }

  /** Polling stops for want of a token: a track still on screen would be stale, so it goes. */
  private clear(): overlayWire.NowPlayingEvent | null {
    return this.kv.get<{ mark: PlaybackMark }>(MARK_KEY)?.mark ? this.report({ kind: "nothing" }) : null;
  }

  /** The event for this playback if it is news against what the last event said (and remembers it), else null. */
  private report(playback: CurrentlyPlaying): overlayWire.NowPlayingEvent | null {
    const now = Date.now();
    const last = this.kv.get<{ mark: PlaybackMark }>(MARK_KEY);
    if (!playbackChanged(last?.mark, playback, now)) return null;
    const event = nowPlayingEvent("spotify", playback, new Date(now));
    this.kv.put(MARK_KEY, { mark: markOf(playback, now) });
    this.kv.put(LAST_KEY, event);
    return event;
  }
}

// SongQueue: one Durable Object per tenant that follows its song-request queue. It keeps the queue's newest state
// (revision and the playing song), sets its alarm for when that song runs out (plus a grace), and tells the tenant's
// overlays whenever the current song changes. Postgres stays the truth: the alarm advances the queue there
// (song-requests.ts, advanceIfDue) and follows what it answers; an older state arriving late is ignored by revision.
import type { overlayWire } from "@nebula/schema";
import { DurableObject } from "cloudflare:workers";
import { loadConfig } from "../config/config.ts";
import type { Env } from "../env.ts";
import { createLogger } from "../logging/logger.ts";
import { createServices } from "../services/services.ts";
import { showSongOnOverlays, songNowPlayingEvent } from "./song-on-overlays.ts";
import { type SongQueueState, advanceIfDue, songEndsAt } from "./song-requests.ts";

const STATE_KEY = "queue:v1";
/** Postgres could not be reached when the song ended: look again after this long. */
export const SONG_QUEUE_RETRY_MS = 30_000;

export class SongQueue extends DurableObject<Env> {
  /** Announcements leave one at a time, in revision order, so a room never ends on an older song. */
  private announcing: Promise<void> = Promise.resolve();

  private get kv() {
    return this.ctx.storage.kv;
  }

  private stored(): SongQueueState | undefined {
    return this.kv.get<SongQueueState>(STATE_KEY);
  }

  /** The queue changed (it committed at `state.revision`): time its song, and tell the overlays if the song changed. */
  async follow(state: SongQueueState): Promise<void> {
    const before = this.stored();
    if (before && (before.tenantId !== state.tenantId || before.revision >= state.revision)) return;
    this.kv.put(STATE_KEY, state);
    await this.schedule(state);
    if ((before?.playing?.id ?? null) !== (state.playing?.id ?? null)) {
      const event = songNowPlayingEvent(state.playing, new Date());
      const send = this.announcing.then(() => this.announce(state.tenantId, state.revision, event));
      this.announcing = send.catch(() => {});
      await send;
    }
  }

  /** What a youtube now-playing layer shows now, for an overlay just published; null before the queue ever played. */
  async nowPlaying(tenantId: string): Promise<overlayWire.NowPlayingEvent | null> {
    const state = this.stored();
    if (!state || state.tenantId !== tenantId) return null;
    return songNowPlayingEvent(state.playing, new Date());
  }

  private async schedule(state: SongQueueState): Promise<void> {
    if (!state.playing) {
      await this.ctx.storage.deleteAlarm();
      return;
    }
    // Never in the past: a song Postgres says is not over yet must not make the alarm fire in a loop.
    await this.ctx.storage.setAlarm(Math.max(songEndsAt(state.playing), Date.now() + 1_000));
  }

  private async announce(tenantId: string, revision: number, event: overlayWire.NowPlayingEvent): Promise<void> {
    const config = loadConfig(this.env);
    const logger = createLogger({ service: "song-queue", tenantId }, config.LOG_LEVEL);
    const scope = createServices(this.env, config, logger);
    try {
      await showSongOnOverlays({ db: scope.services.db, rooms: this.env.OVERLAY_ROOM, logger }, tenantId, revision, event);
    } catch (err) {
      logger.warn("song requests: the overlays could not be read; the current song was not announced", { err });
    } finally {
      await scope.dispose();
    }
  }

  /** The playing song should have ended: advance the queue in Postgres and follow what it says. */
  override async alarm(): Promise<void> {
    const before = this.stored();
    if (!before?.playing) return;
    const config = loadConfig(this.env);
    const logger = createLogger({ service: "song-queue", tenantId: before.tenantId }, config.LOG_LEVEL);
    const scope = createServices(this.env, config, logger);
    let state: SongQueueState;
    try {
      state = await advanceIfDue({ ...scope.services, queues: this.env.SONG_QUEUE }, before.tenantId);
    } catch (err) {
      logger.warn("song requests: the queue could not advance; trying again later", { err });
      await this.ctx.storage.setAlarm(Date.now() + SONG_QUEUE_RETRY_MS);
      return;
    } finally {
      await scope.dispose();
    }
    if (state.revision > before.revision) await this.follow(state);
    else await this.schedule(before);
  }
}

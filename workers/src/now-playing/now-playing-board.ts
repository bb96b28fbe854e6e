// One NowPlayingBoard per guild: the live "who plays what" from Plex and the one Discord message that shows it.
// Plex fires bursts (play, pause, resume within seconds); each event updates the state at once, but the message is
// rendered from the alarm, at most once per COALESCE_MS, so Discord sees one edit per burst. The message is created
// once (with a nonce, so a retried create cannot post twice) and then PATCHed in place; if someone deleted it
// (Discord 404, code 10008) the next render posts a new one. The board talks to Discord itself rather than through
// the tenant's outbox: only the latest state matters here, so a queue of every intermediate edit would be waste.
import { DurableObject } from "cloudflare:workers";
import type { api } from "@nebula/schema";
import { createCache } from "../cache/create-cache.ts";
import { loadConfig } from "../config/config.ts";
import { randomToken } from "../crypto/tokens.ts";
import { DiscordRest, type DiscordResult } from "../discord-rest/discord-rest.ts";
import { sharedLimitsOf } from "../discord-rest/shared-limits.ts";
import type { Env } from "../env.ts";
import { type Logger, createLogger } from "../logging/logger.ts";
import { EMPTY_STATE, applyObservation, renderBoard, stateCacheKey, withoutStale } from "./board.ts";
import type { Observation } from "./plex-payload.ts";

/** A burst of Plex events within this window becomes one Discord edit. */
export const COALESCE_MS = 3_000;
/** /nowplaying reads the state from the shared cache (no Postgres, no object call on Discord's 3 s clock). */
export const STATE_CACHE_SECONDS = 7 * 24 * 3600;

/** Discord: "Unknown Message"; the board's message was deleted. */
const UNKNOWN_MESSAGE = 10008;

interface BoardData {
  guildId: string | null;
  channelId: string | null;
  messageId: string | null;
  /** Bumped for each new message (first one, a new channel, a deleted message): part of the create's nonce. */
  generation: number;
  /** Random per board: Discord nonces are per channel, and two guilds may share none, but a board must not reuse one. */
  salt: string;
  state: api.NowPlayingState;
  /** Bumped on every change; the alarm renders until the rendered version catches up. */
  version: number;
  renderedVersion: number;
}

export interface BoardTarget {
  guildId: string;
  channelId: string;
}

export class NowPlayingBoard extends DurableObject<Env> {
  private data: BoardData = { guildId: null, channelId: null, messageId: null, generation: 0, salt: "", state: EMPTY_STATE, version: 0, renderedVersion: 0 };
  private coalesceMs = COALESCE_MS;
  private client: DiscordRest | null = null;
  private readonly logger: Logger;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.logger = createLogger({ service: "now-playing", board: ctx.id.name ?? ctx.id.toString() }, env.LOG_LEVEL === "debug" || env.LOG_LEVEL === "warn" || env.LOG_LEVEL === "error" ? env.LOG_LEVEL : "info");
    ctx.blockConcurrencyWhile(async () => {
      const stored = await ctx.storage.get<BoardData>("board");
      this.data = stored ?? { ...this.data, salt: randomToken("", 6) };
    });
  }

  /** Tests: a window long enough that workerd never runs the alarm on its own; the test runs it. */
  tune(changes: { coalesceMs?: number }): void {
    if (changes.coalesceMs !== undefined) this.coalesceMs = changes.coalesceMs;
  }

  /** A Plex event that passed the guild's filters: update the state now, render within the coalescing window. */
  async observe(target: BoardTarget, observation: Observation): Promise<api.NowPlayingState> {
    this.retarget(target);
    this.data.state = applyObservation(this.data.state, observation, Date.now());
    await this.changed();
    return this.data.state;
  }

  /**
   * Settings changed: a new channel gets a new message (the old one stays as it was), rendered at once if Plex has
   * reported anything yet; a board that never saw an event posts nothing until the first one.
   */
  async configure(target: BoardTarget): Promise<void> {
    if (!this.retarget(target)) return;
    if (this.data.state.updatedAt !== null) await this.changed();
    else await this.ctx.storage.put("board", this.data);
  }

  /** Now Playing was turned off for the guild: forget everything, including the message id. */
  async retire(): Promise<void> {
    const guildId = this.data.guildId;
    await this.ctx.storage.deleteAlarm();
    await this.ctx.storage.deleteAll();
    this.data = { guildId: null, channelId: null, messageId: null, generation: 0, salt: randomToken("", 6), state: EMPTY_STATE, version: 0, renderedVersion: 0 };
    if (guildId) await this.cache()?.delete(stateCacheKey(guildId)).catch(() => {});
  }

  current(): { state: api.NowPlayingState; messageId: string | null; channelId: string | null } {
    return { state: withoutStale(this.data.state, Date.now()), messageId: this.data.messageId, channelId: this.data.channelId };
  }

  override async alarm(): Promise<void> {
    const { channelId } = this.data;
    if (!channelId || this.data.renderedVersion >= this.data.version) return;
    const version = this.data.version;
    const message = renderBoard(this.data.state, Date.now());
    const rest = this.rest();
    let result: DiscordResult | null = null;
    if (this.data.messageId) {
      result = await rest.send({ method: "PATCH", path: `/channels/${channelId}/messages/${this.data.messageId}`, auth: "bot", body: message });
      if (result.kind === "rejected" && result.code === UNKNOWN_MESSAGE) {
        this.logger.info("now playing message was deleted; posting a new one", { guildId: this.data.guildId });
        this.data.messageId = null;
        this.data.generation += 1;
        result = null;
      }
    }
    if (!this.data.messageId) {
      // Discord: with enforce_nonce, a create repeating a recent nonce returns the first message instead of a new one.
      const nonce = `np${this.data.generation}.${this.data.salt}`;
      result = await rest.send({ method: "POST", path: `/channels/${channelId}/messages`, auth: "bot", body: { ...message, nonce, enforce_nonce: true } });
      if (result.kind === "ok") this.data.messageId = String((result.body as { id?: unknown } | null)?.id ?? "") || null;
    }
    if (result?.kind === "retry") {
      await this.ctx.storage.put("board", this.data);
      await this.ctx.storage.setAlarm(Math.max(result.at, Date.now() + 100));
      return;
    }
    if (result?.kind === "rejected") {
      // Missing access or an unknown channel: nothing to gain by repeating; the next Plex event tries again.
      this.logger.warn("Discord refused the now playing message", { guildId: this.data.guildId, channelId, status: result.status, code: result.code });
    }
    // Changes that arrived while we were talking to Discord get their own render.
    this.data.renderedVersion = version;
    await this.ctx.storage.put("board", this.data);
    if (this.data.version > version) await this.ctx.storage.setAlarm(Date.now() + this.coalesceMs);
  }

  /** true when the channel changed. */
  private retarget(target: BoardTarget): boolean {
    this.data.guildId = target.guildId;
    if (this.data.channelId === target.channelId) return false;
    if (this.data.channelId !== null) this.data.generation += 1;
    this.data.channelId = target.channelId;
    this.data.messageId = null;
    return true;
  }

  private async changed(): Promise<void> {
    this.data.version += 1;
    await this.ctx.storage.put("board", this.data);
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + this.coalesceMs);
    if (this.data.guildId) {
      await this.cache()
        ?.set(stateCacheKey(this.data.guildId), JSON.stringify(this.data.state), { ttlSeconds: STATE_CACHE_SECONDS })
        .catch((err: unknown) => this.logger.warn("now playing state not cached", { err }));
    }
  }

  private cache() {
    try {
      return createCache(this.env, loadConfig(this.env));
    } catch {
      return null;
    }
  }

  private rest(): DiscordRest {
    if (!this.client) {
      const config = loadConfig(this.env);
      this.client = new DiscordRest({
        baseUrl: config.DISCORD_API_BASE,
        botToken: config.DISCORD_BOT_TOKEN,
        ...sharedLimitsOf(this.env.DISCORD_LIMITS, config.DISCORD_BOT_TOKEN, { waitUntil: (work) => this.ctx.waitUntil(work), onUnavailable: (err) => this.logger.warn("DiscordLimits unreachable; limiting alone", { err }) }),
      });
    }
    return this.client;
  }
}

export function getNowPlayingBoard(ns: DurableObjectNamespace<NowPlayingBoard>, guildId: string): DurableObjectStub<NowPlayingBoard> {
  return ns.getByName(guildId);
}

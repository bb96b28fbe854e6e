// ChatOutbox: one Durable Object per bot account and platform ("twitch:<bot user id>"), the single door every chat
// message the bot sends goes through (command replies, warnings, timers). Messages wait in its SQLite queue and leave
// when the outgoing limiter says so; the alarm wakes it for the next slot. One object per account because Twitch
// counts the 20-per-30-s limit per user across channels. Helix drops (is_sent false) feed the limiter: rate drops are
// retried after a backoff, duplicates and policy drops are not. A reply older than a minute is no longer an answer
// and is discarded rather than sent late. The bot's user tokens are held in memory (held-tokens.ts), so a warm reply
// leaves without a Postgres query.
import { DurableObject } from "cloudflare:workers";
import { withApplicationName } from "../agents/hub-postgres.ts";
import { loadConfig } from "../config/config.ts";
import type { ConnectionRow } from "../connections/connection-tokens.ts";
import type { Env } from "../env.ts";
import { AppError } from "../errors/app-error.ts";
import { createLogger } from "../logging/logger.ts";
import { platformClients } from "../platforms/platform-clients.ts";
import { createServices } from "../services/services.ts";
import { HeldTokens } from "./held-tokens.ts";
import { type LimiterState, emptyLimiterState, limitFor, nextSendAt, recordDrop, recordSend } from "./outgoing-limiter.ts";
import { rememberOwnMessage } from "./own-messages.ts";
import { type ChatChannelRef, type ChatPlatform, chatCredentials, chatPlatform } from "./platform-chat.ts";

export interface OutgoingChat {
  tenantId: string;
  channel: ChatChannelRef;
  text: string;
  replyTo: string | null;
}

export interface OutboxStats {
  sent: number;
  discarded: { code: string; text: string }[];
  pending: number;
}

/** Tests move this object's clock forward (ms) instead of waiting. */
export const OUTBOX_CLOCK_OFFSET_KEY = "clock-offset-ms";
const STATE_KEY = "limiter";
const STATS_KEY = "stats";
const STALE_MS = 60_000;
const MAX_QUEUE = 200;
const MAX_ATTEMPTS = 3;
const ERROR_RETRY_MS = 5000;

export class ChatOutbox extends DurableObject<Env> {
  private state: LimiterState = emptyLimiterState();
  private draining: Promise<void> | null = null;
  private readonly tokens = new HeldTokens();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS queue (id INTEGER PRIMARY KEY AUTOINCREMENT, item TEXT NOT NULL, enqueued_at INTEGER NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, not_before INTEGER NOT NULL DEFAULT 0)");
      this.state = ctx.storage.kv.get<LimiterState>(STATE_KEY) ?? emptyLimiterState();
    });
  }

  private now(): number {
    return Date.now() + (this.ctx.storage.kv.get<number>(OUTBOX_CLOCK_OFFSET_KEY) ?? 0);
  }

  /** Queues messages and sends what the limiter allows now; the rest leaves from the alarm. */
  async enqueue(items: OutgoingChat[]): Promise<void> {
    const now = this.now();
    const pending = this.ctx.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM queue").one().n;
    for (const item of items.slice(0, Math.max(0, MAX_QUEUE - pending))) {
      this.ctx.storage.sql.exec("INSERT INTO queue (item, enqueued_at) VALUES (?, ?)", JSON.stringify(item), now);
    }
    await this.drain();
  }

  /** The connection's tokens changed (refresh, reconnect, disconnect): the next send reads them again. */
  async forgetToken(connectionId: string): Promise<void> {
    this.tokens.forget(connectionId);
  }

  async stats(): Promise<OutboxStats> {
    const stats = this.ctx.storage.kv.get<Omit<OutboxStats, "pending">>(STATS_KEY) ?? { sent: 0, discarded: [] };
    return { ...stats, pending: this.ctx.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM queue").one().n };
  }

  override async alarm(): Promise<void> {
    await this.drain();
  }

  /** One drain at a time: a call that arrives mid-drain is served by the running loop. */
  private drain(): Promise<void> {
    this.draining ??= this.drainLoop().finally(() => {
      this.draining = null;
    });
    return this.draining;
  }

  private note(change: (s: Omit<OutboxStats, "pending">) => void): void {
    const stats = this.ctx.storage.kv.get<Omit<OutboxStats, "pending">>(STATS_KEY) ?? { sent: 0, discarded: [] };
    change(stats);
    stats.discarded = stats.discarded.slice(-50);
    this.ctx.storage.kv.put(STATS_KEY, stats);
  }

  private async drainLoop(): Promise<void> {
    const config = loadConfig(this.env);
    const logger = createLogger({ service: "chat-outbox", outbox: this.ctx.id.name ?? null }, config.LOG_LEVEL);
    // Named, so Postgres (pg_stat_activity, the test bridge) can tell this object's queries apart.
    const scope = createServices(this.env, { ...config, DATABASE_URL: withApplicationName(config.DATABASE_URL, chatOutboxApplicationName(this.ctx.id.name ?? "unnamed")) }, logger);
    const clients = platformClients(config, scope.services.cache);
    const credentials = chatCredentials(clients, scope.services, this.tokens);
    const platforms = new Map<string, ChatPlatform>();
    try {
      for (;;) {
        const row = this.ctx.storage.sql
          .exec<{ id: number; item: string; enqueued_at: number; attempts: number; not_before: number }>("SELECT id, item, enqueued_at, attempts, not_before FROM queue ORDER BY id LIMIT 1")
          .toArray()[0];
        if (!row) {
          await this.ctx.storage.deleteAlarm();
          return;
        }
        const item = JSON.parse(row.item) as OutgoingChat;
        let now = this.now();
        if (now - row.enqueued_at > STALE_MS) {
          this.discard(row.id, "stale", item.text);
          continue;
        }
        const limit = limitFor(item.channel.platform, item.channel.botIsModerator);
        const at = Math.max(nextSendAt(this.state, limit, item.channel.channelId, now), row.not_before);
        if (at > now) {
          await this.ctx.storage.setAlarm(Date.now() + (at - now));
          return;
        }
        let platform = platforms.get(item.channel.platform);
        if (!platform) {
          platform = chatPlatform(item.channel.platform, config, clients, credentials, scope.services.cache);
          platforms.set(item.channel.platform, platform);
        }
        try {
          const outcome = await platform.send(item.channel, item.text, item.replyTo);
          now = this.now();
          if (outcome.sent) {
            await rememberOwnMessage(scope.services.cache, item.channel.platform, outcome.messageId);
            this.setState(recordSend(this.state, item.channel.channelId, now));
            this.ctx.storage.sql.exec("DELETE FROM queue WHERE id = ?", row.id);
            this.note((s) => {
              s.sent += 1;
            });
          } else {
            const dropped = recordDrop(this.state, item.channel.channelId, outcome.dropCode, now);
            this.setState(dropped.state);
            if (dropped.verdict === "discard" || row.attempts + 1 >= MAX_ATTEMPTS) this.discard(row.id, outcome.dropCode, item.text);
            else this.ctx.storage.sql.exec("UPDATE queue SET attempts = attempts + 1 WHERE id = ?", row.id);
          }
        } catch (err) {
          now = this.now();
          const rateLimited = err instanceof AppError && err.code === "RATE_LIMITED";
          logger.warn("chat send failed", { err, platform: item.channel.platform, rateLimited });
          if (rateLimited) this.setState(recordDrop(this.state, item.channel.channelId, "rate_limited", now).state);
          if (row.attempts + 1 >= MAX_ATTEMPTS || (err instanceof AppError && err.code === "MISCONFIGURED")) this.discard(row.id, rateLimited ? "rate_limited" : "error", item.text);
          else this.ctx.storage.sql.exec("UPDATE queue SET attempts = attempts + 1, not_before = ? WHERE id = ?", now + (rateLimited ? 0 : ERROR_RETRY_MS), row.id);
        }
      }
    } finally {
      await scope.dispose();
    }
  }

  private setState(state: LimiterState): void {
    this.state = state;
    this.ctx.storage.kv.put(STATE_KEY, state);
  }

  private discard(id: number, code: string, text: string): void {
    this.ctx.storage.sql.exec("DELETE FROM queue WHERE id = ?", id);
    this.note((s) => {
      s.discarded.push({ code, text: text.slice(0, 100) });
    });
  }
}

export const chatOutboxName = (channel: Pick<ChatChannelRef, "platform" | "botUserId">) => `${channel.platform}:${channel.botUserId}`;

export const chatOutboxApplicationName = (outboxName: string) => `chat-outbox:${outboxName}`;

/**
 * Tells the outbox that speaks as this connection's account to drop its held token: the account is the bot, so the
 * outbox is named by the connection's platform user id. A platform without chat has no outbox.
 */
export async function forgetChatToken(ns: DurableObjectNamespace<ChatOutbox>, connection: Pick<ConnectionRow, "id" | "platform" | "platformUserId">): Promise<void> {
  if (connection.platform === "spotify") return;
  await getChatOutboxByName(ns, chatOutboxName({ platform: connection.platform, botUserId: connection.platformUserId })).forgetToken(connection.id);
}

export function getChatOutboxByName(ns: DurableObjectNamespace<ChatOutbox>, name: string): DurableObjectStub<ChatOutbox> {
  return ns.getByName(name);
}

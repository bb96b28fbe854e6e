// The outbox: one Durable Object per tenant through which every outgoing Discord notification passes. Messages are
// stored first (idempotent on their id), then delivered from the alarm, in order per destination, with retries that
// wait out Discord's rate limits and back off on failures. An outage delays messages; it never drops or doubles them.
// An item may instead edit the message an earlier item created (`edit.of`): it queues behind that create in the same
// destination order and PATCHes the message id the create got back.
import { DurableObject } from "cloudflare:workers";
import { loadConfig } from "../config/config.ts";
import { base64url } from "../crypto/tokens.ts";
import { type DiscordRequest, DiscordRest, type DiscordResult, backoffMs, safePath } from "../discord-rest/discord-rest.ts";
import { InvalidRequestGuard, type InvalidRequestGuardState } from "../discord-rest/invalid-request-guard.ts";
import { sharedLimitsOf } from "../discord-rest/shared-limits.ts";
import type { Env } from "../env.ts";
import { type Logger, createLogger } from "../logging/logger.ts";
import { AppError } from "../errors/app-error.ts";
import { type DeliveryTarget, editRequestFor, requestFor, targetKey, targetOf } from "./destination.ts";
import { OutboxItem } from "./outbox-item.ts";

/** Delivered ids are remembered this long, so a late duplicate enqueue is still recognised. */
export const KEEP_DELIVERED_MS = 7 * 24 * 3600_000;
export const KEEP_FAILED_MS = 30 * 24 * 3600_000;

/** Operational knobs. Tests shrink them and drive the clock. */
export interface OutboxTuning {
  now: () => number;
  /** Sends per alarm run: Workers cap subrequests per invocation (50 on Free). */
  sendsPerRun: number;
  timeoutMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  invalidRequestBudget?: number;
  /** The DiscordLimits object to share the bot's limits through; by default the bot token's (tests give their own). */
  discordLimits?: string;
}

export interface OutboxStatus {
  pending: number;
  delivered: number;
  failed: number;
  nextAttemptAt: number | null;
  invalidRequests: number;
}

export interface EnqueueResult {
  stored: number;
  duplicates: number;
}

type Row = {
  seq: number;
  id: string;
  dest_key: string;
  target: string;
  payload: string;
  nonce: string;
  attempts: number;
  next_attempt_at: number;
  edit_of: string | null;
};

export class Outbox extends DurableObject<Env> {
  private tuning: OutboxTuning = { now: Date.now, sendsPerRun: 40, timeoutMs: 10_000, backoffBaseMs: 2_000, backoffMaxMs: 10 * 60_000 };
  private client: DiscordRest | null = null;
  private guardState: InvalidRequestGuardState = { slots: [] };
  private logger: Logger;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.logger = createLogger({ service: "outbox", outbox: ctx.id.name ?? ctx.id.toString() }, env.LOG_LEVEL === "debug" || env.LOG_LEVEL === "warn" || env.LOG_LEVEL === "error" ? env.LOG_LEVEL : "info");
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(`
        CREATE TABLE IF NOT EXISTS messages (
          seq INTEGER PRIMARY KEY AUTOINCREMENT,
          id TEXT NOT NULL UNIQUE,
          dest_key TEXT NOT NULL,
          target TEXT NOT NULL,
          payload TEXT NOT NULL,
          nonce TEXT NOT NULL,
          status TEXT NOT NULL DEFAULT 'pending',
          attempts INTEGER NOT NULL DEFAULT 0,
          next_attempt_at INTEGER NOT NULL,
          enqueued_at INTEGER NOT NULL,
          done_at INTEGER,
          discord_message_id TEXT,
          last_error TEXT
        );
        CREATE INDEX IF NOT EXISTS messages_pending ON messages (status, dest_key, seq);
        CREATE TABLE IF NOT EXISTS guard (one INTEGER PRIMARY KEY CHECK (one = 1), state TEXT NOT NULL);
      `);
      // Outboxes created before edits existed get the column on their next start.
      const columns = ctx.storage.sql.exec<{ name: string }>("PRAGMA table_info(messages)").toArray();
      if (!columns.some((c) => c.name === "edit_of")) ctx.storage.sql.exec("ALTER TABLE messages ADD COLUMN edit_of TEXT");
      const [saved] = ctx.storage.sql.exec<{ state: string }>("SELECT state FROM guard").toArray();
      if (saved) this.guardState = JSON.parse(saved.state) as InvalidRequestGuardState;
    });
  }

  /** Stores a notification once per id and makes sure the alarm will deliver it. */
  async enqueue(item: OutboxItem): Promise<EnqueueResult> {
    return this.enqueueAll([item]);
  }

  async enqueueAll(items: readonly OutboxItem[]): Promise<EnqueueResult> {
    const apiBase = loadConfig(this.env).DISCORD_API_BASE;
    const now = this.tuning.now();
    const rows = await Promise.all(
      items.map(async (raw) => {
        const item = OutboxItem.parse(raw);
        const target = targetOf(item.destination, apiBase);
        return { item, target, nonce: await nonceOf(item.id) };
      }),
    );
    let stored = 0;
    for (const { item, target, nonce } of rows) {
      const key = targetKey(target);
      if (item.edit) this.checkEditable(item.id, item.edit.of, key);
      const inserted = this.ctx.storage.sql.exec(
        `INSERT INTO messages (id, dest_key, target, payload, nonce, next_attempt_at, enqueued_at, edit_of) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO NOTHING RETURNING seq`,
        item.id,
        key,
        JSON.stringify(target),
        JSON.stringify(item.message),
        nonce,
        now,
        now,
        item.edit?.of ?? null,
      );
      stored += inserted.toArray().length;
    }
    if (stored > 0) await this.scheduleAt(now);
    return { stored, duplicates: items.length - stored };
  }

  /** What became of one item: its status and the Discord message it created (or edited). */
  async itemStatus(id: string): Promise<{ status: "pending" | "delivered" | "failed"; messageId: string | null; attempts: number; lastError: string | null } | null> {
    const [row] = this.ctx.storage.sql
      .exec<{ status: "pending" | "delivered" | "failed"; discord_message_id: string | null; attempts: number; last_error: string | null }>(
        "SELECT status, discord_message_id, attempts, last_error FROM messages WHERE id = ?",
        id,
      )
      .toArray();
    return row ? { status: row.status, messageId: row.discord_message_id, attempts: row.attempts, lastError: row.last_error } : null;
  }

  /**
   * An edit must follow its create into the same destination queue, so ordering alone makes it wait for the create.
   * An edit of an id this outbox never had is refused: there would be nothing to edit.
   */
  private checkEditable(id: string, of: string, destKey: string): void {
    const [original] = this.ctx.storage.sql.exec<{ dest_key: string }>("SELECT dest_key FROM messages WHERE id = ?", of).toArray();
    if (!original) {
      // Enqueuing the same edit again after its create was pruned is still a harmless duplicate.
      if (this.ctx.storage.sql.exec("SELECT 1 FROM messages WHERE id = ?", id).toArray().length > 0) return;
      throw new AppError("BAD_REQUEST", `Outbox item ${id} edits ${of}, which this outbox does not hold`);
    }
    if (original.dest_key !== destKey) throw new AppError("BAD_REQUEST", `Outbox item ${id} must go to the same destination as ${of}`);
  }

  async status(): Promise<OutboxStatus> {
    const counts = this.ctx.storage.sql
      .exec<{ status: string; n: number }>("SELECT status, COUNT(*) AS n FROM messages GROUP BY status")
      .toArray();
    const n = (s: string) => counts.find((c) => c.status === s)?.n ?? 0;
    return {
      pending: n("pending"),
      delivered: n("delivered"),
      failed: n("failed"),
      nextAttemptAt: this.nextDue(),
      invalidRequests: this.rest().guard.count(this.tuning.now()),
    };
  }

  /** Replaces operational knobs (clock, timeouts, budgets); the Discord client is rebuilt to match. */
  tune(changes: Partial<OutboxTuning>): void {
    this.tuning = { ...this.tuning, ...changes };
    if (this.client) this.guardState = this.client.guard.toJSON();
    this.client = null;
  }

  override async alarm(): Promise<void> {
    try {
      await this.deliverDue();
    } finally {
      this.saveGuard();
      const next = this.nextDue();
      if (next !== null) await this.ctx.storage.setAlarm(next);
      this.prune();
    }
  }

  /** Sends what is due, head of line per destination: a message waits until the one before it is delivered. */
  private async deliverDue(): Promise<void> {
    const rest = this.rest();
    let budget = this.tuning.sendsPerRun;
    const destinations = this.ctx.storage.sql
      .exec<{ dest_key: string }>("SELECT dest_key FROM messages WHERE status = 'pending' GROUP BY dest_key ORDER BY MIN(seq)")
      .toArray();
    for (const { dest_key } of destinations) {
      for (;;) {
        const [row] = this.ctx.storage.sql
          .exec<Row>("SELECT * FROM messages WHERE status = 'pending' AND dest_key = ? ORDER BY seq LIMIT 1", dest_key)
          .toArray();
        if (!row || row.next_attempt_at > this.tuning.now()) break;
        const target = JSON.parse(row.target) as DeliveryTarget;
        let request: DiscordRequest;
        if (row.edit_of === null) request = requestFor(target, JSON.parse(row.payload), row.nonce);
        else {
          const [original] = this.ctx.storage.sql
            .exec<{ status: string; discord_message_id: string | null }>("SELECT status, discord_message_id FROM messages WHERE id = ?", row.edit_of)
            .toArray();
          // Head of line means the create was settled before this edit: delivered with an id, failed, or pruned.
          if (original?.status !== "delivered" || !original.discord_message_id) {
            this.giveUp(row, original ? "the message it edits was never created" : "the message it edits is no longer known");
            continue;
          }
          request = editRequestFor(target, original.discord_message_id, JSON.parse(row.payload));
        }
        if (budget-- <= 0) return;
        const result = await rest.send(request, row.attempts + 1);
        const goOn = this.record(row, result, safePath(request.path));
        // The guard is shared by every destination: once it closes, nobody sends.
        if (result.kind === "retry" && result.reason === "guard") return;
        if (!goOn) break;
      }
    }
  }

  /** Applies one attempt's result; true when the destination may go on to its next message. */
  private record(row: Row, result: DiscordResult, path: string): boolean {
    const now = this.tuning.now();
    const sql = this.ctx.storage.sql;
    if (result.kind === "ok") {
      const messageId = (result.body as { id?: unknown } | null)?.id;
      sql.exec(
        // A webhook target holds the webhook's token: once the message is done, the row keeps only its key.
        "UPDATE messages SET status = 'delivered', done_at = ?, attempts = attempts + 1, discord_message_id = ?, last_error = NULL, target = '{}' WHERE seq = ? AND status = 'pending'",
        now,
        typeof messageId === "string" ? messageId : null,
        row.seq,
      );
      return true;
    }
    if (result.kind === "retry") {
      // Waiting out a rate limit is not a failed attempt; a 5xx, timeout or dropped connection is.
      const failed = result.reason === "server" || result.reason === "timeout" || result.reason === "network";
      sql.exec(
        "UPDATE messages SET attempts = attempts + ?, next_attempt_at = ?, last_error = ? WHERE seq = ?",
        failed ? 1 : 0,
        result.at,
        result.reason,
        row.seq,
      );
      if (failed) this.logger.warn("discord send failed; will retry", { destination: row.dest_key, path, reason: result.reason, status: result.status, attempt: row.attempts + 1 });
      return false;
    }
    if (result.status === 401) {
      // A bad bot token fails every channel send alike: keep the message and retry slowly until it is fixed.
      sql.exec(
        "UPDATE messages SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE seq = ?",
        now + backoffMs(row.attempts + 1, 60_000, 3600_000),
        "unauthorized",
        row.seq,
      );
      this.logger.error("discord refused the bot token", { destination: row.dest_key, path });
      return false;
    }
    sql.exec(
      "UPDATE messages SET status = 'failed', done_at = ?, attempts = attempts + 1, last_error = ?, target = '{}' WHERE seq = ? AND status = 'pending'",
      now,
      `${result.status} ${result.code ?? ""} ${result.message}`.slice(0, 500),
      row.seq,
    );
    this.logger.warn("discord refused a message; dropped from the outbox", { destination: row.dest_key, path, status: result.status, code: result.code });
    return true;
  }

  /** Fails an edit whose create never produced a message, without a Discord call. */
  private giveUp(row: Row, reason: string): void {
    this.ctx.storage.sql.exec(
      "UPDATE messages SET status = 'failed', done_at = ?, last_error = ?, target = '{}' WHERE seq = ? AND status = 'pending'",
      this.tuning.now(),
      reason,
      row.seq,
    );
    this.logger.warn("outbox edit dropped", { destination: row.dest_key, id: row.id, reason });
  }

  private rest(): DiscordRest {
    if (!this.client) {
      const config = loadConfig(this.env);
      this.client = new DiscordRest({
        baseUrl: config.DISCORD_API_BASE,
        ...(config.DISCORD_BOT_TOKEN ? { botToken: config.DISCORD_BOT_TOKEN } : {}),
        now: () => this.tuning.now(),
        timeoutMs: this.tuning.timeoutMs,
        backoffBaseMs: this.tuning.backoffBaseMs,
        backoffMaxMs: this.tuning.backoffMaxMs,
        guard: new InvalidRequestGuard(this.tuning.invalidRequestBudget, this.guardState),
        ...sharedLimitsOf(this.env.DISCORD_LIMITS, config.DISCORD_BOT_TOKEN, {
          name: this.tuning.discordLimits,
          waitUntil: (work) => this.ctx.waitUntil(work),
          onUnavailable: (err) => this.logger.warn("DiscordLimits unreachable; this outbox limits itself alone", { err }),
        }),
      });
    }
    return this.client;
  }

  /** The earliest time a destination's head message may be sent. */
  private nextDue(): number | null {
    return this.ctx.storage.sql
      .exec<{ next: number | null }>(
        `SELECT MIN(m.next_attempt_at) AS next FROM messages m
         JOIN (SELECT MIN(seq) AS seq FROM messages WHERE status = 'pending' GROUP BY dest_key) h ON m.seq = h.seq`,
      )
      .one().next;
  }

  private async scheduleAt(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  private saveGuard(): void {
    if (!this.client) return;
    this.guardState = this.client.guard.toJSON();
    this.ctx.storage.sql.exec("INSERT INTO guard (one, state) VALUES (1, ?) ON CONFLICT (one) DO UPDATE SET state = excluded.state", JSON.stringify(this.guardState));
  }

  private prune(): void {
    const now = this.tuning.now();
    this.ctx.storage.sql.exec(
      "DELETE FROM messages WHERE (status = 'delivered' AND done_at < ?) OR (status = 'failed' AND done_at < ?)",
      now - KEEP_DELIVERED_MS,
      now - KEEP_FAILED_MS,
    );
  }
}

/** Discord nonces are at most 25 characters: 18 bytes of SHA-256 of the id, base64url (24). */
export async function nonceOf(id: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(id));
  return base64url(new Uint8Array(digest).slice(0, 18));
}

/** The tenant's outbox. */
export function getOutboxByName(ns: DurableObjectNamespace<Outbox>, tenantId: string): DurableObjectStub<Outbox> {
  return ns.getByName(tenantId);
}

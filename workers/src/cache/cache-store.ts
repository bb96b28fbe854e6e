// The embedded default cache: string keys with optional expiry in a Durable Object's SQLite storage.
// Every method runs its reads and writes synchronously (ctx.storage.sql), so each call is atomic: a DO runs one event at a time.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";

/** Expired rows already read as absent; the sweep only reclaims space, so it runs at most this often. */
export const SWEEP_INTERVAL_MS = 5 * 60_000;

/** When to sweep next so that a row expiring at `expiresAt` is reclaimed without waking more than once per interval. */
export function sweepTime(expiresAt: number, now: number): number {
  return Math.max(expiresAt, now + SWEEP_INTERVAL_MS);
}

/** What Redis INCR accepts: a plain base-10 integer, no spaces, exponents or hex. */
const INTEGER = /^-?\d+$/;

/** ok: false when the stored value is not an integer (Redis: "value is not an integer or out of range"). */
export type IncrResult = { ok: true; value: number } | { ok: false };

type Entry = { value: string; expires_at: number | null };

export class CacheStore extends DurableObject<Env> {
  /** The scheduled alarm as last seen or set; loaded once so writes need not ask storage. */
  private alarmAt: number | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec(`
        CREATE TABLE IF NOT EXISTS entries (key TEXT PRIMARY KEY, value TEXT NOT NULL, expires_at INTEGER);
        CREATE INDEX IF NOT EXISTS entries_expires_at ON entries (expires_at) WHERE expires_at IS NOT NULL;
      `);
      this.alarmAt = await ctx.storage.getAlarm();
    });
  }

  async get(key: string): Promise<string | null> {
    return this.live(key, Date.now())?.value ?? null;
  }

  async set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    const expiresAt = ttlSeconds === undefined ? null : Date.now() + ttlSeconds * 1000;
    this.write(key, value, expiresAt);
    await this.sweepAfter(expiresAt);
  }

  async delete(key: string): Promise<void> {
    this.ctx.storage.sql.exec("DELETE FROM entries WHERE key = ?", key);
  }

  /** Read and delete in one synchronous step: no other event of this object runs between them. */
  async take(key: string): Promise<string | null> {
    const entry = this.live(key, Date.now());
    this.ctx.storage.sql.exec("DELETE FROM entries WHERE key = ?", key);
    return entry?.value ?? null;
  }

  /**
   * Like Redis INCR plus EXPIRE when the key has no expiry: a missing or expired key starts at 1 with a fresh TTL.
   * A non-integer value is an answer, not a throw: an exception crossing RPC is logged as uncaught on the object's side.
   */
  async incr(key: string, ttlSeconds: number, by = 1): Promise<IncrResult> {
    const now = Date.now();
    const entry = this.live(key, now);
    const current = entry ? Number(entry.value) : 0;
    if (!Number.isSafeInteger(by) || (entry && !(INTEGER.test(entry.value) && Number.isSafeInteger(current + by)))) return { ok: false };
    const expiresAt = entry?.expires_at ?? now + ttlSeconds * 1000;
    this.write(key, String(current + by), expiresAt);
    await this.sweepAfter(expiresAt);
    return { ok: true, value: current + by };
  }

  /**
   * One statement, not a read then a write: this is every interaction's replay claim and every webhook's
   * de-duplication mark, so it runs on the hot paths. A live row is left alone (the guarded upsert writes and returns
   * nothing); an expired one is taken over, as an absent one is inserted.
   */
  async setIfAbsent(key: string, value: string, ttlSeconds?: number): Promise<boolean> {
    const now = Date.now();
    const expiresAt = ttlSeconds === undefined ? null : now + ttlSeconds * 1000;
    const claimed = this.ctx.storage.sql
      .exec(
        "INSERT INTO entries (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at WHERE entries.expires_at IS NOT NULL AND entries.expires_at <= ? RETURNING 1",
        key,
        value,
        expiresAt,
        now,
      )
      .toArray().length;
    if (claimed === 0) return false;
    await this.sweepAfter(expiresAt);
    return true;
  }

  async ping(): Promise<boolean> {
    return true;
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    this.ctx.storage.sql.exec("DELETE FROM entries WHERE expires_at <= ?", now);
    const next = this.ctx.storage.sql.exec<{ next: number | null }>("SELECT MIN(expires_at) AS next FROM entries").one().next;
    this.alarmAt = next === null ? null : sweepTime(next, now);
    if (this.alarmAt !== null) await this.ctx.storage.setAlarm(this.alarmAt);
  }

  private live(key: string, now: number): Entry | undefined {
    const [entry] = this.ctx.storage.sql
      .exec<Entry>("SELECT value, expires_at FROM entries WHERE key = ? AND (expires_at IS NULL OR expires_at > ?)", key, now)
      .toArray();
    return entry;
  }

  private write(key: string, value: string, expiresAt: number | null): void {
    this.ctx.storage.sql.exec(
      "INSERT INTO entries (key, value, expires_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at",
      key,
      value,
      expiresAt,
    );
  }

  /** Moves the alarm earlier only when this row would otherwise wait past its own sweep time; most writes touch nothing. */
  private async sweepAfter(expiresAt: number | null): Promise<void> {
    if (expiresAt === null) return;
    const wanted = sweepTime(expiresAt, Date.now());
    if (this.alarmAt !== null && this.alarmAt <= wanted) return;
    this.alarmAt = wanted;
    await this.ctx.storage.setAlarm(wanted);
  }
}

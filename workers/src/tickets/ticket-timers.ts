// TicketTimers: one Durable Object per guild holding when each open ticket is due to auto-close, woken by its alarm.
// Per-entity timers are DO alarms (DESIGN: cron triggers are few, and a 5-minute scan would query Postgres forever,
// so Neon could never sleep); an idle guild's object sleeps with no alarm. Messages in a ticket only move
// last_activity_at in Postgres: the alarm re-reads it and pushes its own due time forward instead of being told on
// every message, so chat costs the object nothing.
import { DurableObject } from "cloudflare:workers";
import { loadConfig } from "../config/config.ts";
import type { Env } from "../env.ts";
import { createLogger } from "../logging/logger.ts";
import { createServices } from "../services/services.ts";
import { checkAutoClose } from "./auto-close.ts";

/** Tests move this object's clock forward (ms) instead of waiting hours. */
export const TIMERS_CLOCK_OFFSET_KEY = "clock-offset-ms";
/** Checks per alarm run: each may close a ticket (a few Discord calls), and an invocation's subrequests are capped. */
const CHECKS_PER_RUN = 10;
/** A check that failed (Postgres or Discord down) is tried again this much later. */
const RETRY_MS = 5 * 60_000;

export interface TimerEntry {
  ticketId: string;
  /** Epoch ms. */
  dueAt: number;
}

export class TicketTimers extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      ctx.storage.sql.exec("CREATE TABLE IF NOT EXISTS timers (ticket_id TEXT PRIMARY KEY, due_at INTEGER NOT NULL)");
    });
  }

  private now(): number {
    return Date.now() + (this.ctx.storage.kv.get<number>(TIMERS_CLOCK_OFFSET_KEY) ?? 0);
  }

  /** Sets (or moves) the due time of each ticket. */
  async schedule(entries: TimerEntry[]): Promise<void> {
    for (const e of entries) {
      this.ctx.storage.sql.exec("INSERT INTO timers (ticket_id, due_at) VALUES (?, ?) ON CONFLICT (ticket_id) DO UPDATE SET due_at = excluded.due_at", e.ticketId, Math.round(e.dueAt));
    }
    await this.arm();
  }

  async cancel(ticketId: string): Promise<void> {
    this.ctx.storage.sql.exec("DELETE FROM timers WHERE ticket_id = ?", ticketId);
    await this.arm();
  }

  async pending(): Promise<TimerEntry[]> {
    return this.ctx.storage.sql
      .exec<{ ticket_id: string; due_at: number }>("SELECT ticket_id, due_at FROM timers ORDER BY due_at")
      .toArray()
      .map((r) => ({ ticketId: r.ticket_id, dueAt: r.due_at }));
  }

  override async alarm(): Promise<void> {
    const now = this.now();
    const due = this.ctx.storage.sql
      .exec<{ ticket_id: string }>("SELECT ticket_id FROM timers WHERE due_at <= ? ORDER BY due_at LIMIT ?", now, CHECKS_PER_RUN)
      .toArray()
      .map((r) => r.ticket_id);
    if (due.length) {
      const config = loadConfig(this.env);
      const logger = createLogger({ service: "ticket-timers", guildId: this.ctx.id.name ?? null }, config.LOG_LEVEL);
      const scope = createServices(this.env, config, logger);
      scope.services.now = () => new Date(now);
      try {
        for (const ticketId of due) {
          try {
            const result = await checkAutoClose(scope.services, ticketId);
            if (result.dueAt === null) this.ctx.storage.sql.exec("DELETE FROM timers WHERE ticket_id = ?", ticketId);
            else this.ctx.storage.sql.exec("UPDATE timers SET due_at = ? WHERE ticket_id = ?", result.dueAt, ticketId);
          } catch (err) {
            logger.error("auto-close check failed; retrying later", { err, ticketId });
            this.ctx.storage.sql.exec("UPDATE timers SET due_at = ? WHERE ticket_id = ?", now + RETRY_MS, ticketId);
          }
        }
      } finally {
        await scope.dispose();
      }
    }
    await this.arm();
  }

  /** One alarm, at the earliest due time (in real time: the test clock offset is taken back out). */
  private async arm(): Promise<void> {
    const next = this.ctx.storage.sql.exec<{ due: number | null }>("SELECT MIN(due_at) AS due FROM timers").toArray()[0]?.due ?? null;
    if (next === null) {
      await this.ctx.storage.deleteAlarm();
      return;
    }
    const offset = this.ctx.storage.kv.get<number>(TIMERS_CLOCK_OFFSET_KEY) ?? 0;
    await this.ctx.storage.setAlarm(Math.max(Date.now(), next - offset));
  }
}

export function getTicketTimersByName(ns: DurableObjectNamespace<TicketTimers>, guildId: string): DurableObjectStub<TicketTimers> {
  return ns.getByName(guildId);
}


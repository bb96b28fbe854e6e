// ChatTimers: one Durable Object per tenant that posts its chat timers. DESIGN: per-entity timers are DO alarms. The
// object holds copies of the tenant's timers and channels (synced when they change in the dashboard), so an alarm
// costs no Postgres query; chat lines are counted in the cache by the chat path (chatbot:lines:<channel>), and a
// timer posts in a channel only when its interval has passed AND at least minLines lines went by there since its
// last post there. Otherwise it looks again a minute later.
import { DurableObject } from "cloudflare:workers";
import { loadConfig } from "../config/config.ts";
import type { Env } from "../env.ts";
import { createLogger } from "../logging/logger.ts";
import { createServices } from "../services/services.ts";
import { linesKey } from "./chat-bot.ts";
import { chatBotDeps } from "./chat-events.ts";
import type { ChatChannelRef } from "./platform-chat.ts";
import { type TimerChannel, type TimerDef, type TimerMark, dueTimers } from "./timer-schedule.ts";

export const CHAT_TIMERS_CLOCK_OFFSET_KEY = "clock-offset-ms";
const SYNC_KEY = "sync";
const MARKS_KEY = "marks";

export interface TimerSync {
  tenantId: string;
  timers: TimerDef[];
  channels: (TimerChannel & { ref: ChatChannelRef })[];
}

export class ChatTimers extends DurableObject<Env> {
  private now(): number {
    return Date.now() + (this.ctx.storage.kv.get<number>(CHAT_TIMERS_CLOCK_OFFSET_KEY) ?? 0);
  }

  /** Replaces the timers and channels; a new timer's interval starts now. */
  async sync(input: TimerSync): Promise<void> {
    const now = this.now();
    const marks = this.ctx.storage.kv.get<Record<string, TimerMark>>(MARKS_KEY) ?? {};
    const cache = createServices(this.env, loadConfig(this.env), createLogger({ service: "chat-timers" }, "error")).services.cache;
    for (const t of input.timers) {
      for (const ch of input.channels) {
        const key = `${t.id}:${ch.id}`;
        marks[key] ??= { postedAt: now, lines: Number((await cache.get(linesKey(ch.id))) ?? 0) };
      }
    }
    this.ctx.storage.kv.put(SYNC_KEY, input);
    this.ctx.storage.kv.put(MARKS_KEY, marks);
    await this.arm(input, marks);
  }

  override async alarm(): Promise<void> {
    const sync = this.ctx.storage.kv.get<TimerSync>(SYNC_KEY);
    if (!sync) return;
    const now = this.now();
    const marks = this.ctx.storage.kv.get<Record<string, TimerMark>>(MARKS_KEY) ?? {};
    const config = loadConfig(this.env);
    const logger = createLogger({ service: "chat-timers", tenantId: sync.tenantId }, config.LOG_LEVEL);
    const scope = createServices(this.env, config, logger);
    scope.services.now = () => new Date(now);
    try {
      const deps = chatBotDeps(this.env, scope.services);
      const lines: Record<string, number> = {};
      for (const ch of sync.channels) lines[ch.id] = Number((await deps.cache.get(linesKey(ch.id))) ?? 0);
      const due = dueTimers(sync.timers, sync.channels, marks, lines, now);
      for (const post of due) {
        const channel = sync.channels.find((c) => c.id === post.channelId);
        const timer = sync.timers.find((t) => t.id === post.timerId);
        if (!channel || !timer) continue;
        try {
          await deps.send([{ tenantId: sync.tenantId, channel: channel.ref, text: timer.message, replyTo: null }]);
          marks[`${timer.id}:${channel.id}`] = { postedAt: now, lines: lines[channel.id] ?? 0 };
        } catch (err) {
          logger.warn("chat timer post failed", { err, timerId: timer.id });
        }
      }
      this.ctx.storage.kv.put(MARKS_KEY, marks);
    } finally {
      await scope.dispose();
    }
    await this.arm(sync, marks);
  }

  private async arm(sync: TimerSync, marks: Record<string, TimerMark>): Promise<void> {
    const enabled = sync.timers.filter((t) => t.enabled);
    if (enabled.length === 0 || sync.channels.length === 0) {
      await this.ctx.storage.deleteAlarm();
      return;
    }
    const now = this.now();
    // The earliest interval end; a timer still waiting for lines is looked at again each minute.
    let next = Number.POSITIVE_INFINITY;
    for (const t of enabled) {
      for (const ch of sync.channels) {
        if (!t.platforms.includes(ch.platform)) continue;
        const mark = marks[`${t.id}:${ch.id}`];
        const end = (mark?.postedAt ?? now) + t.intervalMinutes * 60_000;
        next = Math.min(next, Math.max(end, now + 60_000));
      }
    }
    if (!Number.isFinite(next)) {
      await this.ctx.storage.deleteAlarm();
      return;
    }
    const offset = this.ctx.storage.kv.get<number>(CHAT_TIMERS_CLOCK_OFFSET_KEY) ?? 0;
    await this.ctx.storage.setAlarm(Math.max(Date.now(), next - offset));
  }
}

// Which chat timers post now, pure: a timer posts in a channel when its interval has passed since its last post
// there and at least minLines chat lines were counted there since.
import type { StreamPlatform } from "@nebula/schema";

export interface TimerDef {
  id: string;
  message: string;
  intervalMinutes: number;
  minLines: number;
  platforms: StreamPlatform[];
  enabled: boolean;
}

export interface TimerChannel {
  /** The chat_channels row id. */
  id: string;
  platform: StreamPlatform;
}

export interface TimerMark {
  /** Epoch ms of the last post (or of the timer's creation). */
  postedAt: number;
  /** The channel's line counter then. */
  lines: number;
}

export function dueTimers(timers: readonly TimerDef[], channels: readonly TimerChannel[], marks: Readonly<Record<string, TimerMark>>, lines: Readonly<Record<string, number>>, now: number): { timerId: string; channelId: string }[] {
  const out: { timerId: string; channelId: string }[] = [];
  for (const t of timers) {
    if (!t.enabled) continue;
    for (const ch of channels) {
      if (!t.platforms.includes(ch.platform)) continue;
      const mark = marks[`${t.id}:${ch.id}`] ?? { postedAt: now, lines: lines[ch.id] ?? 0 };
      if (now - mark.postedAt < t.intervalMinutes * 60_000) continue;
      if ((lines[ch.id] ?? 0) - mark.lines < t.minLines) continue;
      out.push({ timerId: t.id, channelId: ch.id });
    }
  }
  return out;
}

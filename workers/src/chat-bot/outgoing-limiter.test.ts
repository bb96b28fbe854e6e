// The outgoing limiter against seeded bursts on a controlled clock: whatever arrives, no 30-second window ever holds
// more messages than the platform allows, per-channel gaps hold for non-moderators, and drops are read correctly.
import { describe, expect, it } from "vitest";
import { seededRandom } from "../../../test/seeded-random.ts";
import { type LimiterState, PLATFORM_CHAT_LIMITS, budgetOf, emptyLimiterState, limitFor, nextSendAt, recordDrop, recordSend } from "./outgoing-limiter.ts";

interface Sent {
  at: number;
  channel: string;
  moderator: boolean;
}

/** Sends `count` messages as fast as the limiter lets them out, arriving in bursts; returns when each went. */
function drain(arrivals: { at: number; channel: string; moderator: boolean }[], platform: "twitch" | "kick" = "twitch"): Sent[] {
  let state: LimiterState = emptyLimiterState();
  let clock = 0;
  const out: Sent[] = [];
  for (const a of arrivals) {
    clock = Math.max(clock, a.at);
    const at = nextSendAt(state, limitFor(platform, a.moderator), a.channel, clock);
    expect(at).toBeGreaterThanOrEqual(clock);
    clock = at;
    state = recordSend(state, a.channel, at);
    out.push({ at, channel: a.channel, moderator: a.moderator });
  }
  return out;
}

function maxInWindow(sent: Sent[], windowMs: number, until: (s: Sent) => boolean): number {
  let worst = 0;
  // The window that ends with each send: the sends before it (in order) less than windowMs older, and itself.
  sent.forEach((s, i) => {
    if (!until(s)) return;
    worst = Math.max(worst, sent.slice(0, i + 1).filter((o) => s.at - o.at < windowMs).length);
  });
  return worst;
}

describe("outgoing limiter", () => {
  it("a burst of 200 replies as a regular user never puts more than 20 in any 30 s window", () => {
    const sent = drain(Array.from({ length: 200 }, () => ({ at: 0, channel: "c1", moderator: false })));
    expect(maxInWindow(sent, 30_000, () => true)).toBeLessThanOrEqual(PLATFORM_CHAT_LIMITS.twitch.regular.max);
    expect(maxInWindow(sent, 30_000, () => true)).toBe(budgetOf(PLATFORM_CHAT_LIMITS.twitch.regular));
    for (let i = 1; i < sent.length; i++) expect((sent[i] as Sent).at - (sent[i - 1] as Sent).at).toBeGreaterThanOrEqual(1000);
  });

  it("as a moderator the window allows up to 100 and no per-channel gap", () => {
    const sent = drain(Array.from({ length: 300 }, () => ({ at: 0, channel: "c1", moderator: true })));
    expect(maxInWindow(sent, 30_000, () => true)).toBeLessThanOrEqual(100);
    expect(sent.filter((s) => s.at === 0)).toHaveLength(budgetOf(PLATFORM_CHAT_LIMITS.twitch.moderator));
  });

  it("seeded bursts across channels with mixed moderator status stay under every limit", () => {
    for (let seed = 1; seed <= 25; seed++) {
      const random = seededRandom(seed);
      const arrivals: { at: number; channel: string; moderator: boolean }[] = [];
      let t = 0;
      const mods: Record<string, boolean> = { a: true, b: false, c: false, d: true };
      for (let i = 0; i < 400; i++) {
        t += random() < 0.8 ? 0 : Math.floor(random() * 20_000);
        const channel = "abcd"[Math.floor(random() * 4)] as string;
        arrivals.push({ at: t, channel, moderator: mods[channel] as boolean });
      }
      const sent = drain(arrivals);
      // Every non-moderator send sees at most 20 messages (all channels) in the 30 s ending with it; every send at most 100.
      expect(maxInWindow(sent, 30_000, (s) => !s.moderator)).toBeLessThanOrEqual(20);
      expect(maxInWindow(sent, 30_000, () => true)).toBeLessThanOrEqual(100);
      for (const ch of ["b", "c"]) {
        const times = sent.filter((s) => s.channel === ch).map((s) => s.at);
        for (let i = 1; i < times.length; i++) expect((times[i] as number) - (times[i - 1] as number)).toBeGreaterThanOrEqual(1000);
      }
    }
  });

  it("Kick keeps to the conservative 20 per 30 s", () => {
    const sent = drain(Array.from({ length: 100 }, (_, i) => ({ at: 0, channel: `k${i % 3}`, moderator: true })), "kick");
    expect(maxInWindow(sent, 30_000, () => true)).toBeLessThanOrEqual(20);
  });

  it("a msg_ratelimit drop pauses with growing backoff and asks for a retry; success resets the backoff", () => {
    const limit = limitFor("twitch", false);
    let { state, verdict } = recordDrop(emptyLimiterState(), "c1", "msg_ratelimit", 10_000);
    expect(verdict).toBe("retry");
    const first = nextSendAt(state, limit, "c2", 10_000);
    expect(first).toBeGreaterThan(10_000);
    ({ state, verdict } = recordDrop(state, "c1", "msg_ratelimit", first));
    const second = nextSendAt(state, limit, "c2", first);
    expect(second - first).toBeGreaterThan(first - 10_000);
    state = recordSend(state, "c2", second);
    expect(state.drops).toBe(0);
  });

  it("a duplicate or AutoMod drop is discarded, not retried, and still counts against the window", () => {
    for (const code of ["msg_duplicate", "automod_held", "msg_followersonly"]) {
      const { state, verdict } = recordDrop(emptyLimiterState(), "c1", code, 5000);
      expect(verdict).toBe("discard");
      expect(state.sent).toEqual([5000]);
      expect(state.pausedUntil).toBe(0);
    }
  });
});

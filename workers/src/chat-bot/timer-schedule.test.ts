// Timers post every N minutes, but only after M chat lines since their last post in that channel.
import { describe, expect, it } from "vitest";
import { type TimerDef, dueTimers } from "./timer-schedule.ts";

const timer: TimerDef = { id: "ctm_1", message: "Follow!", intervalMinutes: 10, minLines: 5, platforms: ["twitch"], enabled: true };
const channels = [{ id: "chc_t", platform: "twitch" as const }, { id: "chc_k", platform: "kick" as const }];
const marks = { "ctm_1:chc_t": { postedAt: 0, lines: 100 } };

describe("dueTimers", () => {
  it("waits for the interval", () => expect(dueTimers([timer], channels, marks, { chc_t: 200 }, 9 * 60_000)).toEqual([]));
  it("waits for enough lines after the interval", () => expect(dueTimers([timer], channels, marks, { chc_t: 104 }, 11 * 60_000)).toEqual([]));
  it("posts when both hold, only on the timer's platforms", () => expect(dueTimers([timer], channels, marks, { chc_t: 105, chc_k: 999 }, 11 * 60_000)).toEqual([{ timerId: "ctm_1", channelId: "chc_t" }]));
  it("a disabled timer never posts", () => expect(dueTimers([{ ...timer, enabled: false }], channels, marks, { chc_t: 999 }, 60 * 60_000)).toEqual([]));
});

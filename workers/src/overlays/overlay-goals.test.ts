// Goal bars counting the inbox's alerts: each metric counts its kinds, a goal counts only from its start, a changed
// goal starts over at its starting value, and test alerts never count.
import type { overlayWire } from "@nebula/schema";
import { describe, expect, it } from "vitest";
import { type GoalState, countGoals, goalIncrement, goalKey, reconcileGoals } from "./overlay-goals.ts";

const at = new Date("2026-11-25T20:00:00.000Z");
const alert = (kind: overlayWire.AlertKind, change: Partial<overlayWire.AlertEvent> = {}): overlayWire.AlertEvent => ({
  type: "alert",
  kind,
  platform: "twitch",
  user: "Viewer",
  amount: null,
  currency: null,
  count: null,
  months: null,
  message: null,
  test: false,
  at: "2026-11-25T19:00:00.000Z",
  ...change,
});
const goalBar = (id: string, change: Partial<overlayWire.LayerOf<"goal-bar">> = {}): overlayWire.LayerOf<"goal-bar"> => ({
  id,
  name: id,
  type: "goal-bar",
  x: 0,
  y: 0,
  w: 800,
  h: 60,
  opacity: 1,
  z: 0,
  visible: true,
  locked: false,
  label: "Goal",
  current: 0,
  target: 100,
  barColour: "#7c3aed",
  backgroundColour: "#000000aa",
  textColour: "#ffffff",
  ...change,
});
const doc = (...layers: overlayWire.OverlayLayer[]): overlayWire.OverlayDocument => ({ version: 1, canvas: { width: 1920, height: 1080 }, layers });

describe("goalIncrement", () => {
  it("counts each metric's kinds with their numbers", () => {
    expect(goalIncrement("follows", alert("follow"))).toBe(1);
    expect(goalIncrement("follows", alert("sub"))).toBe(0);
    expect(goalIncrement("subs", alert("sub"))).toBe(1);
    expect(goalIncrement("subs", alert("resub", { months: 4 }))).toBe(1);
    expect(goalIncrement("subs", alert("giftsub", { count: 5 }))).toBe(5);
    expect(goalIncrement("subs", alert("membership"))).toBe(1);
    expect(goalIncrement("bits", alert("cheer", { amount: 300 }))).toBe(300);
    expect(goalIncrement("donations", alert("donation", { amount: 12.5, currency: "USD" }))).toBe(12.5);
    expect(goalIncrement("donations", alert("superchat", { amount: 20, currency: "USD" }))).toBe(20);
    expect(goalIncrement("manual", alert("follow"))).toBe(0);
    expect(goalIncrement("follows", alert("follow", { test: true }))).toBe(0);
  });
});

describe("countGoals", () => {
  it("adds up only what happened since the goal's start, keeping cents", () => {
    const goals = new Map<string, GoalState>([
      ["follows", { key: "k1", metric: "follows", since: "2026-11-25T18:30:00.000Z", current: 10 }],
      ["tips", { key: "k2", metric: "donations", since: null, current: 0.1 }],
      ["manual", { key: "k3", metric: "manual", since: null, current: 3 }],
    ]);
    const { moved, events } = countGoals(goals, [alert("follow"), alert("follow", { at: "2026-11-25T18:00:00.000Z" }), alert("donation", { amount: 0.2 })], at);
    expect(Object.fromEntries([...moved].map(([id, g]) => [id, g.current]))).toEqual({ follows: 11, tips: 0.3 });
    expect(events).toEqual([
      { type: "goal", layerId: "follows", current: 11, at: at.toISOString() },
      { type: "goal", layerId: "tips", current: 0.3, at: at.toISOString() },
    ]);
  });
});

describe("reconcileGoals", () => {
  it("keeps a goal whose metric, start and starting value are unchanged, starts a changed one over, drops a removed one", () => {
    const kept = goalBar("kept", { metric: "follows", current: 5 });
    const changed = goalBar("changed", { metric: "bits", current: 0, since: "2026-11-25T00:00:00.000Z" });
    const stored = new Map<string, GoalState>([
      ["kept", { key: goalKey(kept), metric: "follows", since: null, current: 42 }],
      ["changed", { key: goalKey(changed), metric: "bits", since: "2026-11-25T00:00:00.000Z", current: 900 }],
      ["removed", { key: "x", metric: "manual", since: null, current: 1 }],
    ]);
    const restarted = { ...changed, since: "2026-11-26T00:00:00.000Z" };
    const { goals, events } = reconcileGoals(stored, doc({ ...kept, label: "Renamed" }, restarted, goalBar("fresh", { current: 7 })), at);
    expect(Object.fromEntries([...goals].map(([id, g]) => [id, g.current]))).toEqual({ kept: 42, changed: 0, fresh: 7 });
    expect(goals.get("changed")).toMatchObject({ since: "2026-11-26T00:00:00.000Z", metric: "bits" });
    // The fresh goal starts where the document already draws it: no event; the restarted one moves back to 0.
    expect(events).toEqual([{ type: "goal", layerId: "changed", current: 0, at: at.toISOString() }]);
  });
});

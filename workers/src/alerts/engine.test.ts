// The alert engine as a host owner experiences it: what reaches the Discord channel, and when.
import { describe, expect, it } from "vitest";
import { alertEmbed, RESOLVED_COLOUR, SEVERITY_COLOURS, formatDuration } from "./alert-message.ts";
import { agentOfflineRule, containerDownRule, containerRestartLoopRule, mountStaleRule, probeFailingRule, vmDownRule } from "./builtin-rules.ts";
import { type AlertNotification, type EngineState, type PhaseChange, initialState, previewRule, step } from "./engine.ts";
import { inQuietHours, localMinutes } from "./quiet-hours.ts";
import { AlertRule, type AlertRuleInput } from "./rules.ts";

const HOST = { id: "agt_box", name: "nebula-box" };
const CHANNEL = { kind: "channel", channelId: "123456789012345678" } as const;
/** Monday 2026-01-05 12:00:00 UTC. */
const T0 = Date.UTC(2026, 0, 5, 12, 0, 0);
const S = 1000;
const M = 60 * S;

const cpuRule = (over: Partial<AlertRuleInput> = {}) =>
  AlertRule.parse({ id: "cpu-hot", name: "CPU hot", metric: "cpu.total", comparison: ">", threshold: 90, forSeconds: 60, severity: "warning", destination: CHANNEL, ...over });

/** A host feeding samples into the engine, collecting what the destination would receive. */
class Host {
  state: EngineState = initialState();
  sent: AlertNotification[] = [];
  changes: PhaseChange[] = [];
  constructor(
    private readonly rules: AlertRule[],
    private readonly intervalSeconds = 10,
  ) {}

  sample(at: number, values: Record<string, number>): AlertNotification[] {
    return this.run(at, [{ at, values }]);
  }

  /** The hub's alarm, with no new samples. */
  tick(now: number): AlertNotification[] {
    return this.run(now, []);
  }

  /** One sample every interval from `from` up to and including `to`. */
  series(from: number, to: number, values: (at: number) => Record<string, number>): AlertNotification[] {
    const out: AlertNotification[] = [];
    for (let at = from; at <= to; at += this.intervalSeconds * S) out.push(...this.sample(at, values(at)));
    return out;
  }

  phase(ruleId: string, metric: string) {
    return this.state.alerts[`${ruleId}|${metric}`]?.phase;
  }

  private run(now: number, samples: { at: number; values: Record<string, number> }[]): AlertNotification[] {
    const out = step(this.state, { host: HOST, samples, now, intervalSeconds: this.intervalSeconds }, this.rules);
    this.state = out.state;
    this.sent.push(...out.notifications);
    this.changes.push(...out.changes);
    return out.notifications;
  }
}

const summary = (ns: AlertNotification[]) => ns.map((n) => `${n.transition}@${(n.at - T0) / S}s`);

describe("alert lifecycle", () => {
  it("goes normal → pending → firing → resolved → normal, notifying only firing and resolved", () => {
    const host = new Host([cpuRule()]);
    expect(host.sample(T0, { "cpu.total": 50 })).toEqual([]);
    expect(host.phase("cpu-hot", "cpu.total")).toBe("normal");

    expect(host.sample(T0 + 10 * S, { "cpu.total": 95 })).toEqual([]);
    expect(host.phase("cpu-hot", "cpu.total")).toBe("pending");
    expect(host.series(T0 + 20 * S, T0 + 60 * S, () => ({ "cpu.total": 96 }))).toEqual([]);

    const [firing] = host.sample(T0 + 70 * S, { "cpu.total": 97 });
    expect(firing).toMatchObject({ transition: "firing", ruleId: "cpu-hot", metric: "cpu.total", value: 97, threshold: 90, host: HOST, at: T0 + 70 * S, firingSince: T0 + 70 * S, severity: "warning", destination: CHANNEL });
    expect(host.phase("cpu-hot", "cpu.total")).toBe("firing");

    expect(host.series(T0 + 80 * S, T0 + 5 * M - 10 * S, () => ({ "cpu.total": 93 }))).toEqual([]);
    const [resolved] = host.sample(T0 + 5 * M, { "cpu.total": 40 });
    expect(resolved).toMatchObject({ transition: "resolved", value: 40, at: T0 + 5 * M, firingSince: T0 + 70 * S });
    expect(host.phase("cpu-hot", "cpu.total")).toBe("normal");
    expect(host.changes.map((c) => `${c.from}>${c.to}`)).toEqual(["normal>pending", "pending>firing", "firing>normal"]);
    expect(host.sent).toHaveLength(2);
  });

  it("drops back to normal silently when the condition clears while pending", () => {
    const host = new Host([cpuRule({ forSeconds: 300 })]);
    host.series(T0, T0 + 4 * M, () => ({ "cpu.total": 99 }));
    expect(host.phase("cpu-hot", "cpu.total")).toBe("pending");
    host.sample(T0 + 4 * M + 10 * S, { "cpu.total": 10 });
    expect(host.phase("cpu-hot", "cpu.total")).toBe("normal");
    // A new spike starts the duration over.
    host.series(T0 + 5 * M, T0 + 9 * M, () => ({ "cpu.total": 99 }));
    expect(host.sent).toEqual([]);
  });

  it("fires on the first sample when the rule has no duration", () => {
    const host = new Host([cpuRule({ forSeconds: 0 })]);
    expect(summary(host.sample(T0, { "cpu.total": 91 }))).toEqual(["firing@0s"]);
  });

  it("gives every notification a deterministic id, and ignores samples it has already seen", () => {
    const feed = () => {
      const host = new Host([cpuRule({ forSeconds: 0 })]);
      host.sample(T0, { "cpu.total": 95 });
      host.sample(T0 + 10 * S, { "cpu.total": 10 });
      host.sample(T0 + 20 * S, { "cpu.total": 95 });
      // A replayed batch (the agent's spool after a reconnect) changes nothing.
      host.sample(T0, { "cpu.total": 95 });
      return host.sent.map((n) => n.id);
    };
    const ids = feed();
    expect(ids).toEqual(["alert:cpu-hot:agt_box:cpu.total:firing:1", "alert:cpu-hot:agt_box:cpu.total:resolved:1", "alert:cpu-hot:agt_box:cpu.total:firing:2"]);
    expect(feed()).toEqual(ids);
  });
});

describe("hysteresis", () => {
  it("does not flap while the value oscillates around the threshold, and resolves past the clear threshold", () => {
    const host = new Host([cpuRule({ forSeconds: 0, clearThreshold: 80 })]);
    const wobble = [95, 89, 91, 85, 92, 81, 90.5, 88];
    for (const [i, v] of wobble.entries()) host.sample(T0 + i * 10 * S, { "cpu.total": v });
    expect(summary(host.sent)).toEqual(["firing@0s"]);
    host.sample(T0 + 100 * S, { "cpu.total": 79 });
    expect(summary(host.sent)).toEqual(["firing@0s", "resolved@100s"]);
    // Back below the fire threshold but above clear: stays normal.
    host.sample(T0 + 110 * S, { "cpu.total": 85 });
    expect(host.phase("cpu-hot", "cpu.total")).toBe("normal");
  });

  it("refuses a clear threshold on the firing side", () => {
    expect(AlertRule.safeParse({ ...cpuRule(), clearThreshold: 95 }).success).toBe(false);
    expect(AlertRule.safeParse({ ...cpuRule(), comparison: "<", threshold: 10, clearThreshold: 5 }).success).toBe(false);
    expect(AlertRule.safeParse({ ...cpuRule(), comparison: "<", threshold: 10, clearThreshold: 15 }).success).toBe(true);
  });
});

describe("missing data", () => {
  it("turns a firing alert unknown after three silent intervals, without resolving it", () => {
    const host = new Host([cpuRule({ forSeconds: 0, metric: "disk./mnt/nas.used_pct", threshold: 90 })]);
    host.sample(T0, { "disk./mnt/nas.used_pct": 97 });
    expect(host.tick(T0 + 30 * S)).toEqual([]);
    expect(host.phase("cpu-hot", "disk./mnt/nas.used_pct")).toBe("firing");
    expect(host.tick(T0 + 31 * S)).toEqual([]);
    expect(host.phase("cpu-hot", "disk./mnt/nas.used_pct")).toBe("unknown");
    expect(host.tick(T0 + 10 * M)).toEqual([]);

    // The data comes back still high: the same episode, no second "firing".
    expect(host.sample(T0 + 11 * M, { "disk./mnt/nas.used_pct": 96 })).toEqual([]);
    expect(host.phase("cpu-hot", "disk./mnt/nas.used_pct")).toBe("firing");
    // Then low: resolved, measured from the original start.
    const [resolved] = host.sample(T0 + 12 * M, { "disk./mnt/nas.used_pct": 50 });
    expect(resolved).toMatchObject({ transition: "resolved", firingSince: T0, id: "alert:cpu-hot:agt_box:disk./mnt/nas.used_pct:resolved:1" });
  });

  it("marks a series unknown when other metrics keep arriving without it", () => {
    const host = new Host([containerDownRule("plex", { destination: CHANNEL, forSeconds: 0 })]);
    host.sample(T0, { "container.plex.running": 1, "cpu.total": 5 });
    host.series(T0 + 10 * S, T0 + 40 * S, () => ({ "cpu.total": 5 }));
    expect(host.phase("container-down:plex", "container.plex.running")).toBe("unknown");
    expect(host.sent).toEqual([]);
  });

  it("sends nothing for a container gaming mode lent out: the agent leaves its running value out, not 0", () => {
    const host = new Host([containerDownRule("*", { destination: CHANNEL })]);
    host.series(T0, T0 + M, () => ({ "container.plex.running": 1, "container.sonarr.running": 1 }));
    // Two hours of gaming: plex stopped on purpose, so the agent's samples carry no container.plex.running.
    host.series(T0 + M + 10 * S, T0 + 2 * 60 * M, () => ({ "container.sonarr.running": 1 }));
    expect(host.phase("container-down:*", "container.plex.running")).toBe("unknown");
    host.series(T0 + 2 * 60 * M + 10 * S, T0 + 2 * 60 * M + 2 * M, () => ({ "container.plex.running": 1, "container.sonarr.running": 1 }));
    expect(host.phase("container-down:*", "container.plex.running")).toBe("normal");
    expect(host.sent).toEqual([]);
  });

  it("forgets the pending wait when data goes missing", () => {
    const host = new Host([cpuRule({ forSeconds: 60 })]);
    host.series(T0, T0 + 40 * S, () => ({ "cpu.total": 99 }));
    host.tick(T0 + 80 * S);
    expect(host.phase("cpu-hot", "cpu.total")).toBe("unknown");
    host.sample(T0 + 90 * S, { "cpu.total": 99 });
    expect(host.phase("cpu-hot", "cpu.total")).toBe("pending");
    expect(host.sent).toEqual([]);
  });
});

describe("repeats", () => {
  it("repeats at the interval while firing, up to the cap", () => {
    const host = new Host([cpuRule({ forSeconds: 0, repeatIntervalSeconds: 300, maxRepeats: 2 })], 60);
    host.series(T0, T0 + 30 * M, () => ({ "cpu.total": 99 }));
    expect(summary(host.sent)).toEqual(["firing@0s", "repeat@300s", "repeat@600s"]);
    expect(host.sent.map((n) => n.id.split(":").slice(-2).join(":"))).toEqual(["firing:1", "repeat:1.1", "repeat:1.2"]);
    host.sample(T0 + 31 * M, { "cpu.total": 1 });
    expect(host.sent.at(-1)?.transition).toBe("resolved");
  });

  it("starts the count again for the next episode", () => {
    const host = new Host([cpuRule({ forSeconds: 0, repeatIntervalSeconds: 60, maxRepeats: 1 })], 60);
    host.series(T0, T0 + 3 * M, () => ({ "cpu.total": 99 }));
    host.sample(T0 + 4 * M, { "cpu.total": 1 });
    host.series(T0 + 5 * M, T0 + 8 * M, () => ({ "cpu.total": 99 }));
    expect(summary(host.sent)).toEqual(["firing@0s", "repeat@60s", "resolved@240s", "firing@300s", "repeat@360s"]);
  });
});

describe("quiet hours", () => {
  const quiet = { start: "23:00", end: "07:00", timeZone: "+00:00" };
  const night = Date.UTC(2026, 0, 5, 23, 30);
  const morning = Date.UTC(2026, 0, 6, 7, 0);

  it("defers a warning that starts at night to the end of quiet hours", () => {
    const host = new Host([cpuRule({ forSeconds: 0, quietHours: quiet })], 60);
    host.series(night, morning - M, () => ({ "cpu.total": 99 }));
    expect(host.sent).toEqual([]);
    const [firing] = host.sample(morning, { "cpu.total": 99 });
    expect(firing).toMatchObject({ transition: "firing", at: morning, firingSince: night });
  });

  it("sends nothing for a warning that fired and cleared during quiet hours", () => {
    const host = new Host([cpuRule({ forSeconds: 0, quietHours: quiet })], 60);
    host.series(night, night + 20 * M, () => ({ "cpu.total": 99 }));
    host.series(night + 21 * M, morning + 5 * M, () => ({ "cpu.total": 10 }));
    expect(host.sent).toEqual([]);
  });

  it("tells a resolution that happened at night in the morning, when the firing was announced", () => {
    const host = new Host([cpuRule({ forSeconds: 0, quietHours: quiet })], 60);
    host.series(night - 60 * M, night, () => ({ "cpu.total": 99 }));
    host.series(night + M, morning - M, () => ({ "cpu.total": 10 }));
    expect(summary(host.sent)).toEqual([`firing@${(night - 60 * M - T0) / S}s`]);
    host.sample(morning, { "cpu.total": 10 });
    expect(host.sent.at(-1)).toMatchObject({ transition: "resolved", at: night + M });
  });

  it("lets critical alerts through at night", () => {
    const host = new Host([cpuRule({ forSeconds: 0, quietHours: quiet, severity: "critical" })], 60);
    expect(summary(host.sample(night, { "cpu.total": 99 }))).toHaveLength(1);
  });

  it("reads the window in the rule's IANA zone, across midnight", () => {
    const ny = { start: "22:00", end: "06:00", timeZone: "America/New_York" };
    // 03:30 UTC is 22:30 in New York (EST, UTC-5): quiet. 12:00 UTC is 07:00: not quiet.
    expect(inQuietHours(ny, Date.UTC(2026, 0, 6, 3, 30))).toBe(true);
    expect(inQuietHours(ny, Date.UTC(2026, 0, 6, 12, 0))).toBe(false);
    expect(localMinutes(Date.UTC(2026, 0, 6, 3, 30), "+05:30")).toBe(9 * 60);
    expect(localMinutes(Date.UTC(2026, 0, 6, 3, 30), "-05:00")).toBe(22 * 60 + 30);
    expect(AlertRule.safeParse({ ...cpuRule(), quietHours: { ...ny, timeZone: "Mars/Olympus" } }).success).toBe(false);
  });
});

describe("inhibition by agent offline", () => {
  const rules = () => [agentOfflineRule({ destination: CHANNEL }), containerDownRule("plex", { destination: CHANNEL, forSeconds: 0 })];

  it("announces only the agent going offline, and no duplicate when it comes back", () => {
    const host = new Host(rules());
    host.sample(T0, { "container.plex.running": 0 });
    expect(summary(host.sent)).toEqual(["firing@0s"]);

    // Silent: after three intervals the agent is "down", a minute later the offline alert fires.
    host.tick(T0 + 31 * S);
    expect(host.phase("container-down:plex", "container.plex.running")).toBe("unknown");
    host.tick(T0 + 60 * S);
    const [offline] = host.tick(T0 + 91 * S);
    expect(offline).toMatchObject({ ruleId: "agent-offline", transition: "firing", severity: "critical" });

    // Back, plex still down: offline resolves, plex keeps its first announcement.
    const back = host.sample(T0 + 10 * M, { "container.plex.running": 0 });
    expect(back.map((n) => `${n.ruleId}:${n.transition}`)).toEqual(["agent-offline:resolved"]);
    expect(host.sent.filter((n) => n.ruleId === "container-down:plex")).toHaveLength(1);
  });

  it("holds back what fires while the agent is offline, and tells it once after", () => {
    const host = new Host(rules());
    // The hub reports the agent down while the last samples still trickle in.
    host.series(T0, T0 + 2 * M, () => ({ "agent.up": 0, "container.plex.running": 1 }));
    expect(summary(host.sent)).toEqual(["firing@60s"]);
    host.sample(T0 + 3 * M, { "agent.up": 0, "container.plex.running": 0 });
    expect(host.sent).toHaveLength(1);
    const back = host.sample(T0 + 4 * M, { "container.plex.running": 0 });
    expect(back.map((n) => `${n.ruleId}:${n.transition}`).sort()).toEqual(["agent-offline:resolved", "container-down:plex:firing"]);
  });
});

describe("built-in rules", () => {
  it("detects a restart loop from the restarts counter, and resolves after a quiet window", () => {
    const loop = containerRestartLoopRule("plex", { restarts: 3, withinMinutes: 5 }, { destination: CHANNEL });
    const host = new Host([loop], 60);
    const counter = [0, 0, 1, 2, 2, 3, 3, 3, 3, 3, 3, 3];
    for (const [i, v] of counter.entries()) host.sample(T0 + i * M, { "container.plex.restarts": v });
    expect(summary(host.sent)).toEqual(["firing@300s", "resolved@600s"]);
  });

  it("counts a counter reset (recreated container) as restarts, not as a drop", () => {
    const loop = containerRestartLoopRule("plex", { restarts: 3, withinMinutes: 5 }, { destination: CHANNEL });
    const host = new Host([loop], 60);
    for (const [i, v] of [7, 8, 0, 2].entries()) host.sample(T0 + i * M, { "container.plex.restarts": v });
    expect(summary(host.sent)).toEqual(["firing@180s"]);
  });

  it("watches VMs, mounts and probes by their sample names", () => {
    const dest = { destination: CHANNEL, forSeconds: 0 };
    const host = new Host([vmDownRule("gaming", dest), mountStaleRule("/mnt/nas", dest), probeFailingRule("plex", dest)]);
    host.sample(T0, { "vm.gaming.running": 0, "disk./mnt/nas.stale": 1, "probe.plex.up": 0 });
    expect(host.sent.map((n) => n.ruleId).sort()).toEqual(["mount-stale:/mnt/nas", "probe-failing:plex", "vm-down:gaming"]);
    expect(host.sent.find((n) => n.ruleId === "mount-stale:/mnt/nas")?.severity).toBe("critical");
  });

  it("fires 'service failing' per probe after its minute of failures, resolves when it answers, and never resolves by a probe going quiet", () => {
    const host = new Host([probeFailingRule("*", { destination: CHANNEL })]);
    // The agent's probe collector: probe.<name>.up each interval, latency only when the service answered.
    host.series(T0, T0 + 50 * S, () => ({ "probe.plex.up": 0, "probe.ha.up": 1, "probe.ha.latency_ms": 20 }));
    expect(host.sent).toEqual([]);
    expect(host.phase("probe-failing:*", "probe.plex.up")).toBe("pending");
    const [firing] = host.sample(T0 + 60 * S, { "probe.plex.up": 0, "probe.ha.up": 1 });
    expect(firing).toMatchObject({ transition: "firing", ruleName: "Service any failing", metric: "probe.plex.up", value: 0, severity: "warning" });
    host.sample(T0 + 70 * S, { "probe.plex.up": 1, "probe.ha.up": 0 });
    expect(summary(host.sent)).toEqual(["firing@60s", "resolved@70s"]);

    // ha fails for a minute, then its probe is removed from NEBULA_PROBES: unknown, not resolved.
    host.series(T0 + 80 * S, T0 + 130 * S, () => ({ "probe.plex.up": 1, "probe.ha.up": 0 }));
    expect(host.sent.at(-1)).toMatchObject({ transition: "firing", metric: "probe.ha.up" });
    host.series(T0 + 140 * S, T0 + 200 * S, () => ({ "probe.plex.up": 1 }));
    expect(host.phase("probe-failing:*", "probe.ha.up")).toBe("unknown");
    expect(host.sent.filter((n) => n.metric === "probe.ha.up").map((n) => n.transition)).toEqual(["firing"]);
  });

  it("keeps one alert per container for a wildcard rule", () => {
    const host = new Host([containerDownRule("*", { destination: CHANNEL, forSeconds: 0 })]);
    host.sample(T0, { "container.plex.running": 0, "container.sonarr.running": 0, "container.radarr.running": 1 });
    expect(host.sent.map((n) => n.id).sort()).toEqual([
      "alert:container-down:*:agt_box:container.plex.running:firing:1",
      "alert:container-down:*:agt_box:container.sonarr.running:firing:1",
    ]);
  });
});

describe("previewRule", () => {
  it("replays history and says when the rule would have fired and resolved", () => {
    const rule = cpuRule({ forSeconds: 120, clearThreshold: 70 });
    const values = [50, 95, 95, 95, 95, 85, 95, 60, 50];
    const preview = previewRule(rule, values.map((value, i) => ({ at: T0 + i * M, value })), { intervalSeconds: 60 });
    expect(summary(preview.notifications)).toEqual(["firing@180s", "resolved@420s"]);
    expect(preview.changes.map((c) => `${c.to}@${(c.at - T0) / S}s`)).toEqual(["pending@60s", "firing@180s", "normal@420s"]);
  });

  it("shows gaps in the history as unknown", () => {
    const preview = previewRule(cpuRule({ forSeconds: 0 }), [
      { at: T0, value: 95 },
      { at: T0 + 10 * M, value: 95 },
    ], { intervalSeconds: 60 });
    expect(preview.changes.map((c) => c.to)).toEqual(["pending", "firing", "unknown", "firing"]);
    expect(summary(preview.notifications)).toEqual(["firing@0s"]);
  });
});

describe("alert embeds", () => {
  const base = { id: "x", ruleId: "cpu-hot", ruleName: "CPU hot", severity: "critical", metric: "cpu.total", comparison: ">", threshold: 90, value: 97.123, host: HOST, at: T0 + 65 * M, firingSince: T0, destination: CHANNEL } as const;

  it("colours firing by severity and resolved in green with the duration", () => {
    const firing = alertEmbed({ ...base, transition: "firing" });
    expect(firing).toMatchObject({ title: "Firing: CPU hot", color: SEVERITY_COLOURS.critical, timestamp: new Date(T0 + 65 * M).toISOString() });
    expect(firing.fields).toEqual(expect.arrayContaining([{ name: "Value", value: "97.12", inline: true }, { name: "Host", value: "nebula-box", inline: true }]));
    const resolved = alertEmbed({ ...base, transition: "resolved" });
    expect(resolved.color).toBe(RESOLVED_COLOUR);
    expect(resolved.fields).toContainEqual({ name: "Duration", value: "1h 5m", inline: true });
    expect([formatDuration(45 * S), formatDuration(200 * S), formatDuration(3600 * S), formatDuration(26 * 3600 * S)]).toEqual(["45s", "3m 20s", "1h", "1d 2h"]);
  });
});

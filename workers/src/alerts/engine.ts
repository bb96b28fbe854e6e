// The alert engine, pure: (state, samples, now, rules) -> (state, notifications). No I/O and no clock of its own, so
// AgentHub runs it where samples arrive and the rules editor replays history through it (previewRule).
//
// Per rule and concrete metric of one host, an alert moves normal -> pending (condition holds, waiting forSeconds)
// -> firing -> normal again ("resolved"). A condition that stops holding while pending returns to normal silently.
// No sample for more than MISSING_INTERVALS collection intervals makes it "unknown": never resolved by silence.
//
// Notifications are reconciled, not replayed: each alert remembers what its destination was last told ("none" or
// "firing"). Whenever nothing silences it (quiet hours for non-critical rules, or the host's "agent offline" alert
// firing), the engine tells the destination the current truth once. That is why inhibition lifts without a
// duplicate "firing", and why quiet hours defer rather than flood.
import type { Sample } from "@nebula/schema/wire/agent";
import { inQuietHours } from "./quiet-hours.ts";
import { type AlertRule, type Comparison, type RuleDestination, type Severity, compare, matchesMetric } from "./rules.ts";

/** Missing data: this many collection intervals without a sample make an alert "unknown". */
export const MISSING_INTERVALS = 3;
/** An alert unknown this long with nothing announced is forgotten (a removed container or mount). */
export const FORGET_UNKNOWN_AFTER_MS = 24 * 3600_000;
/** Synthesized by the engine: 1 at every sample, 0 once the host has been silent MISSING_INTERVALS intervals. */
export const AGENT_UP_METRIC = "agent.up";

export type AlertPhase = "normal" | "pending" | "firing" | "unknown";
export type Transition = "firing" | "resolved" | "repeat";

export interface HostRef {
  id: string;
  name: string;
}

export interface AlertInstance {
  ruleId: string;
  /** The concrete sample name ("disk./mnt/nas.used_pct"); the subject together with the host. */
  metric: string;
  phase: AlertPhase;
  /** When the current phase began. */
  since: number;
  lastSampleAt: number;
  /** The value the rule compared last (the increase for counter rules). */
  lastValue: number | null;
  /** Firing episodes so far; part of every notification id. */
  episode: number;
  /** Start of the latest episode; kept through "unknown", so data coming back resumes it. */
  firingSince: number | null;
  resolvedAt: number | null;
  /** What the destination was last told. */
  told: "none" | "firing";
  toldEpisode: number;
  toldSince: number | null;
  lastToldAt: number | null;
  repeats: number;
  /** Counter rules only: [at, raw value] points covering the window. */
  history?: [number, number][];
}

export interface EngineState {
  lastSampleAt: number | null;
  alerts: Record<string, AlertInstance>;
}

export interface AlertNotification {
  /** Rule + host + metric + transition + sequence: the same event always gets the same id (outbox de-duplication). */
  id: string;
  transition: Transition;
  ruleId: string;
  ruleName: string;
  severity: Severity;
  metric: string;
  comparison: Comparison;
  threshold: number;
  clearThreshold?: number;
  value: number | null;
  host: HostRef;
  at: number;
  /** When the announced episode began; for "resolved", at - firingSince is how long it lasted. */
  firingSince: number;
  repeat?: number;
  destination: RuleDestination;
}

export interface PhaseChange {
  ruleId: string;
  metric: string;
  from: AlertPhase;
  to: AlertPhase;
  at: number;
  value: number | null;
}

export interface StepInput {
  host: HostRef;
  /** New samples since the last step, any order; older than a series' last sample are ignored (replays). */
  samples: readonly Sample[];
  /** The edge's time of this step (epoch ms). */
  now: number;
  /** The host's collection interval: missing-data detection counts in these. */
  intervalSeconds: number;
}

export interface StepResult {
  state: EngineState;
  notifications: AlertNotification[];
  changes: PhaseChange[];
}

export function initialState(): EngineState {
  return { lastSampleAt: null, alerts: {} };
}

const keyOf = (ruleId: string, metric: string) => `${ruleId}|${metric}`;

export function step(previous: EngineState, input: StepInput, rules: readonly AlertRule[]): StepResult {
  const state: EngineState = structuredClone(previous);
  const run = new Run(state, input.host, rules);
  const missingAfter = MISSING_INTERVALS * input.intervalSeconds * 1000;
  const samples = [...input.samples].sort((a, b) => a.at - b.at);
  for (const sample of samples) {
    // A gap before this sample shows as "unknown" even inside one replayed batch.
    run.markMissing(sample.at, missingAfter);
    run.observe(sample.at, { [AGENT_UP_METRIC]: 1, ...sample.values });
    state.lastSampleAt = Math.max(state.lastSampleAt ?? sample.at, sample.at);
    run.settle(sample.at);
  }
  if (samples.length === 0 && state.lastSampleAt !== null && input.now - state.lastSampleAt > missingAfter) {
    run.observe(input.now, { [AGENT_UP_METRIC]: 0 });
  }
  run.markMissing(input.now, missingAfter);
  run.settle(input.now);
  run.forget(input.now);
  return { state, notifications: run.notifications, changes: run.changes };
}

/** One step's working set: the rules by id and what it has emitted so far. */
class Run {
  readonly notifications: AlertNotification[] = [];
  readonly changes: PhaseChange[] = [];
  private readonly byId: Map<string, AlertRule>;

  constructor(
    private readonly state: EngineState,
    private readonly host: HostRef,
    private readonly rules: readonly AlertRule[],
  ) {
    this.byId = new Map(rules.map((r) => [r.id, r]));
  }

  observe(at: number, values: Record<string, number>): void {
    for (const rule of this.rules) {
      for (const [metric, raw] of Object.entries(values)) {
        if (!matchesMetric(rule.metric, metric)) continue;
        const key = keyOf(rule.id, metric);
        const alert = this.state.alerts[key] ?? newAlert(rule.id, metric, at);
        this.state.alerts[key] = alert;
        if (at < alert.lastSampleAt) continue;
        const value = rule.increaseOverSeconds === undefined ? raw : increase(alert, at, raw, rule.increaseOverSeconds);
        alert.lastSampleAt = at;
        alert.lastValue = value;
        this.advance(alert, rule, value, at);
      }
    }
  }

  private advance(alert: AlertInstance, rule: AlertRule, value: number, at: number): void {
    const wasFiring = alert.phase === "firing" || (alert.phase === "unknown" && alert.firingSince !== null && alert.resolvedAt === null);
    // Hysteresis: a firing alert holds until the value crosses back past the clear threshold.
    const holds = compare(value, rule.comparison, wasFiring ? (rule.clearThreshold ?? rule.threshold) : rule.threshold);
    if (wasFiring) {
      if (holds) this.enter(alert, "firing", at, value);
      else {
        alert.resolvedAt = at;
        this.enter(alert, "normal", at, value);
      }
      return;
    }
    if (!holds) {
      this.enter(alert, "normal", at, value);
      return;
    }
    if (alert.phase !== "pending") this.enter(alert, "pending", at, value);
    if (at - alert.since >= rule.forSeconds * 1000) {
      alert.episode += 1;
      alert.firingSince = at;
      alert.resolvedAt = null;
      this.enter(alert, "firing", at, value);
    }
  }

  private enter(alert: AlertInstance, phase: AlertPhase, at: number, value: number | null): void {
    if (alert.phase === phase) return;
    this.changes.push({ ruleId: alert.ruleId, metric: alert.metric, from: alert.phase, to: phase, at, value });
    alert.phase = phase;
    alert.since = at;
  }

  markMissing(at: number, missingAfter: number): void {
    for (const alert of Object.values(this.state.alerts)) {
      if (alert.phase !== "unknown" && at - alert.lastSampleAt > missingAfter) this.enter(alert, "unknown", at, null);
    }
  }

  /** Tells each destination the current truth, unless quiet hours or inhibition silence it right now. */
  settle(at: number): void {
    const inhibited = Object.values(this.state.alerts).some((a) => a.phase === "firing" && this.byId.get(a.ruleId)?.inhibitsHost);
    for (const alert of Object.values(this.state.alerts)) {
      const rule = this.byId.get(alert.ruleId);
      if (!rule) continue;
      if (inhibited && !rule.inhibitsHost) continue;
      if (rule.severity !== "critical" && inQuietHours(rule.quietHours, at)) continue;
      const want = alert.phase === "firing" ? "firing" : alert.phase === "unknown" ? alert.told : "none";
      if (want === "firing" && alert.told === "none") {
        alert.told = "firing";
        alert.toldEpisode = alert.episode;
        alert.toldSince = alert.firingSince ?? at;
        alert.lastToldAt = at;
        alert.repeats = 0;
        this.emit(alert, rule, "firing", at, String(alert.episode));
      } else if (want === "none" && alert.told === "firing") {
        alert.told = "none";
        this.emit(alert, rule, "resolved", alert.resolvedAt ?? at, String(alert.toldEpisode));
      } else if (
        want === "firing" &&
        alert.phase === "firing" &&
        rule.repeatIntervalSeconds !== undefined &&
        alert.repeats < rule.maxRepeats &&
        at - (alert.lastToldAt ?? at) >= rule.repeatIntervalSeconds * 1000
      ) {
        alert.repeats += 1;
        alert.lastToldAt = at;
        this.emit(alert, rule, "repeat", at, `${alert.toldEpisode}.${alert.repeats}`);
      }
    }
  }

  private emit(alert: AlertInstance, rule: AlertRule, transition: Transition, at: number, sequence: string): void {
    this.notifications.push({
      id: `alert:${rule.id}:${this.host.id}:${alert.metric}:${transition}:${sequence}`,
      transition,
      ruleId: rule.id,
      ruleName: rule.name,
      severity: rule.severity,
      metric: alert.metric,
      comparison: rule.comparison,
      threshold: rule.threshold,
      ...(rule.clearThreshold === undefined ? {} : { clearThreshold: rule.clearThreshold }),
      value: alert.lastValue,
      host: this.host,
      at,
      firingSince: alert.toldSince ?? at,
      ...(transition === "repeat" ? { repeat: alert.repeats } : {}),
      destination: rule.destination,
    });
  }

  /** Drops alerts of deleted rules, and series that vanished (unknown a day, nothing announced). */
  forget(now: number): void {
    for (const [key, alert] of Object.entries(this.state.alerts)) {
      const gone = !this.byId.has(alert.ruleId);
      const vanished = alert.phase === "unknown" && alert.told === "none" && now - alert.since > FORGET_UNKNOWN_AFTER_MS;
      if (gone || vanished) delete this.state.alerts[key];
    }
  }
}

function newAlert(ruleId: string, metric: string, at: number): AlertInstance {
  return {
    ruleId,
    metric,
    phase: "normal",
    since: at,
    lastSampleAt: at,
    lastValue: null,
    episode: 0,
    firingSince: null,
    resolvedAt: null,
    told: "none",
    toldEpisode: 0,
    toldSince: null,
    lastToldAt: null,
    repeats: 0,
  };
}

/**
 * A counter's increase over the window ending at `at`: the sum of rises between points, where a drop means the
 * counter restarted from zero (a recreated container), so the new value counts in full.
 */
function increase(alert: AlertInstance, at: number, raw: number, windowSeconds: number): number {
  const history = alert.history ?? [];
  alert.history = history;
  history.push([at, raw]);
  const start = at - windowSeconds * 1000;
  // Keep one point at or before the window's start as the baseline.
  while (history.length > 1 && (history[1]?.[0] ?? at) <= start) history.shift();
  let total = 0;
  for (let i = 1; i < history.length; i++) {
    const prev = history[i - 1]?.[1] ?? 0;
    const cur = history[i]?.[1] ?? 0;
    total += cur >= prev ? cur - prev : cur;
  }
  return total;
}

// ---- Preview, for the rules editor --------------------------------------------------------------------------

export interface PreviewPoint {
  at: number;
  value: number;
}

export interface RulePreview {
  /** Every phase change the rule would have gone through. */
  changes: PhaseChange[];
  /** What the destination would have received. */
  notifications: AlertNotification[];
}

/**
 * Replays one historical series through the engine as if the rule had existed: when it would have fired and
 * resolved, and what it would have sent. Gaps longer than MISSING_INTERVALS intervals show up as "unknown".
 */
export function previewRule(
  rule: AlertRule,
  points: readonly PreviewPoint[],
  options: { metric?: string; intervalSeconds?: number; host?: HostRef } = {},
): RulePreview {
  const metric = options.metric ?? rule.metric;
  const host = options.host ?? { id: "preview", name: "preview" };
  const intervalSeconds = options.intervalSeconds ?? 10;
  let state = initialState();
  const result: RulePreview = { changes: [], notifications: [] };
  for (const p of [...points].sort((a, b) => a.at - b.at)) {
    const out = step(state, { host, samples: [{ at: p.at, values: { [metric]: p.value } }], now: p.at, intervalSeconds }, [rule]);
    state = out.state;
    result.changes.push(...out.changes.filter((c) => c.metric === metric));
    result.notifications.push(...out.notifications);
  }
  return result;
}

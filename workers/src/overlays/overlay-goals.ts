// Goal bars that count: each goal-bar layer of an overlay has a live value in its OverlayRoom's storage, moved by the
// tenant's inbox events of the layer's metric (follows, subs, bits, donations since the goal's start) and by the
// editor's "set current". It survives restarts of the room; a new start, metric or starting value resets it.
// The counting is pure (tested in Node); GoalBook keeps it in the room's SQLite, so no event ever waits on Postgres.
import type { overlayWire } from "@nebula/schema";

type GoalBarLayer = overlayWire.LayerOf<"goal-bar">;

export interface GoalState {
  /** The layer's goal identity (metric, start, starting value): a change of it starts the goal over. */
  key: string;
  metric: overlayWire.GoalMetric;
  since: string | null;
  current: number;
}

export type Goals = ReadonlyMap<string, GoalState>;

export const goalKey = (layer: GoalBarLayer) => JSON.stringify([layer.metric ?? "manual", layer.since ?? null, layer.current]);

/** How much an alert moves a goal of this metric. Test alerts never count. */
export function goalIncrement(metric: overlayWire.GoalMetric, alert: overlayWire.AlertEvent): number {
  if (alert.test) return 0;
  switch (metric) {
    case "manual":
      return 0;
    case "follows":
      return alert.kind === "follow" ? 1 : 0;
    case "subs":
      // A gift of five subs is five subs; a YouTube membership is that platform's sub.
      if (alert.kind === "giftsub") return Math.max(1, alert.count ?? 1);
      return alert.kind === "sub" || alert.kind === "resub" || alert.kind === "membership" ? 1 : 0;
    case "bits":
      return alert.kind === "cheer" ? (alert.amount ?? 0) : 0;
    case "donations":
      // Amounts add up as sent: a tenant taking several currencies sees their sum, not a conversion.
      return alert.kind === "donation" || alert.kind === "superchat" ? (alert.amount ?? 0) : 0;
  }
}

/** Money keeps its cents; counts stay whole. */
const round = (n: number) => Math.round(n * 100) / 100;

const goalEvent = (layerId: string, current: number, at: Date): overlayWire.GoalEvent => ({ type: "goal", layerId, current, at: at.toISOString() });

/**
 * The goals of a newly published document against the stored ones: a new layer starts at its `current` (which the
 * document already shows, so no event); a changed key starts over at the new `current`, announced by an event if the
 * bar moves; a removed layer is dropped.
 */
export function reconcileGoals(stored: Goals, document: overlayWire.OverlayDocument, at: Date): { goals: Map<string, GoalState>; events: overlayWire.GoalEvent[] } {
  const goals = new Map<string, GoalState>();
  const events: overlayWire.GoalEvent[] = [];
  for (const layer of document.layers) {
    if (layer.type !== "goal-bar") continue;
    const key = goalKey(layer);
    const before = stored.get(layer.id);
    if (before && before.key === key) {
      goals.set(layer.id, before);
      continue;
    }
    goals.set(layer.id, { key, metric: layer.metric ?? "manual", since: layer.since ?? null, current: layer.current });
    if (before && before.current !== layer.current) events.push(goalEvent(layer.id, layer.current, at));
  }
  return { goals, events };
}

/** Adds up new alerts on every goal they count for; answers the goals that moved and their events. */
export function countGoals(goals: Goals, alerts: readonly overlayWire.AlertEvent[], at: Date): { moved: Map<string, GoalState>; events: overlayWire.GoalEvent[] } {
  const moved = new Map<string, GoalState>();
  for (const [layerId, goal] of goals) {
    const since = goal.since === null ? null : Date.parse(goal.since);
    let add = 0;
    for (const alert of alerts) {
      if (since !== null && Date.parse(alert.at) < since) continue;
      add += goalIncrement(goal.metric, alert);
    }
    if (add > 0) moved.set(layerId, { ...goal, current: round(goal.current + add) });
  }
  return { moved, events: [...moved].map(([layerId, goal]) => goalEvent(layerId, goal.current, at)) };
}

/** The room's goals in its SQLite: one row per goal-bar layer of the published document. */
export class GoalBook {
  private goals = new Map<string, GoalState>();

  constructor(private readonly sql: SqlStorage) {
    sql.exec("CREATE TABLE IF NOT EXISTS goals (layer_id TEXT PRIMARY KEY, goal_key TEXT NOT NULL, metric TEXT NOT NULL, since TEXT, current REAL NOT NULL)");
    for (const row of sql.exec<{ layer_id: string; goal_key: string; metric: string; since: string | null; current: number }>("SELECT * FROM goals")) {
      this.goals.set(row.layer_id, { key: row.goal_key, metric: row.metric as overlayWire.GoalMetric, since: row.since, current: row.current });
    }
  }

  values(): Record<string, number> {
    return Object.fromEntries([...this.goals].map(([id, g]) => [id, g.current]));
  }

  has(layerId: string): boolean {
    return this.goals.has(layerId);
  }

  /** The document was published: keep, start over or drop each goal (see reconcileGoals). */
  reconcile(document: overlayWire.OverlayDocument, at: Date): overlayWire.GoalEvent[] {
    const { goals, events } = reconcileGoals(this.goals, document, at);
    this.sql.exec("DELETE FROM goals");
    for (const [id, g] of goals) this.write(id, g);
    this.goals = goals;
    return events;
  }

  count(alerts: readonly overlayWire.AlertEvent[], at: Date): overlayWire.GoalEvent[] {
    if (this.goals.size === 0 || alerts.length === 0) return [];
    const { moved, events } = countGoals(this.goals, alerts, at);
    for (const [id, g] of moved) {
      this.goals.set(id, g);
      this.write(id, g);
    }
    return events;
  }

  /** "Set current" from the editor; null when the document has no such goal bar. */
  set(layerId: string, current: number, at: Date): overlayWire.GoalEvent | null {
    const goal = this.goals.get(layerId);
    if (!goal) return null;
    const next = { ...goal, current: round(current) };
    this.goals.set(layerId, next);
    this.write(layerId, next);
    return goalEvent(layerId, next.current, at);
  }

  /** Values carried over from the room this overlay had before its public id was rotated (same document). */
  adopt(values: Record<string, number>): void {
    for (const [id, current] of Object.entries(values)) {
      const goal = this.goals.get(id);
      if (!goal) continue;
      this.goals.set(id, { ...goal, current });
      this.write(id, { ...goal, current });
    }
  }

  private write(layerId: string, g: GoalState): void {
    this.sql.exec("INSERT OR REPLACE INTO goals (layer_id, goal_key, metric, since, current) VALUES (?, ?, ?, ?, ?)", layerId, g.key, g.metric, g.since, g.current);
  }
}

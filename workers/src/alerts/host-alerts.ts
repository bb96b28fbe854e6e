// The alert engine inside an AgentHub: the tenant's rules for this host (cached in the hub's storage, pushed by
// the rules routes and reloaded on hello, never read per batch), the engine state, evaluation on each metrics batch
// and on the alarm (missing data, "agent offline"), notifications to the tenant's Outbox and history rows to Postgres.
// Postgres is touched only when something transitioned (history rows) or a sealed webhook must be unsealed.
import { newId } from "@nebula/schema";
import type { Sample } from "@nebula/schema/wire/agent";
import { withHubPostgres } from "../agents/hub-postgres.ts";
import { loadConfig } from "../config/config.ts";
import type { Env } from "../env.ts";
import type { Logger } from "../logging/logger.ts";
import { getOutboxByName } from "../outbox/outbox.ts";
import type { OutboxItem } from "../outbox/outbox-item.ts";
import { getSecret } from "../secrets/secrets.ts";
import { keyRingFor } from "../services/services.ts";
import { type AlertEventRow, recordAlertEvents } from "./alert-events.ts";
import { alertOutboxItem } from "./alert-message.ts";
import { AGENT_UP_METRIC, type AlertNotification, type EngineState, type HostRef, MISSING_INTERVALS, type StepResult, initialState, step } from "./engine.ts";
import type { AlertRule } from "./rules.ts";

/** A notification or history write that failed is retried from the alarm after this long. */
export const ALERT_RETRY_MS = 60_000;

const KEYS = {
  rules: "alerts:rules",
  state: "alerts:state",
  evaluatedAt: "alerts:evaluatedAt",
  /** Notifications not yet accepted by the Outbox. Sealed webhooks stay sealed here: the URL is never stored. */
  outbox: "alerts:outbox",
  /** History rows not yet written to Postgres. */
  events: "alerts:events",
  retryAt: "alerts:retryAt",
} as const;

export interface AlertHostIdentity {
  agentId: string;
  tenantId: string;
}

export class HostAlerts {
  /** Deliveries run one at a time, so a batch and the alarm never send or write the same thing twice. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly kv: SyncKvStorage,
    private readonly env: Env,
    private readonly logger: Logger,
  ) {}

  rules(): AlertRule[] {
    return this.kv.get<AlertRule[]>(KEYS.rules) ?? [];
  }

  setRules(rules: readonly AlertRule[]): void {
    this.kv.put(KEYS.rules, rules);
    // The next evaluation drops the state of rules that are gone (engine `forget`).
    if (rules.length === 0) this.kv.delete(KEYS.state);
  }

  /**
   * Runs the engine over new samples (none: the alarm's check for missing data). Synchronous from read to write,
   * so two events of the hub never interleave inside one step.
   */
  evaluate(identity: AlertHostIdentity, host: HostRef, samples: readonly Sample[], now: number, intervalSeconds: number): void {
    const rules = this.rules();
    if (rules.length === 0) return;
    const before = this.kv.get<EngineState>(KEYS.state) ?? initialState();
    const result = step(before, { host, samples, now, intervalSeconds }, rules);
    this.kv.put(KEYS.state, result.state);
    this.kv.put(KEYS.evaluatedAt, now);
    if (result.notifications.length > 0) this.kv.put(KEYS.outbox, [...this.pendingNotifications(), ...result.notifications]);
    const events = historyOf(result, identity);
    if (events.length > 0) this.kv.put(KEYS.events, [...this.pendingEvents(), ...events]);
  }

  /** The next moment an evaluation without new samples could change something (silence, a pending "agent offline", a repeat, a retry). */
  nextDueAt(intervalSeconds: number): number | null {
    const due: number[] = [];
    const retryAt = this.kv.get<number>(KEYS.retryAt);
    if (retryAt !== undefined) due.push(retryAt);
    const rules = this.rules();
    const state = this.kv.get<EngineState>(KEYS.state);
    if (rules.length > 0 && state?.lastSampleAt != null) {
      const evaluatedAt = this.kv.get<number>(KEYS.evaluatedAt) ?? Number.NEGATIVE_INFINITY;
      const byId = new Map(rules.map((r) => [r.id, r]));
      const candidates = [state.lastSampleAt + MISSING_INTERVALS * intervalSeconds * 1000 + 1];
      for (const alert of Object.values(state.alerts)) {
        const rule = byId.get(alert.ruleId);
        if (!rule) continue;
        // Only the synthetic agent.up moves without samples; other pending alerts wait for their next sample.
        if (alert.phase === "pending" && alert.metric === AGENT_UP_METRIC) candidates.push(alert.since + rule.forSeconds * 1000);
        if (alert.phase === "firing" && alert.told === "firing" && rule.repeatIntervalSeconds !== undefined && alert.repeats < rule.maxRepeats) {
          candidates.push((alert.lastToldAt ?? alert.since) + rule.repeatIntervalSeconds * 1000);
        }
      }
      due.push(...candidates.filter((t) => t > evaluatedAt));
    }
    return due.length === 0 ? null : Math.min(...due);
  }

  hasBacklog(): boolean {
    return this.pendingNotifications().length > 0 || this.pendingEvents().length > 0;
  }

  /** Hands pending notifications to the tenant's Outbox and writes pending history rows. */
  deliver(identity: AlertHostIdentity, now: number, defer: (p: Promise<unknown>) => void): Promise<void> {
    const run = this.queue.then(() => this.deliverNow(identity, now, defer));
    this.queue = run.catch(() => {});
    return run;
  }

  private async deliverNow(identity: AlertHostIdentity, now: number, defer: (p: Promise<unknown>) => void): Promise<void> {
    const notifications = this.pendingNotifications();
    const events = this.pendingEvents();
    if (notifications.length === 0 && events.length === 0) return;
    const sealedNames = new Set(notifications.flatMap((n) => ("secretName" in n.destination ? [n.destination.secretName] : [])));
    // Unsealed only here, in memory, for the length of this call.
    const urls = new Map<string, string | null>();
    let eventsWritten = false;
    if (sealedNames.size > 0 || events.length > 0) {
      try {
        await withHubPostgres(this.env, identity.agentId, defer, async (db) => {
          if (sealedNames.size > 0) {
            const ring = await keyRingFor(loadConfig(this.env));
            for (const name of sealedNames) urls.set(name, await getSecret(db, ring, identity.tenantId, name));
          }
          await recordAlertEvents(db, events);
        });
        eventsWritten = true;
      } catch (err) {
        this.logger.error("alert history or webhook secrets: Postgres failed; will retry", { agentId: identity.agentId, tenantId: identity.tenantId, err });
      }
    }
    const items: OutboxItem[] = [];
    const settled = new Set<string>();
    for (const n of notifications) {
      if (!("secretName" in n.destination)) {
        items.push(alertOutboxItem(n));
        continue;
      }
      const url = urls.get(n.destination.secretName);
      if (url === undefined) continue;
      if (url === null) {
        // The rule (and its secret) was deleted after the alert changed: nobody to tell.
        this.logger.warn("alert webhook secret is gone; notification dropped", { agentId: identity.agentId, tenantId: identity.tenantId, ruleId: n.ruleId });
        settled.add(n.id);
        continue;
      }
      items.push(alertOutboxItem({ ...n, destination: { kind: "webhook", url } }));
    }
    if (items.length > 0) {
      try {
        await getOutboxByName(this.env.OUTBOX, identity.tenantId).enqueueAll(items);
        for (const item of items) settled.add(item.id);
      } catch (err) {
        this.logger.error("handing alert notifications to the outbox failed; will retry", { agentId: identity.agentId, tenantId: identity.tenantId, err });
      }
    }
    // Re-read: a batch may have appended more while this call awaited.
    const leftNotifications = this.pendingNotifications().filter((n) => !settled.has(n.id));
    const written = new Set(eventsWritten ? events.map((e) => e.id) : []);
    const leftEvents = this.pendingEvents().filter((e) => !written.has(e.id));
    this.putOrDelete(KEYS.outbox, leftNotifications);
    this.putOrDelete(KEYS.events, leftEvents);
    if (leftNotifications.length > 0 || leftEvents.length > 0) this.kv.put(KEYS.retryAt, now + ALERT_RETRY_MS);
    else this.kv.delete(KEYS.retryAt);
  }

  private pendingNotifications(): AlertNotification[] {
    return this.kv.get<AlertNotification[]>(KEYS.outbox) ?? [];
  }

  private pendingEvents(): AlertEventRow[] {
    return this.kv.get<AlertEventRow[]>(KEYS.events) ?? [];
  }

  private putOrDelete(key: string, list: readonly unknown[]): void {
    if (list.length > 0) this.kv.put(key, list);
    else this.kv.delete(key);
  }
}

/**
 * History rows for a step's phase changes: firing, resolved (out of a firing episode, also after "unknown") and
 * unknown (a firing alert whose data stopped). Pending and quiet changes are not history.
 */
export function historyOf(result: StepResult, identity: AlertHostIdentity): AlertEventRow[] {
  const rows: AlertEventRow[] = [];
  for (const c of result.changes) {
    const alert = result.state.alerts[`${c.ruleId}|${c.metric}`];
    const transition =
      c.to === "firing"
        ? "firing"
        : c.to === "unknown" && c.from === "firing"
          ? "unknown"
          : c.to === "normal" && (c.from === "firing" || (c.from === "unknown" && alert?.resolvedAt === c.at))
            ? "resolved"
            : null;
    if (!transition) continue;
    const notified = result.notifications.some((n) => n.ruleId === c.ruleId && n.metric === c.metric && n.transition === transition);
    rows.push({
      id: newId("alertEvent"),
      tenantId: identity.tenantId,
      ruleId: c.ruleId,
      agentId: identity.agentId,
      subject: c.metric,
      transition,
      value: c.value,
      at: new Date(c.at),
      notified,
    });
  }
  return rows;
}

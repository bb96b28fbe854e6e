// Alert rules and their history on the wire: the rule's condition (metric, comparison, threshold, duration,
// hysteresis, repeats, quiet hours), where it notifies, and the shapes of /api/t/:tenantId/alert-rules and /alert-events.
// The AgentHub's engine parses the same AlertRule, so a rule means one thing everywhere.
import { z } from "zod";
import { METRIC_RANGES } from "./jobs.ts";

const isoDate = z.iso.datetime({ offset: true });

export const COMPARISONS = [">", ">=", "<", "<=", "==", "!="] as const;
export type Comparison = (typeof COMPARISONS)[number];

export const SEVERITIES = ["info", "warning", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Rule metric names are sample names (wire/agent.ts), where a whole segment may be `*`: "disk.*.used_pct". */
const RULE_METRIC = /^[a-z][a-z0-9_]*(\.([A-Za-z0-9_:@/+-]{1,80}|\*)){0,4}$/;
const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;
/** "+02:00" / "-05:30", or an IANA zone name ("Europe/Berlin", "UTC"). */
const TIME_ZONE = /^([+-](0\d|1[0-4]):[0-5]\d|[A-Za-z_]+(\/[A-Za-z0-9_+-]+){0,2})$/;

export const ChannelDestination = z.object({
  kind: z.literal("channel"),
  channelId: z.string().regex(/^\d{5,25}$/, "must be a Discord channel id"),
  /** The server the channel is in, where the tenant picks it (GitHub feeds): the channel is checked to belong to it. */
  guildId: z.string().regex(/^\d{5,25}$/, "must be a Discord server id").optional(),
});
/** A Discord webhook URL. It carries the webhook's token: it is accepted on input and delivered to, never stored in the clear. */
export const WebhookDestination = z.object({ kind: z.literal("webhook"), url: z.url({ protocol: /^https?$/ }).max(300) });
/** Where the outbox delivers a message. */
export const Destination = z.discriminatedUnion("kind", [ChannelDestination, WebhookDestination]);
export type Destination = z.infer<typeof Destination>;
/**
 * Where a tenant asks the bot to post (alert rules, GitHub feeds). One bot serves every tenant, so a channel is
 * chosen within a server of this tenant that the caller manages: the server comes with it, and the channel is checked
 * to be one of that server's channels before it is saved.
 */
export const ChosenDestination = z.discriminatedUnion("kind", [
  ChannelDestination.extend({ guildId: z.string().regex(/^\d{5,25}$/, "must be a Discord server id") }),
  WebhookDestination,
]);
export type ChosenDestination = z.infer<typeof ChosenDestination>;

/** A webhook destination at rest: the URL sealed in core.secrets under `secretName`, and a masked form to show. */
export const SealedWebhookDestination = z.object({ kind: z.literal("webhook"), secretName: z.string().min(1).max(200), masked: z.string().max(300) });
export const StoredDestination = z.discriminatedUnion("kind", [ChannelDestination, SealedWebhookDestination]);
export type StoredDestination = z.infer<typeof StoredDestination>;

/** What a rule notifies: a channel, a webhook URL (built-in rules, tests), or a sealed webhook the sender unseals. */
export const RuleDestination = z.union([ChannelDestination, WebhookDestination, SealedWebhookDestination]);
export type RuleDestination = z.infer<typeof RuleDestination>;

/**
 * Quiet hours hold back non-critical notifications: they are deferred, not replayed. When quiet hours end the
 * destination hears the current truth once: an alert still firing notifies "firing"; one that fired and cleared
 * inside the quiet window sends nothing; one that was announced before and cleared inside it sends "resolved".
 * Repeats never run inside quiet hours. Critical alerts ignore quiet hours.
 */
export const QuietHours = z
  .object({
    start: z.string().regex(CLOCK, "must be HH:MM"),
    end: z.string().regex(CLOCK, "must be HH:MM"),
    timeZone: z.string().regex(TIME_ZONE, "must be an offset like +02:00 or an IANA zone").refine(validZone, "unknown time zone"),
  })
  .refine((q) => q.start !== q.end, { message: "start and end must differ", path: ["end"] });
export type QuietHours = z.infer<typeof QuietHours>;

function validZone(zone: string): boolean {
  if (/^[+-]/.test(zone)) return true;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The condition of a rule: what is stored in dashboard.alert_rules.rule. */
const conditionShape = {
  metric: z.string().regex(RULE_METRIC, "must be a metric name, optionally with * segments").max(200),
  comparison: z.enum(COMPARISONS),
  threshold: z.number().finite(),
  /** "for 5m": the condition must hold this long before the alert fires. */
  forSeconds: z.number().int().min(0).max(7 * 86_400).default(0),
  /** Hysteresis: once firing, the alert resolves only when the value crosses back past this. */
  clearThreshold: z.number().finite().optional(),
  severity: z.enum(SEVERITIES),
  repeatIntervalSeconds: z.number().int().min(60).max(7 * 86_400).optional(),
  /** At most this many repeats per firing episode. */
  maxRepeats: z.number().int().min(0).max(100).default(3),
  quietHours: QuietHours.optional(),
  /** Compare the counter's increase over this window instead of its value (N restarts in M minutes). */
  increaseOverSeconds: z.number().int().min(10).max(86_400).optional(),
  /** While this rule fires for a host, the host's other alerts notify nothing ("agent offline"). */
  inhibitsHost: z.boolean().default(false),
};

function checkClearThreshold(r: { comparison: Comparison; threshold: number; clearThreshold?: number | undefined }, ctx: z.RefinementCtx): void {
  if (r.clearThreshold === undefined) return;
  const ok =
    r.comparison === ">" || r.comparison === ">="
      ? r.clearThreshold <= r.threshold
      : r.comparison === "<" || r.comparison === "<="
        ? r.clearThreshold >= r.threshold
        : false;
  if (!ok) ctx.addIssue({ code: "custom", path: ["clearThreshold"], message: "must lie on the resolved side of the threshold (and needs <, <=, > or >=)" });
}

export const AlertCondition = z.strictObject(conditionShape).superRefine(checkClearThreshold);
export type AlertCondition = z.infer<typeof AlertCondition>;

/** A rule as the engine runs it: its condition, its id (part of every notification id) and name, and its destination. */
export const AlertRule = z
  .object({
    /** Part of every notification id, so it must never change once notifications went out. */
    id: z.string().regex(/^[A-Za-z0-9_:./@*+-]{1,160}$/),
    name: z.string().trim().min(1).max(120),
    ...conditionShape,
    destination: RuleDestination,
  })
  .superRefine(checkClearThreshold);
export type AlertRule = z.infer<typeof AlertRule>;
/** What callers write: defaults may be left out. */
export type AlertRuleInput = z.input<typeof AlertRule>;

// ---- /api/t/:tenantId/alert-rules -----------------------------------------------------------------

/** As the API shows it: a webhook only masked (`…/webhooks/<id>/****`). */
export const ShownDestination = z.discriminatedUnion("kind", [ChannelDestination, z.object({ kind: z.literal("webhook"), masked: z.string() })]);

export const AlertRuleView = z.object({
  id: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  /** null: every host of the tenant. */
  agentId: z.string().nullable(),
  rule: AlertCondition,
  destination: ShownDestination,
  /**
   * A channel saved before a server was required (no guildId): it still delivers, but the rule should be saved again
   * with its server picked, and any change of its destination must name one.
   */
  destinationNeedsServer: z.boolean(),
  createdBy: z.string(),
  createdAt: isoDate,
  updatedAt: isoDate,
});
export type AlertRuleView = z.infer<typeof AlertRuleView>;
export const AlertRuleList = z.object({
  items: z.array(AlertRuleView),
  /**
   * The rules' channels as Discord names them now, by channel id. A channel missing here is unknown: deleted, in a
   * server the bot is no longer in, saved without its server, or the bot is not configured.
   */
  channelNames: z.record(z.string(), z.string()),
});
export type AlertRuleList = z.infer<typeof AlertRuleList>;

const AGENT_ID = /^agt_[0-9a-z]{16}$/;
const ruleName = z.string().trim().min(1).max(120);

export const CreateAlertRuleRequest = z.strictObject({
  name: ruleName,
  enabled: z.boolean().default(true),
  agentId: z.string().regex(AGENT_ID).nullable().default(null),
  rule: AlertCondition,
  destination: ChosenDestination,
});
export const UpdateAlertRuleRequest = z
  .strictObject({
    name: ruleName.optional(),
    enabled: z.boolean().optional(),
    agentId: z.string().regex(AGENT_ID).nullable().optional(),
    rule: AlertCondition.optional(),
    destination: ChosenDestination.optional(),
  })
  .refine((u) => Object.values(u).some((v) => v !== undefined), "nothing to change");

/** Built-in rules, offered as templates: a `*` name watches every container / VM / mount / probe of the host. */
export const AlertTemplate = z.object({ template: z.string(), name: z.string(), description: z.string(), rule: AlertCondition });
export type AlertTemplate = z.infer<typeof AlertTemplate>;
export const AlertTemplateList = z.object({ items: z.array(AlertTemplate) });

export const PREVIEW_RANGES = METRIC_RANGES;
export const AlertPreviewRequest = z.strictObject({
  rule: AlertCondition,
  agentId: z.string().regex(AGENT_ID),
  range: z.enum(PREVIEW_RANGES).default("24h"),
  /** The concrete series to replay when the rule's metric has `*` segments. */
  metric: conditionShape.metric.optional(),
});
export const ALERT_PHASES = ["normal", "pending", "firing", "unknown"] as const;
export const AlertPreview = z.object({
  metric: z.string(),
  resolution: z.enum(["raw", "1m", "1h"]),
  from: z.number(),
  to: z.number(),
  /** Every phase change the rule would have gone through. */
  changes: z.array(z.object({ from: z.enum(ALERT_PHASES), to: z.enum(ALERT_PHASES), at: z.number(), value: z.number().nullable() })),
  /** What the destination would have been told. */
  notifications: z.array(z.object({ transition: z.enum(["firing", "resolved", "repeat"]), at: z.number(), value: z.number().nullable() })),
});
export type AlertPreview = z.infer<typeof AlertPreview>;

// ---- /api/t/:tenantId/alert-events ----------------------------------------------------------------

export const ALERT_EVENT_TRANSITIONS = ["firing", "resolved", "unknown"] as const;
export type AlertEventTransition = (typeof ALERT_EVENT_TRANSITIONS)[number];

export const AlertEvent = z.object({
  id: z.string(),
  ruleId: z.string(),
  /** null once the rule was deleted. */
  ruleName: z.string().nullable(),
  agentId: z.string(),
  /** The concrete metric the alert is about ("disk./mnt/nas.used_pct"). */
  subject: z.string(),
  transition: z.enum(ALERT_EVENT_TRANSITIONS),
  value: z.number().nullable(),
  at: isoDate,
  /** Whether the destination was told (quiet hours and "agent offline" hold notifications back). */
  notified: z.boolean(),
});
export type AlertEvent = z.infer<typeof AlertEvent>;
export const AlertEventPage = z.object({ items: z.array(AlertEvent), nextCursor: z.string().nullable() });
export type AlertEventPage = z.infer<typeof AlertEventPage>;
export const AlertEventsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  /** `nextCursor` of the previous page. */
  cursor: z
    .string()
    .regex(/^\d{1,15}\.ale_[0-9a-z]{16}$/)
    .optional(),
});

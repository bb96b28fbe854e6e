// Alert rules: what a rule says (metric, comparison, threshold, duration, hysteresis, repeats, quiet hours,
// destination), parsed at the edge with zod so the engine never re-checks. Move to schema/ with the rules table.
import { z } from "zod";

export const COMPARISONS = [">", ">=", "<", "<=", "==", "!="] as const;
export type Comparison = (typeof COMPARISONS)[number];

export const SEVERITIES = ["info", "warning", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Rule metric names are sample names (schema/src/wire/agent.ts), where a whole segment may be `*`: "disk.*.used_pct". */
const RULE_METRIC = /^[a-z][a-z0-9_]*(\.([A-Za-z0-9_:@/+-]{1,80}|\*)){0,4}$/;
const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$/;
/** "+02:00" / "-05:30", or an IANA zone name ("Europe/Berlin", "UTC"). */
const TIME_ZONE = /^([+-](0\d|1[0-4]):[0-5]\d|[A-Za-z_]+(\/[A-Za-z0-9_+-]+){0,2})$/;

export const Destination = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("channel"), channelId: z.string().regex(/^\d{5,25}$/, "must be a Discord channel id") }),
  z.object({ kind: z.literal("webhook"), url: z.url({ protocol: /^https?$/ }).max(300) }),
]);
export type Destination = z.infer<typeof Destination>;

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

export const AlertRule = z
  .object({
    /** Part of every notification id, so it must never change once notifications went out. */
    id: z.string().regex(/^[A-Za-z0-9_:./@*+-]{1,160}$/),
    name: z.string().trim().min(1).max(120),
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
    destination: Destination,
    /** Compare the counter's increase over this window instead of its value (N restarts in M minutes). */
    increaseOverSeconds: z.number().int().min(10).max(86_400).optional(),
    /** While this rule fires for a host, the host's other alerts notify nothing ("agent offline"). */
    inhibitsHost: z.boolean().default(false),
  })
  .superRefine((r, ctx) => {
    if (r.clearThreshold === undefined) return;
    const ok =
      r.comparison === ">" || r.comparison === ">="
        ? r.clearThreshold <= r.threshold
        : r.comparison === "<" || r.comparison === "<="
          ? r.clearThreshold >= r.threshold
          : false;
    if (!ok) ctx.addIssue({ code: "custom", path: ["clearThreshold"], message: "must lie on the resolved side of the threshold (and needs <, <=, > or >=)" });
  });
export type AlertRule = z.infer<typeof AlertRule>;
/** What callers write: defaults may be left out. */
export type AlertRuleInput = z.input<typeof AlertRule>;

export function compare(value: number, comparison: Comparison, threshold: number): boolean {
  switch (comparison) {
    case ">":
      return value > threshold;
    case ">=":
      return value >= threshold;
    case "<":
      return value < threshold;
    case "<=":
      return value <= threshold;
    case "==":
      return value === threshold;
    case "!=":
      return value !== threshold;
  }
}

/** Whether a concrete sample name is one the rule watches (`*` matches exactly one segment). */
export function matchesMetric(ruleMetric: string, name: string): boolean {
  if (ruleMetric === name) return true;
  if (!ruleMetric.includes("*")) return false;
  const want = ruleMetric.split(".");
  const got = name.split(".");
  return want.length === got.length && want.every((seg, i) => seg === "*" || seg === got[i]);
}

// Alert rules: the zod schemas live in schema/src/api/alerts.ts (the API, the rules table and the engine share
// them); here are the comparisons the engine applies.
import { api } from "@nebula/schema";

export const { AlertRule, Destination, QuietHours, COMPARISONS, SEVERITIES } = api;
export type AlertRule = api.AlertRule;
export type AlertRuleInput = api.AlertRuleInput;
export type Comparison = api.Comparison;
export type Destination = api.Destination;
export type QuietHours = api.QuietHours;
export type RuleDestination = api.RuleDestination;
export type Severity = api.Severity;

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

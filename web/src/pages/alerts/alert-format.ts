// Alert rules and events as a person reads them: "CPU total > 90% for 5 min, clears at 80%", "#alerts", "…/webhooks/1/****".
import type { AlertCondition, AlertEventTransition, AlertRuleView, Severity } from "@nebula/schema/api/alerts";
import type { BadgeTone } from "../../ui/badge.tsx";
import { metricLabel, metricValue } from "../fleet/format.ts";

/** Whole units where they fit: 30 s, 5 min, 1.5 h, 2 d. */
export function span(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${+(seconds / 60).toFixed(1)} min`;
  if (seconds < 86_400) return `${+(seconds / 3600).toFixed(1)} h`;
  return `${+(seconds / 86_400).toFixed(1)} d`;
}

/** The metric in words (metricLabel; the raw key goes in a title) and thresholds in the metric's unit. */
export function conditionText(rule: AlertCondition): string {
  const label = metricLabel(rule.metric);
  const what = rule.increaseOverSeconds ? `increase of ${label} over ${span(rule.increaseOverSeconds)}` : label;
  const held = rule.forSeconds > 0 ? ` for ${span(rule.forSeconds)}` : "";
  const clears = rule.clearThreshold !== undefined ? `, clears at ${metricValue(rule.metric, rule.clearThreshold)}` : "";
  return `${what} ${rule.comparison} ${metricValue(rule.metric, rule.threshold)}${held}${clears}`;
}

/**
 * `#alerts` for a channel Discord still names (`channelNames` from the rule list), else its id with `known: false`:
 * the channel is gone, the bot left its server, or the rule was saved without its server.
 */
export function destinationText(destination: AlertRuleView["destination"], channelNames: Record<string, string>): { text: string; known: boolean } {
  if (destination.kind === "webhook") return { text: `Webhook ${destination.masked}`, known: true };
  const name = channelNames[destination.channelId];
  return name === undefined ? { text: `Channel ${destination.channelId}`, known: false } : { text: `#${name}`, known: true };
}

export const SEVERITY_TONE: Record<Severity, BadgeTone> = { info: "neutral", warning: "warning", critical: "danger" };
export const TRANSITION_TONE: Record<AlertEventTransition, BadgeTone> = { firing: "danger", resolved: "success", unknown: "warning" };

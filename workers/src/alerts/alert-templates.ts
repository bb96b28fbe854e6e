// The built-in rules as templates for the rules editor: each watches every container / VM / mount / probe of a
// host (`*`); the user picks a destination and may narrow the name before saving it as an ordinary rule.
import type { api } from "@nebula/schema";
import { agentOfflineRule, containerDownRule, containerRestartLoopRule, mountStaleRule, probeFailingRule, vmDownRule } from "./builtin-rules.ts";
import type { AlertRule } from "./rules.ts";

/** The builders need a destination; the template drops it again. */
const common = { destination: { kind: "channel", channelId: "00000" } } as const;

function conditionOf(rule: AlertRule): api.AlertCondition {
  const { id: _id, name: _name, destination: _destination, ...condition } = rule;
  return condition;
}

export function alertTemplates(): api.AlertTemplate[] {
  const entries: [string, string, AlertRule][] = [
    ["agent-offline", "The host stopped reporting. Silences the host's other alerts while it fires.", agentOfflineRule(common)],
    ["container-down", "A container is not running.", containerDownRule("*", common)],
    ["container-restart-loop", "A container restarted 3 times within 5 minutes.", containerRestartLoopRule("*", { restarts: 3, withinMinutes: 5 }, common)],
    ["vm-down", "A virtual machine is not running.", vmDownRule("*", common)],
    ["mount-stale", "A network mount stopped answering.", mountStaleRule("*", common)],
    ["probe-failing", "A local service's health probe fails.", probeFailingRule("*", common)],
  ];
  return entries.map(([template, description, rule]) => ({ template, name: rule.name, description, rule: conditionOf(rule) }));
}

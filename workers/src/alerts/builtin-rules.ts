// Built-in rules a user turns on with one click; each is an ordinary rule over the agent's sample names.
// A name of "*" watches every container / VM / mount / probe of the host, one alert each.
import { AGENT_UP_METRIC } from "./engine.ts";
import { AlertRule, type AlertRuleInput, type Destination, type Severity } from "./rules.ts";

interface Common {
  destination: Destination;
  id?: string;
  severity?: Severity;
  forSeconds?: number;
  repeatIntervalSeconds?: number;
  quietHours?: AlertRuleInput["quietHours"];
}

const label = (name: string) => (name === "*" ? "any" : name);

function build(input: AlertRuleInput, common: Common): AlertRule {
  const { destination, id, severity, forSeconds, repeatIntervalSeconds, quietHours } = common;
  return AlertRule.parse({
    ...input,
    destination,
    ...(id === undefined ? {} : { id }),
    ...(severity === undefined ? {} : { severity }),
    ...(forSeconds === undefined ? {} : { forSeconds }),
    ...(repeatIntervalSeconds === undefined ? {} : { repeatIntervalSeconds }),
    ...(quietHours === undefined ? {} : { quietHours }),
  });
}

/** The host stopped sending samples. Critical, and it silences the host's other alerts while it fires. */
export function agentOfflineRule(common: Common): AlertRule {
  return build(
    { id: "agent-offline", name: "Agent offline", metric: AGENT_UP_METRIC, comparison: "==", threshold: 0, forSeconds: 60, severity: "critical", inhibitsHost: true, destination: common.destination },
    common,
  );
}

/** `container.<name>.running` is 0. */
export function containerDownRule(name: string, common: Common): AlertRule {
  return build(
    { id: `container-down:${name}`, name: `Container ${label(name)} down`, metric: `container.${name}.running`, comparison: "==", threshold: 0, forSeconds: 30, severity: "warning", destination: common.destination },
    common,
  );
}

/**
 * N restarts within M minutes, from the `container.<name>.restarts` counter. Resolves once a whole window passes
 * without a restart (the increase drops below 1).
 */
export function containerRestartLoopRule(name: string, loop: { restarts: number; withinMinutes: number }, common: Common): AlertRule {
  return build(
    {
      id: `container-restart-loop:${name}`,
      name: `Container ${label(name)} restart-looping`,
      metric: `container.${name}.restarts`,
      increaseOverSeconds: loop.withinMinutes * 60,
      comparison: ">=",
      threshold: loop.restarts,
      clearThreshold: 1,
      forSeconds: 0,
      severity: "warning",
      destination: common.destination,
    },
    common,
  );
}

/** `vm.<name>.running` is 0. */
export function vmDownRule(name: string, common: Common): AlertRule {
  return build(
    { id: `vm-down:${name}`, name: `VM ${label(name)} down`, metric: `vm.${name}.running`, comparison: "==", threshold: 0, forSeconds: 60, severity: "warning", destination: common.destination },
    common,
  );
}

/** `disk.<mount>.stale` is 1: the NAS mount stopped answering. */
export function mountStaleRule(mount: string, common: Common): AlertRule {
  return build(
    { id: `mount-stale:${mount}`, name: `Mount ${label(mount)} stale`, metric: `disk.${mount}.stale`, comparison: "==", threshold: 1, forSeconds: 60, severity: "critical", destination: common.destination },
    common,
  );
}

/** `probe.<name>.up` is 0: the local HTTP probe (Plex, Home Assistant, MinIO) fails. */
export function probeFailingRule(name: string, common: Common): AlertRule {
  return build(
    { id: `probe-failing:${name}`, name: `Service ${label(name)} failing`, metric: `probe.${name}.up`, comparison: "==", threshold: 0, forSeconds: 60, severity: "warning", destination: common.destination },
    common,
  );
}

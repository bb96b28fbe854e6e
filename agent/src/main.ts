#!/usr/bin/env node
// The home agent's entry: reads its configuration from the environment and keeps the edge link up until
// systemd (SIGTERM) or the user (SIGINT) stops it.
import { AgentConfigError, parseAgentConfig } from "./config/config.ts";
import { EdgeLink } from "./connection/edge-link.ts";
import { GamingHolds } from "./gaming/gaming-holds.ts";
import { readHostFacts } from "./host/host-facts.ts";
import { buildJobHandlers } from "./jobs/agent-handlers.ts";
import { JobRunner } from "./jobs/job-runner.ts";
import { createLogger } from "./logging/logger.ts";
import { createHostCollector } from "./metrics/collect.ts";
import { containerMetrics } from "./metrics/container-metrics.ts";
import { probeMetrics } from "./metrics/probe-metrics.ts";
import { vmMetrics } from "./metrics/vm-metrics.ts";
import { createMetricsPipeline } from "./metrics/pipeline.ts";
import { MetricsSpool, spoolDirFrom } from "./spool/spool.ts";
import { AGENT_VERSION } from "./version.ts";

const logger = createLogger(process.env.NEBULA_LOG_LEVEL === "debug" ? "debug" : "info");

/** Configuration problems end the process with every bad variable named. */
function configured<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof AgentConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78); // EX_CONFIG: systemd's RestartPreventExitStatus can stop retrying a misconfigured unit
    }
    throw err;
  }
}

const config = configured(() => parseAgentConfig(process.env));
const url = new URL(config.edgeUrl);
if ((url.protocol === "http:" || url.protocol === "ws:") && !["localhost", "127.0.0.1", "[::1]"].includes(url.hostname)) {
  logger.warn("NEBULA_EDGE_URL is not https: the agent token travels unencrypted unless this path is a private tunnel (e.g. Tailscale)");
}

// What gaming mode holds (the GPU, the containers it stopped, the probes of their services, its parked VM): its jobs
// set it, the collectors below respect it.
const gamingHolds = new GamingHolds({ pauseProbes: config.gamingPauseProbes });
// Jobs: the runner enforces the allowlist, de-duplicates and answers; results made while offline wait for the link.
const runner: JobRunner = new JobRunner({
  handlers: configured(() => buildJobHandlers(config, process.env, { gamingHolds })),
  send: (message) => link.send(message),
  logger,
});
const hostFacts = () => {
  const facts = readHostFacts({ probes: config.probes, stacks: [...config.stacks.keys()] });
  return { ...facts, capabilities: [...new Set([...facts.capabilities, ...runner.kinds])] };
};
const link = new EdgeLink({ edgeUrl: config.edgeUrl, token: config.token, hostFacts, logger });
// Metrics: collected every 10 s (2 s while someone watches), spooled to disk, sent in order, removed when acked.
const spool = await MetricsSpool.open({ dir: spoolDirFrom(process.env), logger });
// Service probes (NEBULA_PROBES) run in the background once per resting interval; each sample carries the latest round.
const probes = probeMetrics(config.probes, { timeoutMs: config.probeTimeoutMs, logger, paused: (probe) => gamingHolds.probePaused(probe) });
const collector = createHostCollector({
  logger,
  gpuGate: gamingHolds,
  extraCollectors: [
    containerMetrics(config.dockerSocket, { stoppedOnPurpose: (name) => gamingHolds.stoppedByGaming(name) }),
    vmMetrics({ uri: config.libvirtUri, parked: (vm) => gamingHolds.gamingVmParked(vm) }),
    probes.collect,
  ],
});
const metrics = createMetricsPipeline({ collect: collector.collect, spool, send: (m) => link.send(m), logger });

link.on("message", (message) => {
  if (message.type === "metrics_ack") void metrics.onAck(message.seq);
  else if (message.type === "set_interval") metrics.setInterval(message.seconds);
  else runner.receive(message);
});
link.on("ready", () => {
  runner.resendPending();
  metrics.onConnected();
});
link.on("closed", () => metrics.onDisconnected());
metrics.start();

logger.info("nebula agent starting", { version: AGENT_VERSION, edge: url.origin, jobs: runner.kinds.length });
link.start();

let stopping = false;
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info("stopping", { signal });
    // Running jobs answer "cancelled" while the link is still up, then the link closes.
    runner
      .stop()
      .then(() => metrics.stop())
      .then(() => probes.stop())
      .then(() => spool.close())
      .then(() => link.stop())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          logger.error("unclean stop", { err });
          process.exit(1);
        },
      );
  });
}

// Gaming mode as the edge and the rest of the agent see it: a switch cancelled through the job runner streams its
// rollback before it answers, nvidia-smi stays off the card for the whole switch and while the VM has it, and the
// containers it stopped are known as stopped on purpose. The host is a fixture tree, time a virtual clock.
import { EventEmitter, once } from "node:events";
import type { AgentMessage, JobProgress, JobRequest, JobResult } from "@nebula/schema/wire/agent";
import { afterEach, describe, expect, it } from "vitest";
import { type FakeSunshine, startFakeSunshine } from "../../test/fakes/sunshine.ts";
import { procAlive } from "../src/gaming/device-holders.ts";
import type { GamingConfig } from "../src/gaming/gaming-config.ts";
import { gamingHandlers } from "../src/gaming/gaming-handlers.ts";
import { GamingHolds } from "../src/gaming/gaming-holds.ts";
import type { JobContext } from "../src/jobs/job-handler.ts";
import { JobRunner } from "../src/jobs/job-runner.ts";
import { createNvidiaSmiReader } from "../src/metrics/gpu.ts";
import { containerEngine, fixtureHost, type GamingHost, gamingConfig, libvirt, virtualClock } from "./support/gaming-host.ts";
import { recordedJob } from "./support/job-context.ts";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function gamingHost(sunshineAnswers: number | "never") {
  const host = await fixtureHost("D0");
  const sunshine: FakeSunshine = await startFakeSunshine({ answerAfterPolls: sunshineAnswers });
  cleanups.push(host.remove, () => sunshine.close());
  return { host, config: gamingConfig(host, sunshine.url) };
}


function setup(host: GamingHost, config: GamingConfig, holds = new GamingHolds()) {
  const engine = containerEngine(["plex", "ollama", "sonarr"]);
  const vm = libvirt("shut off");
  const handlers = gamingHandlers(config, {
    containers: engine.port,
    vm: vm.port,
    sysfs: host.sysfs,
    clock: virtualClock().clock,
    kill: () => {},
    isAlive: procAlive(host.procRoot),
    holds,
  });
  return { handlers, engine, vm, holds };
}

/** The link to the edge: every message the runner sends, in order, announced as it is sent. */
class EdgeLinkRecorder extends EventEmitter<{ sent: [AgentMessage] }> {
  readonly sent: AgentMessage[] = [];
  send = (message: AgentMessage): boolean => {
    this.sent.push(message);
    this.emit("sent", message);
    return true;
  };
  async result(id: string): Promise<JobResult> {
    for (;;) {
      const found = this.sent.find((m): m is JobResult => m.type === "job_result" && m.id === id);
      if (found) return found;
      await once(this, "sent");
    }
  }
  /** Step:status of each progress line, leaving out the intermediate "running" reports. */
  outcomes(): string[] {
    return this.sent.filter((m): m is JobProgress => m.type === "job_progress" && m.status !== "running").map((m) => `${m.step}:${m.status}`);
  }
}

const request = (kind: string, id: string): JobRequest => ({
  type: "job",
  id,
  kind,
  params: {},
  deadline: Date.now() + 10 * 60_000,
  requestedBy: { id: "usr_ada", name: "Ada" },
});

/** A direct job context whose progress hook can look at the host at each step. */
function jobContext(kind: "gaming.enable" | "gaming.disable" | "gaming.status", onProgress: (step: string, status: string) => void = () => {}): JobContext {
  const job = recordedJob(kind);
  const record = job.ctx.progress;
  job.ctx.progress = (step, status, message) => {
    record(step, status, message);
    onProgress(step, status);
  };
  return job.ctx;
}

describe("gaming.enable cancelled through the job runner", () => {
  it("keeps the job open while it rolls back, streams the rollback, then answers cancelled", async () => {
    const { host, config } = await gamingHost("never");
    const { handlers, engine, vm, holds } = setup(host, config);
    const link = new EdgeLinkRecorder();
    const runner = new JobRunner({ handlers, send: link.send });
    const job = request("gaming.enable", "job_0000000000000ga1");
    // The user presses Cancel once the VM is up and the card is the VM's.
    link.on("sent", (m) => {
      if (m.type === "job_progress" && m.step === "vm-start" && m.status === "ok") runner.receive({ type: "job_cancel", id: job.id, reason: "by Ada" });
    });

    runner.receive(job);
    const result = await link.result(job.id);

    expect(result).toMatchObject({ ok: false, error: { code: "cancelled", message: "Cancelled: by Ada" } });
    expect(vm.calls).toEqual(["start RDPWindows", "shutdown RDPWindows"]);
    expect(engine.calls).toEqual(["stop plex", "stop ollama", "start ollama", "start plex"]);
    const wanted = ["vm-start:ok", "cancel:cancelling", "vm-start:rolled_back", "containers:rolled_back", "cancel:ok"];
    expect(link.outcomes().filter((o) => wanted.includes(o))).toEqual(wanted);
    const lines = link.sent.filter((m): m is JobProgress => m.type === "job_progress");
    expect(lines.find((m) => m.step === "vm-start" && m.status === "rolled_back")?.message).toBe("RDPWindows shut down");
    expect(lines.find((m) => m.step === "containers" && m.status === "rolled_back")?.message).toBe("started again: ollama, plex");
    expect(lines.find((m) => m.status === "cancelling")?.message).toBe("Cancelled: by Ada: undoing what the job began before it answers (at most 300 s)");
    // The answer comes last: nothing the rollback reported was cut off by it.
    expect(link.sent.at(-1)).toBe(result);
    expect(runner.running).toBe(0);
    expect(holds.gpuHandedOver).toBe(false);
    expect(holds.stoppedByGaming("plex")).toBe(false);
  });
});

describe("nvidia-smi during gaming mode", () => {
  it("is not run during a switch nor while the VM has the card, and runs again once gaming mode is off", async () => {
    const { host, config } = await gamingHost(2);
    const { handlers, holds } = setup(host, config);
    const smiRuns: string[] = [];
    let phase = "before";
    const readGpu = createNvidiaSmiReader(
      async () => {
        smiRuns.push(phase);
        return "5, 100, 1000, 40, 20.00\n";
      },
      undefined,
      holds,
    );
    // The metrics pipeline polls whenever it likes; here, at every step of both switches.
    const samples: Promise<Record<string, number>>[] = [];
    const pollAtEachStep = (step: string, status: string) => {
      phase = `${step}:${status}`;
      samples.push(readGpu());
    };

    expect(await readGpu()).toMatchObject({ "gpu.0.util": 5, "gpu.passed_through": 0 });
    await handlers["gaming.enable"]({}, jobContext("gaming.enable", pollAtEachStep));
    phase = "gaming on";
    samples.push(readGpu());
    await handlers["gaming.disable"]({}, jobContext("gaming.disable", pollAtEachStep));

    const during = await Promise.all(samples);
    expect(during.length).toBeGreaterThan(10);
    expect(new Set(during.map((s) => JSON.stringify(s)))).toEqual(new Set([JSON.stringify({ "gpu.passed_through": 1 })]));
    phase = "after";
    expect(await readGpu()).toMatchObject({ "gpu.0.util": 5, "gpu.passed_through": 0 });
    expect(smiRuns).toEqual(["before", "after"]);
  });

  it("lets a read already under way finish before the switch goes on", async () => {
    const holds = new GamingHolds();
    const order: string[] = [];
    let finishRead = () => {};
    const reading = holds.use(() => new Promise<void>((resolve) => (finishRead = resolve)).then(() => void order.push("nvidia-smi exited")));
    const switching = holds.beginSwitch().then((release) => {
      order.push("switch begins");
      return release;
    });
    // Queued behind every microtask: a switch that did not wait would already have begun.
    setImmediate(() => {
      order.push("tick");
      finishRead();
    });
    const release = await switching;
    await reading;

    expect(order).toEqual(["tick", "nvidia-smi exited", "switch begins"]);
    expect(holds.use(async () => "read")).toBeNull();
    release();
    expect(await holds.use(async () => "read")).toBe("read");
  });
});

describe("containers gaming mode stopped", () => {
  it("are known as stopped on purpose from before Docker stops them until they run again, across an agent restart", async () => {
    const { host, config } = await gamingHost(0);
    const first = setup(host, config);
    const heldWhileStopping: boolean[] = [];
    const stop = first.engine.port.stop;
    first.engine.port.stop = async (name, signal) => {
      heldWhileStopping.push(first.holds.stoppedByGaming(name));
      await stop(name, signal);
    };

    await first.handlers["gaming.enable"]({}, jobContext("gaming.enable"));
    expect(heldWhileStopping).toEqual([true, true]);
    expect(["plex", "ollama", "jellyfin", "sonarr"].map((c) => first.holds.stoppedByGaming(c))).toEqual([true, true, false, false]);

    // A restarted agent learns it from the state file: the card is the VM's and plex is lent out.
    const restarted = setup(host, config);
    await restarted.handlers["gaming.status"]({}, jobContext("gaming.status"));
    expect(restarted.holds.gpuHandedOver).toBe(true);
    expect(restarted.holds.stoppedByGaming("plex")).toBe(true);

    await first.handlers["gaming.disable"]({}, jobContext("gaming.disable"));
    expect(first.holds.stoppedByGaming("plex")).toBe(false);
    expect(first.holds.gpuHandedOver).toBe(false);
  });

  it("are not held once a switch ends, when Docker failed to stop one: that container is down for real", async () => {
    const { host, config } = await gamingHost(0);
    const { handlers, engine, holds } = setup(host, config);
    engine.port.stop = async (name) => {
      engine.calls.push(`stop ${name}`);
      if (name === "ollama") throw new Error("docker stop ollama: driver failed");
      engine.running.delete(name);
    };

    await expect(handlers["gaming.enable"]({}, jobContext("gaming.enable"))).rejects.toMatchObject({ code: "failed" });

    expect(engine.calls).toEqual(["stop plex", "stop ollama", "start plex"]);
    expect(["plex", "ollama"].map((c) => holds.stoppedByGaming(c))).toEqual([false, false]);
    expect(holds.gpuHandedOver).toBe(false);
  });
});

describe("the gaming VM and the probes of lent-out services", () => {
  it("are watched and paused for the whole session, switches included, and given back once gaming mode is off", async () => {
    const { host, config } = await gamingHost(1);
    const holds = new GamingHolds({ pauseProbes: new Set(["plex"]) });
    const { handlers } = setup(host, config, holds);
    // What the VM and probe collectors would be told at each step of both switches.
    const seen = new Set<string>();
    const lookAtEachStep = () => seen.add(`vm parked: ${holds.gamingVmParked("RDPWindows")}, plex probe paused: ${holds.probePaused("plex")}`);

    expect(holds.gamingVmParked("RDPWindows")).toBe(true);
    expect(holds.probePaused("plex")).toBe(false);
    await handlers["gaming.enable"]({}, jobContext("gaming.enable", lookAtEachStep));
    lookAtEachStep();
    // An agent restarted mid-session learns both from the state file.
    const restarted = new GamingHolds({ pauseProbes: new Set(["plex"]) });
    await setup(host, config, restarted).handlers["gaming.status"]({}, jobContext("gaming.status"));
    expect(restarted.gamingVmParked("RDPWindows")).toBe(false);
    expect(restarted.probePaused("plex")).toBe(true);
    await handlers["gaming.disable"]({}, jobContext("gaming.disable", lookAtEachStep));

    expect([...seen]).toEqual(["vm parked: false, plex probe paused: true"]);
    expect(holds.gamingVmParked("RDPWindows")).toBe(true);
    expect(holds.probePaused("plex")).toBe(false);
    // Only the gaming VM is parked: any other VM on the host stays watched.
    expect(holds.gamingVmParked("nextcloud-vm")).toBe(false);
  });
});

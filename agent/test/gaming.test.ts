// Gaming mode as the owner lives it: one click hands the RTX card to the Windows VM (GPU containers stopped, a
// D3cold card revived, stale holders ended, VM booted, Sunshine ready), and every failure puts the host back the
// way it was. The host is a fixture sysfs/proc tree, Sunshine a real HTTPS server, time a virtual clock.
import { rmSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import type { agentWire } from "@nebula/schema";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeSunshine, startFakeSunshine } from "../../test/fakes/sunshine.ts";
import { type FakeSystemctl, installFakeSystemctl } from "../../test/fakes/systemctl.ts";
import { procAlive } from "../src/gaming/device-holders.ts";
import { type GamingConfig, loadGamingConfig } from "../src/gaming/gaming-config.ts";
import { gamingHandlers } from "../src/gaming/gaming-handlers.ts";
import type { GamingDeps, GamingStatus } from "../src/gaming/gaming-mode.ts";
import { GamingStateFile } from "../src/gaming/gaming-state.ts";
import { containerEngine, GPU, type GamingHost, gamingConfig, fixtureHost as gamingHost, libvirt, virtualClock } from "./support/gaming-host.ts";
import { recordedJob } from "./support/job-context.ts";

let hosts: GamingHost[] = [];
let sunshines: FakeSunshine[] = [];
beforeEach(() => {
  hosts = [];
  sunshines = [];
});
afterEach(async () => {
  await Promise.all(sunshines.map((s) => s.close()));
  await Promise.all(hosts.map((h) => h.remove()));
});

async function fixtureHost(power: string, recoverAfterRescans: number | "never" = "never"): Promise<GamingHost> {
  const host = await gamingHost(power, recoverAfterRescans);
  hosts.push(host);
  return host;
}

async function sunshine(answerAfterPolls: number | "never") {
  const s = await startFakeSunshine({ answerAfterPolls });
  sunshines.push(s);
  return s;
}


function jobContext(kind: agentWire.JobKind, onProgress: (step: string, status: string) => void = () => {}) {
  const job = recordedJob(kind);
  const record = job.ctx.progress;
  job.ctx.progress = (step, status, message) => {
    record(step, status, message);
    onProgress(step, status);
  };
  return { ctx: job.ctx, steps: job.progress, cancel: () => job.controller.abort(new DOMException("cancelled by the user", "AbortError")) };
}

/** Step:status pairs, leaving out the intermediate "running" reports. */
const outcomes = (steps: { step: string; status: string }[]) => steps.filter((s) => s.status !== "running").map((s) => `${s.step}:${s.status}`);

function setup(host: GamingHost, config: GamingConfig, options: { running?: string[]; vm?: ReturnType<typeof libvirt>; deps?: Partial<GamingDeps> } = {}) {
  const engine = containerEngine(options.running ?? ["plex", "ollama", "sonarr"]);
  const vm = options.vm ?? libvirt("shut off");
  const { clock, slept } = virtualClock();
  const kills: [number, string][] = [];
  const handlers = gamingHandlers(config, {
    containers: engine.port,
    vm: vm.port,
    sysfs: host.sysfs,
    clock,
    kill: (pid, signal) => kills.push([pid, signal]),
    isAlive: procAlive(host.procRoot),
    ...options.deps,
  });
  return { handlers, engine, vm, slept, kills, state: new GamingStateFile(config.stateDir) };
}

describe("gaming.enable", () => {
  it("stops the GPU containers, starts the VM and reports ready once Sunshine answers", async () => {
    const host = await fixtureHost("D0");
    const sun = await sunshine(2);
    const config = gamingConfig(host, sun.url);
    const { handlers, engine, vm, state } = setup(host, config);
    const { ctx, steps } = jobContext("gaming.enable");

    const status = (await handlers["gaming.enable"]?.({}, ctx)) as GamingStatus;

    expect(engine.calls).toEqual(["stop plex", "stop ollama"]);
    expect([...engine.running]).toEqual(["sonarr"]);
    expect(vm.calls).toEqual(["start RDPWindows"]);
    expect(outcomes(steps)).toEqual(["preflight:ok", "containers:ok", "gpu-power:ok", "gpu-recover:skipped", "gpu-holders:skipped", "vm-start:ok", "sunshine:ok"]);
    expect(steps.find((s) => s.step === "containers" && s.status === "ok")?.message).toBe("stopped plex, ollama; not running: jellyfin");
    expect(steps.filter((s) => s.step === "sunshine" && s.status === "running").map((s) => s.message)).toEqual([
      "started",
      "poll 1: no answer yet (ECONNRESET)",
      "poll 2: no answer yet (ECONNRESET)",
    ]);
    expect(steps.at(-1)).toEqual({ step: "sunshine", status: "ok", message: "ready: Sunshine answered HTTP 401 after 3 polls" });
    expect(status).toMatchObject({ mode: "on", vm: "running", gpuPowerState: "D0", stoppedContainers: ["plex", "ollama"], vmStartedByGaming: true });
    expect(await state.read()).toMatchObject({ mode: "on", stoppedContainers: ["plex", "ollama"] });
    expect(host.writes).toEqual([]);
  });

  it("revives a GPU stuck in D3cold with remove + rescan, backing off between attempts", async () => {
    const host = await fixtureHost("D3cold", 2);
    const config = gamingConfig(host, (await sunshine(0)).url);
    const { handlers, slept } = setup(host, config);
    const { ctx, steps } = jobContext("gaming.enable");

    await handlers["gaming.enable"]?.({}, ctx);

    expect(host.writes).toEqual([
      [`bus/pci/devices/${GPU}/remove`, "1"],
      ["bus/pci/rescan", "1"],
      [`bus/pci/devices/${GPU}/remove`, "1"],
      ["bus/pci/rescan", "1"],
    ]);
    expect(steps.filter((s) => s.step === "gpu-recover").map((s) => `${s.status}: ${s.message}`)).toEqual([
      "running: started",
      "running: attempt 1/4: remove + rescan, waited 1 s, now D3cold",
      "running: attempt 2/4: remove + rescan, waited 2 s, now D0",
      "ok: recovered from D3cold: now D0",
    ]);
    expect(slept.slice(0, 2)).toEqual([1_000, 2_000]);
  });

  it("gives up on a GPU that stays in D3cold and restarts the containers it stopped", async () => {
    const host = await fixtureHost("D3cold", "never");
    const config = gamingConfig(host, (await sunshine(0)).url, { GAMING_D3COLD_ATTEMPTS: "3" });
    const { handlers, engine, vm, state } = setup(host, config);
    const { ctx, steps } = jobContext("gaming.enable");

    await expect(handlers["gaming.enable"]?.({}, ctx)).rejects.toMatchObject({
      code: "failed",
      message: "gpu-recover: the GPU is still D3cold after 3 remove + rescan attempts",
    });

    expect(host.writes.filter(([file]) => file === "bus/pci/rescan")).toHaveLength(3);
    expect(vm.calls).toEqual([]);
    expect(engine.calls).toEqual(["stop plex", "stop ollama", "start ollama", "start plex"]);
    expect(outcomes(steps)).toEqual(["preflight:ok", "containers:ok", "gpu-power:ok", "gpu-recover:failed", "containers:rolled_back"]);
    expect(steps.at(-1)?.message).toBe("started again: ollama, plex");
    expect(await state.read()).toEqual({ mode: "off", stoppedContainers: [], vmStartedByGaming: false, since: null });
  });

  it("times out when Sunshine never answers, then stops the VM and restarts the containers", async () => {
    const host = await fixtureHost("D0");
    const sun = await sunshine("never");
    const config = gamingConfig(host, sun.url);
    const { handlers, engine, vm, state } = setup(host, config);
    const { ctx, steps } = jobContext("gaming.enable");

    await expect(handlers["gaming.enable"]?.({}, ctx)).rejects.toMatchObject({ code: "timeout", message: "sunshine: did not finish within 30 s" });

    expect(sun.polls).toBeGreaterThan(1);
    expect(vm.calls).toEqual(["start RDPWindows", "shutdown RDPWindows"]);
    expect(vm.state()).toBe("shut off");
    expect([...engine.running].sort()).toEqual(["ollama", "plex", "sonarr"]);
    expect(outcomes(steps).slice(-3)).toEqual(["sunshine:failed", "vm-start:rolled_back", "containers:rolled_back"]);
    expect(steps.find((s) => s.step === "vm-start" && s.status === "rolled_back")?.message).toBe("RDPWindows shut down");
    expect(await state.read()).toMatchObject({ mode: "off", stoppedContainers: [], vmStartedByGaming: false });
  });

  it("rolls back what it did when the job is cancelled mid-way", async () => {
    const host = await fixtureHost("D0");
    const config = gamingConfig(host, (await sunshine(0)).url);
    const { handlers, engine, vm } = setup(host, config);
    const job = jobContext("gaming.enable", (step, status) => {
      if (step === "vm-start" && status === "ok") job.cancel();
    });

    await expect(handlers["gaming.enable"]?.({}, job.ctx)).rejects.toMatchObject({ code: "cancelled" });

    expect(vm.calls).toEqual(["start RDPWindows", "shutdown RDPWindows"]);
    expect(engine.calls).toEqual(["stop plex", "stop ollama", "start ollama", "start plex"]);
    expect(outcomes(job.steps).slice(-3)).toEqual(["sunshine:failed", "vm-start:rolled_back", "containers:rolled_back"]);
  });

  it("ends stale processes holding the card: SIGTERM first, SIGKILL for those that stay", async () => {
    const host = await fixtureHost("D0");
    await host.addProcess(4242, "ollama_llama_se", ["/dev/nvidiactl", "/dev/nvidia0", "/dev/null"]);
    await host.addProcess(4343, "qemu-system-x86", ["/dev/vfio/12", "/dev/kvm"]);
    await host.addProcess(4444, "qemu-system-x86", ["/dev/vfio/7"]); // another VM's device: not ours
    const config = gamingConfig(host, (await sunshine(0)).url);
    const kills: [number, string][] = [];
    const { handlers } = setup(host, config, {
      deps: {
        // 4242 exits on SIGTERM; the crashed QEMU only goes with SIGKILL.
        kill: (pid, signal) => {
          kills.push([pid, signal]);
          if (pid === 4242 || signal === "SIGKILL") rmSync(path.join(host.procRoot, String(pid)), { recursive: true });
        },
      },
    });
    const { ctx, steps } = jobContext("gaming.enable");

    await handlers["gaming.enable"]?.({}, ctx);

    expect(kills).toEqual([
      [4242, "SIGTERM"],
      [4343, "SIGTERM"],
      [4343, "SIGKILL"],
    ]);
    expect(steps.filter((s) => s.step === "gpu-holders").map((s) => `${s.status}: ${s.message}`)).toEqual([
      "running: started",
      "running: ending stale holders: 4242 (ollama_llama_se: /dev/nvidia0, /dev/nvidiactl); 4343 (qemu-system-x86: /dev/vfio/12)",
      "ok: 4242 (ollama_llama_se) ended by SIGTERM; 4343 (qemu-system-x86) ended by SIGKILL",
    ]);
  });

  it("leaves a VM that was already running alone, and the card in it", async () => {
    const host = await fixtureHost("D3cold");
    await host.addProcess(5000, "qemu-system-x86", ["/dev/vfio/12"]);
    const config = gamingConfig(host, (await sunshine(0)).url);
    const { handlers, vm, kills } = setup(host, config, { vm: libvirt("running") });
    const { ctx, steps } = jobContext("gaming.enable");

    const status = (await handlers["gaming.enable"]?.({}, ctx)) as GamingStatus;

    expect(outcomes(steps)).toEqual(["preflight:ok", "containers:ok", "gpu-power:ok", "gpu-recover:skipped", "gpu-holders:skipped", "vm-start:skipped", "sunshine:ok"]);
    expect(host.writes).toEqual([]);
    expect(kills).toEqual([]);
    expect(vm.calls).toEqual([]);
    expect(status).toMatchObject({ mode: "on", vmStartedByGaming: false });
  });
});

describe("gaming.enable with NEBULA_PRIVILEGED=systemd (root steps as units)", () => {
  let systemctl: FakeSystemctl;
  beforeEach(() => {
    systemctl = installFakeSystemctl();
  });
  afterEach(() => systemctl.remove());

  it("revives a D3cold card through nebula-agent-gpu-reset@ and ends holders through -gpu-release@, writing no sysfs itself", async () => {
    const host = await fixtureHost("D3cold");
    // The unit's part: after its remove + rescan the card is back in D0.
    systemctl.onCall(`case "$unit" in nebula-agent-gpu-reset@*) echo D0 > '${path.join(host.sysfsRoot, "bus/pci/devices", GPU, "power_state")}' ;; esac\n`);
    const config = gamingConfig(host, (await sunshine(0)).url, { NEBULA_PRIVILEGED: "systemd" });
    const { handlers, kills } = setup(host, config);
    const { ctx, steps } = jobContext("gaming.enable");

    await handlers["gaming.enable"]?.({}, ctx);

    expect(systemctl.calls()).toEqual([
      ["start", "--no-ask-password", "nebula-agent-gpu-reset@0000:01:00.0.service"],
      ["start", "--no-ask-password", "nebula-agent-gpu-release@0000:01:00.0.service"],
    ]);
    expect(host.writes).toEqual([]);
    expect(kills).toEqual([]);
    expect(outcomes(steps)).toEqual(["preflight:ok", "containers:ok", "gpu-power:ok", "gpu-recover:ok", "gpu-holders:ok", "vm-start:ok", "sunshine:ok"]);
    expect(steps.find((s) => s.step === "gpu-holders" && s.status === "ok")?.message).toBe(
      "stale holders ended as root by nebula-agent-gpu-release@0000:01:00.0.service (journalctl -u nebula-agent-gpu-release@0000:01:00.0.service names them)",
    );
  });

  it("rolls back the stopped containers when the reset unit fails", async () => {
    const host = await fixtureHost("D3cold");
    systemctl.failWith(1);
    const config = gamingConfig(host, (await sunshine(0)).url, { NEBULA_PRIVILEGED: "systemd" });
    const { handlers, engine, vm, state } = setup(host, config);
    const { ctx, steps } = jobContext("gaming.enable");

    await expect(handlers["gaming.enable"]?.({}, ctx)).rejects.toMatchObject({
      code: "failed",
      message: expect.stringContaining("gpu-recover: systemctl start --no-ask-password nebula-agent-gpu-reset@0000:01:00.0.service failed: Job for"),
    });

    expect(systemctl.calls()).toHaveLength(1);
    expect(vm.calls).toEqual([]);
    expect(engine.calls).toEqual(["stop plex", "stop ollama", "start ollama", "start plex"]);
    expect(outcomes(steps)).toEqual(["preflight:ok", "containers:ok", "gpu-power:ok", "gpu-recover:failed", "containers:rolled_back"]);
    expect(await state.read()).toMatchObject({ mode: "off", stoppedContainers: [] });
  });
});

describe("gaming.enable unprivileged (NEBULA_PRIVILEGED=direct)", () => {
  /** /proc/<pid>/fd of another user's process, as the unprivileged agent meets it. */
  const denied = (denyPid: number) => async (dir: string) => {
    if (dir.endsWith(`/${denyPid}/fd`)) throw Object.assign(new Error(`EACCES: permission denied, scandir '${dir}'`), { code: "EACCES" });
    return readdir(dir);
  };

  it("says unknown (not permitted), never that nobody holds the GPU, when it may not look", async () => {
    const host = await fixtureHost("D0");
    await host.addProcess(4343, "qemu-system-x86", ["/dev/vfio/12"]);
    const config = gamingConfig(host, (await sunshine(0)).url);
    const { handlers, kills } = setup(host, config, { deps: { readFds: denied(4343) } });
    const { ctx, steps } = jobContext("gaming.enable");

    await handlers["gaming.enable"]?.({}, ctx);

    const holders = steps.filter((s) => s.step === "gpu-holders" && s.status !== "running");
    expect(holders).toEqual([
      {
        step: "gpu-holders",
        status: "skipped",
        message: "unknown (not permitted): 1 process of other users could not be checked (not permitted; NEBULA_PRIVILEGED=systemd checks as root)",
      },
    ]);
    expect(kills).toEqual([]);
  });

  it("ends the holders it can see and still names the processes it could not check", async () => {
    const host = await fixtureHost("D0");
    await host.addProcess(4242, "ollama_llama_se", ["/dev/nvidia0"]);
    await host.addProcess(4343, "qemu-system-x86", ["/dev/vfio/12"]);
    const config = gamingConfig(host, (await sunshine(0)).url);
    const { handlers } = setup(host, config, {
      deps: {
        readFds: denied(4343),
        kill: (pid) => rmSync(path.join(host.procRoot, String(pid)), { recursive: true }),
      },
    });
    const { ctx, steps } = jobContext("gaming.enable");

    await handlers["gaming.enable"]?.({}, ctx);

    expect(steps.find((s) => s.step === "gpu-holders" && s.status === "ok")?.message).toBe(
      "4242 (ollama_llama_se) ended by SIGTERM; 1 process of other users could not be checked (not permitted; NEBULA_PRIVILEGED=systemd checks as root)",
    );
  });
});

describe("gaming.disable", () => {
  it("shuts the VM down and gives the containers back, even after an agent restart", async () => {
    const host = await fixtureHost("D0");
    const config = gamingConfig(host, (await sunshine(0)).url);
    const first = setup(host, config);
    await first.handlers["gaming.enable"]?.({}, jobContext("gaming.enable").ctx);

    // A new agent process: nothing in memory, only the state file says what gaming mode stopped.
    const restarted = gamingHandlers(config, { containers: first.engine.port, vm: first.vm.port, sysfs: host.sysfs, clock: virtualClock().clock });
    const { ctx, steps } = jobContext("gaming.disable");
    const status = (await restarted["gaming.disable"]?.({}, ctx)) as GamingStatus;

    expect(first.vm.calls).toEqual(["start RDPWindows", "shutdown RDPWindows"]);
    expect(first.engine.calls).toEqual(["stop plex", "stop ollama", "start ollama", "start plex"]);
    expect(outcomes(steps)).toEqual(["vm-shutdown:ok", "containers:ok"]);
    expect(status).toEqual({ mode: "off", vm: "shut off", gpuPowerState: "D0", stoppedContainers: [], vmStartedByGaming: false, since: null });
    expect(JSON.parse(await readFile(path.join(config.stateDir, "gaming-mode.json"), "utf8"))).toMatchObject({ mode: "off" });
  });

  it("forces off a guest that ignores the shutdown request, then restores the containers", async () => {
    const host = await fixtureHost("D0");
    const config = gamingConfig(host, (await sunshine(0)).url, { GAMING_VM_SHUTDOWN_TIMEOUT_S: "20" });
    const vm = libvirt("shut off", { ignoresShutdown: true });
    const { handlers, engine } = setup(host, config, { vm });
    await handlers["gaming.enable"]?.({}, jobContext("gaming.enable").ctx);
    const { ctx, steps } = jobContext("gaming.disable");

    await handlers["gaming.disable"]?.({}, ctx);

    expect(vm.calls).toEqual(["start RDPWindows", "shutdown RDPWindows", "destroy RDPWindows"]);
    expect(steps.find((s) => s.step === "vm-shutdown" && s.status === "ok")?.message).toBe("RDPWindows did not shut down within 20 s; forced off");
    expect([...engine.running].sort()).toEqual(["ollama", "plex", "sonarr"]);
  });
});

describe("gaming.status", () => {
  it("reports the VM, the card's power state and what gaming mode holds", async () => {
    const host = await fixtureHost("D3hot");
    const config = gamingConfig(host, "https://192.0.2.10:47990/");
    const { handlers } = setup(host, config);
    expect(await handlers["gaming.status"]?.({}, jobContext("gaming.status").ctx)).toEqual({
      mode: "off",
      vm: "shut off",
      gpuPowerState: "D3hot",
      stoppedContainers: [],
      vmStartedByGaming: false,
      since: null,
    });
  });
});

describe("loadGamingConfig", () => {
  it("is null on a host without a gaming VM", () => {
    expect(loadGamingConfig({})).toBeNull();
  });

  it("fills in the defaults", () => {
    const config = loadGamingConfig({ GPU_PCI_ADDRESS: "0000:01:00.0", SUNSHINE_URL: "https://192.168.122.50:47990/" });
    expect(config).toMatchObject({
      vmName: "RDPWindows",
      libvirtUri: "qemu:///system",
      sysfsRoot: "/sys",
      procRoot: "/proc",
      sunshineInsecureTls: true,
      stopContainers: [],
      dockerSocket: "/var/run/docker.sock",
      d3coldAttempts: 4,
    });
  });

  it("names every missing or bad variable", () => {
    expect(() => loadGamingConfig({ SUNSHINE_URL: "ftp://vm", GAMING_STOP_CONTAINERS: "plex,bad name", GAMING_SUNSHINE_TIMEOUT_S: "soon", SYSFS_ROOT: "sys" })).toThrow(
      expect.objectContaining({
        name: "AgentConfigError",
        problems: [
          "GPU_PCI_ADDRESS is required for gaming mode (the GPU's PCI address, e.g. 0000:01:00.0; see `lspci -D`)",
          'SUNSHINE_URL: must be an http(s) URL (got "ftp://vm")',
          'GAMING_STOP_CONTAINERS: "bad name" is not a container name',
          'SYSFS_ROOT: must be an absolute path (got "sys")',
          'GAMING_SUNSHINE_TIMEOUT_S: must be seconds between 0 and 3600 (got "soon")',
        ],
      }),
    );
  });
});

// vm.* jobs against libvirt's test driver (`virsh -c test:///default`), whose predefined domain "test" runs.
// Every virsh process starts from the same fresh state, so each case checks one command's own answer. A node file
// (fixtures/libvirt/shut-off-node.xml) gives the driver a shut-off domain for vm.start to succeed on.
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { findVirsh, peerMissing } from "../../test/peers/peers.ts";
import { GamingHolds } from "../src/gaming/gaming-holds.ts";
import { OFF } from "../src/gaming/gaming-state.ts";
import { JobError } from "../src/jobs/job-handler.ts";
import { parseDomainTable, vmMetrics } from "../src/metrics/vm-metrics.ts";
import { virshJobError } from "../src/vm/virsh.ts";
import { type VmSummary, vmHandlers } from "../src/vm/vm-handlers.ts";
import { recordedJob, rejection } from "./support/job-context.ts";

const missing = peerMissing("virsh");

describe.skipIf(missing)(missing ?? "vm jobs against libvirt's test driver", () => {
  const handlers = () => vmHandlers({ uri: "test:///default", virsh: findVirsh() });

  it("lists the predefined domain as running, with its size", async () => {
    const list = (await handlers()["vm.list"]({}, recordedJob("vm.list").ctx)) as VmSummary[];
    expect(list).toEqual([{ name: "test", state: "running", vcpus: 2, maxMemoryKiB: 8388608, usedMemoryKiB: 2097152, autostart: false, persistent: true }]);
  });

  it("reports a domain's state", async () => {
    expect(await handlers()["vm.state"]({ name: "test" }, recordedJob("vm.state").ctx)).toEqual({ name: "test", state: "running" });
  });

  it("shuts a running domain down", async () => {
    expect(await handlers()["vm.shutdown"]({ name: "test" }, recordedJob("vm.shutdown").ctx)).toEqual({ name: "test", action: "shutdown", message: "Domain 'test' is being shutdown" });
  });

  it("reboots a running domain", async () => {
    expect(await handlers()["vm.reboot"]({ name: "test" }, recordedJob("vm.reboot").ctx)).toMatchObject({ name: "test", action: "reboot" });
  });

  it("destroys (powers off) a running domain", async () => {
    expect(await handlers()["vm.destroy"]({ name: "test" }, recordedJob("vm.destroy").ctx)).toEqual({ name: "test", action: "destroy", message: "Domain 'test' destroyed" });
  });

  it("answers failed with libvirt's reason when starting a domain that already runs", async () => {
    const err = await rejection(handlers()["vm.start"]({ name: "test" }, recordedJob("vm.start").ctx));
    expect(err).toBeInstanceOf(JobError);
    expect(err).toMatchObject({ code: "failed", message: "Domain is already active" });
  });

  it("answers not_found for a domain that does not exist, for every action", async () => {
    for (const kind of ["vm.state", "vm.start", "vm.shutdown", "vm.reboot", "vm.destroy"] as const) {
      const err = await rejection(handlers()[kind]({ name: "no-such-vm" }, recordedJob(kind).ctx));
      expect(err, kind).toMatchObject({ code: "not_found", message: "failed to get domain 'no-such-vm'" });
    }
  });

  it("answers unavailable when libvirt cannot be reached or virsh is not installed", async () => {
    const unreachable = vmHandlers({ uri: "qemu+unix:///system?socket=/nonexistent/libvirt-sock", virsh: findVirsh() });
    expect(await rejection(unreachable["vm.list"]({}, recordedJob("vm.list").ctx))).toMatchObject({ code: "unavailable" });
    const noVirsh = vmHandlers({ uri: "test:///default", virsh: "/nonexistent/virsh" });
    expect(await rejection(noVirsh["vm.list"]({}, recordedJob("vm.list").ctx))).toMatchObject({ code: "unavailable", message: expect.stringContaining("not installed") });
  });
});

describe.skipIf(missing)(missing ?? "vm jobs against a test-driver node with a shut-off domain", () => {
  const uri = `test://${fileURLToPath(new URL("./fixtures/libvirt/shut-off-node.xml", import.meta.url))}`;
  const handlers = () => vmHandlers({ uri, virsh: findVirsh() });

  it("lists the domain as shut off, with its size", async () => {
    const list = (await handlers()["vm.list"]({}, recordedJob("vm.list").ctx)) as VmSummary[];
    expect(list).toEqual([{ name: "RDPWindows", state: "shut off", vcpus: 4, maxMemoryKiB: 4194304, usedMemoryKiB: 4194304, autostart: false, persistent: true }]);
    expect(await handlers()["vm.state"]({ name: "RDPWindows" }, recordedJob("vm.state").ctx)).toEqual({ name: "RDPWindows", state: "shut off" });
  });

  // The agent runs one virsh process per command and the test driver keeps its state per process, so a later
  // vm.state starts from the file again: the start is checked by virsh's own answer (exit 0 and its message).
  it("starts a shut-off domain", async () => {
    expect(await handlers()["vm.start"]({ name: "RDPWindows" }, recordedJob("vm.start").ctx)).toEqual({
      name: "RDPWindows",
      action: "start",
      message: "Domain 'RDPWindows' started",
    });
  });

  it("answers failed with libvirt's reason when shutting down a domain that is not running", async () => {
    const err = await rejection(handlers()["vm.shutdown"]({ name: "RDPWindows" }, recordedJob("vm.shutdown").ctx));
    expect(err).toMatchObject({ code: "failed", message: expect.stringContaining("not running") });
  });
});

describe("virshJobError", () => {
  it("maps libvirt's wording to job error codes", () => {
    expect(virshJobError("error: failed to get domain 'x'\n", "")).toMatchObject({ code: "not_found" });
    expect(virshJobError("error: Domain not found: no domain with matching name 'x'\n", "")).toMatchObject({ code: "not_found" });
    expect(virshJobError("error: failed to connect to the hypervisor\nerror: Failed to connect socket to '/var/run/libvirt/libvirt-sock': Permission denied\n", "")).toMatchObject({
      code: "unavailable",
      message: "failed to connect to the hypervisor; Failed to connect socket to '/var/run/libvirt/libvirt-sock': Permission denied",
    });
    expect(virshJobError("error: Requested operation is not valid: domain is not running\n", "")).toMatchObject({ code: "failed" });
    expect(virshJobError("", "virsh start failed")).toMatchObject({ code: "failed", message: "virsh start failed" });
  });
});

describe("VM metrics", () => {
  it("parses virsh's domain table, shut-off domains and names included", () => {
    const table = " Id   Name          State\n-------------------------------\n 1    test          running\n -    RDPWindows    shut off\n\n";
    expect(parseDomainTable(table)).toEqual([
      { name: "test", state: "running" },
      { name: "RDPWindows", state: "shut off" },
    ]);
  });

  it.skipIf(missing)("reports each domain's running state from libvirt, refreshed every 30 s", async () => {
    let clock = 0;
    const collect = vmMetrics({ uri: "test:///default", virsh: findVirsh(), now: () => clock });
    const values = await collect();
    expect(values).toEqual({ "vms.running": 1, "vm.test.running": 1 });
    clock += 10_000;
    expect(await collect()).toBe(values);
  });

  // The gaming VM is shut off whenever nobody games: a 0 then would keep "VM down" (name "*") firing for good.
  it.skipIf(missing)("leaves the gaming VM out while gaming mode is off, and reports it while gaming mode switches, is on or partial", async () => {
    const uri = `test://${fileURLToPath(new URL("./fixtures/libvirt/shut-off-node.xml", import.meta.url))}`;
    const holds = new GamingHolds();
    holds.watchGamingVm("RDPWindows");
    // One clock for every read: the 30 s cache is read once, so each answer below is judged on the same virsh read.
    const collect = vmMetrics({ uri, virsh: findVirsh(), now: () => 0, parked: (vm) => holds.gamingVmParked(vm) });
    const otherVms = vmMetrics({ uri: "test:///default", virsh: findVirsh(), now: () => 0, parked: (vm) => holds.gamingVmParked(vm) });

    expect(await collect()).toEqual({ "vms.running": 0 });
    expect(await otherVms()).toEqual({ "vms.running": 1, "vm.test.running": 1 });

    const release = await holds.beginSwitch();
    expect(await collect()).toEqual({ "vms.running": 0, "vm.RDPWindows.running": 0 });
    holds.record({ mode: "on", stoppedContainers: ["plex"], vmStartedByGaming: true, since: 1 });
    release();
    // Gaming mode is on and the VM is not running: it crashed, and "VM down" has a 0 to fire on.
    expect(await collect()).toEqual({ "vms.running": 0, "vm.RDPWindows.running": 0 });

    // A switch that failed and could not undo everything leaves gaming mode partial: the VM is still watched.
    holds.record({ mode: "partial", stoppedContainers: [], vmStartedByGaming: true, since: null });
    expect(await collect()).toEqual({ "vms.running": 0, "vm.RDPWindows.running": 0 });

    holds.record({ ...OFF });
    expect(await collect()).toEqual({ "vms.running": 0 });
    expect(await otherVms()).toEqual({ "vms.running": 1, "vm.test.running": 1 });
  });

  it("a host without virsh reports no VM metrics", async () => {
    const collect = vmMetrics({ uri: "test:///default", virsh: "/nonexistent/virsh" });
    expect(await collect()).toEqual({});
  });
});

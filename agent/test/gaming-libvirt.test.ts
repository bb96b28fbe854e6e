// The VM port against real libvirt: virsh's test driver (test:///default) has a running domain named "test".
// Each virsh process starts from the driver's fresh state, so only single-command behaviour is checked here.
import { describe, expect, it } from "vitest";
import { peerMissing } from "../../test/peers/peers.ts";
import { virshVm } from "../src/gaming/libvirt-vm.ts";

const missing = peerMissing("virsh");

describe.skipIf(missing)(missing ?? "virshVm (libvirt test driver)", () => {
  const vm = virshVm({ uri: "test:///default" });
  const signal = new AbortController().signal;

  it("reads a domain's state", async () => {
    expect(await vm.state("test", signal)).toBe("running");
  });

  it("treats starting a running VM as done", async () => {
    await expect(vm.start("test", signal)).resolves.toBeUndefined();
  });

  it("asks a running VM to shut down, and pulls the plug", async () => {
    await expect(vm.shutdown("test", signal)).resolves.toBeUndefined();
    await expect(vm.destroy("test", signal)).resolves.toBeUndefined();
  });

  it("says plainly when there is no such VM", async () => {
    await expect(vm.state("RDPWindows", signal)).rejects.toMatchObject({ code: "not_found" });
  });
});

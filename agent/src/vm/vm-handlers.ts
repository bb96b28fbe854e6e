// vm.* jobs through virsh against the configured libvirt URI (qemu:///system on the KVM host): list with
// each domain's state and size, state, and the lifecycle actions start/shutdown/reboot/destroy.
import type { JobResultHandlers, VmActionResult, VmState, VmSummary } from "@nebula/schema/wire/job-results";
import type { JobContext } from "../jobs/job-handler.ts";
import { type VirshOptions, parseDomInfo, parseDomState, parseNameList, runVirsh } from "./virsh.ts";

export type { VmSummary } from "@nebula/schema/wire/job-results";

type VmHandlers = JobResultHandlers<"vm.list" | "vm.state" | "vm.start" | "vm.shutdown" | "vm.reboot" | "vm.destroy", JobContext>;

function kib(value: string | undefined): number | null {
  const m = value?.match(/^(\d+)\s*KiB$/i);
  return m ? Number(m[1]) : null;
}

export function vmSummary(name: string, dominfo: string): VmSummary {
  const info = parseDomInfo(dominfo);
  const cpus = Number(info.get("cpu(s)"));
  return {
    name,
    state: info.get("state") ?? "unknown",
    vcpus: Number.isInteger(cpus) ? cpus : null,
    maxMemoryKiB: kib(info.get("max memory")),
    usedMemoryKiB: kib(info.get("used memory")),
    autostart: info.get("autostart") === "enable",
    persistent: info.get("persistent") === "yes",
  };
}

export function vmHandlers(options: VirshOptions): VmHandlers {
  const action =
    (verb: VmActionResult["action"]) =>
    async (params: { name: string }, ctx: { signal: AbortSignal }): Promise<VmActionResult> => {
      // `shutdown` asks the guest (ACPI) and returns at once; the dashboard follows up with vm.state.
      const stdout = await runVirsh(options, [verb, "--domain", params.name], ctx.signal);
      return { name: params.name, action: verb, message: stdout.trim() };
    };

  return {
    "vm.list": async (_params, ctx) => {
      const names = parseNameList(await runVirsh(options, ["list", "--all", "--name"], ctx.signal));
      return Promise.all(names.map(async (name) => vmSummary(name, await runVirsh(options, ["dominfo", "--domain", name], ctx.signal))));
    },
    "vm.state": async (params, ctx): Promise<VmState> => ({
      name: params.name,
      state: parseDomState(await runVirsh(options, ["domstate", "--domain", params.name], ctx.signal)),
    }),
    "vm.start": action("start"),
    "vm.shutdown": action("shutdown"),
    "vm.reboot": action("reboot"),
    "vm.destroy": action("destroy"),
  };
}

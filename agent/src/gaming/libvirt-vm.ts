// The gaming VM through libvirt, by the same virsh runner the vm.* jobs use (execFile, argv array).
import { JobError } from "../jobs/job-handler.ts";
import { parseDomState, runVirsh, type VirshOptions } from "../vm/virsh.ts";

export interface VmPort {
  /** virsh domstate words: running, paused, in shutdown, shut off, crashed, pmsuspended. */
  state(name: string, signal: AbortSignal): Promise<string>;
  start(name: string, signal: AbortSignal): Promise<void>;
  /** Asks the guest to shut down (ACPI); returns before it has. */
  shutdown(name: string, signal: AbortSignal): Promise<void>;
  /** Pulls the plug. */
  destroy(name: string, signal: AbortSignal): Promise<void>;
}

/** Runs a lifecycle verb, treating libvirt's "already there" answer as success. */
async function lifecycle(options: VirshOptions, verb: string, name: string, signal: AbortSignal, alreadyThere: RegExp): Promise<void> {
  try {
    await runVirsh(options, [verb, "--domain", name], signal);
  } catch (err) {
    if (!(err instanceof JobError && err.code === "failed" && alreadyThere.test(err.message))) throw err;
  }
}

export function virshVm(options: VirshOptions): VmPort {
  return {
    state: async (name, signal) => parseDomState(await runVirsh(options, ["domstate", "--domain", name], signal)),
    start: (name, signal) => lifecycle(options, "start", name, signal, /already active/i),
    shutdown: (name, signal) => lifecycle(options, "shutdown", name, signal, /not running/i),
    destroy: (name, signal) => lifecycle(options, "destroy", name, signal, /not running/i),
  };
}

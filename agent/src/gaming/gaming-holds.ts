// What gaming mode has taken from the host right now, for the metrics that would misread it otherwise: the GPU (while a
// switch runs and while the VM owns the card, nvidia-smi must not open /dev/nvidia*), the containers it stopped on
// purpose (lent out for a gaming session, not down) with the probes of the services they run, and the gaming VM, shut
// off on purpose while gaming mode is off. One instance per agent, shared by gaming mode and the collectors.
import type { GamingMode } from "@nebula/schema/wire/job-results";
import type { GpuGate } from "../metrics/gpu.ts";
import type { GamingState } from "./gaming-state.ts";

export interface GamingHoldsOptions {
  /** Probes of services that go away with the containers gaming mode stops (GAMING_PAUSE_PROBES). */
  pauseProbes?: ReadonlySet<string>;
}

export class GamingHolds implements GpuGate {
  private switches = 0;
  private vmOwnsGpu = false;
  private mode: GamingMode = "off";
  /** The passthrough VM (GAMING_VM), once gaming mode's handlers name it; null on a host without gaming mode. */
  private gamingVm: string | null = null;
  private stopped = new Set<string>();
  private readonly pauseProbes: ReadonlySet<string>;
  /** Held before Docker stops them, until the state file lists them or the switch ends (a stop that failed). */
  private readonly stopping = new Set<string>();
  private readonly reads = new Set<Promise<unknown>>();

  constructor(options: GamingHoldsOptions = {}) {
    this.pauseProbes = options.pauseProbes ?? new Set();
  }

  /** True during a switch and while the VM has the card: the host must leave it alone. */
  get gpuHandedOver(): boolean {
    return this.switches > 0 || this.vmOwnsGpu;
  }

  /** Runs a host-side read of the card (nvidia-smi), or returns null without running it while the card is handed over. */
  use<T>(read: () => Promise<T>): Promise<T> | null {
    if (this.gpuHandedOver) return null;
    const reading = read();
    this.reads.add(reading);
    const forget = () => this.reads.delete(reading);
    reading.then(forget, forget);
    return reading;
  }

  /**
   * Holds the card for one switch; resolves once reads begun before it have ended, so none still has /dev/nvidia* open
   * when libvirt detaches the card from the nvidia driver. Call the returned function when the switch is over.
   */
  async beginSwitch(): Promise<() => void> {
    this.switches++;
    let released = false;
    await Promise.allSettled([...this.reads]);
    return () => {
      if (released) return;
      released = true;
      if (--this.switches === 0) this.stopping.clear();
    };
  }

  /** Containers gaming mode stopped (or is stopping right now) on purpose. */
  stoppedByGaming(container: string): boolean {
    return this.stopped.has(container) || this.stopping.has(container);
  }

  /**
   * During a switch (containers stop or start at any step) and while the state file lists containers gaming mode
   * stopped: a probe of a service they run would only report what gaming mode did, so it is not run.
   */
  probePaused(probe: string): boolean {
    return this.pauseProbes.has(probe) && (this.switches > 0 || this.stopped.size > 0 || this.stopping.size > 0);
  }

  /** Gaming mode's handlers name their VM once configured, so its "shut off" can be told from a crash. */
  watchGamingVm(name: string): void {
    this.gamingVm = name;
  }

  /**
   * The gaming VM while gaming mode is off and no switch runs: shut off is where it belongs, so its running state says
   * nothing an alert should act on. While gaming is on, switching or left partial it does: a crash is "VM down".
   */
  gamingVmParked(vm: string): boolean {
    return vm === this.gamingVm && this.switches === 0 && this.mode === "off";
  }

  /** Marked before Docker is asked to stop it, so no sample in between reports it down. */
  holdContainer(container: string): void {
    this.stopping.add(container);
  }

  /** Mirrors gaming mode's state file at every read and write: the VM owns the card once enabled, or once gaming mode started it. */
  record(state: GamingState): void {
    this.vmOwnsGpu = state.mode === "on" || state.vmStartedByGaming;
    this.mode = state.mode;
    this.stopped = new Set(state.stoppedContainers);
    for (const container of state.stoppedContainers) this.stopping.delete(container);
  }
}

// What gaming mode has taken from the host right now, for the metrics that would misread it otherwise: the GPU (while a
// switch runs and while the VM owns the card, nvidia-smi must not open /dev/nvidia*) and the containers it stopped on
// purpose (lent out for a gaming session, not down). One instance per agent, shared by gaming mode and the collectors.
import type { GpuGate } from "../metrics/gpu.ts";
import type { GamingState } from "./gaming-state.ts";

export class GamingHolds implements GpuGate {
  private switches = 0;
  private vmOwnsGpu = false;
  private stopped = new Set<string>();
  /** Held before Docker stops them, until the state file lists them or the switch ends (a stop that failed). */
  private readonly stopping = new Set<string>();
  private readonly reads = new Set<Promise<unknown>>();

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

  /** Marked before Docker is asked to stop it, so no sample in between reports it down. */
  holdContainer(container: string): void {
    this.stopping.add(container);
  }

  /** Mirrors gaming mode's state file at every read and write: the VM owns the card once enabled, or once gaming mode started it. */
  record(state: GamingState): void {
    this.vmOwnsGpu = state.mode === "on" || state.vmStartedByGaming;
    this.stopped = new Set(state.stoppedContainers);
    for (const container of state.stoppedContainers) this.stopping.delete(container);
  }
}

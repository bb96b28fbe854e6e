// Result shapes of the read-only jobs the host tabs show, as the agent builds them (the agent package is Node code,
// so the web app keeps its own copy of these few interfaces): agent/src/docker/docker-handlers.ts,
// agent/src/vm/vm-handlers.ts, agent/src/gaming/gaming-mode.ts, agent/src/nas/nas-handlers.ts.

/** docker.list: ContainerSummary[]. */
export interface Container {
  id: string;
  names: string[];
  image: string;
  state: string;
  status: string;
  created: string;
  ports: { privatePort: number; publicPort?: number; ip?: string; type: string }[];
}

export const containerName = (c: Container) => c.names[0] ?? c.id.slice(0, 12);

/** vm.list: VmSummary[]. */
export interface Vm {
  name: string;
  state: string;
  vcpus: number | null;
  maxMemoryKiB: number | null;
  usedMemoryKiB: number | null;
  autostart: boolean;
  persistent: boolean;
}

/** gaming.status, and the result of gaming.enable / gaming.disable. */
export interface GamingStatus {
  mode: "off" | "partial" | "on";
  vm: string;
  gpuPowerState: string;
  stoppedContainers: string[];
  vmStartedByGaming: boolean;
  since: number | null;
}

/** nas.status: { mounts: MountStatus[] }; nas.remount answers one MountStatus. */
export interface MountStatus {
  name: string;
  path: string;
  mounted: boolean;
  fstype: string | null;
  source: string | null;
  reachable: "ok" | "stale" | "error" | null;
  totalBytes: number | null;
  freeBytes: number | null;
  detail: string;
}

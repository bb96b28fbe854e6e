// What a succeeded job's `result` is, by kind: the values the agent's handlers resolve with and the host tabs read.
// Types only (no zod), so the web app imports them with `import type` and its bundle gains nothing; the agent types
// its handlers with `JobResultHandlers`, so changing a shape here breaks the agent build and the web build together.
// Object types rather than interfaces: a result is plain JSON, so it must also read as a Record<string, unknown>.
import type { JobKind, JobParams } from "./jobs.ts";

export type ContainerPort = {
  privatePort: number;
  publicPort?: number;
  ip?: string;
  type: string;
};

export type ContainerSummary = {
  id: string;
  names: string[];
  image: string;
  state: string;
  status: string;
  /** ISO 8601. */
  created: string;
  ports: ContainerPort[];
};

export type ContainerDetails = {
  id: string;
  name: string;
  image: string;
  imageId: string;
  created: string;
  state: { status: string; running: boolean; paused: boolean; restarting: boolean; exitCode: number; startedAt: string; finishedAt: string; health?: string };
  restartCount: number;
  restartPolicy: string;
  networkMode: string;
  command: string[];
  ports: ContainerPort[];
  mounts: { type: string; source: string; destination: string; rw: boolean }[];
  labels: Record<string, string>;
};

export type ContainerStateChange = {
  id: string;
  /** False when the container already was in the requested state (Docker answers 304). */
  changed: boolean;
  state: string;
};

export type LogStream = "stdout" | "stderr";

export type ContainerLogsResult = {
  id: string;
  followed: boolean;
  bytes: Record<LogStream, number>;
  /**
   * A one-shot read also returns its text, so a viewer that attaches after the job ended still sees it
   * (streamed log chunks are not kept). Capped to stay well inside the 256 KiB message limit.
   */
  output?: { stream: LogStream; text: string }[];
  truncated?: boolean;
};

export type ContainerStatsSample = {
  id: string;
  at: string;
  cpuPercent: number;
  memoryBytes: number;
  memoryLimitBytes: number;
  memoryPercent: number;
  netRxBytes: number;
  netTxBytes: number;
  blockReadBytes: number;
  blockWriteBytes: number;
  pids: number;
};

export type ImagePullResult = {
  image: string;
  imageId: string;
  status: string;
};

export type ComposeResult = {
  stack: string;
  action: "up" | "down";
  composeFile: string;
};

export type DeployResult = {
  repo: string;
  /** Commit before and after the pull. */
  before: string;
  after: string;
  changed: boolean;
  /** Whether the checkout's compose stack was brought up (only when it holds a compose file). */
  compose: "up" | "skipped";
};

export type VmSummary = {
  name: string;
  /** libvirt's words: "running", "shut off", "paused", … */
  state: string;
  vcpus: number | null;
  /** KiB as libvirt reports it. */
  maxMemoryKiB: number | null;
  usedMemoryKiB: number | null;
  autostart: boolean;
  persistent: boolean;
};

export type VmState = {
  name: string;
  state: string;
};

export type VmActionResult = {
  name: string;
  action: "start" | "shutdown" | "reboot" | "destroy";
  /** What virsh said, e.g. "Domain 'win11' is being shutdown". */
  message: string;
};

/**
 * "partial": a switch is under way, or one was interrupted (agent crash) or could not be fully rolled back;
 * status shows what is left and disable restores it.
 */
export type GamingMode = "off" | "partial" | "on";

/** The passthrough GPU's PCI power state as sysfs names it; "absent" when the device is not on the bus. */
export type PowerState = "D0" | "D1" | "D2" | "D3hot" | "D3cold" | "unknown" | "absent";

export type GamingStatus = {
  mode: GamingMode;
  vm: string;
  gpuPowerState: PowerState;
  /** Containers gaming mode stopped and will start again on disable. */
  stoppedContainers: string[];
  vmStartedByGaming: boolean;
  since: number | null;
};

export type MountStatus = {
  name: string;
  path: string;
  mounted: boolean;
  /** Filesystem type found at the path (cifs, nfs4, ...), or null when nothing is mounted there. */
  fstype: string | null;
  source: string | null;
  /** "stale": the share is mounted but the filesystem did not answer in time (NAS down, network gone). */
  reachable: "ok" | "stale" | "error" | null;
  totalBytes: number | null;
  freeBytes: number | null;
  detail: string;
};

/** The result of each job kind that declares one here; host.* and deploy.run keep theirs with their handlers. */
export type JobResults = {
  "docker.list": ContainerSummary[];
  "docker.inspect": ContainerDetails;
  "docker.logs": ContainerLogsResult;
  "docker.stats": ContainerStatsSample;
  "docker.start": ContainerStateChange;
  "docker.stop": ContainerStateChange;
  "docker.restart": ContainerStateChange;
  "docker.pull": ImagePullResult;
  "docker.compose.up": ComposeResult;
  "docker.compose.down": ComposeResult;
  "deploy.run": DeployResult;
  "vm.list": VmSummary[];
  "vm.state": VmState;
  "vm.start": VmActionResult;
  "vm.shutdown": VmActionResult;
  "vm.reboot": VmActionResult;
  "vm.destroy": VmActionResult;
  "gaming.status": GamingStatus;
  "gaming.enable": GamingStatus;
  "gaming.disable": GamingStatus;
  "nas.status": { mounts: MountStatus[] };
  "nas.remount": MountStatus;
};

/** The constraint makes a key above that is not a job kind (a typo, a renamed kind) a compile error. */
type OnlyJobKinds<K extends JobKind> = K;
export type ResultKind = OnlyJobKinds<keyof JobResults>;

/** Handlers for the kinds `K`, each resolving with its kind's result; `Context` is the agent's job context. */
export type JobResultHandlers<K extends ResultKind, Context> = { [P in K]: (params: JobParams<P>, ctx: Context) => Promise<JobResults[P]> };

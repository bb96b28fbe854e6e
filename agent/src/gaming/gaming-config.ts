// Gaming mode settings from the agent's environment: the passthrough VM, its GPU, Sunshine inside it, which
// containers give the GPU up, and how long each step may take. One message names every bad variable.
import path from "node:path";
import { AgentConfigError } from "../config/config.ts";
import { type PrivilegedMode, parsePrivilegedMode } from "../privileged/root-actions.ts";

export interface GamingTimeouts {
  containersMs: number;
  gpuMs: number;
  holdersMs: number;
  vmStartMs: number;
  sunshineMs: number;
  vmShutdownMs: number;
}

export interface GamingConfig {
  vmName: string;
  libvirtUri: string;
  /** PCI address of the passthrough GPU as sysfs names it, e.g. 0000:01:00.0. */
  gpuPciAddress: string;
  sysfsRoot: string;
  procRoot: string;
  sunshineUrl: string;
  /** Sunshine serves its web UI with a self-signed certificate it generates on first start. */
  sunshineInsecureTls: boolean;
  stopContainers: string[];
  dockerSocket: string;
  /** gaming-mode.json lives here so a restarted agent knows what to restore. */
  stateDir: string;
  timeouts: GamingTimeouts;
  /** remove + rescan cycles before a GPU stuck in D3cold is given up on. */
  d3coldAttempts: number;
  /** How long stale GPU holders get between SIGTERM and SIGKILL. */
  killGraceMs: number;
  /** NEBULA_PRIVILEGED: who does the root-only steps (PCI remove/rescan, ending other users' processes). */
  privileged: PrivilegedMode;
}

const DOMAIN = /^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$/;
const PCI_ADDRESS = /^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/;
const CONTAINER = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;

const SECONDS: Record<keyof GamingTimeouts | "killGrace", [variable: string, defaultSeconds: number]> = {
  containersMs: ["GAMING_CONTAINERS_TIMEOUT_S", 90],
  gpuMs: ["GAMING_GPU_TIMEOUT_S", 60],
  holdersMs: ["GAMING_HOLDERS_TIMEOUT_S", 30],
  vmStartMs: ["GAMING_VM_START_TIMEOUT_S", 60],
  sunshineMs: ["GAMING_SUNSHINE_TIMEOUT_S", 180],
  vmShutdownMs: ["GAMING_VM_SHUTDOWN_TIMEOUT_S", 120],
  killGrace: ["GAMING_KILL_GRACE_S", 5],
};

/** null when neither GPU_PCI_ADDRESS nor SUNSHINE_URL is set: this host has no gaming VM. */
export function loadGamingConfig(env: Record<string, string | undefined>): GamingConfig | null {
  const get = (name: string) => env[name]?.trim() ?? "";
  if (!get("GPU_PCI_ADDRESS") && !get("SUNSHINE_URL")) return null;
  const problems: string[] = [];

  const vmName = get("GAMING_VM") || "RDPWindows";
  if (!DOMAIN.test(vmName)) problems.push(`GAMING_VM: "${vmName.slice(0, 64)}" is not a libvirt domain name`);
  const libvirtUri = get("LIBVIRT_URI") || "qemu:///system";
  if (!/^[a-z][a-z0-9+]*:\/\//.test(libvirtUri)) problems.push(`LIBVIRT_URI: must be a libvirt URI such as qemu:///system (got "${libvirtUri.slice(0, 100)}")`);

  const gpuPciAddress = get("GPU_PCI_ADDRESS").toLowerCase();
  if (!gpuPciAddress) problems.push("GPU_PCI_ADDRESS is required for gaming mode (the GPU's PCI address, e.g. 0000:01:00.0; see `lspci -D`)");
  else if (!PCI_ADDRESS.test(gpuPciAddress)) problems.push(`GPU_PCI_ADDRESS: must look like 0000:01:00.0 (got "${gpuPciAddress.slice(0, 40)}")`);

  const sunshineUrl = get("SUNSHINE_URL");
  if (!sunshineUrl) problems.push("SUNSHINE_URL is required for gaming mode (Sunshine's web UI in the VM, e.g. https://192.168.122.50:47990/)");
  else if (!URL.canParse(sunshineUrl) || !/^https?:$/.test(new URL(sunshineUrl).protocol)) problems.push(`SUNSHINE_URL: must be an http(s) URL (got "${sunshineUrl.slice(0, 200)}")`);
  const insecure = (get("SUNSHINE_INSECURE_TLS") || "true").toLowerCase();
  if (insecure !== "true" && insecure !== "false") problems.push(`SUNSHINE_INSECURE_TLS: must be true or false (got "${insecure.slice(0, 20)}")`);

  const stopContainers = get("GAMING_STOP_CONTAINERS")
    .split(",")
    .map((c) => c.trim())
    .filter(Boolean);
  for (const c of stopContainers) if (!CONTAINER.test(c)) problems.push(`GAMING_STOP_CONTAINERS: "${c.slice(0, 128)}" is not a container name`);

  const absolute = (name: string, fallback: string) => {
    const value = get(name) || fallback;
    if (!path.isAbsolute(value)) problems.push(`${name}: must be an absolute path (got "${value.slice(0, 200)}")`);
    return value;
  };
  const sysfsRoot = absolute("SYSFS_ROOT", "/sys");
  const procRoot = absolute("PROC_ROOT", "/proc");
  const dockerSocket = absolute("DOCKER_SOCKET", "/var/run/docker.sock");
  const stateDir = absolute("NEBULA_STATE_DIR", "/var/lib/nebula-agent");

  const ms = (key: keyof typeof SECONDS) => {
    const [name, fallback] = SECONDS[key];
    const raw = get(name);
    if (!raw) return fallback * 1000;
    const seconds = Number(raw);
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 3600) {
      problems.push(`${name}: must be seconds between 0 and 3600 (got "${raw.slice(0, 20)}")`);
      return fallback * 1000;
    }
    return Math.round(seconds * 1000);
  };
  const timeouts: GamingTimeouts = {
    containersMs: ms("containersMs"),
    gpuMs: ms("gpuMs"),
    holdersMs: ms("holdersMs"),
    vmStartMs: ms("vmStartMs"),
    sunshineMs: ms("sunshineMs"),
    vmShutdownMs: ms("vmShutdownMs"),
  };
  const killGraceMs = ms("killGrace");

  const rawAttempts = get("GAMING_D3COLD_ATTEMPTS") || "4";
  const d3coldAttempts = Number(rawAttempts);
  if (!/^\d+$/.test(rawAttempts) || d3coldAttempts < 1 || d3coldAttempts > 10) problems.push(`GAMING_D3COLD_ATTEMPTS: must be a whole number 1-10 (got "${rawAttempts.slice(0, 20)}")`);

  const privileged = parsePrivilegedMode(env, problems);

  if (problems.length > 0) throw new AgentConfigError(problems);
  return {
    vmName,
    libvirtUri,
    gpuPciAddress,
    sysfsRoot,
    procRoot,
    sunshineUrl,
    sunshineInsecureTls: insecure === "true",
    stopContainers,
    dockerSocket,
    stateDir,
    timeouts,
    d3coldAttempts,
    killGraceMs,
    privileged,
  };
}

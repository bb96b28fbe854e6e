// The containers that contend for the GPU (Plex/Jellyfin transcoding, Ollama), stopped and started through the
// Docker Engine API on its unix socket with dockerode, the same client the docker.* jobs use.
import Docker from "dockerode";

/** What gaming mode needs from a container engine. */
export interface GpuContainers {
  /** Names (without Docker's leading "/") of the running containers. */
  listRunning(signal: AbortSignal): Promise<string[]>;
  stop(name: string, signal: AbortSignal): Promise<void>;
  start(name: string, signal: AbortSignal): Promise<void>;
}

/** Seconds Docker waits after SIGTERM before SIGKILL on stop; Plex finishing a transcode segment needs a few. */
const DEFAULT_STOP_GRACE_S = 20;

/** dockerode's error shape: the engine's HTTP status and its JSON `{message}`. */
interface DockerApiError {
  statusCode?: number;
  json?: { message?: string } | null;
  message: string;
}

function engineError(verb: string, name: string, err: unknown): Error {
  const e = err as DockerApiError;
  return new Error(`docker ${verb} ${name}: ${e.json?.message ?? e.message}`);
}

export function dockerGpuContainers(socketPath: string, options: { stopGraceSeconds?: number } = {}): GpuContainers {
  const docker = new Docker({ socketPath });
  const change = async (verb: "start" | "stop", name: string, signal: AbortSignal) => {
    const container = docker.getContainer(name);
    try {
      if (verb === "stop") await container.stop({ t: options.stopGraceSeconds ?? DEFAULT_STOP_GRACE_S, abortSignal: signal });
      else await container.start({ abortSignal: signal });
    } catch (err) {
      // 304: already in the wanted state, which is success for an idempotent switch.
      if ((err as DockerApiError).statusCode !== 304) throw engineError(verb, name, err);
    }
  };
  return {
    async listRunning(signal) {
      const containers = await docker.listContainers({ abortSignal: signal });
      return containers.flatMap((c) => c.Names.map((n) => n.replace(/^\//, "")));
    },
    stop: (name, signal) => change("stop", name, signal),
    start: (name, signal) => change("start", name, signal),
  };
}

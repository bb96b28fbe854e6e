// docker.* jobs through the Docker Engine API on its unix socket (Docker itself, or podman's compatible
// service): compact typed results, logs streamed as job output, and Docker's errors mapped to job error codes.
import type { Readable } from "node:stream";
import type {
  ContainerDetails,
  ContainerLogsResult,
  ContainerPort,
  ContainerStateChange,
  ContainerStatsSample,
  ContainerSummary,
  ImagePullResult,
  JobResultHandlers,
} from "@nebula/schema/wire/job-results";
import Docker from "dockerode";
import type { JobContext } from "../jobs/job-handler.ts";
import { JobError } from "../jobs/job-handler.ts";
import { COMPOSE_CLIS_AUTO, type ComposeCli, composeHandlers } from "./compose.ts";
import { DockerStreamDemuxer, type DockerStreamName, RawStream } from "./docker-stream.ts";
import { engineGet } from "./engine-api.ts";

export type { ContainerStatsSample, ContainerSummary } from "@nebula/schema/wire/job-results";

export interface DockerHandlerOptions {
  socketPath: string;
  /** Compose stacks by name (NEBULA_STACKS). */
  stacks: ReadonlyMap<string, string>;
  /** Compose CLIs to try (NEBULA_COMPOSE_CLI); the plugin, then docker-compose, unless given. */
  composeClis?: readonly ComposeCli[];
}

/** Text a one-shot docker.logs returns in its result. */
export const LOGS_RESULT_MAX_BYTES = 160 * 1024;

type DockerHandlers = JobResultHandlers<
  | "docker.list"
  | "docker.inspect"
  | "docker.start"
  | "docker.stop"
  | "docker.restart"
  | "docker.logs"
  | "docker.stats"
  | "docker.pull"
  | "docker.compose.up"
  | "docker.compose.down",
  JobContext
>;

interface DockerApiError extends Error {
  statusCode?: number;
  code?: string;
  json?: { message?: string } | null;
}

/** Docker's answer as a job error: the edge sees not_found / unavailable / failed, never a stack trace. */
export function dockerJobError(err: unknown, socketPath: string): unknown {
  if (err instanceof JobError || (err instanceof Error && err.name === "AbortError")) return err;
  const e = err as DockerApiError;
  const message = (e.json && typeof e.json === "object" && e.json.message) || e.message || String(err);
  if (e.statusCode === 404) return new JobError("not_found", message);
  if (e.code === "ENOENT" || e.code === "ECONNREFUSED" || e.code === "EACCES" || e.code === "ECONNRESET") {
    return new JobError("unavailable", `Docker is not reachable at ${socketPath} (${e.code})`);
  }
  return new JobError("failed", message);
}

function portsOf(ports: { IP?: string; PrivatePort: number; PublicPort?: number; Type: string }[]): ContainerPort[] {
  const seen = new Set<string>();
  const out: ContainerPort[] = [];
  for (const p of ports) {
    const key = `${p.IP ?? ""}|${p.PrivatePort}|${p.PublicPort ?? ""}|${p.Type}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ privatePort: p.PrivatePort, ...(p.PublicPort ? { publicPort: p.PublicPort } : {}), ...(p.IP ? { ip: p.IP } : {}), type: p.Type });
  }
  return out;
}

/** Inspect's NetworkSettings.Ports ({"80/tcp": [{HostIp, HostPort}] | null}) in the list's shape. */
function inspectPortsOf(ports: Record<string, { HostIp?: string; HostPort?: string }[] | null> | undefined): ContainerPort[] {
  const out: ContainerPort[] = [];
  for (const [spec, bindings] of Object.entries(ports ?? {})) {
    const [port, type = "tcp"] = spec.split("/");
    const privatePort = Number(port);
    if (!bindings || bindings.length === 0) out.push({ privatePort, type });
    for (const b of bindings ?? []) out.push({ privatePort, ...(b.HostPort ? { publicPort: Number(b.HostPort) } : {}), ...(b.HostIp ? { ip: b.HostIp } : {}), type });
  }
  return portsOf(out.map((p) => ({ IP: p.ip, PrivatePort: p.privatePort, PublicPort: p.publicPort, Type: p.type })));
}

function isoOfEpochSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Number.isFinite(value) ? Math.round(value * f) / f : 0;
}

/** Stats arithmetic as `docker stats` does it: CPU share of the host over the sampling window, memory without page cache. */
export function statsSample(id: string, s: Docker.ContainerStats): ContainerStatsSample {
  const cpuDelta = (s.cpu_stats?.cpu_usage?.total_usage ?? 0) - (s.precpu_stats?.cpu_usage?.total_usage ?? 0);
  const systemDelta = (s.cpu_stats?.system_cpu_usage ?? 0) - (s.precpu_stats?.system_cpu_usage ?? 0);
  const cpus = s.cpu_stats?.online_cpus || s.cpu_stats?.cpu_usage?.percpu_usage?.length || 1;
  const cpuPercent = cpuDelta > 0 && systemDelta > 0 ? (cpuDelta / systemDelta) * cpus * 100 : 0;
  const memStats = (s.memory_stats?.stats ?? {}) as Record<string, number | undefined>;
  const cache = memStats.inactive_file ?? memStats.total_inactive_file ?? memStats.cache ?? 0;
  const memoryBytes = Math.max(0, (s.memory_stats?.usage ?? 0) - cache);
  const memoryLimitBytes = s.memory_stats?.limit ?? 0;
  let netRxBytes = 0;
  let netTxBytes = 0;
  for (const net of Object.values(s.networks ?? {})) {
    netRxBytes += net.rx_bytes ?? 0;
    netTxBytes += net.tx_bytes ?? 0;
  }
  let blockReadBytes = 0;
  let blockWriteBytes = 0;
  for (const entry of s.blkio_stats?.io_service_bytes_recursive ?? []) {
    if (/^read$/i.test(entry.op)) blockReadBytes += entry.value;
    else if (/^write$/i.test(entry.op)) blockWriteBytes += entry.value;
  }
  return {
    id,
    at: s.read,
    cpuPercent: round(cpuPercent),
    memoryBytes,
    memoryLimitBytes,
    memoryPercent: memoryLimitBytes > 0 ? round((memoryBytes / memoryLimitBytes) * 100) : 0,
    netRxBytes,
    netTxBytes,
    blockReadBytes,
    blockWriteBytes,
    pids: s.pids_stats?.current ?? 0,
  };
}

/** Reads a stream until it ends, or rejects with the job's abort reason (after tearing the stream down). */
function drain(stream: Readable, signal: AbortSignal, onChunk: (chunk: Buffer) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const abort = () => {
      stream.destroy();
      reject(signal.reason);
    };
    if (signal.aborted) return abort();
    signal.addEventListener("abort", abort, { once: true });
    const done = (err?: Error) => {
      signal.removeEventListener("abort", abort);
      if (err) reject(err);
      else resolve();
    };
    stream.on("data", (chunk: Buffer) => onChunk(chunk));
    stream.once("end", () => done());
    stream.once("close", () => done());
    stream.once("error", (err) => done(err));
  });
}

export function dockerHandlers(options: DockerHandlerOptions): DockerHandlers {
  const docker = new Docker({ socketPath: options.socketPath });
  const fail = (err: unknown) => dockerJobError(err, options.socketPath);

  // Reads go straight to the Engine API (one GET, no dockerode): they are the browser's most frequent jobs, and
  // dockerode costs the agent memory and ~2 ms of CPU per call on the quick-read path.
  const inspect = (id: string, signal: AbortSignal) =>
    engineGet<Docker.ContainerInspectInfo>(options.socketPath, `/containers/${encodeURIComponent(id)}/json`, signal);

  async function stateOf(id: string, signal: AbortSignal): Promise<string> {
    return (await inspect(id, signal)).State.Status;
  }

  /** start/stop/restart: Docker answers 304 when the container already is where we asked. */
  async function changeState(id: string, ctx: JobContext, action: (c: Docker.Container) => Promise<unknown>): Promise<ContainerStateChange> {
    try {
      let changed = true;
      try {
        await action(docker.getContainer(id));
      } catch (err) {
        if ((err as DockerApiError).statusCode !== 304) throw err;
        changed = false;
      }
      return { id, changed, state: await stateOf(id, ctx.signal) };
    } catch (err) {
      throw fail(err);
    }
  }

  return {
    "docker.list": async (params, ctx) => {
      try {
        const containers = await engineGet<Docker.ContainerInfo[]>(options.socketPath, `/containers/json${params.all ? "?all=1" : ""}`, ctx.signal);
        return containers.map(
          (c): ContainerSummary => ({
            id: c.Id,
            names: c.Names.map((n) => n.replace(/^\//, "")),
            image: c.Image,
            state: c.State,
            status: c.Status,
            created: isoOfEpochSeconds(c.Created),
            ports: portsOf(c.Ports ?? []),
          }),
        );
      } catch (err) {
        throw fail(err);
      }
    },

    "docker.inspect": async (params, ctx) => {
      try {
        const i = await inspect(params.id, ctx.signal);
        // Config.Env is left out on purpose: containers carry their secrets there.
        return {
          id: i.Id,
          name: i.Name.replace(/^\//, ""),
          image: i.Config.Image,
          imageId: i.Image,
          created: i.Created,
          state: {
            status: i.State.Status,
            running: i.State.Running,
            paused: i.State.Paused,
            restarting: i.State.Restarting,
            exitCode: i.State.ExitCode,
            startedAt: i.State.StartedAt,
            finishedAt: i.State.FinishedAt,
            ...(i.State.Health?.Status ? { health: i.State.Health.Status } : {}),
          },
          restartCount: i.RestartCount ?? 0,
          restartPolicy: i.HostConfig?.RestartPolicy?.Name || "no",
          networkMode: i.HostConfig?.NetworkMode ?? "",
          command: [i.Path, ...(i.Args ?? [])].filter(Boolean),
          ports: inspectPortsOf(i.NetworkSettings?.Ports as Record<string, { HostIp?: string; HostPort?: string }[] | null> | undefined),
          mounts: (i.Mounts ?? []).map((m) => ({ type: m.Type ?? "", source: m.Source, destination: m.Destination, rw: m.RW })),
          labels: i.Config.Labels ?? {},
        } satisfies ContainerDetails;
      } catch (err) {
        throw fail(err);
      }
    },

    "docker.start": (params, ctx) => changeState(params.id, ctx, (c) => c.start({ abortSignal: ctx.signal })),
    "docker.stop": (params, ctx) => changeState(params.id, ctx, (c) => c.stop({ t: params.timeoutSeconds, abortSignal: ctx.signal })),
    "docker.restart": (params, ctx) => changeState(params.id, ctx, (c) => c.restart({ t: params.timeoutSeconds, abortSignal: ctx.signal })),

    "docker.logs": async (params, ctx): Promise<ContainerLogsResult> => {
      try {
        const container = docker.getContainer(params.id);
        const info = await container.inspect({ abortSignal: ctx.signal });
        const bytes = { stdout: 0, stderr: 0 };
        const output: { stream: DockerStreamName; text: string }[] = [];
        let kept = 0;
        let truncated = false;
        const emit = (stream: DockerStreamName, text: string) => {
          const size = Buffer.byteLength(text);
          bytes[stream] += size;
          ctx.log(stream, text);
          if (params.follow) return;
          if (kept + size > LOGS_RESULT_MAX_BYTES) {
            truncated = true;
            return;
          }
          kept += size;
          const last = output[output.length - 1];
          if (last && last.stream === stream) last.text += text;
          else output.push({ stream, text });
        };
        // A TTY container's log is not multiplexed (Docker API: "Stream format" applies only without a TTY).
        const reader = info.Config.Tty ? new RawStream(emit) : new DockerStreamDemuxer(emit);
        if (params.follow) {
          const stream = (await container.logs({ stdout: true, stderr: true, tail: params.tail, follow: true, abortSignal: ctx.signal })) as Readable;
          await drain(stream, ctx.signal, (chunk) => reader.push(chunk));
        } else {
          reader.push(await container.logs({ stdout: true, stderr: true, tail: params.tail, follow: false, abortSignal: ctx.signal }));
        }
        reader.end();
        return params.follow ? { id: params.id, followed: true, bytes } : { id: params.id, followed: false, bytes, output, truncated };
      } catch (err) {
        throw fail(err);
      }
    },

    "docker.stats": async (params, ctx) => {
      try {
        const stats = await docker.getContainer(params.id).stats({ stream: false, abortSignal: ctx.signal } as { stream: false });
        return statsSample(params.id, stats);
      } catch (err) {
        throw fail(err);
      }
    },

    "docker.pull": async (params, ctx): Promise<ImagePullResult> => {
      try {
        const stream = (await docker.pull(params.image, { abortSignal: ctx.signal })) as Readable;
        let status = "";
        let pending = "";
        let pullError: string | null = null;
        // One progress message per layer and status change, not per progress-bar tick.
        const lastStatus = new Map<string, string>();
        await drain(stream, ctx.signal, (chunk) => {
          pending += chunk.toString("utf8");
          const lines = pending.split("\n");
          pending = lines.pop() ?? "";
          for (const line of lines) {
            if (!line.trim()) continue;
            let event: { status?: string; id?: string; progress?: string; error?: string; errorDetail?: { message?: string } };
            try {
              event = JSON.parse(line);
            } catch {
              continue;
            }
            if (event.error || event.errorDetail?.message) {
              pullError = event.errorDetail?.message || event.error || "pull failed";
              continue;
            }
            if (!event.status) continue;
            const step = event.id ? `layer ${event.id}` : "pull";
            if (lastStatus.get(step) === event.status) continue;
            lastStatus.set(step, event.status);
            status = event.status;
            ctx.progress(step, "running", event.id ? `${event.id}: ${event.status}` : event.status);
          }
        });
        if (pullError) throw new JobError(/not found|manifest unknown|does not exist/i.test(pullError) ? "not_found" : "failed", pullError);
        const image = await docker.getImage(params.image).inspect();
        ctx.progress("pull", "ok", `Pulled ${params.image}`);
        return { image: params.image, imageId: image.Id, status };
      } catch (err) {
        throw fail(err);
      }
    },

    ...composeHandlers({ stacks: options.stacks, socketPath: options.socketPath, composeClis: options.composeClis ?? COMPOSE_CLIS_AUTO }),
  };
}

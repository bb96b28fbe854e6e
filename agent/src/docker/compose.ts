// docker.compose.up/down on stacks configured on this host (NEBULA_STACKS): the edge names a stack, the agent
// maps it to a directory and runs the docker CLI with an argv array (never a shell), streaming its output.
import { spawn } from "node:child_process";
import { access } from "node:fs/promises";
import path from "node:path";
import { StringDecoder } from "node:string_decoder";
import type { ComposeResult, JobResultHandlers } from "@nebula/schema/wire/job-results";
import type { JobContext } from "../jobs/job-handler.ts";
import { JobError } from "../jobs/job-handler.ts";

export interface ComposeOptions {
  stacks: ReadonlyMap<string, string>;
  /** The Engine API socket the CLI should talk to (DOCKER_HOST). */
  socketPath: string;
  dockerCli: string;
}

/** Compose's own lookup order for a project directory. */
const COMPOSE_FILES = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"];

interface RunOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Runs a CLI with an argv array (never a shell), streaming output to the job (when given); rejects with `unavailable` when it is missing. */
export function runCli(cli: string, args: string[], options: { cwd?: string; env: NodeJS.ProcessEnv; signal: AbortSignal; ctx?: JobContext }): Promise<RunOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(cli, args, { cwd: options.cwd, env: options.env, signal: options.signal, stdio: ["ignore", "pipe", "pipe"], shell: false });
    for (const stream of ["stdout", "stderr"] as const) {
      const decoder = new StringDecoder("utf8");
      child[stream].on("data", (chunk: Buffer) => {
        const text = decoder.write(chunk);
        if (text) options.ctx?.log(stream, text);
      });
      child[stream].on("end", () => {
        const rest = decoder.end();
        if (rest) options.ctx?.log(stream, rest);
      });
    }
    child.once("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "ENOENT") reject(new JobError("unavailable", `${path.basename(cli)} is not installed on this host`));
      else reject(options.signal.aborted ? options.signal.reason : err);
    });
    child.once("close", (code, signal) => resolve({ code, signal }));
  });
}

/** The compose file a directory holds, by compose's own lookup order, or null. */
export async function findComposeFile(dir: string): Promise<string | null> {
  for (const name of COMPOSE_FILES) {
    const file = path.join(dir, name);
    try {
      await access(file);
      return file;
    } catch {
      // try the next name
    }
  }
  return null;
}

/** `docker compose -f <file> up -d | down` in `dir`, reported as one progress step. */
export async function runCompose(
  options: Pick<ComposeOptions, "socketPath" | "dockerCli">,
  target: { name: string; dir: string; file: string },
  action: "up" | "down",
  ctx: JobContext,
): Promise<void> {
  const env = { ...process.env, DOCKER_HOST: `unix://${options.socketPath}` };
  // The compose plugin is separate from the CLI: without it `docker compose` is an unknown command.
  const probe = await runCli(options.dockerCli, ["compose", "version"], { env, signal: ctx.signal });
  if (probe.code !== 0) throw new JobError("unavailable", "The docker compose plugin is not installed on this host");
  const args = ["compose", "-f", target.file, action, ...(action === "up" ? ["-d"] : [])];
  ctx.progress(`compose ${action}`, "running", `docker ${args.join(" ")}`);
  const outcome = await runCli(options.dockerCli, args, { cwd: target.dir, env, signal: ctx.signal, ctx });
  if (outcome.code !== 0) {
    ctx.progress(`compose ${action}`, "failed", `exited with ${outcome.code ?? outcome.signal}`);
    throw new JobError("failed", `docker compose ${action} for "${target.name}" exited with ${outcome.code ?? outcome.signal}`);
  }
  ctx.progress(`compose ${action}`, "ok", `Stack "${target.name}" is ${action === "up" ? "up" : "down"}`);
}

export function composeHandlers(options: ComposeOptions): JobResultHandlers<"docker.compose.up" | "docker.compose.down", JobContext> {
  async function compose(stack: string, action: "up" | "down", ctx: JobContext): Promise<ComposeResult> {
    const dir = options.stacks.get(stack);
    if (!dir) throw new JobError("not_found", `Stack "${stack}" is not configured on this agent (NEBULA_STACKS)`);
    const file = await findComposeFile(dir);
    if (!file) throw new JobError("not_found", `Stack "${stack}" has no compose.yaml in ${dir}`);
    await runCompose(options, { name: stack, dir, file }, action, ctx);
    return { stack, action, composeFile: file };
  }

  return {
    "docker.compose.up": (params, ctx) => compose(params.stack, "up", ctx),
    "docker.compose.down": (params, ctx) => compose(params.stack, "down", ctx),
  };
}

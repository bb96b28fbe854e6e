// docker.compose.up/down on stacks configured on this host (NEBULA_STACKS): the edge names a stack, the agent
// maps it to a directory and runs compose (the v2 plugin or a standalone docker-compose) with an argv array
// (never a shell), streaming its output.
import { spawn } from "node:child_process";
import { access } from "node:fs/promises";
import path from "node:path";
import { StringDecoder } from "node:string_decoder";
import type { ComposeResult, JobResultHandlers } from "@nebula/schema/wire/job-results";
import type { JobContext } from "../jobs/job-handler.ts";
import { JobError } from "../jobs/job-handler.ts";

/** One way to run compose on a host: the v2 plugin through the docker CLI, or a standalone binary. */
export interface ComposeCli {
  program: string;
  /** What goes before compose's own arguments: ["compose"] for the plugin, nothing for docker-compose. */
  subcommand: readonly string[];
}

export const COMPOSE_PLUGIN: ComposeCli = { program: "docker", subcommand: ["compose"] };
export const COMPOSE_STANDALONE: ComposeCli = { program: "docker-compose", subcommand: [] };
/** Unless NEBULA_COMPOSE_CLI pins one: the plugin is current, but many Ubuntu hosts still have only docker-compose. */
export const COMPOSE_CLIS_AUTO: readonly ComposeCli[] = [COMPOSE_PLUGIN, COMPOSE_STANDALONE];

export function composeCliName(cli: ComposeCli): string {
  return [cli.program, ...cli.subcommand].join(" ");
}

export interface ComposeOptions {
  stacks: ReadonlyMap<string, string>;
  /** The Engine API socket compose should talk to (DOCKER_HOST). */
  socketPath: string;
  /** Tried in order; the first that answers `version` runs the job. */
  composeClis: readonly ComposeCli[];
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

/** The first compose CLI that answers `version` on this host; probed per job, so installing one needs no agent restart. */
async function findComposeCli(clis: readonly ComposeCli[], env: NodeJS.ProcessEnv, signal: AbortSignal): Promise<ComposeCli> {
  for (const cli of clis) {
    // The compose plugin is separate from the CLI: without it `docker compose` is an unknown command (a non-zero exit).
    const probe = await runCli(cli.program, [...cli.subcommand, "version"], { env, signal }).catch((err: unknown) => {
      if (err instanceof JobError && err.code === "unavailable") return null;
      throw err;
    });
    if (probe?.code === 0) return cli;
  }
  const tried = clis.map((cli) => `\`${composeCliName(cli)}\``).join(" or ");
  throw new JobError("unavailable", `Compose is not installed on this host (tried ${tried}; NEBULA_COMPOSE_CLI chooses one)`);
}

/** `docker compose -f <file> up -d | down` (or docker-compose's same words) in `dir`, reported as one progress step. */
export async function runCompose(
  options: Pick<ComposeOptions, "socketPath" | "composeClis">,
  target: { name: string; dir: string; file: string },
  action: "up" | "down",
  ctx: JobContext,
): Promise<void> {
  const env = { ...process.env, DOCKER_HOST: `unix://${options.socketPath}` };
  const cli = await findComposeCli(options.composeClis, env, ctx.signal);
  const args = [...cli.subcommand, "-f", target.file, action, ...(action === "up" ? ["-d"] : [])];
  ctx.progress(`compose ${action}`, "running", [cli.program, ...args].join(" "));
  const outcome = await runCli(cli.program, args, { cwd: target.dir, env, signal: ctx.signal, ctx });
  if (outcome.code !== 0) {
    ctx.progress(`compose ${action}`, "failed", `exited with ${outcome.code ?? outcome.signal}`);
    throw new JobError("failed", `${composeCliName(cli)} ${action} for "${target.name}" exited with ${outcome.code ?? outcome.signal}`);
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

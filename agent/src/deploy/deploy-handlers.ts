// deploy.run (GitHub deploy-on-push): pull a configured checkout and, when it holds a compose file, bring its
// stack up. git and docker run with argv arrays only; the edge names a repository, never a path or a command.
import { StringDecoder } from "node:string_decoder";
import { spawn } from "node:child_process";
import type { JobResultHandlers } from "@nebula/schema/wire/job-results";
import { COMPOSE_CLIS_AUTO, type ComposeCli, findComposeFile, runCompose } from "../docker/compose.ts";
import type { JobContext } from "../jobs/job-handler.ts";
import { JobError } from "../jobs/job-handler.ts";

export interface DeployOptions {
  repos: ReadonlyMap<string, string>;
  socketPath: string;
  /** Compose CLIs to try (NEBULA_COMPOSE_CLI); the plugin, then docker-compose, unless given. */
  composeClis?: readonly ComposeCli[];
  gitCli?: string;
}

/** Runs git in the checkout and returns its trimmed stdout; a non-zero exit becomes a failed job with git's words. */
function git(cli: string, dir: string, args: string[], ctx: JobContext, stream: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    // No prompts: a deploy job has no terminal, and a credential prompt would hang it until its deadline.
    const env = { ...process.env, GIT_TERMINAL_PROMPT: "0", GIT_ASKPASS: "true" };
    // The checkout usually belongs to its owner, not to nebula-agent: git refuses such a "dubious ownership" repository
    // unless told it is safe, and a command-line setting counts (git >= 2.35.2). Only this configured directory.
    const child = spawn(cli, ["-c", `safe.directory=${dir}`, "-C", dir, ...args], { env, signal: ctx.signal, stdio: ["ignore", "pipe", "pipe"], shell: false });
    let out = "";
    let err = "";
    const out8 = new StringDecoder("utf8");
    const err8 = new StringDecoder("utf8");
    child.stdout.on("data", (chunk: Buffer) => {
      const text = out8.write(chunk);
      out += text;
      if (stream && text) ctx.log("stdout", text);
    });
    child.stderr.on("data", (chunk: Buffer) => {
      const text = err8.write(chunk);
      err += text;
      if (stream && text) ctx.log("stderr", text);
    });
    child.once("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT") reject(new JobError("unavailable", "git is not installed on this host"));
      else reject(ctx.signal.aborted ? ctx.signal.reason : e);
    });
    child.once("close", (code) => {
      if (code === 0) resolve(out.trim());
      else reject(new JobError("failed", `git ${args[0]} failed: ${(err || out).trim().slice(0, 1500) || `exit ${code}`}`));
    });
  });
}

/** Whether git answers 0 (e.g. `rev-parse --verify --quiet`): a ref that does not exist is an answer, not a failure. */
async function gitSucceeds(cli: string, dir: string, args: string[], ctx: JobContext): Promise<boolean> {
  try {
    await git(cli, dir, args, ctx, false);
    return true;
  } catch (err) {
    if (err instanceof JobError && err.code === "failed") return false;
    throw err;
  }
}

/**
 * Moves the checkout to what was just fetched. A branch (what GitHub deploys name) is fast-forwarded on the local branch
 * of that name, so the owner's own `git pull` on the host keeps working; a branch that has diverged locally fails with
 * git's words rather than losing the owner's commits. A tag or a commit is checked out detached, as there is no branch
 * to follow.
 */
async function checkOutFetched(cli: string, dir: string, ref: string, ctx: JobContext): Promise<void> {
  // `git fetch origin <branch>` also updates refs/remotes/origin/<branch> (git >= 1.8.4), so this tells a branch apart.
  const isBranch = await gitSucceeds(cli, dir, ["rev-parse", "--verify", "--quiet", `refs/remotes/origin/${ref}`], ctx);
  if (!isBranch) {
    await git(cli, dir, ["-c", "advice.detachedHead=false", "checkout", "--detach", "FETCH_HEAD"], ctx, true);
    return;
  }
  const current = await git(cli, dir, ["rev-parse", "--abbrev-ref", "HEAD"], ctx, false);
  if (current !== ref) {
    const hasLocal = await gitSucceeds(cli, dir, ["rev-parse", "--verify", "--quiet", `refs/heads/${ref}`], ctx);
    if (hasLocal) await git(cli, dir, ["checkout", ref], ctx, true);
    else await git(cli, dir, ["checkout", "-b", ref, "--track", `origin/${ref}`], ctx, true);
  }
  await git(cli, dir, ["merge", "--ff-only", "FETCH_HEAD"], ctx, true);
}

export function deployHandlers(options: DeployOptions): JobResultHandlers<"deploy.run", JobContext> {
  const gitCli = options.gitCli ?? "git";
  const composeClis = options.composeClis ?? COMPOSE_CLIS_AUTO;
  return {
    "deploy.run": async (params, ctx) => {
      const dir = options.repos.get(params.repo);
      if (!dir) throw new JobError("not_found", `Repository "${params.repo}" is not configured on this agent (NEBULA_REPOS)`);
      const before = await git(gitCli, dir, ["rev-parse", "HEAD"], ctx, false);

      ctx.progress("pull", "running", params.ref ? `Fetching ${params.ref}` : "Pulling (fast-forward only)");
      try {
        if (params.ref) {
          await git(gitCli, dir, ["fetch", "--prune", "origin", params.ref], ctx, true);
          await checkOutFetched(gitCli, dir, params.ref, ctx);
        } else {
          await git(gitCli, dir, ["pull", "--ff-only", "--prune"], ctx, true);
        }
      } catch (err) {
        ctx.progress("pull", "failed", err instanceof Error ? err.message : String(err));
        throw err;
      }
      const after = await git(gitCli, dir, ["rev-parse", "HEAD"], ctx, false);
      ctx.progress("pull", "ok", before === after ? `Already at ${after.slice(0, 12)}` : `${before.slice(0, 12)} → ${after.slice(0, 12)}`);

      const file = await findComposeFile(dir);
      if (!file) {
        ctx.progress("compose up", "skipped", "No compose file in the checkout");
        return { repo: params.repo, before, after, changed: before !== after, compose: "skipped" };
      }
      await runCompose({ socketPath: options.socketPath, composeClis }, { name: params.repo, dir, file }, "up", ctx);
      return { repo: params.repo, before, after, changed: before !== after, compose: "up" };
    },
  };
}


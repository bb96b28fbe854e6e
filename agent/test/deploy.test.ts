// deploy.run against real git: a push to the "origin" lands in the configured checkout, reported step by step;
// only configured repositories and safe refs are accepted.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { agentWire } from "@nebula/schema";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deployHandlers } from "../src/deploy/deploy-handlers.ts";
import { recordedJob } from "./support/job-context.ts";

const root = mkdtempSync(path.join(os.tmpdir(), "nebula-deploy-"));
const origin = path.join(root, "origin.git");
const checkout = path.join(root, "checkout");
const upstream = path.join(root, "upstream");
const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=Test", "-c", "user.email=test@example.invalid", "-c", "init.defaultBranch=main", ...args], { cwd, encoding: "utf8" }).trim();

let handlers: ReturnType<typeof deployHandlers>;

beforeAll(() => {
  git(root, "init", "--bare", origin);
  git(root, "clone", origin, upstream);
  writeFileSync(path.join(upstream, "README"), "v1\n");
  git(upstream, "add", "README");
  git(upstream, "commit", "-m", "v1");
  git(upstream, "push", "origin", "HEAD:main");
  git(root, "clone", "--branch", "main", origin, checkout);
  handlers = deployHandlers({ repos: new Map([["site", checkout]]), socketPath: path.join(root, "no-docker.sock") });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

function push(content: string): string {
  writeFileSync(path.join(upstream, "README"), content);
  git(upstream, "commit", "-am", content.trim());
  git(upstream, "push", "origin", "HEAD:main");
  return git(upstream, "rev-parse", "HEAD");
}

describe("deploy.run", () => {
  it("pulls a new commit and reports before/after; with no compose file the stack step is skipped", async () => {
    const before = git(checkout, "rev-parse", "HEAD");
    const pushed = push("v2\n");
    const job = recordedJob("deploy.run");
    const result = await handlers["deploy.run"]?.({ repo: "site" }, job.ctx);
    expect(result).toEqual({ repo: "site", before, after: pushed, changed: true, compose: "skipped" });
    expect(job.progress.map((p) => `${p.step}:${p.status}`)).toEqual(["pull:running", "pull:ok", "compose up:skipped"]);

    const again = await handlers["deploy.run"]?.({ repo: "site" }, recordedJob("deploy.run").ctx);
    expect(again).toMatchObject({ changed: false, before: pushed, after: pushed });
  });

  it("checks out a given ref", async () => {
    const first = git(upstream, "rev-list", "--max-parents=0", "HEAD");
    const result = await handlers["deploy.run"]?.({ repo: "site", ref: first }, recordedJob("deploy.run").ctx);
    expect(result).toMatchObject({ after: first, changed: true });
  });

  // GitHub's deploy-on-push names the branch: the checkout must stay on it, or the owner's own `git pull` there fails
  // with "You are not currently on a branch".
  it("a branch ref fast-forwards the local branch and leaves the checkout on it, even from a detached HEAD", async () => {
    const pushed = push("v2b\n");
    const job = recordedJob("deploy.run");
    expect(await handlers["deploy.run"]?.({ repo: "site", ref: "main" }, job.ctx)).toMatchObject({ after: pushed, changed: true });
    expect(git(checkout, "rev-parse", "--abbrev-ref", "HEAD")).toBe("main");
    expect(git(checkout, "rev-parse", "main")).toBe(pushed);
    expect(git(checkout, "status", "-sb").split("\n")[0]).toBe("## main...origin/main");

    const again = push("v2c\n");
    expect(await handlers["deploy.run"]?.({ repo: "site", ref: "main" }, recordedJob("deploy.run").ctx)).toMatchObject({ after: again, changed: true });
    expect(git(checkout, "rev-parse", "--abbrev-ref", "HEAD")).toBe("main");
  });

  it("a branch that only exists upstream is created locally, tracking origin", async () => {
    git(upstream, "checkout", "-q", "-b", "staging");
    writeFileSync(path.join(upstream, "README"), "staging\n");
    git(upstream, "commit", "-qam", "staging");
    git(upstream, "push", "-q", "origin", "HEAD:staging");
    const tip = git(upstream, "rev-parse", "HEAD");
    git(upstream, "checkout", "-q", "main");
    expect(await handlers["deploy.run"]?.({ repo: "site", ref: "staging" }, recordedJob("deploy.run").ctx)).toMatchObject({ after: tip });
    expect(git(checkout, "rev-parse", "--abbrev-ref", "HEAD")).toBe("staging");
    expect(git(checkout, "rev-parse", "--abbrev-ref", "staging@{upstream}")).toBe("origin/staging");
    git(checkout, "checkout", "-q", "main");
  });

  it("refuses repositories that are not configured, and refs that could be read as options", async () => {
    await expect(handlers["deploy.run"]?.({ repo: "other" }, recordedJob("deploy.run").ctx)).rejects.toMatchObject({ code: "not_found" });
    expect(agentWire.parseJob("deploy.run", { repo: "site", ref: "--upload-pack=touch /tmp/x" })).toMatchObject({ ok: false });
  });

  // The installed agent runs as nebula-agent, the checkout belongs to its owner: git would call it dubious.
  it.skipIf(process.getuid?.() !== 0)("pulls a checkout owned by another user (needs root to hand it over)", async () => {
    const owned = path.join(root, "owned");
    git(root, "clone", "--branch", "main", origin, owned);
    execFileSync("chown", ["-R", "4321:4321", owned]);
    const pushed = push("owned\n");
    const other = deployHandlers({ repos: new Map([["owned", owned]]), socketPath: path.join(root, "no-docker.sock") });
    expect(await other["deploy.run"]?.({ repo: "owned" }, recordedJob("deploy.run").ctx)).toMatchObject({ after: pushed, changed: true });
  });

  it("reports git's own words when the pull fails", async () => {
    git(checkout, "checkout", "-q", "main");
    writeFileSync(path.join(checkout, "README"), "local change\n");
    git(checkout, "commit", "-qam", "diverge");
    push("v3\n");
    const job = recordedJob("deploy.run");
    await expect(handlers["deploy.run"]?.({ repo: "site" }, job.ctx)).rejects.toMatchObject({ code: "failed", message: expect.stringMatching(/git pull failed/) });
    expect(job.progress.at(-1)).toMatchObject({ step: "pull", status: "failed" });
  });
});

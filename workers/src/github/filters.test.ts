// Feed filters and deploy matching on parsed payloads built by the fake GitHub sender.
import { api } from "@nebula/schema";
import { describe, expect, it } from "vitest";
import { pullRequestPayload, pushPayload, releasePayload, workflowRunPayload } from "../../../test/fakes/github-sender.ts";
import { githubEmbed } from "./embeds.ts";
import { PullRequestPayload, PushPayload, ReleasePayload, WorkflowRunPayload, activityOf } from "./events.ts";
import { branchMatches, decide, deployRulesFor, repositoryMatches } from "./filters.ts";

const repo = { fullName: "nebula/site" };
const filters = (f: Partial<api.GithubFeedFilters> = {}) => api.GithubFeedFilters.parse(f);

describe("globs", () => {
  it("matches repositories case-insensitively, one segment per *", () => {
    expect(repositoryMatches("nebula/*", "Nebula/Site")).toBe(true);
    expect(repositoryMatches("*/site", "other/site")).toBe(true);
    expect(repositoryMatches("nebula/s?te", "nebula/site")).toBe(true);
    expect(repositoryMatches("nebula/*", "nebulax/site")).toBe(false);
  });

  it("keeps * inside a branch segment and lets ** cross them; dots are literal", () => {
    expect(branchMatches("release/*", "release/1.2")).toBe(true);
    expect(branchMatches("release/*", "release/1.2/hotfix")).toBe(false);
    expect(branchMatches("feature/**", "feature/a/b")).toBe(true);
    expect(branchMatches("v1.0", "v1x0")).toBe(false);
    expect(branchMatches("Main", "main")).toBe(false);
  });
});

describe("decide", () => {
  const push = (spec: Parameters<typeof pushPayload>[0]) => PushPayload.parse(pushPayload(spec));

  it("reports a push to an allowed repository and branch, drops others with a reason", () => {
    const p = push({ repo, branch: "main" });
    const f = filters({ repositories: ["nebula/*"], branches: ["main"] });
    expect(decide(activityOf({ event: "push", payload: p }), f, p)).toEqual({ report: true });
    const dev = push({ repo, branch: "dev" });
    expect(decide(activityOf({ event: "push", payload: dev }), f, dev)).toMatchObject({ report: false, reason: expect.stringMatching(/branch dev/) });
    const other = push({ repo: { fullName: "someone/else" } });
    expect(decide(activityOf({ event: "push", payload: other }), f, other)).toMatchObject({ report: false, reason: expect.stringMatching(/allowlist/) });
  });

  it("drops tag pushes and branch deletions", () => {
    const tag = push({ repo, ref: "refs/tags/v1.0" });
    expect(decide(activityOf({ event: "push", payload: tag }), filters(), tag).report).toBe(false);
    const deleted = push({ repo, branch: "old", deleted: true });
    expect(decide(activityOf({ event: "push", payload: deleted }), filters(), deleted).report).toBe(false);
  });

  it("tells merged pull requests from closed ones", () => {
    const merged = PullRequestPayload.parse(pullRequestPayload({ repo, action: "closed", merged: true }));
    const closed = PullRequestPayload.parse(pullRequestPayload({ repo, action: "closed", merged: false }));
    const onlyMerged = filters({ events: api.GithubEventFilter.parse({ pull_request: ["merged"] }) });
    expect(activityOf({ event: "pull_request", payload: merged }).action).toBe("merged");
    expect(decide(activityOf({ event: "pull_request", payload: merged }), onlyMerged).report).toBe(true);
    expect(decide(activityOf({ event: "pull_request", payload: closed }), onlyMerged).report).toBe(false);
  });

  it("reports workflow runs once, when they complete with a listed conclusion", () => {
    const f = filters();
    const running = WorkflowRunPayload.parse(workflowRunPayload({ repo, action: "in_progress" }));
    const failed = WorkflowRunPayload.parse(workflowRunPayload({ repo, conclusion: "failure" }));
    const cancelled = WorkflowRunPayload.parse(workflowRunPayload({ repo, conclusion: "cancelled" }));
    expect(decide(activityOf({ event: "workflow_run", payload: running }), f).report).toBe(false);
    expect(decide(activityOf({ event: "workflow_run", payload: failed }), f).report).toBe(true);
    expect(decide(activityOf({ event: "workflow_run", payload: cancelled }), f).report).toBe(false);
  });

  it("does not apply branch filters to releases", () => {
    const release = ReleasePayload.parse(releasePayload({ repo }));
    expect(decide(activityOf({ event: "release", payload: release }), filters({ branches: ["main"] })).report).toBe(true);
  });
});

describe("deployRulesFor", () => {
  const rule = { repository: "nebula/site", branch: "main", agentId: "agt_0000000000000000", repo: "site" };

  it("matches the repository (any case) and the branch glob of a branch push only", () => {
    expect(deployRulesFor(PushPayload.parse(pushPayload({ repo: { fullName: "Nebula/Site" }, branch: "main" })), [rule])).toEqual([rule]);
    expect(deployRulesFor(PushPayload.parse(pushPayload({ repo, branch: "dev" })), [rule])).toEqual([]);
    expect(deployRulesFor(PushPayload.parse(pushPayload({ repo, branch: "main", deleted: true })), [rule])).toEqual([]);
    expect(deployRulesFor(PushPayload.parse(pushPayload({ repo, ref: "refs/tags/main" })), [rule])).toEqual([]);
  });
});

describe("githubEmbed", () => {
  it("lists a push's commits with short sha, first line and author, linking the comparison", () => {
    const p = PushPayload.parse(
      pushPayload({ repo, branch: "main", commits: [{ id: "a".repeat(40), message: "Fix login\n\nLong body", author: "ada" }, { id: "b".repeat(40), message: "Bump deps", author: "bob" }] }),
    );
    const embed = githubEmbed({ event: "push", payload: p });
    expect(embed.title).toBe("[nebula/site:main] 2 new commits");
    expect(embed.url).toBe(p.compare);
    expect(embed.description?.split("\n")).toEqual([
      `[\`aaaaaaa\`](https://github.com/nebula/site/commit/${"a".repeat(40)}) Fix login — ada`,
      `[\`bbbbbbb\`](https://github.com/nebula/site/commit/${"b".repeat(40)}) Bump deps — bob`,
    ]);
  });

  it("shows at most ten commits and says how many more", () => {
    const commits = Array.from({ length: 14 }, (_, i) => ({ message: `commit ${i}` }));
    const embed = githubEmbed({ event: "push", payload: PushPayload.parse(pushPayload({ repo, commits })) });
    const lines = embed.description?.split("\n") ?? [];
    expect(lines).toHaveLength(11);
    expect(lines.at(-1)).toBe("… and 4 more");
  });

  it("colours workflow runs by conclusion and clips release notes", () => {
    const failed = githubEmbed({ event: "workflow_run", payload: WorkflowRunPayload.parse(workflowRunPayload({ repo, conclusion: "failure", name: "Build" })) });
    expect(failed).toMatchObject({ title: "[nebula/site] Build: failure", color: 0xe74c3c });
    const release = githubEmbed({ event: "release", payload: ReleasePayload.parse(releasePayload({ repo, tag: "v2.0.0", body: "x".repeat(5000) })) });
    expect(release.title).toBe("[nebula/site] Release published: v2.0.0 — Release v2.0.0");
    expect(release.description?.length).toBe(600);
  });
});

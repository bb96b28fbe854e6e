// A fake GitHub webhook sender: realistic payloads for push, pull_request, workflow_run, release, issues and ping
// (the fields GitHub sends, not only the ones we read), signed the way GitHub signs them (X-Hub-Signature-256 via
// @octokit/webhooks-methods), with GitHub's delivery headers. Web APIs only, so suites inside workerd use it too.
import { sign } from "@octokit/webhooks-methods";

export interface RepoRef {
  /** `owner/name` */
  fullName: string;
  defaultBranch?: string;
}

let counter = 0;
const hex = (n: number) => [...crypto.getRandomValues(new Uint8Array(n))].map((b) => b.toString(16).padStart(2, "0")).join("");
export const fakeSha = () => hex(20);
/** GitHub's delivery ids are GUIDs. */
export const fakeDeliveryId = () => crypto.randomUUID();
const iso = (ms = Date.now()) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

function user(login: string) {
  const id = 1000 + (++counter % 9000);
  return {
    login,
    id,
    node_id: `MDQ6VXNlcj${id}`,
    avatar_url: `https://avatars.githubusercontent.com/u/${id}?v=4`,
    html_url: `https://github.com/${login}`,
    type: "User",
    site_admin: false,
  };
}

function repository(repo: RepoRef) {
  const [owner = "octo", name = "repo"] = repo.fullName.split("/");
  return {
    id: 500_000 + (++counter % 100_000),
    node_id: "R_kgDOExample",
    name,
    full_name: repo.fullName,
    private: false,
    owner: user(owner),
    html_url: `https://github.com/${repo.fullName}`,
    description: "A repository",
    fork: false,
    url: `https://api.github.com/repos/${repo.fullName}`,
    default_branch: repo.defaultBranch ?? "main",
    visibility: "public",
    pushed_at: Math.floor(Date.now() / 1000),
  };
}

export interface CommitSpec {
  message: string;
  author?: string;
  id?: string;
}

export interface PushSpec {
  repo: RepoRef;
  branch?: string;
  /** A full ref instead of a branch (`refs/tags/v1.0`). */
  ref?: string;
  commits?: CommitSpec[];
  before?: string;
  after?: string;
  pusher?: string;
  deleted?: boolean;
  forced?: boolean;
}

export function pushPayload(spec: PushSpec) {
  const ref = spec.ref ?? `refs/heads/${spec.branch ?? "main"}`;
  const before = spec.before ?? fakeSha();
  const commits = (spec.commits ?? [{ message: "Update README" }]).map((c) => {
    const id = c.id ?? fakeSha();
    const author = c.author ?? "octocat";
    return {
      id,
      tree_id: fakeSha(),
      distinct: true,
      message: c.message,
      timestamp: iso(),
      url: `https://github.com/${spec.repo.fullName}/commit/${id}`,
      author: { name: author, email: `${author}@users.noreply.github.com`, username: author },
      committer: { name: "GitHub", email: "noreply@github.com", username: "web-flow" },
      added: [],
      removed: [],
      modified: ["README.md"],
    };
  });
  const after = spec.after ?? (spec.deleted ? "0".repeat(40) : (commits.at(-1)?.id ?? fakeSha()));
  const pusher = spec.pusher ?? "octocat";
  return {
    ref,
    before,
    after,
    repository: repository(spec.repo),
    pusher: { name: pusher, email: `${pusher}@users.noreply.github.com` },
    sender: user(pusher),
    created: false,
    deleted: spec.deleted ?? false,
    forced: spec.forced ?? false,
    base_ref: null,
    compare: `https://github.com/${spec.repo.fullName}/compare/${before.slice(0, 12)}...${after.slice(0, 12)}`,
    commits: spec.deleted ? [] : commits,
    head_commit: spec.deleted ? null : (commits.at(-1) ?? null),
  };
}

export interface PullRequestSpec {
  repo: RepoRef;
  action?: "opened" | "closed" | "reopened" | "synchronize" | "ready_for_review" | "edited";
  merged?: boolean;
  number?: number;
  title?: string;
  author?: string;
  base?: string;
  head?: string;
}

export function pullRequestPayload(spec: PullRequestSpec) {
  const number = spec.number ?? 1 + (++counter % 500);
  const action = spec.action ?? "opened";
  const closed = action === "closed";
  const author = spec.author ?? "octocat";
  return {
    action,
    number,
    pull_request: {
      url: `https://api.github.com/repos/${spec.repo.fullName}/pulls/${number}`,
      id: 900_000 + number,
      html_url: `https://github.com/${spec.repo.fullName}/pull/${number}`,
      number,
      state: closed ? "closed" : "open",
      locked: false,
      title: spec.title ?? "Add a feature",
      user: user(author),
      body: "This adds a feature.",
      created_at: iso(),
      updated_at: iso(),
      closed_at: closed ? iso() : null,
      merged_at: closed && spec.merged ? iso() : null,
      draft: false,
      merged: closed ? (spec.merged ?? false) : false,
      head: { label: `${author}:${spec.head ?? "feature"}`, ref: spec.head ?? "feature", sha: fakeSha() },
      base: { label: `octo:${spec.base ?? "main"}`, ref: spec.base ?? "main", sha: fakeSha() },
      commits: 1,
      additions: 10,
      deletions: 2,
      changed_files: 1,
    },
    repository: repository(spec.repo),
    sender: user(author),
  };
}

export interface WorkflowRunSpec {
  repo: RepoRef;
  action?: "requested" | "in_progress" | "completed";
  conclusion?: "success" | "failure" | "cancelled" | "timed_out" | "skipped" | null;
  name?: string;
  branch?: string;
}

export function workflowRunPayload(spec: WorkflowRunSpec) {
  const action = spec.action ?? "completed";
  const id = 7_000_000 + (++counter % 100_000);
  return {
    action,
    workflow_run: {
      id,
      name: spec.name ?? "CI",
      node_id: "WFR_kwLOExample",
      head_branch: spec.branch ?? "main",
      head_sha: fakeSha(),
      run_number: 40 + (counter % 50),
      event: "push",
      status: action === "completed" ? "completed" : action === "requested" ? "queued" : "in_progress",
      conclusion: action === "completed" ? (spec.conclusion === undefined ? "success" : spec.conclusion) : null,
      html_url: `https://github.com/${spec.repo.fullName}/actions/runs/${id}`,
      created_at: iso(),
      updated_at: iso(),
      run_attempt: 1,
    },
    workflow: { id: 123, name: spec.name ?? "CI", path: ".github/workflows/ci.yml", state: "active" },
    repository: repository(spec.repo),
    sender: user("octocat"),
  };
}

export interface ReleaseSpec {
  repo: RepoRef;
  action?: "published" | "created" | "released" | "prereleased" | "edited";
  tag?: string;
  name?: string | null;
  body?: string | null;
  prerelease?: boolean;
}

export function releasePayload(spec: ReleaseSpec) {
  const tag = spec.tag ?? "v1.0.0";
  return {
    action: spec.action ?? "published",
    release: {
      url: `https://api.github.com/repos/${spec.repo.fullName}/releases/1`,
      html_url: `https://github.com/${spec.repo.fullName}/releases/tag/${tag}`,
      id: 1,
      tag_name: tag,
      target_commitish: "main",
      name: spec.name === undefined ? `Release ${tag}` : spec.name,
      draft: false,
      prerelease: spec.prerelease ?? false,
      created_at: iso(),
      published_at: iso(),
      author: user("octocat"),
      body: spec.body === undefined ? "## What's changed\n* Faster startup" : spec.body,
      assets: [],
    },
    repository: repository(spec.repo),
    sender: user("octocat"),
  };
}

export interface IssuesSpec {
  repo: RepoRef;
  action?: "opened" | "closed" | "reopened" | "labeled" | "edited";
  number?: number;
  title?: string;
  author?: string;
}

export function issuesPayload(spec: IssuesSpec) {
  const number = spec.number ?? 1 + (++counter % 500);
  const action = spec.action ?? "opened";
  return {
    action,
    issue: {
      url: `https://api.github.com/repos/${spec.repo.fullName}/issues/${number}`,
      html_url: `https://github.com/${spec.repo.fullName}/issues/${number}`,
      id: 800_000 + number,
      number,
      title: spec.title ?? "Something is broken",
      user: user(spec.author ?? "octocat"),
      labels: [],
      state: action === "closed" ? "closed" : "open",
      comments: 0,
      created_at: iso(),
      updated_at: iso(),
      body: "Steps to reproduce…",
    },
    repository: repository(spec.repo),
    sender: user(spec.author ?? "octocat"),
  };
}

/** What GitHub sends when a webhook is created (and on "Redeliver" of that first delivery). */
export function pingPayload(hookId = 12345678, repo?: RepoRef) {
  return {
    zen: "Keep it logically awesome.",
    hook_id: hookId,
    hook: { type: "Repository", id: hookId, name: "web", active: true, events: ["push", "pull_request"], config: { content_type: "json", insecure_ssl: "0" } },
    ...(repo ? { repository: repository(repo) } : {}),
    sender: user("octocat"),
  };
}

export interface Delivery {
  event: string;
  deliveryId: string;
  body: string;
  headers: Record<string, string>;
}

export interface DeliveryOptions {
  secret: string;
  deliveryId?: string;
  hookId?: number;
}

/** Serialises and signs a payload with GitHub's headers (X-Hub-Signature-256 over the exact bytes sent). */
export async function signedDelivery(event: string, payload: unknown, options: DeliveryOptions): Promise<Delivery> {
  const body = JSON.stringify(payload);
  const deliveryId = options.deliveryId ?? fakeDeliveryId();
  const hookId = String(options.hookId ?? 12345678);
  return {
    event,
    deliveryId,
    body,
    headers: {
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/f7c7ef9",
      "x-github-event": event,
      "x-github-delivery": deliveryId,
      "x-github-hook-id": hookId,
      "x-github-hook-installation-target-id": "500001",
      "x-github-hook-installation-target-type": "repository",
      "x-hub-signature-256": await sign(options.secret, body),
    },
  };
}

/** The fetch init for a delivery; `headers` overrides (or, with undefined, removes) single headers. */
export function deliveryInit(delivery: Delivery, overrides: { body?: string; headers?: Record<string, string | undefined> } = {}): RequestInit {
  const headers: Record<string, string> = { ...delivery.headers };
  for (const [k, v] of Object.entries(overrides.headers ?? {})) {
    if (v === undefined) delete headers[k];
    else headers[k] = v;
  }
  return { method: "POST", headers, body: overrides.body ?? delivery.body };
}

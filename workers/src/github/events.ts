// GitHub webhook payloads, parsed only after the signature was verified, and only the fields a feed uses: the rest
// of GitHub's (large, evolving) payloads is dropped by zod, so a new field never breaks us and nothing unread is kept.
import { z } from "zod";

const url = z.url({ protocol: /^https?$/ }).max(1000);
const Repository = z.object({ full_name: z.string().min(3).max(201), html_url: url });
const User = z.object({ login: z.string().max(100), html_url: url.optional() });

const Commit = z.object({
  id: z.string().max(64),
  message: z.string().max(100_000),
  url,
  author: z.object({ name: z.string().max(200), username: z.string().max(100).optional() }),
});

export const PushPayload = z.object({
  ref: z.string().max(300),
  before: z.string().max(64),
  after: z.string().max(64),
  created: z.boolean().default(false),
  deleted: z.boolean().default(false),
  forced: z.boolean().default(false),
  compare: url.optional(),
  repository: Repository,
  pusher: z.object({ name: z.string().max(200) }).optional(),
  sender: User.optional(),
  // GitHub lists at most 20 commits here (and the full count nowhere); the embed shows fewer.
  commits: z.array(Commit).max(2048).default([]),
});
export type PushPayload = z.infer<typeof PushPayload>;

export const PullRequestPayload = z.object({
  action: z.string().max(60),
  number: z.number().int(),
  pull_request: z.object({
    title: z.string().max(1000),
    html_url: url,
    state: z.string().max(20),
    merged: z.boolean().nullish(),
    draft: z.boolean().nullish(),
    user: User,
    base: z.object({ ref: z.string().max(300) }),
    head: z.object({ ref: z.string().max(300) }),
  }),
  repository: Repository,
  sender: User.optional(),
});
export type PullRequestPayload = z.infer<typeof PullRequestPayload>;

export const WorkflowRunPayload = z.object({
  action: z.string().max(60),
  workflow_run: z.object({
    name: z.string().max(300).nullish(),
    conclusion: z.string().max(40).nullish(),
    head_branch: z.string().max(300).nullish(),
    head_sha: z.string().max(64),
    html_url: url,
    run_number: z.number().int().optional(),
    event: z.string().max(60).optional(),
  }),
  repository: Repository,
});
export type WorkflowRunPayload = z.infer<typeof WorkflowRunPayload>;

export const ReleasePayload = z.object({
  action: z.string().max(60),
  release: z.object({
    tag_name: z.string().max(300),
    name: z.string().max(1000).nullish(),
    body: z.string().max(200_000).nullish(),
    html_url: url,
    prerelease: z.boolean().default(false),
    author: User.optional(),
  }),
  repository: Repository,
});
export type ReleasePayload = z.infer<typeof ReleasePayload>;

export const IssuesPayload = z.object({
  action: z.string().max(60),
  issue: z.object({ number: z.number().int(), title: z.string().max(1000), html_url: url, state: z.string().max(20), user: User }),
  repository: Repository,
  sender: User.optional(),
});
export type IssuesPayload = z.infer<typeof IssuesPayload>;

export const PingPayload = z.object({ zen: z.string().max(500).optional(), hook_id: z.number().int().optional() });

export type GithubPayload =
  | { event: "push"; payload: PushPayload }
  | { event: "pull_request"; payload: PullRequestPayload }
  | { event: "workflow_run"; payload: WorkflowRunPayload }
  | { event: "release"; payload: ReleasePayload }
  | { event: "issues"; payload: IssuesPayload };

const SCHEMAS = {
  push: PushPayload,
  pull_request: PullRequestPayload,
  workflow_run: WorkflowRunPayload,
  release: ReleasePayload,
  issues: IssuesPayload,
} as const;

/** Whether this X-GitHub-Event is one a feed reports; others are acknowledged and ignored. */
export function isReportedEvent(event: string): event is GithubPayload["event"] {
  return Object.hasOwn(SCHEMAS, event);
}

export function githubPayloadSchema<E extends GithubPayload["event"]>(event: E): (typeof SCHEMAS)[E] {
  return SCHEMAS[event];
}

/** `refs/heads/main` → `main`; tags and other refs have no branch. */
export function branchOfRef(ref: string): string | null {
  return ref.startsWith("refs/heads/") ? ref.slice("refs/heads/".length) : null;
}

/** What filters look at, whatever the event: its repository, its branch (none for releases and issues) and its action. */
export interface Activity {
  event: GithubPayload["event"];
  repository: string;
  branch: string | null;
  /**
   * The action the feed's per-event list is matched against: for pull requests "merged" or "closed" instead of
   * GitHub's closed; for workflow runs the conclusion of a completed run (null while it is still running).
   */
  action: string | null;
}

export function activityOf(parsed: GithubPayload): Activity {
  switch (parsed.event) {
    case "push":
      return { event: "push", repository: parsed.payload.repository.full_name, branch: branchOfRef(parsed.payload.ref), action: null };
    case "pull_request": {
      const p = parsed.payload;
      const action = p.action === "closed" ? (p.pull_request.merged ? "merged" : "closed") : p.action;
      return { event: "pull_request", repository: p.repository.full_name, branch: p.pull_request.base.ref, action };
    }
    case "workflow_run": {
      const p = parsed.payload;
      const action = p.action === "completed" ? (p.workflow_run.conclusion ?? null) : null;
      return { event: "workflow_run", repository: p.repository.full_name, branch: p.workflow_run.head_branch ?? null, action };
    }
    case "release":
      return { event: "release", repository: parsed.payload.repository.full_name, branch: null, action: parsed.payload.action };
    case "issues":
      return { event: "issues", repository: parsed.payload.repository.full_name, branch: null, action: parsed.payload.action };
  }
}

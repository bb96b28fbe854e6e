// GitHub feeds on the wire: which events of which repositories and branches become Discord messages, where they
// go, and the deploy-on-push rules; the shapes of /api/t/:tenantId/github/feeds and its recent deliveries.
import { z } from "zod";
import { ChannelDestination, ChosenDestination } from "./alerts.ts";

const isoDate = z.iso.datetime({ offset: true });

/** The GitHub events a feed can turn into messages; anything else is acknowledged and ignored. */
export const GITHUB_EVENTS = ["push", "pull_request", "workflow_run", "release", "issues"] as const;
export type GithubEvent = (typeof GITHUB_EVENTS)[number];

/** Pull request actions a feed may report; "merged" is GitHub's `closed` with `merged: true`, "closed" the rest. */
export const PULL_REQUEST_ACTIONS = ["opened", "reopened", "closed", "merged", "ready_for_review"] as const;
/** workflow_run is reported when a run completes, filtered by its conclusion. */
export const WORKFLOW_CONCLUSIONS = ["success", "failure", "cancelled", "timed_out", "action_required", "neutral", "skipped", "stale", "startup_failure"] as const;
export const RELEASE_ACTIONS = ["published", "released", "prereleased", "created"] as const;
export const ISSUE_ACTIONS = ["opened", "closed", "reopened"] as const;

/** `owner/name`, where either part may hold `*` (any run of characters) or `?` (one): "nebula/*", "*\/infra". */
const REPOSITORY_GLOB = /^[A-Za-z0-9_.*?-]{1,100}\/[A-Za-z0-9_.*?-]{1,100}$/;
/** A branch name or glob: `*` stays inside one path segment, `**` crosses them ("release/*", "feature/**"). */
const BRANCH_GLOB = /^[A-Za-z0-9_.*?/+-]{1,200}$/;
const REPOSITORY = /^[A-Za-z0-9_.-]{1,100}\/[A-Za-z0-9_.-]{1,100}$/;

/** Per event, the actions reported; an empty list turns the event off. */
export const GithubEventFilter = z.strictObject({
  push: z.boolean().default(true),
  pull_request: z.array(z.enum(PULL_REQUEST_ACTIONS)).max(PULL_REQUEST_ACTIONS.length).default(["opened", "closed", "merged", "reopened"]),
  workflow_run: z.array(z.enum(WORKFLOW_CONCLUSIONS)).max(WORKFLOW_CONCLUSIONS.length).default(["success", "failure"]),
  release: z.array(z.enum(RELEASE_ACTIONS)).max(RELEASE_ACTIONS.length).default(["published"]),
  issues: z.array(z.enum(ISSUE_ACTIONS)).max(ISSUE_ACTIONS.length).default(["opened", "closed"]),
});
export type GithubEventFilter = z.infer<typeof GithubEventFilter>;

export const GithubFeedFilters = z.strictObject({
  /** Allowlist of `owner/name` globs; empty: every repository that sends to this hook. */
  repositories: z.array(z.string().regex(REPOSITORY_GLOB, "must be owner/name, optionally with * or ?")).max(50).default([]),
  /** Branch globs; empty: every branch. Events without a branch (releases, issues) are not filtered by it. */
  branches: z.array(z.string().regex(BRANCH_GLOB, "must be a branch name or glob")).max(50).default([]),
  events: GithubEventFilter.default(GithubEventFilter.parse({})),
});
export type GithubFeedFilters = z.infer<typeof GithubFeedFilters>;

/** A push to `repository` on a branch matching `branch` runs `deploy.run` with `repo` (the agent's NEBULA_REPOS name). */
export const GithubDeployRule = z.strictObject({
  repository: z.string().regex(REPOSITORY, "must be owner/name"),
  branch: z.string().regex(BRANCH_GLOB, "must be a branch name or glob"),
  agentId: z.string().regex(/^agt_[0-9a-z]{16}$/),
  repo: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, "must be a repository name configured on the agent (NEBULA_REPOS)"),
});
export type GithubDeployRule = z.infer<typeof GithubDeployRule>;

export const GITHUB_DELIVERY_STATUSES = ["queued", "filtered", "ignored", "ping", "disabled", "failed"] as const;
export type GithubDeliveryStatus = (typeof GITHUB_DELIVERY_STATUSES)[number];

/** What the feed list shows of the last delivery; written after the webhook was answered. */
export const GithubLastDelivery = z.object({
  at: isoDate,
  event: z.string(),
  status: z.enum(GITHUB_DELIVERY_STATUSES),
});
export type GithubLastDelivery = z.infer<typeof GithubLastDelivery>;

const ShownDestination = z.discriminatedUnion("kind", [ChannelDestination, z.object({ kind: z.literal("webhook"), masked: z.string() })]);

export const GithubFeedView = z.object({
  id: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  /** The Payload URL to paste into GitHub's webhook settings (content type application/json). */
  hookUrl: z.string(),
  filters: GithubFeedFilters,
  destination: ShownDestination,
  deployRules: z.array(GithubDeployRule),
  lastDelivery: GithubLastDelivery.nullable(),
  createdBy: z.string(),
  createdAt: isoDate,
  updatedAt: isoDate,
});
export type GithubFeedView = z.infer<typeof GithubFeedView>;
export const GithubFeedList = z.object({ items: z.array(GithubFeedView) });

/** Answered once, on create and on rotate-secret: the webhook secret to paste into GitHub. It is never shown again. */
export const GithubFeedWithSecret = GithubFeedView.extend({ secret: z.string() });
export type GithubFeedWithSecret = z.infer<typeof GithubFeedWithSecret>;

const feedName = z.string().trim().min(1).max(120);
/** A channel within a server of this tenant that the caller manages, or a webhook URL (alerts.ts ChosenDestination). */
const FeedDestination = ChosenDestination;
const deployRules = z.array(GithubDeployRule).max(10);

export const CreateGithubFeedRequest = z.strictObject({
  name: feedName,
  enabled: z.boolean().default(true),
  filters: GithubFeedFilters.default(GithubFeedFilters.parse({})),
  destination: FeedDestination,
  /** Owner only: a deploy runs code on a host. */
  deployRules: deployRules.default([]),
});
export const UpdateGithubFeedRequest = z
  .strictObject({
    name: feedName.optional(),
    enabled: z.boolean().optional(),
    filters: GithubFeedFilters.optional(),
    destination: FeedDestination.optional(),
    deployRules: deployRules.optional(),
  })
  .refine((u) => Object.values(u).some((v) => v !== undefined), "nothing to change");

export const GithubDelivery = z.object({
  id: z.string(),
  /** GitHub's X-GitHub-Delivery. */
  deliveryId: z.string(),
  event: z.string(),
  action: z.string().nullable(),
  repository: z.string().nullable(),
  status: z.enum(GITHUB_DELIVERY_STATUSES),
  detail: z.string().nullable(),
  receivedAt: isoDate,
});
export type GithubDelivery = z.infer<typeof GithubDelivery>;
export const GithubDeliveryList = z.object({ items: z.array(GithubDelivery) });

/** What the receiver answers GitHub (202, or 200 for ping); shown in GitHub's "Recent Deliveries". */
export const GithubHookAnswer = z.object({
  status: z.enum([...GITHUB_DELIVERY_STATUSES, "duplicate"]),
  detail: z.string().optional(),
});
export type GithubHookAnswer = z.infer<typeof GithubHookAnswer>;

export const GithubTestDeliveryAnswer = z.object({ queued: z.boolean(), messageId: z.string() });
export type GithubTestDeliveryAnswer = z.infer<typeof GithubTestDeliveryAnswer>;

// Which deliveries a feed reports and which pushes deploy: repository and branch globs, per-event action lists.
// Pure, unit-tested in Node (filters.test.ts).
import type { api } from "@nebula/schema";
import type { Activity, PushPayload } from "./events.ts";
import { branchOfRef } from "./events.ts";

/**
 * A glob as GitHub's own branch filters read them: `*` matches within one path segment, `**` across segments,
 * `?` one character. Everything else is literal.
 */
export function globToRegExp(glob: string, flags = ""): RegExp {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] as string;
    if (ch === "*" && glob[i + 1] === "*") {
      out += ".*";
      i++;
    } else if (ch === "*") out += "[^/]*";
    else if (ch === "?") out += "[^/]";
    else out += ch.replace(/[.+^${}()|[\]\\-]/g, "\\$&");
  }
  return new RegExp(`^${out}$`, flags);
}

/** GitHub treats owner and repository names case-insensitively; branch names are case-sensitive. */
export const repositoryMatches = (glob: string, repository: string) => globToRegExp(glob, "i").test(repository);
export const branchMatches = (glob: string, branch: string) => globToRegExp(glob).test(branch);

export type FilterDecision = { report: true } | { report: false; reason: string };

function actionAllowed(activity: Activity, events: api.GithubEventFilter): FilterDecision {
  switch (activity.event) {
    case "push":
      return events.push ? { report: true } : { report: false, reason: "push events are off" };
    case "workflow_run":
      // Runs are reported once, when they complete: requested/in_progress would triple every run.
      if (activity.action === null) return { report: false, reason: "workflow run not completed" };
      return (events.workflow_run as readonly string[]).includes(activity.action)
        ? { report: true }
        : { report: false, reason: `workflow_run ${activity.action} is off` };
    default: {
      const allowed = events[activity.event] as readonly string[];
      return activity.action !== null && allowed.includes(activity.action)
        ? { report: true }
        : { report: false, reason: `${activity.event} ${activity.action ?? ""} is off`.trim() };
    }
  }
}

export function decide(activity: Activity, filters: api.GithubFeedFilters, push?: PushPayload): FilterDecision {
  if (filters.repositories.length > 0 && !filters.repositories.some((g) => repositoryMatches(g, activity.repository))) {
    return { report: false, reason: `repository ${activity.repository} is not in the allowlist` };
  }
  if (push) {
    // Deleting a branch and pushing tags are not news for a channel (releases announce tags).
    if (push.deleted) return { report: false, reason: "branch deleted" };
    if (activity.branch === null) return { report: false, reason: "not a branch push" };
  }
  if (activity.branch !== null && filters.branches.length > 0 && !filters.branches.some((g) => branchMatches(g, activity.branch as string))) {
    return { report: false, reason: `branch ${activity.branch} is filtered out` };
  }
  return actionAllowed(activity, filters.events);
}

/** The deploy rules a push triggers; independent of the message filters (a quiet feed can still deploy). */
export function deployRulesFor(push: PushPayload, rules: readonly api.GithubDeployRule[]): api.GithubDeployRule[] {
  const branch = branchOfRef(push.ref);
  if (push.deleted || branch === null) return [];
  const repository = push.repository.full_name.toLowerCase();
  return rules.filter((r) => r.repository.toLowerCase() === repository && branchMatches(r.branch, branch));
}

// The web app's one door to the API: a fetch wrapper with the Worker's error model, and every remote read
// as a router `query` (cached, de-duplicated, revalidated after actions). Shapes are imported as types only,
// so no zod reaches the browser bundle.
import { query, revalidate } from "@solidjs/router";
import type {
  ApiToken,
  AuditEntry,
  Health,
  Invite,
  InvitePreview,
  Member,
  MeResponse,
  TenantSummary,
} from "@nebula/schema/api/core";
import type { Agent, CreatedAgent } from "@nebula/schema/api/agents";
import type {
  AlertCondition,
  AlertEventPage,
  AlertPreview,
  AlertRuleList,
  AlertRuleView,
  AlertTemplate,
  ChosenDestination,
} from "@nebula/schema/api/alerts";
import type { CreatedEnrollment } from "@nebula/schema/api/enrollment";
import type { Job, JobList, MetricRange, MetricsResponse } from "@nebula/schema/api/jobs";
import type { Role } from "@nebula/schema/core/roles";
import type { JobKind } from "@nebula/schema/wire/jobs";

/** The body of every error the Worker renders: `{ error: { code, message, details, requestId } }`. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;
  readonly requestId: string | null;

  constructor(status: number, code: string, message: string, details: unknown, requestId: string | null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details;
    this.requestId = requestId;
  }
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

async function errorFrom(res: Response): Promise<ApiError> {
  const headerId = res.headers.get("x-request-id");
  try {
    const body = (await res.json()) as { error?: { code?: unknown; message?: unknown; details?: unknown; requestId?: unknown } };
    const e = body.error;
    if (e && typeof e.code === "string" && typeof e.message === "string") {
      const requestId = typeof e.requestId === "string" ? e.requestId : headerId;
      return new ApiError(res.status, e.code, e.message, e.details ?? null, requestId);
    }
  } catch {
    // Not our JSON (a proxy's HTML page, an empty body): fall through to a generic error.
  }
  return new ApiError(res.status, `HTTP_${res.status}`, `The server answered ${res.status} ${res.statusText}`.trim(), null, headerId);
}

/** `alsoOk`: statuses whose body is the answer, not an error (/healthz says "degraded" with a 503). */
export async function request<T>(method: Method, path: string, body?: unknown, alsoOk: number[] = []): Promise<T> {
  const init: RequestInit = { method, credentials: "same-origin", headers: { Accept: "application/json" } };
  if (body !== undefined) {
    init.headers = { Accept: "application/json", "Content-Type": "application/json" };
    init.body = JSON.stringify(body);
  }
  let res: Response;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, "NETWORK", "Could not reach the server. Check your connection and try again.", null, null);
  }
  if (!res.ok) {
    const err = await errorFrom(alsoOk.includes(res.status) ? res.clone() : res);
    // An allowed status still fails when its body is the error model (e.g. MISCONFIGURED from /healthz).
    const answered = alsoOk.includes(res.status) && err.code === `HTTP_${res.status}`;
    if (!answered) {
      // A session that ended elsewhere (signed out everywhere, expired): let the shell show the sign-in screen.
      if (res.status === 401 && path !== "/api/me") void revalidate(getMe.key);
      throw err;
    }
  }
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

const tenantPath = (tenantId: string, rest = "") => `/api/t/${encodeURIComponent(tenantId)}${rest}`;

// ---- reads -------------------------------------------------------------------------------------------

/** The signed-in user, or null when signed out (401). */
export const getMe = query(async (): Promise<MeResponse | null> => {
  try {
    return await request<MeResponse>("GET", "/api/me");
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return null;
    throw err;
  }
}, "me");

export const getHealth = query(() => request<Health>("GET", "/healthz", undefined, [503]), "health");

export const getTenant = query((tenantId: string) => request<TenantSummary>("GET", tenantPath(tenantId)), "tenant");

export const getMembers = query(
  (tenantId: string) => request<{ items: Member[] }>("GET", tenantPath(tenantId, "/members")),
  "members",
);

export const getInvites = query(
  (tenantId: string) => request<{ items: Invite[] }>("GET", tenantPath(tenantId, "/invites")),
  "invites",
);

export const getTokens = query(
  (tenantId: string) => request<{ items: ApiToken[] }>("GET", tenantPath(tenantId, "/tokens")),
  "tokens",
);

export type AuditPage = { items: AuditEntry[]; nextCursor: string | null };

export const AUDIT_PAGE_SIZE = 50;

export const getAuditPage = query((tenantId: string, action: string, cursor: string | null) => {
  const params = new URLSearchParams({ limit: String(AUDIT_PAGE_SIZE) });
  if (cursor) params.set("cursor", cursor);
  if (action) params.set("action", action);
  return request<AuditPage>("GET", tenantPath(tenantId, `/audit?${params}`));
}, "audit");

// ---- writes ------------------------------------------------------------------------------------------
// Plain functions; pages wrap them in router actions so queries revalidate when they finish.

export const switchTenant = (tenantId: string) => request<MeResponse>("POST", "/api/me/active-tenant", { tenantId });
/** The new tenant becomes the session's active one (the Worker switches it). */
export const createTenant = (name: string) => request<TenantSummary>("POST", "/api/tenants", { name });
export const renameTenant = (tenantId: string, name: string) => request<TenantSummary>("PATCH", tenantPath(tenantId), { name });
/** Joining also makes the invite's tenant the active one. */
export const getInvitePreview = query(
  (token: string) => request<InvitePreview>("POST", "/api/invites/preview", { token }),
  "invite-preview",
);
export const acceptInvite = (token: string) => request<{ tenant: TenantSummary }>("POST", "/api/invites/accept", { token });

export const updateMemberRole = (tenantId: string, memberId: string, role: Role) =>
  request<Member>("PATCH", tenantPath(tenantId, `/members/${encodeURIComponent(memberId)}`), { role });
export const removeMember = (tenantId: string, memberId: string) =>
  request<void>("DELETE", tenantPath(tenantId, `/members/${encodeURIComponent(memberId)}`));

export type InviteRole = "viewer" | "operator" | "admin";
export const createInvite = (tenantId: string, input: { role: InviteRole; maxUses: number; expiresInHours: number }) =>
  request<{ invite: Invite; url: string }>("POST", tenantPath(tenantId, "/invites"), input);
export const revokeInvite = (tenantId: string, inviteId: string) =>
  request<void>("DELETE", tenantPath(tenantId, `/invites/${encodeURIComponent(inviteId)}`));

export type TokenScope = "full" | "read";
export const createToken = (tenantId: string, input: { name: string; scope: TokenScope; expiresInDays: number | null }) =>
  request<{ token: ApiToken; secret: string }>("POST", tenantPath(tenantId, "/tokens"), input);
export const revokeToken = (tenantId: string, tokenId: string) =>
  request<void>("DELETE", tenantPath(tenantId, `/tokens/${encodeURIComponent(tokenId)}`));

// ---- fleet: agents, host metrics, jobs --------------------------------------------------------------

export const getAgents = query((tenantId: string) => request<{ items: Agent[] }>("GET", tenantPath(tenantId, "/agents")), "agents");
export const createAgent = (tenantId: string, name: string) => request<CreatedAgent>("POST", tenantPath(tenantId, "/agents"), { name });
export const revokeAgent = (tenantId: string, agentId: string) =>
  request<void>("DELETE", tenantPath(tenantId, `/agents/${encodeURIComponent(agentId)}`));

/** A single-use install code (15 minutes) and the one command that installs and enrolls the agent with it. */
export const createEnrollment = (tenantId: string, name: string) =>
  request<CreatedEnrollment>("POST", tenantPath(tenantId, "/agents/enrollments"), { name });

/** `names`: metric names joined by commas (a string, so the query's cache key stays stable). */
export const getMetrics = query((tenantId: string, agentId: string, names: string, range: MetricRange) => {
  const params = new URLSearchParams({ names, range });
  return request<MetricsResponse>("GET", tenantPath(tenantId, `/agents/${encodeURIComponent(agentId)}/metrics?${params}`));
}, "metrics");

export type RunJobOptions = { wait: boolean; timeoutMs?: number };
export const runJob = (tenantId: string, agentId: string, kind: JobKind, params: Record<string, unknown>, options: RunJobOptions) =>
  request<Job>("POST", tenantPath(tenantId, `/agents/${encodeURIComponent(agentId)}/jobs?wait=${options.wait}`), {
    kind,
    params,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });

/**
 * A read-only job (docker.list, vm.list, gaming.status, nas.status) as a cached read: it runs on the agent and
 * answers with the finished job. `params` is JSON, so equal requests share one cache entry.
 */
export const getJobReading = query(
  (tenantId: string, agentId: string, kind: JobKind, params: string) => runJob(tenantId, agentId, kind, JSON.parse(params) as Record<string, unknown>, { wait: true }),
  "job-reading",
);

export const JOB_PAGE_SIZE = 25;
export const getAgentJobs = query((tenantId: string, agentId: string, cursor: string | null) => {
  const params = new URLSearchParams({ limit: String(JOB_PAGE_SIZE) });
  if (cursor) params.set("cursor", cursor);
  return request<JobList>("GET", tenantPath(tenantId, `/agents/${encodeURIComponent(agentId)}/jobs?${params}`));
}, "agent-jobs");
/** Not a cached query: followers poll it for a job's latest state. */
export const readJob = (tenantId: string, jobId: string) => request<Job>("GET", tenantPath(tenantId, `/jobs/${encodeURIComponent(jobId)}`));
export const cancelJob = (tenantId: string, jobId: string) =>
  request<Job>("POST", tenantPath(tenantId, `/jobs/${encodeURIComponent(jobId)}/cancel`));

// ---- alerts: rules, templates, preview, history -------------------------------------------------------

export const getAlertRules = query((tenantId: string) => request<AlertRuleList>("GET", tenantPath(tenantId, "/alert-rules")), "alert-rules");
export const getAlertTemplates = query(
  (tenantId: string) => request<{ items: AlertTemplate[] }>("GET", tenantPath(tenantId, "/alert-rules/templates")),
  "alert-templates",
);

/** What a form writes: `destination` is left out of an update to keep the stored one (a webhook URL is never read back). */
export type AlertRuleInput = { name: string; enabled: boolean; agentId: string | null; rule: AlertCondition; destination: ChosenDestination };
export const createAlertRule = (tenantId: string, input: AlertRuleInput) => request<AlertRuleView>("POST", tenantPath(tenantId, "/alert-rules"), input);
export const updateAlertRule = (tenantId: string, ruleId: string, change: Partial<AlertRuleInput>) =>
  request<AlertRuleView>("PATCH", tenantPath(tenantId, `/alert-rules/${encodeURIComponent(ruleId)}`), change);
export const deleteAlertRule = (tenantId: string, ruleId: string) =>
  request<void>("DELETE", tenantPath(tenantId, `/alert-rules/${encodeURIComponent(ruleId)}`));

export type AlertPreviewInput = { rule: AlertCondition; agentId: string; range: MetricRange; metric?: string };
/** Not cached: each press of Preview replays the rule over the host's history once. */
export const previewAlertRule = (tenantId: string, input: AlertPreviewInput) =>
  request<AlertPreview>("POST", tenantPath(tenantId, "/alert-rules/preview"), input);

export const ALERT_EVENT_PAGE_SIZE = 50;
export const getAlertEvents = query((tenantId: string, cursor: string | null) => {
  const params = new URLSearchParams({ limit: String(ALERT_EVENT_PAGE_SIZE) });
  if (cursor) params.set("cursor", cursor);
  return request<AlertEventPage>("GET", tenantPath(tenantId, `/alert-events?${params}`));
}, "alert-events");

/** Websocket addresses on this origin (the session cookie goes along): live metrics, and one job's progress. */
function socketUrl(path: string): string {
  const url = new URL(path, window.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}
export const liveMetricsUrl = (tenantId: string, agentId: string) => socketUrl(tenantPath(tenantId, `/agents/${encodeURIComponent(agentId)}/live`));
export const jobStreamUrl = (tenantId: string, jobId: string) => socketUrl(tenantPath(tenantId, `/jobs/${encodeURIComponent(jobId)}/stream`));

export const signOut = () => request<void>("POST", "/auth/signout");
export const signOutEverywhere = () => request<void>("POST", "/auth/signout-all");

/** Discord sign-in is a full-page navigation (OAuth redirect), not a fetch; the Worker returns to `returnTo`. */
export function discordSignInHref(returnTo?: string): string {
  return returnTo ? `/auth/discord?${new URLSearchParams({ returnTo })}` : "/auth/discord";
}

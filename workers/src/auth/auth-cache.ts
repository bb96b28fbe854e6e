// A short-lived, per-isolate memory of who a credential is and which role a user holds in a tenant, so a warm
// request (the dashboard's docker.list, a chart refresh) authenticates without a Postgres round trip.
//
// Revocation lag, the trade this makes: every change made through the API (sign-out, sign-out everywhere, a role
// change, a member removed, an API token revoked, a switched tenant) drops the affected entries in the isolate that
// made it, so there it takes effect on the next request. Other isolates of the deployment keep serving their entry
// until it expires: at most AUTH_CACHE_TTL_MS. Changes made straight in the database (not through the API) wait
// for the TTL everywhere. Only positive answers are kept: an unknown credential or a missing membership is read
// from Postgres every time, so a new member or a new session works at once.
import type { Role } from "@nebula/schema";
import type { AuthUser } from "../http/context.ts";

/** How long an isolate trusts what it read: the most a revocation made elsewhere can lag. See README, Security. */
export const AUTH_CACHE_TTL_MS = 5_000;
/** Bounded so a flood of distinct credentials cannot grow an isolate's memory (128 MB per isolate on Workers). */
const MAX_ENTRIES = 2_000;

export interface CachedSession {
  sessionId: string;
  user: AuthUser;
  activeTenantId: string | null;
  expiresAt: number;
}

export interface CachedToken {
  tokenId: string;
  tenantId: string;
  scopes: string[];
  user: AuthUser;
  /** Null for a token without expiry. */
  expiresAt: number | null;
}

interface Entry<V> {
  value: V;
  /** The entry is served while now < until: the TTL, or sooner when the credential itself expires. */
  until: number;
}

class TtlMap<V> {
  private readonly entries = new Map<string, Entry<V>>();

  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (now >= entry.until) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V, now: number, expiresAt: number | null = null): void {
    const until = Math.min(now + AUTH_CACHE_TTL_MS, expiresAt ?? Number.POSITIVE_INFINITY);
    if (until <= now) return;
    this.entries.delete(key);
    // Insertion order is age order: the first key is the oldest entry.
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { value, until });
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  deleteWhere(match: (value: V) => boolean): void {
    for (const [key, entry] of this.entries) if (match(entry.value)) this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}

/** Keyed by the SHA-256 of the cookie token (never the token itself). */
const sessions = new TtlMap<CachedSession>();
/** Keyed by the SHA-256 of the API token. */
const tokens = new TtlMap<CachedToken>();
/** Keyed by `${tenantId}:${userId}`. */
const roles = new TtlMap<Role>();
/** An agent's tenant (never changes), for the quick reads that skip Postgres (jobs/job-history.ts). */
const agentTenants = new TtlMap<string>();

const roleKey = (tenantId: string, userId: string) => `${tenantId}:${userId}`;

export const authCache = {
  session: (tokenHash: string, now: number) => sessions.get(tokenHash, now),
  rememberSession: (tokenHash: string, session: CachedSession, now: number) => sessions.set(tokenHash, session, now, session.expiresAt),

  token: (tokenHash: string, now: number) => tokens.get(tokenHash, now),
  rememberToken: (tokenHash: string, token: CachedToken, now: number) => tokens.set(tokenHash, token, now, token.expiresAt),

  role: (tenantId: string, userId: string, now: number) => roles.get(roleKey(tenantId, userId), now),
  rememberRole: (tenantId: string, userId: string, role: Role, now: number) => roles.set(roleKey(tenantId, userId), role, now),

  agentTenant: (agentId: string, now: number) => agentTenants.get(agentId, now),
  rememberAgentTenant: (agentId: string, tenantId: string, now: number) => agentTenants.set(agentId, tenantId, now),
};

/** Sign-out of one browser, or its active tenant changed. */
export function forgetSession(sessionId: string): void {
  sessions.deleteWhere((s) => s.sessionId === sessionId);
}

/** Sign-out everywhere: every session of the user. */
export function forgetSessionsOf(userId: string): void {
  sessions.deleteWhere((s) => s.user.id === userId);
}

/** A role changed or a membership ended. */
export function forgetRole(tenantId: string, userId: string): void {
  roles.delete(roleKey(tenantId, userId));
}

/** An API token was revoked. */
export function forgetApiToken(tokenId: string): void {
  tokens.deleteWhere((t) => t.tokenId === tokenId);
}

/** Tests only: start from a cold isolate. */
export function clearAuthCache(): void {
  sessions.clear();
  tokens.clear();
  roles.clear();
  agentTenants.clear();
}

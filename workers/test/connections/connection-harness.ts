// Arrangement for the connection suites: connect a platform account the way a browser does (start → the fake's consent
// screen → the Worker's callback), the fakes' OAuth control endpoints, and the domain's dependencies on a chosen clock.
import { env as bindings, exports } from "cloudflare:workers";
import { platformConnections } from "@nebula/schema";
import type { ConnectionPlatform } from "@nebula/schema/api/connections";
import { eq } from "drizzle-orm";
import { expect } from "vitest";
import { loadConfig } from "../../src/config/config.ts";
import type { ConnectionDeps, ConnectionRow } from "../../src/connections/connection-tokens.ts";
import type { Env } from "../../src/env.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createServices } from "../../src/services/services.ts";
import { type SeededUser, asUser, url, withDb } from "../support/seed.ts";

export const env = bindings as Env;

export const ORIGINS: Record<ConnectionPlatform, string> = {
  twitch: (env.TWITCH_API_BASE ?? "").replace(/\/helix$/, ""),
  youtube: env.GOOGLE_TOKEN_BASE ?? "",
  kick: env.KICK_API_BASE ?? "",
  spotify: env.SPOTIFY_ACCOUNTS_BASE ?? "",
};

export const call = (path: string, init?: RequestInit) => exports.default.fetch(url(path), init);

let counter = 0;
/** A platform account id no other test uses (YouTube channel ids start with UC). */
export function accountId(platform: ConnectionPlatform): string {
  counter++;
  const n = `${Date.now() % 1_000_000_000}${counter}`.padStart(12, "0");
  return platform === "youtube" ? `UC${n}abcdefghij` : String(Number(n.slice(-9)) + counter * 1000);
}

export interface Account {
  id: string;
  login: string;
  displayName?: string;
}

export async function startConnect(tenantId: string, user: SeededUser, platform: ConnectionPlatform, body: Record<string, unknown> = {}): Promise<string> {
  const res = await call(`/api/t/${tenantId}/streams/connections/${platform}/connect`, asUser(user, { method: "POST", body: JSON.stringify(body) }));
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json<{ authorizeUrl: string }>()).authorizeUrl;
}

/** The user's answer on the platform's consent screen: the redirect back to the Worker's callback. */
export async function consent(authorizeUrl: string, account: Account, decision: "allow" | "deny" = "allow"): Promise<string> {
  const form = new URLSearchParams({ decision, account_id: account.id, login: account.login, display_name: account.displayName ?? account.login });
  const res = await fetch(authorizeUrl, { method: "POST", body: form, headers: { "content-type": "application/x-www-form-urlencoded" }, redirect: "manual" });
  expect(res.status, await res.clone().text()).toBe(302);
  return res.headers.get("location") ?? "";
}

/** The browser following the redirect to /auth/platforms/…/callback with its session cookie; answers where it lands. */
export async function callback(callbackUrl: string, user: SeededUser | null): Promise<string> {
  const u = new URL(callbackUrl);
  const res = await call(`${u.pathname}${u.search}`, user ? { headers: { cookie: user.cookie }, redirect: "manual" } : { redirect: "manual" });
  expect(res.status, await res.clone().text()).toBe(302);
  return res.headers.get("location") ?? "";
}

export async function connect(tenantId: string, user: SeededUser, platform: ConnectionPlatform, account: Account, body: Record<string, unknown> = {}): Promise<{ authorizeUrl: string; landing: string }> {
  const authorizeUrl = await startConnect(tenantId, user, platform, body);
  const landing = await callback(await consent(authorizeUrl, account), user);
  return { authorizeUrl, landing };
}

export async function connectionOf(tenantId: string, userId: string, platform: ConnectionPlatform): Promise<ConnectionRow | undefined> {
  return withDb(async (db) => {
    const rows = await db.select().from(platformConnections).where(eq(platformConnections.userId, userId));
    return rows.find((r) => r.tenantId === tenantId && r.platform === platform);
  });
}

export async function fakeControl<T = unknown>(platform: ConnectionPlatform, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${ORIGINS[platform]}/__control/${platform}/oauth/${path}`, body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return res.json() as Promise<T>;
}

export interface FakeOAuthState {
  grants: { scopes: string[]; revoked: boolean; refreshable: boolean }[];
  revocations: { accountId: string; tokenKind: string }[];
  /** clientAuth: how the app authenticated at the token endpoint (HTTP Basic, or client_id/client_secret form fields). */
  tokenRequests: { accountId: string | null; grantType: string; hadVerifier: boolean; ok: boolean; clientAuth: "basic" | "form" }[];
}

export const oauthState = (platform: ConnectionPlatform, accountId: string) => fakeControl<FakeOAuthState>(platform, `state?accountId=${encodeURIComponent(accountId)}`);

/** The connection domain's dependencies with the clock at `at`; closed after `work`. */
export async function withDeps<T>(at: Date, work: (deps: ConnectionDeps) => Promise<T>, overrides: Partial<ConnectionDeps> = {}): Promise<T> {
  const config = loadConfig(env);
  const scope = createServices(env, config, createLogger({ test: "connections" }, "error"));
  const s = scope.services;
  const deps: ConnectionDeps = {
    get db() {
      return s.db;
    },
    cache: s.cache,
    config: s.config,
    logger: s.logger,
    keyRing: s.keyRing,
    now: () => at,
    ...overrides,
  };
  try {
    return await work(deps);
  } finally {
    await scope.dispose();
  }
}

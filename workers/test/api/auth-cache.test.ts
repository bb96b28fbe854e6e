// The per-isolate auth cache (auth/auth-cache.ts) never outlives a revocation made in the same isolate: each test
// warms the cache (and checks that it is warm), revokes through the API, and the very next request is refused.
import { api } from "@nebula/schema";
import { beforeAll, describe, expect, it } from "vitest";
import { authCache } from "../../src/auth/auth-cache.ts";
import { createSession } from "../../src/auth/sessions.ts";
import { sha256Hex } from "../../src/crypto/tokens.ts";
import { type SeededTenant, type SeededUser, addMember, asUser, seedTenant, seedUser, withDb } from "../support/seed.ts";
import { callWorker } from "../support/worker-call.ts";

let lab: SeededTenant;
beforeAll(async () => {
  lab = await withDb((db) => seedTenant(db, "Auth Cache Lab"));
});

const agentsOf = (tenantId: string, init: RequestInit) => callWorker(`/api/t/${tenantId}/agents`, init);
const sessionCached = async (user: SeededUser) => authCache.session(await sha256Hex(user.sessionToken), Date.now()) !== undefined;

/** A fresh member of `lab` with this role, already known to the isolate (session and role cached). */
async function warmMember(role: "admin" | "operator" | "viewer"): Promise<SeededUser & { membershipId: string }> {
  const user = await withDb((db) => seedUser(db, `cached ${role}`));
  const membershipId = await withDb((db) => addMember(db, lab.tenantId, user, role));
  expect((await agentsOf(lab.tenantId, asUser(user))).status).toBe(200);
  expect(await sessionCached(user)).toBe(true);
  expect(authCache.role(lab.tenantId, user.userId, Date.now())).toBe(role);
  return { ...user, membershipId };
}

describe("revocations take effect at once in the isolate that made them", () => {
  it("sign-out", async () => {
    const user = await warmMember("viewer");
    expect((await callWorker("/auth/signout", asUser(user, { method: "POST" }))).status).toBe(204);
    expect((await agentsOf(lab.tenantId, asUser(user))).status).toBe(401);
  });

  it("sign-out everywhere ends every cached session of the user", async () => {
    const user = await warmMember("viewer");
    const phone = await withDb(async (db) => {
      const s = await createSession(db, { userId: user.userId, activeTenantId: null, now: new Date() });
      return { ...user, sessionToken: s.token, cookie: `nc_session=${s.token}` };
    });
    expect((await agentsOf(lab.tenantId, asUser(phone))).status).toBe(200);
    expect(await sessionCached(phone)).toBe(true);
    expect((await callWorker("/auth/signout-all", asUser(user, { method: "POST" }))).status).toBe(204);
    expect((await agentsOf(lab.tenantId, asUser(user))).status).toBe(401);
    expect((await agentsOf(lab.tenantId, asUser(phone))).status).toBe(401);
  });

  it("a role downgrade", async () => {
    const admin = await warmMember("admin");
    const create = () => agentsOf(lab.tenantId, asUser(admin, { method: "POST", body: JSON.stringify({ name: "cached-admin-host" }) }));
    expect((await create()).status).toBe(201);
    const demoted = await callWorker(`/api/t/${lab.tenantId}/members/${admin.membershipId}`, asUser(lab.owner, { method: "PATCH", body: JSON.stringify({ role: "viewer" }) }));
    expect(demoted.status).toBe(200);
    expect((await create()).status).toBe(403);
    expect((await agentsOf(lab.tenantId, asUser(admin))).status).toBe(200);
  });

  it("a removed member", async () => {
    const viewer = await warmMember("viewer");
    expect((await callWorker(`/api/t/${lab.tenantId}/members/${viewer.membershipId}`, asUser(lab.owner, { method: "DELETE" }))).status).toBe(204);
    expect((await agentsOf(lab.tenantId, asUser(viewer))).status).toBe(404);
  });

  it("a revoked API token", async () => {
    const made = await callWorker(`/api/t/${lab.tenantId}/tokens`, asUser(lab.owner, { method: "POST", body: JSON.stringify({ name: "cached token" }) }));
    expect(made.status).toBe(201);
    const { token, secret } = api.CreatedApiToken.parse(await made.json());
    const bearer = { headers: { authorization: `Bearer ${secret}` } };
    expect((await agentsOf(lab.tenantId, bearer)).status).toBe(200);
    expect(authCache.token(await sha256Hex(secret), Date.now())?.tokenId).toBe(token.id);
    expect((await callWorker(`/api/t/${lab.tenantId}/tokens/${token.id}`, asUser(lab.owner, { method: "DELETE" }))).status).toBe(204);
    expect((await agentsOf(lab.tenantId, bearer)).status).toBe(401);
  });

  it("a switched tenant shows in /api/me at once", async () => {
    const user = await warmMember("viewer");
    const other = await withDb((db) => seedTenant(db, "Auth Cache Elsewhere"));
    await withDb((db) => addMember(db, other.tenantId, user, "viewer"));
    const me = async () => api.MeResponse.parse(await (await callWorker("/api/me", asUser(user))).json());
    const before = (await me()).activeTenantId;
    const target = before === other.tenantId ? lab.tenantId : other.tenantId;
    expect((await callWorker("/api/me/active-tenant", asUser(user, { method: "POST", body: JSON.stringify({ tenantId: target }) }))).status).toBe(200);
    expect((await me()).activeTenantId).toBe(target);
  });
});

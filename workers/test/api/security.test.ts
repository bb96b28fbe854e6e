// The RBAC matrix and the common security suite, generated from the route table:
// every tenant route × every role × another tenant × no session × bad CSRF.
import { exports } from "cloudflare:workers";
import { PERMISSIONS, ROLES, roleAtLeast } from "@nebula/schema";
import { beforeAll, describe, expect, it } from "vitest";
import { type SeededTenant, asUser, seedTenant, url, withDb } from "../support/seed.ts";
import { concretePath, tenantRoutes, userRoutes } from "./route-table.ts";

const routes = tenantRoutes();
const call = (path: string, init?: RequestInit) => exports.default.fetch(url(path), init);

let lab: SeededTenant;
let other: SeededTenant;

beforeAll(async () => {
  [lab, other] = await withDb(async (db) => [await seedTenant(db, "Matrix A"), await seedTenant(db, "Matrix B")]);
});

it("every tenant route declares a permission", () => {
  expect(routes.length).toBeGreaterThan(8);
  expect(routes.filter((r) => r.permission === null)).toEqual([]);
});

describe.each(routes)("$method $path", (route) => {
  const unsafe = route.method !== "GET";
  const init = (): RequestInit => ({ method: route.method });

  it("answers 401 without a session", async () => {
    const res = await call(concretePath(route.path, lab.tenantId), { ...init(), headers: { origin: "http://localhost" } });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: { code: "UNAUTHORIZED" } });
  });

  it.each(ROLES)("as %s: allowed exactly when the permission table says so", async (role) => {
    const res = await call(concretePath(route.path, lab.tenantId), asUser(lab.members[role], init()));
    const allowed = roleAtLeast(role, PERMISSIONS[route.permission as keyof typeof PERMISSIONS]);
    if (allowed) expect(res.status, await res.clone().text()).not.toBe(403);
    else expect(res.status).toBe(403);
    expect(res.status).toBeLessThan(500);
  });

  it("another tenant's owner gets the same 404 as a missing tenant", async () => {
    const res = await call(concretePath(route.path, lab.tenantId), asUser(other.members.owner, init()));
    expect(res.status).toBe(404);
    const missing = await call(concretePath(route.path, "ten_zzzzzzzzzzzzzzzz"), asUser(other.members.owner, init()));
    expect(missing.status).toBe(404);
    expect((await res.json<{ error: { message: string } }>()).error.message).toBe(
      (await missing.json<{ error: { message: string } }>()).error.message,
    );
  });

  it.runIf(unsafe)("rejects a cookie request from a foreign or missing Origin", async () => {
    const cookie = lab.members.owner.cookie;
    for (const headers of [{ cookie, origin: "https://evil.example" }, { cookie }] as Record<string, string>[]) {
      const res = await call(concretePath(route.path, lab.tenantId), { method: route.method, headers });
      expect(res.status).toBe(403);
      expect((await res.json<{ error: { message: string } }>()).error.message).toMatch(/Cross-origin/);
    }
  });
});

describe.each(userRoutes())("$method $path (signed-in user routes)", (route) => {
  it("answers 401 without a session", async () => {
    const res = await call(route.path, { method: route.method, headers: { origin: "http://localhost" } });
    expect(res.status).toBe(401);
  });
});

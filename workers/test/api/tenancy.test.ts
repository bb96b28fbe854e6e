// User stories for the core API: who am I, members and roles, invites, API tokens, and the audit log.
import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { type SeededTenant, type SeededUser, asUser, seedTenant, seedUser, url, withDb } from "../support/seed.ts";

const call = (path: string, init?: RequestInit) => exports.default.fetch(url(path), init);
const json = (body: unknown) => JSON.stringify(body);

let lab: SeededTenant;
let other: SeededTenant;

beforeAll(async () => {
  [lab, other] = await withDb(async (db) => [await seedTenant(db, "Lab A"), await seedTenant(db, "Lab B")]);
});

describe("me", () => {
  it("lists the caller's tenants and switches the active one", async () => {
    const stranger = await withDb((db) => seedUser(db));
    const created = await call("/api/tenants", asUser(stranger, { method: "POST", body: json({ name: "Second lab" }) }));
    expect(created.status).toBe(201);
    const tenant = (await created.json()) as { id: string; role: string };
    expect(tenant.role).toBe("owner");

    const me = await (await call("/api/me", asUser(stranger))).json<{ tenants: { id: string }[]; activeTenantId: string }>();
    expect(me.tenants.map((t) => t.id)).toEqual([tenant.id]);
    expect(me.activeTenantId).toBe(tenant.id);

    const foreign = await call("/api/me/active-tenant", asUser(stranger, { method: "POST", body: json({ tenantId: lab.tenantId }) }));
    expect(foreign.status).toBe(404);
  });

  it("answers 401 without a session and ignores a forged cookie", async () => {
    expect((await call("/api/me")).status).toBe(401);
    const forged = await call("/api/me", { headers: { cookie: `nc_session=${"A".repeat(43)}` } });
    expect(forged.status).toBe(401);
  });
});

describe("members", () => {
  it("lets an admin change a viewer to operator and writes the audit log", async () => {
    const { admin, viewer } = lab.members;
    const res = await call(
      `/api/t/${lab.tenantId}/members/${viewer.membershipId}`,
      asUser(admin, { method: "PATCH", body: json({ role: "operator" }) }),
    );
    expect(res.status).toBe(200);
    expect((await res.json<{ role: string }>()).role).toBe("operator");
    const audit = await (await call(`/api/t/${lab.tenantId}/audit?action=member.role_change`, asUser(admin))).json<{
      items: { action: string; targetId: string; actorName: string }[];
    }>();
    expect(audit.items[0]).toMatchObject({ action: "member.role_change", targetId: viewer.membershipId, actorName: admin.name });
    // put it back for other tests
    await call(`/api/t/${lab.tenantId}/members/${viewer.membershipId}`, asUser(admin, { method: "PATCH", body: json({ role: "viewer" }) }));
  });

  it("refuses to promote above the caller's role or to touch an owner as admin", async () => {
    const { admin, viewer, owner } = lab.members;
    const up = await call(`/api/t/${lab.tenantId}/members/${viewer.membershipId}`, asUser(admin, { method: "PATCH", body: json({ role: "owner" }) }));
    expect(up.status).toBe(403);
    const demote = await call(`/api/t/${lab.tenantId}/members/${owner.membershipId}`, asUser(admin, { method: "PATCH", body: json({ role: "viewer" }) }));
    expect(demote.status).toBe(403);
  });

  it("keeps at least one owner", async () => {
    const t = await withDb((db) => seedTenant(db, "Solo"));
    const res = await call(`/api/t/${t.tenantId}/members/${t.owner.membershipId}`, asUser(t.owner, { method: "DELETE" }));
    expect(res.status).toBe(409);
    const self = await call(`/api/t/${t.tenantId}/members/${t.owner.membershipId}`, asUser(t.owner, { method: "PATCH", body: json({ role: "admin" }) }));
    expect(self.status).toBe(403);
  });

  it("treats another tenant's member id as missing", async () => {
    const res = await call(
      `/api/t/${lab.tenantId}/members/${other.members.viewer.membershipId}`,
      asUser(lab.members.owner, { method: "DELETE" }),
    );
    expect(res.status).toBe(404);
  });
});

describe("invites", () => {
  let joiner: SeededUser;
  beforeAll(async () => {
    joiner = await withDb((db) => seedUser(db, "Joiner"));
  });

  it("invites by link with a role; the link works once", async () => {
    const res = await call(`/api/t/${lab.tenantId}/invites`, asUser(lab.members.admin, { method: "POST", body: json({ role: "operator" }) }));
    expect(res.status).toBe(201);
    const { url: link, invite } = await res.json<{ url: string; invite: { id: string; status: string } }>();
    expect(invite.status).toBe("active");
    const token = link.split("/invite/")[1] as string;

    const preview = await call("/api/invites/preview", asUser(joiner, { method: "POST", body: json({ token }) }));
    expect(await preview.json()).toMatchObject({ tenant: { id: lab.tenantId }, role: "operator", currentRole: null });

    const accepted = await call("/api/invites/accept", asUser(joiner, { method: "POST", body: json({ token }) }));
    expect(accepted.status).toBe(200);
    expect((await accepted.json<{ tenant: { id: string; role: string } }>()).tenant).toMatchObject({ id: lab.tenantId, role: "operator" });

    const late = await withDb((db) => seedUser(db, "Late"));
    const again = await call("/api/invites/accept", asUser(late, { method: "POST", body: json({ token }) }));
    expect(again.status).toBe(404);
    expect((await call("/api/invites/preview", asUser(late, { method: "POST", body: json({ token }) }))).status).toBe(404);

    const list = await (await call(`/api/t/${lab.tenantId}/invites`, asUser(lab.members.admin))).json<{ items: { id: string; status: string }[] }>();
    expect(list.items.find((i) => i.id === invite.id)?.status).toBe("used");
  });

  it("a revoked invite cannot be used", async () => {
    const created = await (
      await call(`/api/t/${lab.tenantId}/invites`, asUser(lab.members.owner, { method: "POST", body: json({ role: "viewer", maxUses: 5 }) }))
    ).json<{ url: string; invite: { id: string } }>();
    const del = await call(`/api/t/${lab.tenantId}/invites/${created.invite.id}`, asUser(lab.members.owner, { method: "DELETE" }));
    expect(del.status).toBe(204);
    const someone = await withDb((db) => seedUser(db));
    const res = await call("/api/invites/accept", asUser(someone, { method: "POST", body: json({ token: created.url.split("/invite/")[1] }) }));
    expect(res.status).toBe(404);
  });

  it("an admin cannot mint an admin-or-owner link above their role", async () => {
    const res = await call(`/api/t/${lab.tenantId}/invites`, asUser(lab.members.operator, { method: "POST", body: json({ role: "viewer" }) }));
    expect(res.status).toBe(403);
  });
});

describe("API tokens", () => {
  it("creates a token shown once, authenticates with it, and revokes it", async () => {
    const { operator } = lab.members;
    const res = await call(`/api/t/${lab.tenantId}/tokens`, asUser(operator, { method: "POST", body: json({ name: "ci", scope: "read" }) }));
    expect(res.status).toBe(201);
    const { token, secret } = await res.json<{ token: { id: string; prefix: string; scopes: string[] }; secret: string }>();
    expect(secret).toMatch(/^nc_[A-Za-z0-9_-]{43}$/);
    expect(secret.startsWith(token.prefix)).toBe(true);

    const listed = await (await call(`/api/t/${lab.tenantId}/tokens`, asUser(operator))).text();
    expect(listed).not.toContain(secret);

    const bearer = { headers: { authorization: `Bearer ${secret}` } };
    expect((await call(`/api/t/${lab.tenantId}/members`, bearer)).status).toBe(200);
    // read-only scope: an unsafe action is refused even though the operator role could do it
    const write = await call(`/api/t/${lab.tenantId}/tokens`, {
      method: "POST",
      headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
      body: json({ name: "x" }),
    });
    expect(write.status).toBe(403);
    // a token is bound to its tenant
    expect((await call(`/api/t/${other.tenantId}/members`, bearer)).status).toBe(404);

    const revoke = await call(`/api/t/${lab.tenantId}/tokens/${token.id}`, asUser(operator, { method: "DELETE" }));
    expect(revoke.status).toBe(204);
    expect((await call(`/api/t/${lab.tenantId}/members`, bearer)).status).toBe(401);

    const audit = await (await call(`/api/t/${lab.tenantId}/audit`, asUser(lab.members.admin))).json<{ items: { action: string; targetId: string }[] }>();
    const actions = audit.items.filter((i) => i.targetId === token.id).map((i) => i.action);
    expect(actions).toEqual(["api_token.revoke", "api_token.create"]);
  });

  it("an operator cannot revoke someone else's token", async () => {
    const created = await (
      await call(`/api/t/${lab.tenantId}/tokens`, asUser(lab.members.admin, { method: "POST", body: json({ name: "admin's" }) }))
    ).json<{ token: { id: string } }>();
    const res = await call(`/api/t/${lab.tenantId}/tokens/${created.token.id}`, asUser(lab.members.operator, { method: "DELETE" }));
    expect(res.status).toBe(403);
  });

  it("rejects malformed bearer headers with 401", async () => {
    for (const h of ["Bearer", "Basic abc", `Bearer nc_${"x".repeat(10)}`, `Bearer nc_${"A".repeat(43)}`]) {
      expect((await call("/api/me", { headers: { authorization: h } })).status).toBe(401);
    }
  });
});

describe("audit log", () => {
  it("pages with a cursor, newest first", async () => {
    const { owner } = lab.members;
    for (const name of ["a", "b", "c"]) {
      await call(`/api/t/${lab.tenantId}`, asUser(owner, { method: "PATCH", body: json({ name: `Lab ${name}` }) }));
    }
    const first = await (await call(`/api/t/${lab.tenantId}/audit?limit=2&action=tenant.rename`, asUser(owner))).json<{
      items: { details: { to: string } }[];
      nextCursor: string;
    }>();
    expect(first.items.map((i) => i.details.to)).toEqual(["Lab c", "Lab b"]);
    const second = await (
      await call(`/api/t/${lab.tenantId}/audit?limit=2&action=tenant.rename&cursor=${encodeURIComponent(first.nextCursor)}`, asUser(owner))
    ).json<{ items: { details: { to: string } }[] }>();
    expect(second.items[0]?.details.to).toBe("Lab a");
    expect((await call(`/api/t/${lab.tenantId}/audit?cursor=%%%`, asUser(owner))).status).toBe(400);
  });
});

// Enrolling a host with a code: an admin makes a single-use code, the host's installer trades it once for an agent
// token that connects at /agent/connect; used, expired, unknown or raced codes all read as the same 404.
import { runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { agentWire, agents, api, auditLog, memberships } from "@nebula/schema";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { CACHE_SHARDS, createDurableCache, getCacheStoreByName, shardOf } from "../../src/cache/durable-cache.ts";
import { createEnrollment, enrollmentKey } from "../../src/enrollment/enrollment.ts";
import { env } from "../cache/adapters.ts";
import { agentHello } from "../support/agents.ts";
import { type SeededMember, type SeededTenant, asUser, seedTenant, url, withDb } from "../support/seed.ts";
import { mustConnect } from "../support/sockets.ts";

let lab: SeededTenant;
beforeAll(async () => {
  lab = await withDb((db) => seedTenant(db, "Enrollment Lab"));
});

let ips = 0;
/** Each test story enrolls from its own address, so the per-IP limits of one story never touch another. */
function newIp(): string {
  ips += 1;
  return `198.51.100.${ips}`;
}

async function createCode(member: SeededMember, name = "media-box"): Promise<Response> {
  return exports.default.fetch(
    url(`/api/t/${lab.tenantId}/agents/enrollments`),
    asUser(member, { method: "POST", body: JSON.stringify({ name }) }),
  );
}

async function newCode(name = "media-box"): Promise<api.CreatedEnrollment> {
  const res = await createCode(lab.members.admin, name);
  expect(res.status).toBe(201);
  return api.CreatedEnrollment.parse(await res.json());
}

function enroll(code: string, ip = newIp()): Promise<Response> {
  return exports.default.fetch(url("/agent/enroll"), {
    method: "POST",
    headers: { "content-type": "application/json", "cf-connecting-ip": ip },
    body: JSON.stringify({ code, hostname: "media-box", os: "linux", arch: "x64" }),
  });
}

const errorOf = async (res: Response) => (await res.json<{ error: { code: string; message: string } }>()).error;

describe("POST /api/t/:tenantId/agents/enrollments", () => {
  it("gives an admin a typable code, its expiry and the command to run on the host", async () => {
    const before = Date.now();
    const created = await newCode();
    expect(created.code).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){4}[0-9A-HJKMNP-TV-Z]{4}$/);
    const expires = Date.parse(created.expiresAt);
    expect(expires).toBeGreaterThanOrEqual(before + 15 * 60_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 15 * 60_000);
    expect(created.installCommand).toBe(`curl -fsSL http://localhost/agent/install.sh | sudo bash -s -- --enroll ${created.code}`);

    const rows = await withDb((db) =>
      db.select().from(auditLog).where(and(eq(auditLog.tenantId, lab.tenantId), eq(auditLog.action, "agent.enrollment_create"))),
    );
    expect(rows.at(-1)).toMatchObject({ actorId: lab.members.admin.userId, details: { name: "media-box", expiresAt: created.expiresAt } });
    expect(JSON.stringify(rows)).not.toContain(created.code);
  });

  it("refuses an operator with 403", async () => {
    const res = await createCode(lab.members.operator);
    expect(res.status).toBe(403);
    expect((await errorOf(res)).code).toBe("FORBIDDEN");
  });

  it("keeps only the code's SHA-256 in the cache, never the code", async () => {
    const { code } = await newCode();
    const canonical = code.replace(/-/g, "");
    const key = await enrollmentKey(canonical);
    expect(key).toMatch(/^enroll:[0-9a-f]{64}$/);
    const everything = [];
    for (let shard = 0; shard < CACHE_SHARDS; shard++) {
      everything.push(
        ...(await runInDurableObject(getCacheStoreByName(env.CACHE_STORE, `cache-${shard}`), (_store, state) =>
          state.storage.sql.exec<{ key: string; value: string }>("SELECT key, value FROM entries").toArray(),
        )),
      );
    }
    const entry = everything.find((e) => e.key === key);
    expect(entry && shardOf(entry.key)).toBe(shardOf(key));
    expect(JSON.parse(entry?.value ?? "{}")).toMatchObject({ tenantId: lab.tenantId, name: "media-box" });
    const dump = JSON.stringify(everything);
    expect(dump).not.toContain(code);
    expect(dump).not.toContain(canonical);
  });
});

describe("POST /agent/enroll", () => {
  it("trades a code once for a token that connects and is greeted", async () => {
    const { code } = await newCode("nas-01");
    const res = await enroll(code);
    expect(res.status).toBe(201);
    const enrolled = api.Enrolled.parse(await res.json());
    expect(enrolled.edgeUrl).toBe("http://localhost");
    expect(enrolled.token).toMatch(agentWire.AGENT_TOKEN_PATTERN);

    const socket = await mustConnect("/agent/connect", { authorization: `Bearer ${enrolled.token}` });
    socket.sendJson(agentHello());
    expect(agentWire.HelloAck.parse(await socket.nextJson()).type).toBe("hello_ack");
    socket.close();

    const [row] = await withDb((db) => db.select().from(agents).where(eq(agents.id, enrolled.agentId)));
    expect(row).toMatchObject({ tenantId: lab.tenantId, name: "nas-01" });
    const [audit] = await withDb((db) =>
      db.select().from(auditLog).where(and(eq(auditLog.targetId, enrolled.agentId), eq(auditLog.action, "agent.enrolled"))),
    );
    expect(audit).toMatchObject({
      actorId: "system",
      tenantId: lab.tenantId,
      details: { name: "nas-01", hostname: "media-box", os: "linux", arch: "x64", codeCreatedBy: { id: lab.members.admin.userId } },
    });
    expect(JSON.stringify(audit)).not.toContain(enrolled.token);
  });

  it("answers a second use of a code with the same 404 as a code that never existed", async () => {
    const { code } = await newCode();
    expect((await enroll(code)).status).toBe(201);
    const again = await enroll(code);
    expect(again.status).toBe(404);
    const unknown = await enroll("ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ");
    expect(unknown.status).toBe(404);
    const [a, b] = [await errorOf(again), await errorOf(unknown)];
    expect([a.code, a.message]).toEqual([b.code, b.message]);
  });

  it("accepts the code however it was typed", async () => {
    const { code } = await newCode();
    expect((await enroll(` ${code.toLowerCase().replace(/-/g, " ")} `)).status).toBe(201);
  });

  it("lets exactly one of two installers racing with one code enroll", async () => {
    const { code } = await newCode("raced");
    const results = await Promise.all([enroll(code), enroll(code), enroll(code)]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 404, 404]);
    const rows = await withDb((db) => db.select().from(agents).where(and(eq(agents.tenantId, lab.tenantId), eq(agents.name, "raced"))));
    expect(rows).toHaveLength(1);
  });

  it("refuses a code past its 15 minutes", async () => {
    // Made 16 minutes ago through the domain function: the entry is still in the cache, its expiry is not.
    const made = await withDb((db) =>
      createEnrollment(
        createDurableCache(env.CACHE_STORE),
        db,
        lab.tenantId,
        { id: lab.members.admin.userId, name: "admin", userId: lab.members.admin.userId },
        { name: "late" },
        new Date(Date.now() - 16 * 60_000),
        "req-expired",
        "http://localhost",
      ),
    );
    const res = await enroll(made.code);
    expect(res.status).toBe(404);
    expect((await errorOf(res)).message).toBe("Unknown, used or expired enrollment code");
  });

  it("refuses a code whose creator is no longer an admin", async () => {
    const demoted = await withDb((db) => seedTenant(db, "Demotion Lab"));
    const res = await exports.default.fetch(
      url(`/api/t/${demoted.tenantId}/agents/enrollments`),
      asUser(demoted.members.admin, { method: "POST", body: JSON.stringify({ name: "x" }) }),
    );
    const { code } = api.CreatedEnrollment.parse(await res.json());
    await withDb((db) => db.update(memberships).set({ role: "viewer" }).where(eq(memberships.id, demoted.members.admin.membershipId)));
    expect((await enroll(code)).status).toBe(404);
  });

  it("answers 429 to a client that keeps sending wrong codes", async () => {
    const ip = newIp();
    const statuses = [];
    for (let i = 0; i < 7; i++) statuses.push((await enroll("AAAA-BBBB-CCCC-DDDD-EEEE", ip)).status);
    expect(statuses).toEqual([404, 404, 404, 404, 404, 429, 429]);
    // Another client is not affected.
    expect((await enroll("AAAA-BBBB-CCCC-DDDD-EEEE")).status).toBe(404);
  });
});

describe("what the installer downloads", () => {
  it("GET /agent/install.sh is the installer with this edge's address, never cached", async () => {
    const res = await exports.default.fetch(url("/agent/install.sh"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/x-shellscript; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const script = await res.text();
    expect(script.startsWith("#!/usr/bin/env bash\n")).toBe(true);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash parameter expansion, not a JS template
    expect(script).toContain('EDGE_URL="${NEBULA_EDGE_URL:-http://localhost}"');
    expect(script).not.toContain("__NEBULA_EDGE_URL__");
  });

  it("GET /agent/nebula-agent.mjs is a clear 404 when the web build did not include the bundle", async () => {
    // The test assets (test/fixtures/assets) hold only index.html, which the single-page fallback would serve.
    const res = await exports.default.fetch(url("/agent/nebula-agent.mjs"));
    expect(res.status).toBe(404);
    expect((await errorOf(res)).message).toMatch(/npm run build:web/);
  });
});

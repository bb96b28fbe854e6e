// Uninstalling a host gives its credential back: `install.sh --uninstall` posts the agent's own token to
// /agent/revoke, which revokes it with an audit row and closes the agent's live socket. Bad, unknown and already
// revoked tokens all read as the same 401, and a client that keeps presenting bad tokens is slowed to 429.
import { exports } from "cloudflare:workers";
import { agentWire, agents, auditLog } from "@nebula/schema";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { connectAgent } from "../agents/test-agent.ts";
import { seedAgent } from "../support/agents.ts";
import { type SeededTenant, seedTenant, url, withDb } from "../support/seed.ts";
import { connect } from "../support/sockets.ts";

let labA: SeededTenant;
let labB: SeededTenant;
beforeAll(async () => {
  labA = await withDb((db) => seedTenant(db, "Uninstall Lab A"));
  labB = await withDb((db) => seedTenant(db, "Uninstall Lab B"));
});

let ips = 0;
/** Each story from its own address, so one story's rejected tokens never count against another's. */
const newIp = () => `203.0.113.${++ips}`;

function revoke(headers: Record<string, string>, ip = newIp()): Promise<Response> {
  return exports.default.fetch(url("/agent/revoke"), { method: "POST", headers: { "cf-connecting-ip": ip, ...headers } });
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

const revokeAudits = (agentId: string) =>
  withDb((db) => db.select().from(auditLog).where(and(eq(auditLog.targetId, agentId), eq(auditLog.action, "agent.revoke"))));

describe("POST /agent/revoke", () => {
  it("revokes the presenting agent, audits it, closes its live socket and refuses its token from then on", async () => {
    const seeded = await withDb((db) => seedAgent(db, labA.tenantId, "media-box"));
    const live = await connectAgent(seeded);

    const res = await revoke(bearer(seeded.token));
    expect(res.status, await res.clone().text()).toBe(204);

    expect(await live.socket.closed).toEqual({ code: agentWire.CLOSE_CODES.revoked, reason: "revoked" });
    const again = await connect("/agent/connect", bearer(seeded.token));
    expect(again.response.status).toBe(401);
    const [row] = await withDb((db) => db.select().from(agents).where(eq(agents.id, seeded.agentId)));
    expect(row?.revokedAt).toBeInstanceOf(Date);
    const audits = await revokeAudits(seeded.agentId);
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({
      tenantId: labA.tenantId,
      actorId: `agent:${seeded.agentId}`,
      actorName: "media-box (agent uninstall)",
      targetType: "agent",
      result: "success",
      details: { name: "media-box", via: "uninstall" },
    });
    expect(JSON.stringify(audits)).not.toContain(seeded.token);
  });

  it("answers a second uninstall with the same 401 as an unknown token, and audits once", async () => {
    const seeded = await withDb((db) => seedAgent(db, labA.tenantId));
    expect((await revoke(bearer(seeded.token))).status).toBe(204);
    const second = await revoke(bearer(seeded.token));
    expect(second.status).toBe(401);
    expect(await second.json()).toMatchObject({ error: { code: "UNAUTHORIZED", message: "Invalid or revoked agent token", requestId: expect.any(String) } });
    expect(await revokeAudits(seeded.agentId)).toHaveLength(1);
  });

  it("refuses a missing, malformed or unknown token with 401 and revokes nothing", async () => {
    const bystander = await withDb((db) => seedAgent(db, labB.tenantId));
    for (const headers of [{}, { authorization: "Basic abc" }, bearer("nca_short"), bearer(`nca_${"A".repeat(43)}`)]) {
      const res = await revoke(headers);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: { code: "UNAUTHORIZED" } });
    }
    const [row] = await withDb((db) => db.select().from(agents).where(eq(agents.id, bystander.agentId)));
    expect(row?.revokedAt).toBeNull();
  });

  it("revokes only the presenting agent, never another host of its tenant or another tenant's", async () => {
    const leaving = await withDb((db) => seedAgent(db, labA.tenantId, "leaving"));
    const sibling = await withDb((db) => seedAgent(db, labA.tenantId, "staying"));
    const foreign = await withDb((db) => seedAgent(db, labB.tenantId, "foreign"));
    const siblingLive = await connectAgent(sibling);
    expect((await revoke(bearer(leaving.token))).status).toBe(204);
    for (const other of [sibling, foreign]) {
      const [row] = await withDb((db) => db.select().from(agents).where(eq(agents.id, other.agentId)));
      expect(row?.revokedAt, other.agentId).toBeNull();
    }
    // The sibling's socket is still usable.
    expect(await siblingLive.sendMetrics([{ at: Date.now(), values: { "cpu.total": 1 } }])).toBe(1);
    siblingLive.close();
  });

  it("slows a client that keeps presenting bad tokens to 429", async () => {
    const ip = newIp();
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await revoke(bearer(`nca_${String(i).padStart(43, "x")}`), ip)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
  });
});

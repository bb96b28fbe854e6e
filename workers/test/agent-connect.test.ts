// A home agent dialing the edge: token check at /agent/connect, its AgentHub answering hello, rejecting bad
// messages without dropping the link, one live socket per agent, and revocation cutting it off.
import { env } from "cloudflare:workers";
import { agentWire, agents, api, auditLog } from "@nebula/schema";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { type SeededAgent, agentHello, seedAgent } from "./support/agents.ts";
import { type SeededTenant, asUser, seedTenant, url, withDb } from "./support/seed.ts";
import { connect, mustConnect } from "./support/sockets.ts";
import { exports } from "cloudflare:workers";

const CONNECT = "/agent/connect";
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const hub = (agentId: string) => env.AGENT_HUB.getByName(agentId);

let lab: SeededTenant;

beforeAll(async () => {
  lab = await withDb((db) => seedTenant(db, "Agent Lab"));
});

const newAgent = (): Promise<SeededAgent> => withDb((db) => seedAgent(db, lab.tenantId));

async function helloed(agent: SeededAgent) {
  const socket = await mustConnect(CONNECT, bearer(agent.token));
  socket.sendJson(agentHello());
  const ack = agentWire.HelloAck.parse(await socket.nextJson());
  return { socket, ack };
}

describe("GET /agent/connect", () => {
  it("upgrades a valid token and answers hello with hello_ack", async () => {
    const agent = await newAgent();
    const { socket, ack } = await helloed(agent);

    expect(ack).toMatchObject({ type: "hello_ack", protocol: 1, heartbeatSeconds: agentWire.HEARTBEAT_INTERVAL_SECONDS });
    expect(Number.isNaN(Date.parse(ack.serverTime))).toBe(false);

    const status = await hub(agent.agentId).status();
    expect(status).toMatchObject({ connected: true, rejectedMessages: 0, lastHelloAt: ack.serverTime });
    expect(status.hostFacts).toEqual({ agentVersion: "0.1.0", hostname: "nebula-box", os: "linux", arch: "x64", capabilities: ["docker", "metrics"] });

    // The dashboard's list (Postgres) shows what the agent reported in its hello.
    const [row] = await withDb((db) => db.select().from(agents).where(eq(agents.id, agent.agentId)));
    expect(row?.hostFacts).toEqual(status.hostFacts);
    expect(row?.lastSeenAt?.toISOString()).toBe(ack.serverTime);
    socket.close();
  });

  it("answers the heartbeat ping with pong", async () => {
    const { socket } = await helloed(await newAgent());
    socket.send(agentWire.HEARTBEAT_PING);
    expect(await socket.next()).toBe(agentWire.HEARTBEAT_PONG);
    socket.close();
  });

  it("refuses a missing, malformed, unknown or revoked token with 401", async () => {
    const revoked = await newAgent();
    await withDb((db) => db.update(agents).set({ revokedAt: new Date() }).where(eq(agents.id, revoked.agentId)));
    const attempts: Record<string, string>[] = [
      {},
      { authorization: "Basic abc" },
      bearer("nca_short"),
      bearer(`nca_${"A".repeat(43)}`),
      bearer(revoked.token),
    ];
    for (const headers of attempts) {
      const { socket, response } = await connect(CONNECT, headers);
      expect(socket).toBeNull();
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: { code: "UNAUTHORIZED" } });
    }
  });

  it("answers a plain request with 426", async () => {
    const agent = await newAgent();
    const res = await exports.default.fetch(url(CONNECT), { headers: bearer(agent.token) });
    expect(res.status).toBe(426);
    expect(await res.json()).toMatchObject({ error: { code: "UPGRADE_REQUIRED" } });
  });

  it("answers malformed and unknown messages with an error, counts them, and keeps the socket usable", async () => {
    const agent = await newAgent();
    const socket = await mustConnect(CONNECT, bearer(agent.token));

    socket.send("{ not json");
    expect(agentWire.WireError.parse(await socket.nextJson())).toMatchObject({ code: "malformed" });
    socket.sendJson({ type: "launch_missiles" });
    expect(agentWire.WireError.parse(await socket.nextJson())).toMatchObject({ code: "unknown_type" });
    socket.sendJson(agentHello({ hostname: 42 }));
    expect(agentWire.WireError.parse(await socket.nextJson())).toMatchObject({ code: "malformed", message: expect.stringContaining("hostname") });

    socket.sendJson(agentHello());
    expect(await socket.nextJson()).toMatchObject({ type: "hello_ack" });
    expect(await hub(agent.agentId).status()).toMatchObject({ connected: true, rejectedMessages: 3, agentRejectedMessages: 0 });
    // The agent's side of the count: what it could not use from the edge, reported as counts since its last report.
    socket.sendJson({ type: "rejected_report", malformed: 2, unknown: 1 });
    socket.sendJson({ type: "rejected_report", malformed: 0, unknown: 4 });
    socket.sendJson({ type: "rejected_report", malformed: -1, unknown: 0 });
    expect(agentWire.WireError.parse(await socket.nextJson())).toMatchObject({ code: "malformed" });
    expect(await hub(agent.agentId).status()).toMatchObject({ rejectedMessages: 4, agentRejectedMessages: 7 });
    socket.close();
  });

  it("closes the socket with 1009 on a message over 256 KB", async () => {
    const agent = await newAgent();
    const socket = await mustConnect(CONNECT, bearer(agent.token));
    socket.sendJson(agentHello({ hostname: "x".repeat(agentWire.MAX_MESSAGE_BYTES) }));
    expect(await socket.closed).toMatchObject({ code: agentWire.CLOSE_CODES.messageTooBig });
  });

  it("closes with 4002 when the agent speaks a protocol version the edge does not", async () => {
    const agent = await newAgent();
    const socket = await mustConnect(CONNECT, bearer(agent.token));
    socket.sendJson(agentHello({ protocol: 99 }));
    expect(await socket.nextJson()).toMatchObject({ type: "error", code: "unsupported_protocol" });
    expect(await socket.closed).toMatchObject({ code: agentWire.CLOSE_CODES.unsupportedProtocol });
  });

  it("keeps one live socket per agent: a second connection replaces the first", async () => {
    const agent = await newAgent();
    const first = await helloed(agent);
    const second = await helloed(agent);

    expect(await first.socket.closed).toEqual({ code: agentWire.CLOSE_CODES.replaced, reason: "replaced" });
    second.socket.send(agentWire.HEARTBEAT_PING);
    expect(await second.socket.next()).toBe(agentWire.HEARTBEAT_PONG);
    expect(await hub(agent.agentId).status()).toMatchObject({ connected: true });
    second.socket.close();
  });
});

describe("/api/t/:tenantId/agents", () => {
  it("creates an agent whose token is shown once and connects", async () => {
    const res = await exports.default.fetch(url(`/api/t/${lab.tenantId}/agents`), asUser(lab.members.admin, { method: "POST", body: JSON.stringify({ name: "rack box" }) }));
    expect(res.status).toBe(201);
    const created = api.CreatedAgent.parse(await res.json());
    expect(created.token).toMatch(agentWire.AGENT_TOKEN_PATTERN);
    expect(created.agent).toMatchObject({ name: "rack box", hostFacts: null, lastSeenAt: null, revokedAt: null });

    const { socket } = await helloed({ agentId: created.agent.id, tenantId: lab.tenantId, token: created.token });
    socket.close();

    const list = await exports.default.fetch(url(`/api/t/${lab.tenantId}/agents`), asUser(lab.members.viewer));
    expect(list.status).toBe(200);
    const body = await list.text();
    expect(body).not.toContain("tokenHash");
    expect(body).not.toContain(created.token);
    const listed = api.AgentList.parse(JSON.parse(body)).items.find((a) => a.id === created.agent.id);
    expect(listed).toMatchObject({ name: "rack box", hostFacts: { hostname: "nebula-box" } });
    expect(listed?.lastSeenAt).not.toBeNull();

    const [audit] = await withDb((db) =>
      db.select().from(auditLog).where(and(eq(auditLog.tenantId, lab.tenantId), eq(auditLog.targetId, created.agent.id))),
    );
    expect(audit).toMatchObject({ action: "agent.create", actorId: lab.members.admin.userId, result: "success" });
  });

  it("shows what each host's link lost: batches its spool dropped and messages its hub refused", async () => {
    const agent = await newAgent();
    const { socket } = await helloed(agent);
    const health = async () => {
      const res = await exports.default.fetch(url(`/api/t/${lab.tenantId}/agents`), asUser(lab.members.viewer));
      return api.AgentList.parse(await res.json()).items.find((a) => a.id === agent.agentId)?.health;
    };
    expect(await health()).toEqual({ lostBatches: 0, lostSamples: 0, lastLossAt: null, rejectedMessages: 0, agentRejectedMessages: 0 });

    // The agent reports a full spool, then sends two messages the hub cannot read; each refusal is answered in order.
    socket.sendJson({ type: "spool_loss", droppedBatches: 2, droppedSamples: 60, oldestDroppedAt: Date.now() - 3_600_000 });
    socket.send("{ not json");
    expect(await socket.nextJson()).toMatchObject({ type: "error", code: "malformed" });
    socket.sendJson({ type: "launch_missiles" });
    expect(await socket.nextJson()).toMatchObject({ type: "error", code: "unknown_type" });
    // And what the agent could not use from the edge, as it reports it; the next refusal marks the report as handled.
    socket.sendJson({ type: "rejected_report", malformed: 1, unknown: 2 });
    socket.send("{ still not json");
    expect(await socket.nextJson()).toMatchObject({ type: "error", code: "malformed" });

    const after = await health();
    expect(after).toMatchObject({ lostBatches: 2, lostSamples: 60, rejectedMessages: 3, agentRejectedMessages: 3 });
    expect(Number.isNaN(Date.parse(after?.lastLossAt ?? ""))).toBe(false);
    socket.close();
  });

  it("revoking an agent closes its live socket and refuses its token from then on", async () => {
    const agent = await newAgent();
    const { socket } = await helloed(agent);

    const res = await exports.default.fetch(url(`/api/t/${lab.tenantId}/agents/${agent.agentId}`), asUser(lab.members.owner, { method: "DELETE" }));
    expect(res.status).toBe(204);

    expect(await socket.closed).toEqual({ code: agentWire.CLOSE_CODES.revoked, reason: "revoked" });
    const again = await connect(CONNECT, bearer(agent.token));
    expect(again.response.status).toBe(401);
    const audits = await withDb((db) => db.select().from(auditLog).where(and(eq(auditLog.targetId, agent.agentId), eq(auditLog.action, "agent.revoke"))));
    expect(audits).toHaveLength(1);
  });

  it("does not revoke another tenant's agent", async () => {
    const other = await withDb((db) => seedTenant(db, "Other Lab"));
    const agent = await newAgent();
    const res = await exports.default.fetch(url(`/api/t/${other.tenantId}/agents/${agent.agentId}`), asUser(other.members.owner, { method: "DELETE" }));
    expect(res.status).toBe(404);
    const [row] = await withDb((db) => db.select({ revokedAt: agents.revokedAt }).from(agents).where(eq(agents.id, agent.agentId)));
    expect(row?.revokedAt).toBeNull();
  });
});

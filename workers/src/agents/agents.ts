// Home agents of a tenant: create (token shown once, stored as SHA-256), list (with each hub's link state), revoke,
// and the token lookup at connect.
import { agentWire, agents, type api, newId } from "@nebula/schema";
import { and, desc, eq, isNull } from "drizzle-orm";
import type { z } from "zod";
import { type Actor, recordAudit } from "../audit/audit.ts";
import { randomToken, sha256Hex } from "../crypto/tokens.ts";
import type { Db } from "../db/client.ts";
import type { Env } from "../env.ts";
import { notFound } from "../errors/app-error.ts";
import type { TenantAccess } from "../http/context.ts";
import type { HubStatus } from "./agent-hub.ts";
import { iso } from "../http/respond.ts";

const columns = {
  id: agents.id,
  name: agents.name,
  hostFacts: agents.hostFacts,
  lastSeenAt: agents.lastSeenAt,
  revokedAt: agents.revokedAt,
  createdAt: agents.createdAt,
};

interface Row {
  id: string;
  name: string;
  hostFacts: Record<string, unknown> | null;
  lastSeenAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

/** The link as the hub sees it; a revoked or never-connected agent is simply offline. */
type Link = Pick<HubStatus, "connected" | "onlineSince" | "lastSeenAt" | "offline" | "rejectedMessages" | "agentRejectedMessages"> & {
  metrics: Pick<HubStatus["metrics"], "spoolLoss">;
};
const NO_LINK: Link = { connected: false, onlineSince: null, lastSeenAt: null, offline: true, rejectedMessages: 0, agentRejectedMessages: 0, metrics: { spoolLoss: null } };

function present(r: Row, link: Link = NO_LINK): api.Agent {
  const lastSeen = [r.lastSeenAt?.getTime() ?? null, link.lastSeenAt ? Date.parse(link.lastSeenAt) : null].filter((t) => t !== null);
  return {
    id: r.id,
    name: r.name,
    hostFacts: r.hostFacts,
    lastSeenAt: lastSeen.length ? new Date(Math.max(...lastSeen)).toISOString() : null,
    connected: link.connected,
    onlineSince: link.onlineSince,
    offline: link.offline,
    health: {
      lostBatches: link.metrics.spoolLoss?.droppedBatches ?? 0,
      lostSamples: link.metrics.spoolLoss?.droppedSamples ?? 0,
      lastLossAt: link.metrics.spoolLoss?.lastReportAt ?? null,
      rejectedMessages: link.rejectedMessages,
      agentRejectedMessages: link.agentRejectedMessages,
    },
    revokedAt: iso(r.revokedAt),
    createdAt: iso(r.createdAt),
  };
}

/** Rows from Postgres, link state from each agent's hub (in parallel: a handful of hosts per tenant). */
export async function listAgents(db: Db, hubs: Env["AGENT_HUB"], tenantId: string): Promise<api.Agent[]> {
  const rows = await db.select(columns).from(agents).where(eq(agents.tenantId, tenantId)).orderBy(desc(agents.createdAt)).limit(200);
  const links = await Promise.all(rows.map((r) => (r.revokedAt ? NO_LINK : hubs.getByName(r.id).status().catch((): Link => NO_LINK))));
  return rows.map((r, i) => present(r, links[i]));
}

/** An agent of this tenant, for routes that act on it; another tenant's agent is the same 404 as a missing one. */
export async function agentInTenant(db: Db, tenantId: string, agentId: string): Promise<{ id: string; name: string; revokedAt: Date | null }> {
  const [row] = await db
    .select({ id: agents.id, name: agents.name, revokedAt: agents.revokedAt })
    .from(agents)
    .where(and(eq(agents.id, agentId), eq(agents.tenantId, tenantId)))
    .limit(1);
  if (!row) throw notFound("Agent");
  return row;
}

export async function createAgent(
  db: Db,
  access: TenantAccess,
  actor: Actor,
  input: z.output<typeof api.CreateAgentRequest>,
  now: Date,
  requestId: string,
): Promise<api.CreatedAgent> {
  const token = randomToken("nca_", 32);
  const row = { id: newId("agent"), tenantId: access.tenantId, name: input.name, tokenHash: await sha256Hex(token), createdAt: now };
  await db.transaction(async (tx) => {
    await tx.insert(agents).values(row);
    await recordAudit(tx, actor, { tenantId: access.tenantId, action: "agent.create", targetType: "agent", targetId: row.id, details: { name: row.name } }, requestId);
  });
  return { agent: present({ ...row, hostFacts: null, lastSeenAt: null, revokedAt: null }), token };
}

/** Revokes the token, then tells the agent's hub to drop its live socket: a revoked agent is cut off at once, not at its next reconnect. */
export async function revokeAgent(
  db: Db,
  hubs: Env["AGENT_HUB"],
  access: TenantAccess,
  actor: Actor,
  agentId: string,
  now: Date,
  requestId: string,
): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .select({ name: agents.name, revokedAt: agents.revokedAt })
      .from(agents)
      .where(and(eq(agents.id, agentId), eq(agents.tenantId, access.tenantId)));
    if (!row) throw notFound("Agent");
    if (row.revokedAt) return;
    await tx.update(agents).set({ revokedAt: now }).where(and(eq(agents.id, agentId), isNull(agents.revokedAt)));
    await recordAudit(tx, actor, { tenantId: access.tenantId, action: "agent.revoke", targetType: "agent", targetId: agentId, details: { name: row.name } }, requestId);
  });
  await hubs.getByName(agentId).disconnect("revoked");
}

export interface ConnectingAgent {
  id: string;
  tenantId: string;
}

/** The one Postgres read of a connection; a malformed token never reaches the database. */
export async function agentByToken(db: Db, token: string): Promise<ConnectingAgent | null> {
  if (!agentWire.AGENT_TOKEN_PATTERN.test(token)) return null;
  const [row] = await db
    .select({ id: agents.id, tenantId: agents.tenantId })
    .from(agents)
    .where(and(eq(agents.tokenHash, await sha256Hex(token)), isNull(agents.revokedAt)))
    .limit(1);
  return row ?? null;
}

/** Written by the hub on hello only (not per message), so an idle or chatty agent costs no Postgres traffic. */
export async function recordHello(db: Db, agentId: string, facts: agentWire.HostFacts, at: Date): Promise<void> {
  await db.update(agents).set({ hostFacts: facts, lastSeenAt: at }).where(eq(agents.id, agentId));
}

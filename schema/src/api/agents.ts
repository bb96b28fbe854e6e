// Wire shapes of /api/t/:tenantId/agents: the worker parses its outputs with these, the web app its inputs.
import { z } from "zod";

const isoDate = z.iso.datetime({ offset: true });

/**
 * What the agent's link lost, as its hub counted it: batches the agent's disk spool dropped when it filled (reported
 * by the agent) and messages the hub refused as malformed or unknown. Zero for a host that never connected.
 */
export const AgentHealth = z.object({
  lostBatches: z.number().int().min(0),
  lostSamples: z.number().int().min(0),
  /** When the agent last reported a loss; null when it never did. */
  lastLossAt: isoDate.nullable(),
  rejectedMessages: z.number().int().min(0),
  /** Messages from the edge the agent could not use, as the agent reported them. */
  agentRejectedMessages: z.number().int().min(0),
});
export type AgentHealth = z.infer<typeof AgentHealth>;

export const Agent = z.object({
  id: z.string(),
  name: z.string(),
  /** What the agent reported in its last hello; null until it has connected once. */
  hostFacts: z.record(z.string(), z.unknown()).nullable(),
  /** The later of the last hello (Postgres) and the last message or heartbeat the hub saw. */
  lastSeenAt: isoDate.nullable(),
  /** Live link state from the agent's hub: connected since when, and offline when not connected or silent. */
  connected: z.boolean(),
  onlineSince: isoDate.nullable(),
  offline: z.boolean(),
  health: AgentHealth,
  revokedAt: isoDate.nullable(),
  createdAt: isoDate,
});
export type Agent = z.infer<typeof Agent>;
export const AgentList = z.object({ items: z.array(Agent) });
export const CreateAgentRequest = z.strictObject({ name: z.string().trim().min(1).max(80) });
/** `token` appears in this response only, never again. */
export const CreatedAgent = z.object({ agent: Agent, token: z.string() });
export type CreatedAgent = z.infer<typeof CreatedAgent>;


// Alert rules of a tenant: list, create, change, delete (each audited), and the push that keeps every AgentHub's
// cached copy current, so hubs evaluate without reading Postgres. A webhook URL is sealed into core.secrets at once;
// a channel must be in a server of the tenant that the caller manages.
import { agents, alertRules, type api, newId, secrets } from "@nebula/schema";
import { and, desc, eq, isNull, or } from "drizzle-orm";
import type { z } from "zod";
import { agentInTenant } from "../agents/agents.ts";
import { type Actor, recordAudit } from "../audit/audit.ts";
import type { Cache } from "../cache/cache.ts";
import type { KeyRing } from "../crypto/secret-box.ts";
import type { Db } from "../db/client.ts";
import { assertChannelInGuild } from "../discord-guilds/guild-access.ts";
import type { DiscordRest } from "../discord-rest/discord-rest.ts";
import type { Env } from "../env.ts";
import { notFound } from "../errors/app-error.ts";
import { iso } from "../http/respond.ts";
import type { Logger } from "../logging/logger.ts";
import { targetOf } from "../outbox/destination.ts";
import { putSecret } from "../secrets/secrets.ts";
import { AlertRule } from "./rules.ts";

type Row = typeof alertRules.$inferSelect;
type CreateInput = z.output<typeof api.CreateAlertRuleRequest>;
type UpdateInput = z.output<typeof api.UpdateAlertRuleRequest>;

/** What a rule change needs besides its input: where to seal secrets, which hubs to tell, who asks. */
export interface RuleChangeContext {
  db: Db;
  keyRing: () => Promise<KeyRing>;
  cache: Cache;
  rest: DiscordRest;
  /** Throws unless the guild is this tenant's (404 otherwise) and the caller has Manage Server there (require-guild-manager.ts). */
  assertGuildManager: (guildId: string) => Promise<unknown>;
  hubs: Env["AGENT_HUB"];
  logger: Logger;
  /** DISCORD_API_BASE: webhook URLs under it are accepted too (the local fake). */
  apiBase: string;
  tenantId: string;
  actor: Actor;
  now: Date;
  requestId: string;
}

export const webhookSecretName = (ruleId: string) => `alerts.webhook:${ruleId}`;

/** `https://discord.com/api/webhooks/<id>/****`: enough to recognise the webhook, nothing to post with. */
export function maskWebhook(url: string, apiBase: string): string {
  const target = targetOf({ kind: "webhook", url }, apiBase);
  const at = url.lastIndexOf("/webhooks/");
  const prefix = at === -1 ? "" : url.slice(0, at);
  return `${prefix}/webhooks/${target.kind === "webhook" ? target.webhookId : ""}/****`;
}

function present(row: Row): api.AlertRuleView {
  const d = row.destination;
  return {
    id: row.id,
    name: row.name,
    enabled: row.enabled,
    agentId: row.agentId,
    rule: row.rule,
    destination: d.kind === "channel" ? d : { kind: "webhook", masked: d.masked },
    // Rows from before servers were required keep delivering (refusing them would silence users' alerts); the
    // dashboard asks for the server, and the next change of the destination must name one (ChosenDestination).
    destinationNeedsServer: d.kind === "channel" && d.guildId === undefined,
    createdBy: row.createdBy,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

/** The rule as the engine runs it; its id is the row's, so notification ids stay stable across edits. */
export function engineRuleOf(row: Pick<Row, "id" | "name" | "rule" | "destination">): AlertRule {
  return AlertRule.parse({ ...row.rule, id: row.id, name: row.name, destination: row.destination });
}

export async function listAlertRules(db: Db, tenantId: string): Promise<api.AlertRuleView[]> {
  const rows = await db.select().from(alertRules).where(eq(alertRules.tenantId, tenantId)).orderBy(desc(alertRules.createdAt)).limit(500);
  return rows.map(present);
}

/** The enabled rules that apply to one agent: its own and the tenant-wide ones. Read on hello. */
export async function alertRulesForAgent(db: Db, tenantId: string, agentId: string): Promise<AlertRule[]> {
  const rows = await db
    .select()
    .from(alertRules)
    .where(and(eq(alertRules.tenantId, tenantId), eq(alertRules.enabled, true), or(isNull(alertRules.agentId), eq(alertRules.agentId, agentId))));
  return rows.map(engineRuleOf);
}

/**
 * A channel must be in a server of this tenant that the caller manages (one bot serves every tenant: a bare channel
 * id would let a rule make the bot post into anyone's server). A webhook URL is sealed under the rule's secret name;
 * URLs that are not Discord webhooks are refused (400). Both before anything is written.
 */
async function storedDestination(ctx: RuleChangeContext, ruleId: string, destination: api.ChosenDestination): Promise<api.StoredDestination> {
  if (destination.kind === "channel") {
    await ctx.assertGuildManager(destination.guildId);
    await assertChannelInGuild(ctx.rest, ctx.cache, destination.guildId, destination.channelId, "destination.channelId");
    return destination;
  }
  const masked = maskWebhook(destination.url, ctx.apiBase);
  const secretName = webhookSecretName(ruleId);
  await putSecret(ctx.db, await ctx.keyRing(), ctx.tenantId, secretName, destination.url);
  return { kind: "webhook", secretName, masked };
}

async function dropWebhookSecret(db: Db, tenantId: string, ruleId: string): Promise<void> {
  await db.delete(secrets).where(and(eq(secrets.tenantId, tenantId), eq(secrets.name, webhookSecretName(ruleId))));
}

const auditDetails = (row: Pick<Row, "name" | "agentId" | "enabled" | "rule">) => ({
  name: row.name,
  agentId: row.agentId,
  enabled: row.enabled,
  metric: row.rule.metric,
  comparison: row.rule.comparison,
  threshold: row.rule.threshold,
});

export async function createAlertRule(ctx: RuleChangeContext, input: CreateInput): Promise<api.AlertRuleView> {
  if (input.agentId) await agentInTenant(ctx.db, ctx.tenantId, input.agentId);
  const id = newId("alert");
  const destination = await storedDestination(ctx, id, input.destination);
  const row: Row = {
    id,
    tenantId: ctx.tenantId,
    name: input.name,
    enabled: input.enabled,
    rule: input.rule,
    agentId: input.agentId,
    destination,
    createdBy: ctx.actor.id,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  await ctx.db.transaction(async (tx) => {
    await tx.insert(alertRules).values(row);
    await recordAudit(tx, ctx.actor, { tenantId: ctx.tenantId, action: "alert_rule.create", targetType: "alert_rule", targetId: id, details: auditDetails(row) }, ctx.requestId);
  });
  await pushAlertRules(ctx);
  return present(row);
}

async function ruleRow(db: Db, tenantId: string, id: string): Promise<Row> {
  const [row] = await db.select().from(alertRules).where(and(eq(alertRules.id, id), eq(alertRules.tenantId, tenantId))).limit(1);
  if (!row) throw notFound("Alert rule");
  return row;
}

export async function updateAlertRule(ctx: RuleChangeContext, id: string, input: UpdateInput): Promise<api.AlertRuleView> {
  const before = await ruleRow(ctx.db, ctx.tenantId, id);
  if (input.agentId) await agentInTenant(ctx.db, ctx.tenantId, input.agentId);
  const destination = input.destination ? await storedDestination(ctx, id, input.destination) : before.destination;
  const after: Row = {
    ...before,
    name: input.name ?? before.name,
    enabled: input.enabled ?? before.enabled,
    agentId: input.agentId === undefined ? before.agentId : input.agentId,
    rule: input.rule ?? before.rule,
    destination,
    updatedAt: ctx.now,
  };
  await ctx.db.transaction(async (tx) => {
    await tx
      .update(alertRules)
      .set({ name: after.name, enabled: after.enabled, agentId: after.agentId, rule: after.rule, destination: after.destination, updatedAt: after.updatedAt })
      .where(and(eq(alertRules.id, id), eq(alertRules.tenantId, ctx.tenantId)));
    await recordAudit(
      tx,
      ctx.actor,
      { tenantId: ctx.tenantId, action: "alert_rule.update", targetType: "alert_rule", targetId: id, details: { ...auditDetails(after), destinationChanged: input.destination !== undefined } },
      ctx.requestId,
    );
  });
  if (before.destination.kind === "webhook" && after.destination.kind === "channel") await dropWebhookSecret(ctx.db, ctx.tenantId, id);
  await pushAlertRules(ctx);
  return present(after);
}

export async function deleteAlertRule(ctx: RuleChangeContext, id: string): Promise<void> {
  const before = await ruleRow(ctx.db, ctx.tenantId, id);
  await ctx.db.transaction(async (tx) => {
    await tx.delete(alertRules).where(and(eq(alertRules.id, id), eq(alertRules.tenantId, ctx.tenantId)));
    await recordAudit(tx, ctx.actor, { tenantId: ctx.tenantId, action: "alert_rule.delete", targetType: "alert_rule", targetId: id, details: auditDetails(before) }, ctx.requestId);
  });
  await dropWebhookSecret(ctx.db, ctx.tenantId, id);
  await pushAlertRules(ctx);
}

/**
 * Gives every hub of the tenant's agents the rules that now apply to it (a handful of hosts per tenant). A hub that
 * cannot be reached catches up on its agent's next hello, which reloads its rules.
 */
export async function pushAlertRules(ctx: Pick<RuleChangeContext, "db" | "hubs" | "logger" | "tenantId">): Promise<void> {
  const [hosts, rows] = await Promise.all([
    ctx.db.select({ id: agents.id }).from(agents).where(and(eq(agents.tenantId, ctx.tenantId), isNull(agents.revokedAt))),
    ctx.db.select().from(alertRules).where(and(eq(alertRules.tenantId, ctx.tenantId), eq(alertRules.enabled, true))),
  ]);
  await Promise.all(
    hosts.map(async (host) => {
      const rules = rows.filter((r) => r.agentId === null || r.agentId === host.id).map(engineRuleOf);
      try {
        await ctx.hubs.getByName(host.id).setAlertRules(rules);
      } catch (err) {
        ctx.logger.warn("pushing alert rules to a hub failed; its next hello reloads them", { tenantId: ctx.tenantId, agentId: host.id, err });
      }
    }),
  );
}

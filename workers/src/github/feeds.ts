// GitHub feeds of a tenant: list, create (the webhook secret is shown once), change, delete, rotate the secret,
// send a test message, and the recent deliveries. Every change is audited and drops the hook's cached material.
// Deploy-on-push rules run code on a host, so setting them needs the owner's `github.deploy`.
import { type api, can, githubDeliveries, githubFeeds, newId, secrets } from "@nebula/schema";
import { and, desc, eq, inArray } from "drizzle-orm";
import type { z } from "zod";
import { agentInTenant } from "../agents/agents.ts";
import { maskWebhook } from "../alerts/alert-rules.ts";
import { type Caller, recordAudit } from "../audit/audit.ts";
import type { Cache } from "../cache/cache.ts";
import type { KeyRing } from "../crypto/secret-box.ts";
import { randomToken } from "../crypto/tokens.ts";
import type { Db } from "../db/client.ts";
import { assertChannelInGuild } from "../discord-guilds/guild-access.ts";
import type { DiscordRest } from "../discord-rest/discord-rest.ts";
import type { Env } from "../env.ts";
import { AppError, notFound } from "../errors/app-error.ts";
import type { TenantAccess } from "../http/context.ts";
import { iso } from "../http/respond.ts";
import { getOutboxByName } from "../outbox/outbox.ts";
import { getSecret, putSecret } from "../secrets/secrets.ts";
import { tokenScopeAllows } from "../tenancy/access.ts";
import { feedSecretName, feedWebhookName, forgetHook } from "./hook-material.ts";

type Row = typeof githubFeeds.$inferSelect;
type CreateInput = z.output<typeof api.CreateGithubFeedRequest>;
type UpdateInput = z.output<typeof api.UpdateGithubFeedRequest>;
type FeedDestination = CreateInput["destination"];

export interface FeedContext {
  db: Db;
  cache: Cache;
  keyRing: () => Promise<KeyRing>;
  outboxes: Env["OUTBOX"];
  rest: DiscordRest;
  /** Throws unless the guild is this tenant's and the caller has Manage Server there (require-guild-manager.ts). */
  assertGuildManager: (guildId: string) => Promise<unknown>;
  /** DISCORD_API_BASE: webhook URLs under it are accepted too (the local fake). */
  apiBase: string;
  /** Where GitHub reaches this deployment: PUBLIC_URL or the request's origin. */
  origin: string;
  access: TenantAccess;
  actor: Caller;
  now: Date;
  requestId: string;
}

/** 192 random bits: the hook URL is public (pasted into GitHub), so it must not be guessable or enumerable. */
const newHookId = () => randomToken("", 24);
/** GitHub accepts any string as a webhook secret; 256 random bits, base64url. */
const newWebhookSecret = () => randomToken("ghs_", 32);
export const HOOK_ID_PATTERN = /^[A-Za-z0-9_-]{32}$/;

function present(ctx: Pick<FeedContext, "origin">, row: Row): api.GithubFeedView {
  const d = row.destination;
  return {
    id: row.id,
    name: row.name,
    enabled: row.enabled,
    hookUrl: `${ctx.origin}/webhooks/github/${row.hookId}`,
    filters: row.filters,
    destination: d.kind === "channel" ? d : { kind: "webhook", masked: d.masked },
    deployRules: row.deployRules,
    lastDelivery:
      row.lastDeliveryAt && row.lastDeliveryEvent && row.lastDeliveryStatus
        ? { at: iso(row.lastDeliveryAt), event: row.lastDeliveryEvent, status: row.lastDeliveryStatus }
        : null,
    createdBy: row.createdBy,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

function requireDeployRight(access: TenantAccess): void {
  if (!can(access.role, "github.deploy")) {
    throw new AppError("FORBIDDEN", `Your role (${access.role}) cannot set deploy-on-push rules; it needs owner`, { details: { action: "github.deploy" } });
  }
  if (!tokenScopeAllows(access.scopes, "github.deploy")) {
    throw new AppError("FORBIDDEN", "This API token's scopes do not include github.deploy", { details: { action: "github.deploy" } });
  }
}

async function checkDeployRules(ctx: FeedContext, rules: readonly api.GithubDeployRule[]): Promise<void> {
  requireDeployRight(ctx.access);
  for (const agentId of new Set(rules.map((r) => r.agentId))) {
    const agent = await agentInTenant(ctx.db, ctx.access.tenantId, agentId);
    if (agent.revokedAt) throw new AppError("CONFLICT", `Agent ${agentId} was revoked; it cannot deploy`);
  }
}

/**
 * A channel must be in a server of this tenant that the caller manages (one bot serves every tenant: a bare channel id
 * would let a feed post into anyone's server). A webhook URL is sealed under the feed's name; URLs that are not
 * Discord webhooks are refused (400) before writing.
 */
async function storedDestination(ctx: FeedContext, feedId: string, destination: FeedDestination): Promise<api.StoredDestination> {
  if (destination.kind === "channel") {
    await ctx.assertGuildManager(destination.guildId);
    await assertChannelInGuild(ctx.rest, ctx.cache, destination.guildId, destination.channelId, "destination.channelId");
    return destination;
  }
  const masked = maskWebhook(destination.url, ctx.apiBase);
  const secretName = feedWebhookName(feedId);
  await putSecret(ctx.db, await ctx.keyRing(), ctx.access.tenantId, secretName, destination.url);
  return { kind: "webhook", secretName, masked };
}

const auditDetails = (row: Pick<Row, "name" | "enabled" | "filters" | "deployRules">) => ({
  name: row.name,
  enabled: row.enabled,
  repositories: row.filters.repositories,
  branches: row.filters.branches,
  deployRules: row.deployRules.map((r) => ({ repository: r.repository, branch: r.branch, agentId: r.agentId, repo: r.repo })),
});

/** Field by field: jsonb hands keys back in its own order, so a JSON string comparison would see a change. */
function sameRules(a: readonly api.GithubDeployRule[], b: readonly api.GithubDeployRule[]): boolean {
  return a.length === b.length && a.every((r, i) => r.repository === b[i]?.repository && r.branch === b[i]?.branch && r.agentId === b[i]?.agentId && r.repo === b[i]?.repo);
}

async function feedRow(db: Db, tenantId: string, id: string): Promise<Row> {
  const [row] = await db.select().from(githubFeeds).where(and(eq(githubFeeds.id, id), eq(githubFeeds.tenantId, tenantId))).limit(1);
  if (!row) throw notFound("GitHub feed");
  return row;
}

export async function listGithubFeeds(ctx: Pick<FeedContext, "db" | "origin">, tenantId: string): Promise<api.GithubFeedView[]> {
  const rows = await ctx.db.select().from(githubFeeds).where(eq(githubFeeds.tenantId, tenantId)).orderBy(desc(githubFeeds.createdAt)).limit(200);
  return rows.map((r) => present(ctx, r));
}

export async function readGithubFeed(ctx: Pick<FeedContext, "db" | "origin">, tenantId: string, id: string): Promise<api.GithubFeedView> {
  return present(ctx, await feedRow(ctx.db, tenantId, id));
}

export async function createGithubFeed(ctx: FeedContext, input: CreateInput): Promise<api.GithubFeedWithSecret> {
  const tenantId = ctx.access.tenantId;
  if (input.deployRules.length > 0) await checkDeployRules(ctx, input.deployRules);
  const id = newId("githubFeed");
  const secret = newWebhookSecret();
  const destination = await storedDestination(ctx, id, input.destination);
  const row: Row = {
    id,
    tenantId,
    name: input.name,
    hookId: newHookId(),
    enabled: input.enabled,
    filters: input.filters,
    destination,
    deployRules: input.deployRules,
    deployConfiguredBy: input.deployRules.length > 0 ? ctx.actor.userId : null,
    lastDeliveryAt: null,
    lastDeliveryEvent: null,
    lastDeliveryStatus: null,
    createdBy: ctx.actor.id,
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  await putSecret(ctx.db, await ctx.keyRing(), tenantId, feedSecretName(id), secret);
  await ctx.db.transaction(async (tx) => {
    await tx.insert(githubFeeds).values(row);
    await recordAudit(tx, ctx.actor, { tenantId, action: "github_feed.create", targetType: "github_feed", targetId: id, details: auditDetails(row) }, ctx.requestId);
  });
  return { ...present(ctx, row), secret };
}

export async function updateGithubFeed(ctx: FeedContext, id: string, input: UpdateInput): Promise<api.GithubFeedView> {
  const tenantId = ctx.access.tenantId;
  const before = await feedRow(ctx.db, tenantId, id);
  const rulesChange = input.deployRules !== undefined && !sameRules(input.deployRules, before.deployRules);
  if (rulesChange && input.deployRules) await checkDeployRules(ctx, input.deployRules);
  const destination = input.destination ? await storedDestination(ctx, id, input.destination) : before.destination;
  const deployRules = rulesChange && input.deployRules ? input.deployRules : before.deployRules;
  const after: Row = {
    ...before,
    name: input.name ?? before.name,
    enabled: input.enabled ?? before.enabled,
    filters: input.filters ?? before.filters,
    destination,
    deployRules,
    deployConfiguredBy: rulesChange ? (deployRules.length > 0 ? ctx.actor.userId : null) : before.deployConfiguredBy,
    updatedAt: ctx.now,
  };
  await ctx.db.transaction(async (tx) => {
    await tx
      .update(githubFeeds)
      .set({
        name: after.name,
        enabled: after.enabled,
        filters: after.filters,
        destination: after.destination,
        deployRules: after.deployRules,
        deployConfiguredBy: after.deployConfiguredBy,
        updatedAt: after.updatedAt,
      })
      .where(and(eq(githubFeeds.id, id), eq(githubFeeds.tenantId, tenantId)));
    await recordAudit(
      tx,
      ctx.actor,
      { tenantId, action: "github_feed.update", targetType: "github_feed", targetId: id, details: { ...auditDetails(after), destinationChanged: input.destination !== undefined } },
      ctx.requestId,
    );
  });
  if (before.destination.kind === "webhook" && after.destination.kind === "channel") {
    await ctx.db.delete(secrets).where(and(eq(secrets.tenantId, tenantId), eq(secrets.name, feedWebhookName(id))));
  }
  await forgetHook(ctx.cache, before.hookId);
  return present(ctx, after);
}

export async function deleteGithubFeed(ctx: FeedContext, id: string): Promise<void> {
  const tenantId = ctx.access.tenantId;
  const before = await feedRow(ctx.db, tenantId, id);
  await ctx.db.transaction(async (tx) => {
    await tx.delete(githubFeeds).where(and(eq(githubFeeds.id, id), eq(githubFeeds.tenantId, tenantId)));
    await tx.delete(secrets).where(and(eq(secrets.tenantId, tenantId), inArray(secrets.name, [feedSecretName(id), feedWebhookName(id)])));
    await recordAudit(tx, ctx.actor, { tenantId, action: "github_feed.delete", targetType: "github_feed", targetId: id, details: auditDetails(before) }, ctx.requestId);
  });
  await forgetHook(ctx.cache, before.hookId);
}

/** A new secret, shown once; deliveries signed with the old one are refused from now on. */
export async function rotateGithubFeedSecret(ctx: FeedContext, id: string): Promise<api.GithubFeedWithSecret> {
  const tenantId = ctx.access.tenantId;
  const row = await feedRow(ctx.db, tenantId, id);
  const secret = newWebhookSecret();
  await putSecret(ctx.db, await ctx.keyRing(), tenantId, feedSecretName(id), secret);
  await ctx.db.update(githubFeeds).set({ updatedAt: ctx.now }).where(eq(githubFeeds.id, id));
  await recordAudit(ctx.db, ctx.actor, { tenantId, action: "github_feed.rotate_secret", targetType: "github_feed", targetId: id, details: { name: row.name } }, ctx.requestId);
  await forgetHook(ctx.cache, row.hookId);
  return { ...present(ctx, { ...row, updatedAt: ctx.now }), secret };
}

/** Puts a sample message through the outbox to the feed's destination, so the user sees where messages land. */
export async function sendGithubTestMessage(ctx: FeedContext, id: string): Promise<api.GithubTestDeliveryAnswer> {
  const tenantId = ctx.access.tenantId;
  const row = await feedRow(ctx.db, tenantId, id);
  let destination: api.Destination;
  if (row.destination.kind === "webhook") {
    const url = await getSecret(ctx.db, await ctx.keyRing(), tenantId, row.destination.secretName);
    if (!url) throw new AppError("CONFLICT", "This feed's webhook URL is missing; set the destination again");
    destination = { kind: "webhook", url };
  } else {
    destination = row.destination;
  }
  const messageId = `github-test:${id}:${randomToken("", 9)}`;
  const result = await getOutboxByName(ctx.outboxes, tenantId).enqueue({
    id: messageId,
    destination,
    message: {
      embeds: [
        {
          title: `Test message from the GitHub feed "${row.name.slice(0, 200)}"`,
          description: "GitHub events that pass this feed's filters will appear here.",
          color: 0x5865f2,
          footer: { text: "GitHub · Nebula Command" },
        },
      ],
      allowed_mentions: { parse: [] },
    },
  });
  await recordAudit(ctx.db, ctx.actor, { tenantId, action: "github_feed.test", targetType: "github_feed", targetId: id }, ctx.requestId);
  return { queued: result.stored === 1, messageId };
}

export async function listGithubDeliveries(db: Db, tenantId: string, feedId: string): Promise<api.GithubDelivery[]> {
  await feedRow(db, tenantId, feedId);
  const rows = await db
    .select()
    .from(githubDeliveries)
    .where(and(eq(githubDeliveries.tenantId, tenantId), eq(githubDeliveries.feedId, feedId)))
    .orderBy(desc(githubDeliveries.receivedAt), desc(githubDeliveries.id))
    .limit(50);
  return rows.map((r) => ({
    id: r.id,
    deliveryId: r.deliveryId,
    event: r.event,
    action: r.action,
    repository: r.repository,
    status: r.status,
    detail: r.detail,
    receivedAt: iso(r.receivedAt),
  }));
}

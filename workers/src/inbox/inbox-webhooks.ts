// Generic inbox webhooks for donation services and custom tools. The tenant creates one (its secret is shown once;
// rotate for a new one); the tool posts JSON to /webhooks/inbox/<id> with `Authorization: Bearer <secret>` or
// `X-Nebula-Timestamp: <unix seconds>` + `X-Nebula-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`
// (Stripe's and Twitch's recipe: the signed timestamp bounds a captured request's replay to 10 minutes; bearer mode
// sends the secret itself and has no such bound beyond the event id's de-duplication). The receiver verifies before
// parsing, de-duplicates by the event's id in the cache, enqueues, and answers 202, and never reads Postgres on the
// way: each webhook's verification material is cached still sealed, with no expiry, by every change to it.
import { api, inboxWebhooks, newId, secrets } from "@nebula/schema";
import { and, desc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import type { Cache } from "../cache/cache.ts";
import type { Caller } from "../audit/audit.ts";
import { recordAudit } from "../audit/audit.ts";
import type { KeyRing } from "../crypto/secret-box.ts";
import { randomToken, timingSafeEqual } from "../crypto/tokens.ts";
import type { Db } from "../db/client.ts";
import { sendToDiscordQueue } from "../discord-queue/queue-kind.ts";
import { AppError, notFound } from "../errors/app-error.ts";
import { parseOrThrow } from "../http/validate.ts";
import type { Logger } from "../logging/logger.ts";
import { putSecret, secretAad } from "../secrets/secrets.ts";
import { inboxDraft } from "./inbox-draft.ts";
import { inboxItemKind } from "./inbox-events.ts";

export const INBOX_WEBHOOK_ID = /^ibw_[0-9a-z]{16}$/;
/** Unknown ids are remembered briefly too, so a scanner cannot keep Neon awake. */
const UNKNOWN_TTL_SECONDS = 60;
/** A deleted webhook's tombstone outlives any re-seed that read the row before the delete committed. */
const TOMBSTONE_TTL_SECONDS = 24 * 3600;
/** How long a sender is asked to wait while its webhook's entry is re-seeded: one cold Neon start, with margin. */
export const INBOX_RESEED_RETRY_AFTER_SECONDS = 10;
const UNKNOWN = "unknown";
const DISABLED = "disabled";
/** Donation services retry for hours at most; a day covers them. */
export const INBOX_DEDUP_SECONDS = 24 * 3600;
/** A signed request older or newer than this is refused as a replay (Twitch's and Kick's window). */
export const INBOX_REPLAY_WINDOW_MS = 10 * 60_000;

export const inboxWebhookSecretName = (id: string) => `inbox.webhook:${id}`;
export const inboxWebhookCacheKey = (id: string) => `inbox:webhook:${id}`;
const dedupKey = (id: string, eventId: string) => `inbox:webhook-event:${id}:${eventId}`;

type Row = typeof inboxWebhooks.$inferSelect;

export interface InboxWebhookContext {
  db: Db;
  cache: Cache;
  keyRing: () => Promise<KeyRing>;
  tenantId: string;
  actor: Caller;
  origin: string;
  now: Date;
  requestId: string;
}

const present = (origin: string, r: Row): api.InboxWebhookView => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  enabled: r.enabled,
  url: `${origin.replace(/\/$/, "")}/webhooks/inbox/${r.id}`,
  lastDeliveryAt: r.lastDeliveryAt?.toISOString() ?? null,
  createdAt: r.createdAt.toISOString(),
});

const newSecret = () => randomToken("nis_");

async function webhookRow(db: Db, tenantId: string, id: string): Promise<Row> {
  const [row] = await db.select().from(inboxWebhooks).where(and(eq(inboxWebhooks.id, id), eq(inboxWebhooks.tenantId, tenantId))).limit(1);
  if (!row) throw notFound("Inbox webhook");
  return row;
}

export async function listInboxWebhooks(db: Db, origin: string, tenantId: string): Promise<api.InboxWebhookView[]> {
  const rows = await db.select().from(inboxWebhooks).where(eq(inboxWebhooks.tenantId, tenantId)).orderBy(desc(inboxWebhooks.createdAt)).limit(100);
  return rows.map((r) => present(origin, r));
}

export async function createInboxWebhook(ctx: InboxWebhookContext, input: { name: string; kind: Row["kind"] }): Promise<api.InboxWebhookWithSecret> {
  const { name, kind } = input;
  const row: Row = { id: newId("inboxWebhook"), tenantId: ctx.tenantId, name, kind, enabled: true, lastDeliveryAt: null, createdAt: ctx.now, updatedAt: ctx.now };
  const secret = newSecret();
  await putSecret(ctx.db, await ctx.keyRing(), ctx.tenantId, inboxWebhookSecretName(row.id), secret);
  await ctx.db.transaction(async (tx) => {
    await tx.insert(inboxWebhooks).values(row);
    await recordAudit(tx, ctx.actor, { tenantId: ctx.tenantId, action: "inbox_webhook.create", targetType: "inbox_webhook", targetId: row.id, details: { name, kind } }, ctx.requestId);
  });
  await publishInboxWebhook(ctx.db, ctx.cache, row.id);
  return { ...present(ctx.origin, row), secret };
}

export async function updateInboxWebhook(ctx: InboxWebhookContext, id: string, change: { name?: string; enabled?: boolean }): Promise<api.InboxWebhookView> {
  const before = await webhookRow(ctx.db, ctx.tenantId, id);
  const after = { ...before, name: change.name ?? before.name, enabled: change.enabled ?? before.enabled, updatedAt: ctx.now };
  await ctx.db.transaction(async (tx) => {
    await tx.update(inboxWebhooks).set({ name: after.name, enabled: after.enabled, updatedAt: ctx.now }).where(eq(inboxWebhooks.id, id));
    await recordAudit(tx, ctx.actor, { tenantId: ctx.tenantId, action: "inbox_webhook.update", targetType: "inbox_webhook", targetId: id, details: { name: after.name, enabled: after.enabled } }, ctx.requestId);
  });
  await publishInboxWebhook(ctx.db, ctx.cache, id);
  return present(ctx.origin, after);
}

export async function deleteInboxWebhook(ctx: InboxWebhookContext, id: string): Promise<void> {
  const before = await webhookRow(ctx.db, ctx.tenantId, id).catch(async (err: unknown) => {
    // A retried delete whose first attempt committed but could not reach the cache: publishing the truth (read from
    // Postgres, whoever's id it is) lays the tombstone that attempt could not.
    if (err instanceof AppError && err.code === "NOT_FOUND") await publishInboxWebhook(ctx.db, ctx.cache, id);
    throw err;
  });
  await ctx.db.transaction(async (tx) => {
    await tx.delete(inboxWebhooks).where(eq(inboxWebhooks.id, id));
    await tx.delete(secrets).where(and(eq(secrets.tenantId, ctx.tenantId), eq(secrets.name, inboxWebhookSecretName(id))));
    await recordAudit(tx, ctx.actor, { tenantId: ctx.tenantId, action: "inbox_webhook.delete", targetType: "inbox_webhook", targetId: id, details: { name: before.name } }, ctx.requestId);
  });
  await publishInboxWebhook(ctx.db, ctx.cache, id);
}

/** A new secret, shown once; requests with the old one are refused from now on. */
export async function rotateInboxWebhookSecret(ctx: InboxWebhookContext, id: string): Promise<api.InboxWebhookWithSecret> {
  const row = await webhookRow(ctx.db, ctx.tenantId, id);
  const secret = newSecret();
  await putSecret(ctx.db, await ctx.keyRing(), ctx.tenantId, inboxWebhookSecretName(id), secret);
  await ctx.db.update(inboxWebhooks).set({ updatedAt: ctx.now }).where(eq(inboxWebhooks.id, id));
  await recordAudit(ctx.db, ctx.actor, { tenantId: ctx.tenantId, action: "inbox_webhook.rotate_secret", targetType: "inbox_webhook", targetId: id, details: { name: row.name } }, ctx.requestId);
  await publishInboxWebhook(ctx.db, ctx.cache, id);
  return { ...present(ctx.origin, { ...row, updatedAt: ctx.now }), secret };
}

// ---- receiving -----------------------------------------------------------------------------------------

// The cache holds, per webhook, one of: its material (the secret still sealed under the key ring, bound to tenant and
// name, exactly as Postgres holds it; the shape the earlier 5-minute entries had, so those still read), DISABLED (no
// material at all, so a disabled webhook is refused without a secret to check), or UNKNOWN (deleted, or never
// existed). Every change publishes what it committed, overwriting; a re-seed after an eviction only fills an absent
// key (setIfAbsent), so a re-seed that read Postgres just before a rotation or deletion committed can never put the
// old secret back over what that change published.
const Material = z.object({
  webhookId: z.string(),
  tenantId: z.string(),
  enabled: z.boolean(),
  secret: z.object({ keyVersion: z.string(), ciphertext: z.string() }),
});
type Material = z.infer<typeof Material>;

async function readMaterial(db: Db, id: string): Promise<Material | null> {
  const [row] = await db
    .select({ tenantId: inboxWebhooks.tenantId, enabled: inboxWebhooks.enabled, keyVersion: secrets.keyVersion, ciphertext: secrets.ciphertext })
    .from(inboxWebhooks)
    .innerJoin(secrets, and(eq(secrets.tenantId, inboxWebhooks.tenantId), eq(secrets.name, sql`${inboxWebhookSecretName("")} || ${inboxWebhooks.id}`)))
    .where(eq(inboxWebhooks.id, id))
    .limit(1);
  return row ? { webhookId: id, tenantId: row.tenantId, enabled: row.enabled, secret: { keyVersion: row.keyVersion, ciphertext: row.ciphertext } } : null;
}

/** What the receiver should know about `id`, as Postgres has it now, in the cache's words. */
async function committedEntry(db: Db, id: string): Promise<{ value: string; known: boolean }> {
  const found = await readMaterial(db, id);
  if (!found) return { value: UNKNOWN, known: false };
  return { value: found.enabled ? JSON.stringify(found) : DISABLED, known: true };
}

/**
 * After a change to the webhook commits: overwrite its entry with what Postgres now holds. A live entry never
 * expires (a tip jar that posts once a month must not find it gone); a deletion leaves a tombstone. A cache failure
 * fails the change's request, so the admin sees it and repeats the change (the commit itself stands).
 */
async function publishInboxWebhook(db: Db, cache: Cache, id: string): Promise<void> {
  const { value, known } = await committedEntry(db, id);
  await cache.set(inboxWebhookCacheKey(id), value, known ? {} : { ttlSeconds: TOMBSTONE_TTL_SECONDS });
}

/** After the receiver found no usable entry: fill it from Postgres, off the request path. Only fills an absent key. */
async function reseedInboxWebhook(db: Db, cache: Cache, id: string): Promise<void> {
  const { value, known } = await committedEntry(db, id);
  await cache.setIfAbsent(inboxWebhookCacheKey(id), value, known ? undefined : UNKNOWN_TTL_SECONDS);
}

type Cached = { state: "live"; material: Material } | { state: "disabled" } | { state: "unknown" } | { state: "missing" } | { state: "unreadable" };

async function cachedWebhook(cache: Cache, id: string): Promise<Cached> {
  const raw = await cache.get(inboxWebhookCacheKey(id));
  if (raw === null) return { state: "missing" };
  if (raw === UNKNOWN) return { state: "unknown" };
  if (raw === DISABLED) return { state: "disabled" };
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { state: "unreadable" };
  }
  const material = Material.safeParse(json);
  return material.success ? { state: "live", material: material.data } : { state: "unreadable" };
}

const SIGNATURE = /^sha256=([0-9a-f]{64})$/i;

async function hmacHex(secret: string, body: Uint8Array): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, body));
  return [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export type InboxVerdict = "ok" | "bad_secret" | "no_timestamp" | "stale";

/**
 * Bearer: the secret itself. HMAC: `${timestamp}.${body}` signed with it (the secret never travels), the timestamp
 * (unix seconds) within INBOX_REPLAY_WINDOW_MS of now; checked after the signature, so only a signed time counts.
 */
export async function verifyInboxRequest(secret: string, req: { authorization?: string | undefined; signature?: string | undefined; timestamp?: string | undefined; body: Uint8Array }, now: number): Promise<InboxVerdict> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.authorization ?? "")?.[1];
  if (bearer) return timingSafeEqual(bearer, secret) ? "ok" : "bad_secret";
  const mac = req.signature ? SIGNATURE.exec(req.signature.trim())?.[1] : undefined;
  if (!mac) return "bad_secret";
  const timestamp = req.timestamp?.trim() ?? "";
  if (!/^\d{1,12}$/.test(timestamp)) return "no_timestamp";
  const prefix = new TextEncoder().encode(`${timestamp}.`);
  const signed = new Uint8Array(prefix.length + req.body.length);
  signed.set(prefix);
  signed.set(req.body, prefix.length);
  if (!timingSafeEqual(mac.toLowerCase(), await hmacHex(secret, signed))) return "bad_secret";
  return Math.abs(now - Number(timestamp) * 1000) > INBOX_REPLAY_WINDOW_MS ? "stale" : "ok";
}

const REFUSED: Record<Exclude<InboxVerdict, "ok">, string> = {
  bad_secret: "Invalid secret or signature",
  no_timestamp: "X-Nebula-Timestamp (unix seconds) is required with X-Nebula-Signature; sign `<timestamp>.<body>`",
  stale: "X-Nebula-Timestamp is more than 10 minutes from the server's time: refused as a replay",
};

export interface InboxWebhookDeps {
  cache: Cache;
  /** Never used on the request path: only by a re-seed handed to `waitUntil`. */
  db: () => Db;
  keyRing: () => Promise<KeyRing>;
  queue: Queue;
  now: () => Date;
  requestId: string;
  logger: Logger;
  /** Keeps after-answer work alive (the execution context's waitUntil). */
  waitUntil: (work: Promise<unknown>) => void;
}

export interface InboxWebhookRequest {
  webhookId: string;
  authorization: string | undefined;
  signature: string | undefined;
  timestamp: string | undefined;
  body: Uint8Array;
}

function parseJson(body: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(body));
  } catch {
    throw new AppError("BAD_REQUEST", "Malformed JSON in request body");
  }
}

/**
 * A webhook without a usable cache entry (evicted, or cached before entries stopped expiring) is answered 503 with
 * Retry-After while its entry is re-seeded after the answer, so the sender's retry is verified from the cache.
 * Accepting it unverified into a durable queue and checking the secret later was the alternative, and behaves worse:
 * a tool posting with a wrong or rotated-away secret would be told 202 and never learn, and anyone could fill the
 * queue (and wake Neon) by posting to made-up ids, since only Postgres can tell which ids exist. Most donation
 * services retry a failed delivery, and a miss is rare: entries never expire, so only an eviction causes one.
 */
async function reseedAndRetryLater(deps: InboxWebhookDeps, id: string, unusable: boolean): Promise<AppError> {
  // An entry that cannot be used (sealed under a key since retired, or unreadable) goes first, here: dropping it after
  // the read could drop what a rotation published in between.
  if (unusable) await deps.cache.delete(inboxWebhookCacheKey(id)).catch(() => {});
  // Started now, not when waitUntil gets to it: the request's Postgres pool closes once the answer is sent.
  deps.waitUntil(reseedInboxWebhook(deps.db(), deps.cache, id).catch((err: unknown) => deps.logger.warn("inbox webhook re-seed failed", { webhookId: id, err })));
  return retryLater();
}

const retryLater = () =>
  new AppError("UNAVAILABLE", `This webhook is warming up; retry in ${INBOX_RESEED_RETRY_AFTER_SECONDS} s`, {
    headers: { "Retry-After": String(INBOX_RESEED_RETRY_AFTER_SECONDS) },
  });

async function verifiedMaterial(deps: InboxWebhookDeps, req: InboxWebhookRequest): Promise<Material> {
  // Without the cache there is neither material nor de-duplication: the sender's retry is the safe way through.
  const cached = await cachedWebhook(deps.cache, req.webhookId).catch(() => null);
  if (!cached) throw retryLater();
  if (cached.state === "missing" || cached.state === "unreadable") throw await reseedAndRetryLater(deps, req.webhookId, cached.state === "unreadable");
  if (cached.state === "unknown") throw new AppError("NOT_FOUND", "Unknown inbox webhook");
  if (cached.state === "disabled") throw new AppError("FORBIDDEN", "This inbox webhook is disabled");
  const m = cached.material;
  if (!req.authorization && !req.signature) throw new AppError("UNAUTHORIZED", "Send Authorization: Bearer <secret>, or X-Nebula-Timestamp and X-Nebula-Signature: sha256=<hmac of timestamp.body>");
  const ring = await deps.keyRing();
  // A key retired from ENCRYPTION_KEYS after `secrets rotate` re-sealed Postgres leaves the cached copy unopenable.
  const secret = await ring.open(m.secret, secretAad(m.tenantId, inboxWebhookSecretName(m.webhookId))).catch(() => null);
  if (secret === null) throw await reseedAndRetryLater(deps, req.webhookId, true);
  const verdict = await verifyInboxRequest(secret, req, deps.now().getTime());
  if (verdict !== "ok") throw new AppError("UNAUTHORIZED", REFUSED[verdict]);
  // Entries cached by earlier versions marked a disabled webhook this way rather than with DISABLED.
  if (!m.enabled) throw new AppError("FORBIDDEN", "This inbox webhook is disabled");
  return m;
}

export async function receiveInboxWebhook(deps: InboxWebhookDeps, req: InboxWebhookRequest): Promise<api.InboxWebhookAnswer> {
  const m = await verifiedMaterial(deps, req);
  const event = parseOrThrow(api.InboxWebhookEvent, parseJson(req.body), "inbox event");
  const key = dedupKey(m.webhookId, event.id);
  if (!(await deps.cache.setIfAbsent(key, "1", INBOX_DEDUP_SECONDS))) return { status: "duplicate" };
  const draft = inboxDraft({
    platform: "custom",
    type: event.type,
    sourceEventId: `${m.webhookId}:${event.id}`,
    broadcasterId: m.webhookId,
    actor: { id: event.actor.id ?? null, name: event.actor.name, avatarUrl: event.actor.avatarUrl ?? null },
    amount: event.amount ?? null,
    currency: event.currency ?? null,
    bits: event.bits ?? null,
    months: event.months ?? null,
    count: event.count ?? null,
    viewers: event.viewers ?? null,
    tier: event.tier ?? null,
    message: event.message ?? null,
    occurredAt: event.occurredAt ?? deps.now().toISOString(),
  });
  try {
    await sendToDiscordQueue(deps.queue, inboxItemKind, draft.sourceEventId, { tenantId: m.tenantId, webhookId: m.webhookId, draft }, { requestId: deps.requestId });
  } catch (err) {
    // Not queued: let the sender's retry through.
    await deps.cache.delete(key).catch(() => {});
    throw err;
  }
  return { status: "accepted" };
}

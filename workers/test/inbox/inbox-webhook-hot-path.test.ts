// The generic inbox webhook never reads Postgres on the way in: its sealed material is cached with no expiry by
// create, rotate, disable and delete, so a tip jar idle past the old 5-minute TTL is verified, de-duplicated and
// queued with Postgres unreachable, and the item is stored once Postgres is back. An evicted entry is answered 503 +
// Retry-After while it is re-seeded after the answer; the sender's retry then goes through without Postgres.
// Postgres is taken away per request (a database that does not exist), and the local bridge counts attempts.
import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { type api, unifiedInboxNotifications } from "@nebula/schema";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getCacheStoreByName, shardOf } from "../../src/cache/durable-cache.ts";
import { consumeDiscordQueue } from "../../src/discord-queue/consumer.ts";
import type { Env } from "../../src/env.ts";
import { INBOX_RESEED_RETRY_AFTER_SECONDS, inboxWebhookCacheKey } from "../../src/inbox/inbox-webhooks.ts";
import { withDb } from "../support/seed.ts";
import { bridgeTraffic, callWorker, envNamed, envWithPostgresDown, recordingQueue } from "../support/worker-call.ts";
import { apiCall, inboxPath, seedInboxTenant } from "./inbox-harness.ts";

const OLD_TTL_MS = 5 * 60_000;
const appName = (what: string) => `inbox-hook-${what}-${crypto.randomUUID().slice(0, 8)}`;

type CacheRow = { value: string; expires_at: number | null };
const storeOf = (key: string) => getCacheStoreByName((env as Env).CACHE_STORE, `cache-${shardOf(key)}`);

/** The webhook's row in the embedded cache, as stored. */
const cacheRow = (key: string) =>
  runInDurableObject(storeOf(key), (_store, state) => state.storage.sql.exec<CacheRow>("SELECT value, expires_at FROM entries WHERE key = ?", key).toArray()[0] ?? null);

/** The cache's own expiry control: moves the row's expiry `ms` earlier, as if that much time had passed for it. */
const ageEntry = (key: string, ms: number) =>
  runInDurableObject(storeOf(key), (_store, state) => void state.storage.sql.exec("UPDATE entries SET expires_at = expires_at - ? WHERE key = ?", ms, key));

const evict = (key: string) => runInDurableObject(storeOf(key), (_store, state) => void state.storage.sql.exec("DELETE FROM entries WHERE key = ?", key));

const rewrite = (key: string, value: string) =>
  runInDurableObject(storeOf(key), (_store, state) => void state.storage.sql.exec("UPDATE entries SET value = ? WHERE key = ?", value, key));

async function hmac(secret: string, data: string): Promise<string> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return [...new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(data)))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const tip = (id: string, name = "Night Owl") => JSON.stringify({ id, type: "donation", actor: { name }, amount: 5, currency: "EUR" });

/** What a tip jar sends: HMAC over `<timestamp>.<body>` with the webhook's secret. */
async function signedTip(secret: string, id: string, name?: string): Promise<RequestInit> {
  const body = tip(id, name);
  const ts = String(Math.floor(Date.now() / 1000));
  return { method: "POST", headers: { "content-type": "application/json", "x-nebula-timestamp": ts, "x-nebula-signature": `sha256=${await hmac(secret, `${ts}.${body}`)}` }, body };
}

const { queue, sent } = recordingQueue();
const post = (hookId: string, init: RequestInit, workerEnv: Env) => callWorker(`/webhooks/inbox/${hookId}`, init, { ...workerEnv, DISCORD_QUEUE: queue });

/** The queue's consumer, with Postgres back: what the recording queue kept since `from`. */
async function drainQueue(from: number): Promise<void> {
  const batch = createMessageBatch("nebula-discord", sent.slice(from).map((body, i) => ({ id: `inbox-hook-${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body })));
  const ctx = createExecutionContext();
  await consumeDiscordQueue(batch, env as Env, ctx);
  expect((await getQueueResult(batch, ctx)).explicitAcks).toHaveLength(batch.messages.length);
}

const donors = async (tenantId: string) =>
  (await withDb((db) => db.select().from(unifiedInboxNotifications).where(eq(unifiedInboxNotifications.tenantId, tenantId)))).map((r) => r.actorName).sort();

async function createHook(name: string) {
  const tenant = await seedInboxTenant(name);
  const hook = await apiCall<api.InboxWebhookWithSecret>(tenant.members.admin, "POST", inboxPath(tenant.tenantId, "/webhooks"), { name: "Tip jar", kind: "donations" }, 201);
  return { tenant, hook, key: inboxWebhookCacheKey(hook.id) };
}

async function expectError(res: Response, status: number, code: string): Promise<void> {
  expect(res.status).toBe(status);
  expect((await res.json<{ error: { code: string } }>()).error.code).toBe(code);
}

describe("generic inbox webhook with Postgres unreachable", () => {
  it("a tip jar idle past the old 5-minute TTL is accepted from the cache alone; the item lands once Postgres is back", async () => {
    const { tenant, hook, key } = await createHook("Idle tip jar");
    // Cached on create, sealed (never the secret itself), with no expiry.
    const row = await cacheRow(key);
    expect(row?.expires_at).toBeNull();
    expect(row?.value).not.toContain(hook.secret);
    expect(JSON.parse(row?.value ?? "{}")).toMatchObject({ webhookId: hook.id, tenantId: tenant.tenantId, enabled: true, secret: { keyVersion: expect.any(String), ciphertext: expect.any(String) } });

    await ageEntry(key, OLD_TTL_MS + 60_000);
    const from = sent.length;
    const down = appName("idle");
    const res = await post(hook.id, await signedTip(hook.secret, "tip-idle-1"), envWithPostgresDown(down));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: "accepted" });
    // The sender's retry of the same event: still no Postgres, and not queued twice.
    const again = await post(hook.id, await signedTip(hook.secret, "tip-idle-1"), envWithPostgresDown(down));
    expect(await again.json()).toEqual({ status: "duplicate" });
    expect(await bridgeTraffic(down)).toEqual({ connections: 0, queries: 0 });
    expect(sent.length - from).toBe(1);
    expect(await donors(tenant.tenantId)).toEqual([]);

    await drainQueue(from);
    expect(await donors(tenant.tenantId)).toEqual(["Night Owl"]);
  });

  it("rotation refuses the old secret and accepts the new one, disabling refuses, deletion refuses: all without Postgres", async () => {
    const { tenant, hook, key } = await createHook("Rotating tip jar");
    const admin = tenant.members.admin;
    const rotated = await apiCall<api.InboxWebhookWithSecret>(admin, "POST", inboxPath(tenant.tenantId, `/webhooks/${hook.id}/rotate-secret`));
    await ageEntry(key, OLD_TTL_MS + 60_000);
    const down = appName("rotate");
    const from = sent.length;

    await expectError(await post(hook.id, await signedTip(hook.secret, "tip-old"), envWithPostgresDown(down)), 401, "UNAUTHORIZED");
    expect((await post(hook.id, await signedTip(rotated.secret, "tip-new", "Fresh Key"), envWithPostgresDown(down))).status).toBe(202);

    await apiCall(admin, "PATCH", inboxPath(tenant.tenantId, `/webhooks/${hook.id}`), { enabled: false });
    expect((await cacheRow(key))?.value).toBe("disabled");
    await expectError(await post(hook.id, await signedTip(rotated.secret, "tip-off"), envWithPostgresDown(down)), 403, "FORBIDDEN");
    await apiCall(admin, "PATCH", inboxPath(tenant.tenantId, `/webhooks/${hook.id}`), { enabled: true });
    expect((await post(hook.id, await signedTip(rotated.secret, "tip-on", "Back On"), envWithPostgresDown(down))).status).toBe(202);

    await apiCall(admin, "DELETE", inboxPath(tenant.tenantId, `/webhooks/${hook.id}`), undefined, 204);
    // A tombstone, not an empty key: a re-seed that read the row before the delete cannot bring it back.
    expect(await cacheRow(key)).toMatchObject({ value: "unknown", expires_at: expect.any(Number) });
    await expectError(await post(hook.id, await signedTip(rotated.secret, "tip-gone"), envWithPostgresDown(down)), 404, "NOT_FOUND");
    expect(await bridgeTraffic(down)).toEqual({ connections: 0, queries: 0 });

    await drainQueue(from);
    expect(await donors(tenant.tenantId)).toEqual(["Back On", "Fresh Key"]);
  });

  it("an evicted entry: 503 with Retry-After while Postgres is down, re-seeded after the answer once it is back, then accepted without it", async () => {
    const { tenant, hook, key } = await createHook("Evicted tip jar");
    await evict(key);
    const from = sent.length;
    const down = appName("evicted-down");

    const refused = await post(hook.id, await signedTip(hook.secret, "tip-evicted"), envWithPostgresDown(down));
    await expectError(refused, 503, "UNAVAILABLE");
    expect(refused.headers.get("retry-after")).toBe(String(INBOX_RESEED_RETRY_AFTER_SECONDS));
    // The re-seed after the answer found no Postgres: nothing cached, so the next delivery is asked to wait again.
    expect(await cacheRow(key)).toBeNull();

    // Postgres is back: the request itself still answers from the cache (still empty), and the re-seed after it fills it.
    const up = appName("evicted-up");
    await expectError(await post(hook.id, await signedTip(hook.secret, "tip-evicted"), envNamed(up)), 503, "UNAVAILABLE");
    expect(await bridgeTraffic(up)).toEqual({ connections: 1, queries: 1 });
    expect(await cacheRow(key)).toMatchObject({ expires_at: null });

    // The sender's retry is verified from the re-seeded entry, even with Postgres gone again.
    const retry = appName("evicted-retry");
    expect((await post(hook.id, await signedTip(hook.secret, "tip-evicted"), envWithPostgresDown(retry))).status).toBe(202);
    expect(await bridgeTraffic(retry)).toEqual({ connections: 0, queries: 0 });
    await drainQueue(from);
    expect(await donors(tenant.tenantId)).toEqual(["Night Owl"]);
  });

  it("an entry sealed under a key since retired is dropped and re-seeded; an id that never existed is remembered as unknown", async () => {
    const { hook, key } = await createHook("Re-keyed tip jar");
    const cached = JSON.parse((await cacheRow(key))?.value ?? "{}");
    await rewrite(key, JSON.stringify({ ...cached, secret: { ...cached.secret, keyVersion: "v999" } }));
    const up = appName("rekeyed");
    await expectError(await post(hook.id, await signedTip(hook.secret, "tip-rekeyed"), envNamed(up)), 503, "UNAVAILABLE");
    expect(JSON.parse((await cacheRow(key))?.value ?? "{}")).toEqual(cached);
    expect((await post(hook.id, await signedTip(hook.secret, "tip-rekeyed"), envWithPostgresDown(appName("rekeyed-retry")))).status).toBe(202);

    const madeUp = `ibw_${[...crypto.getRandomValues(new Uint8Array(16))].map((b) => (b % 36).toString(36)).join("")}`;
    await expectError(await post(madeUp, await signedTip(hook.secret, "tip-nobody"), envNamed(appName("nobody"))), 503, "UNAVAILABLE");
    await expectError(await post(madeUp, await signedTip(hook.secret, "tip-nobody"), envWithPostgresDown(appName("nobody-retry"))), 404, "NOT_FOUND");
  });
});

// The inbox API: filters, search, keyset pagination, read state and the unread count; retention and its purge;
// the generic webhook (bearer, HMAC, bad secret, bad body, duplicate id, disabled, rotation); RBAC and tenancy.
import { env } from "cloudflare:workers";
import { type api, newId, unifiedInboxNotifications } from "@nebula/schema";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Env } from "../../src/env.ts";
import { purgeExpiredInbox, storeInboxDrafts } from "../../src/inbox/inbox-store.ts";
import { inboxDraft } from "../../src/inbox/inbox-draft.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { type SeededTenant, asUser, withDb } from "../support/seed.ts";
import { callWorker } from "../support/worker-call.ts";
import { apiCall, call, inboxPath, nextItem, openInbox, seedInboxTenant } from "./inbox-harness.ts";

const DAY = 86_400_000;

async function seedItems(tenant: SeededTenant, specs: { type: api.InboxItem["type"]; platform: api.InboxItem["platform"]; name: string; message?: string; ageMs: number }[]) {
  const now = Date.now();
  return withDb((db) =>
    storeInboxDrafts(
      { db, feeds: (env as Env).INBOX_FEED, rooms: (env as Env).OVERLAY_ROOM, logger: createLogger({ test: "inbox" }, "error") },
      [{ tenantId: tenant.tenantId, streamerUserId: null }],
      specs.map((s, i) =>
        inboxDraft({ platform: s.platform, type: s.type, sourceEventId: `seed-${i}-${newId("inboxNotification")}`, broadcasterId: "b1", actor: { id: null, name: s.name, avatarUrl: null }, message: s.message ?? null, occurredAt: new Date(now - s.ageMs).toISOString() }),
      ),
    ),
  );
}

describe("list, filters, search, paging, read state", () => {
  it("filters by platform and type, searches actor and message, pages by cursor, marks read/unread and all read", async () => {
    const tenant = await seedInboxTenant();
    await seedItems(tenant, [
      { type: "follow", platform: "twitch", name: "Alpha", ageMs: 5000 },
      { type: "sub", platform: "twitch", name: "Bravo", message: "100% hype_train", ageMs: 4000 },
      { type: "follow", platform: "kick", name: "Charlie", ageMs: 3000 },
      { type: "super_chat", platform: "youtube", name: "Delta", message: "love the cat", ageMs: 2000 },
      { type: "donation", platform: "custom", name: "Echo", message: "for the CAT fund", ageMs: 1000 },
    ]);
    const viewer = tenant.members.viewer;
    const list = (qs = "") => apiCall<api.InboxPage>(viewer, "GET", inboxPath(tenant.tenantId, qs));

    const all = await list();
    expect(all.items.map((i) => i.actor.name)).toEqual(["Echo", "Delta", "Charlie", "Bravo", "Alpha"]);
    expect(all.unread).toBe(5);
    expect((await list("?platform=twitch")).items.map((i) => i.actor.name)).toEqual(["Bravo", "Alpha"]);
    expect((await list("?platform=twitch,kick&type=follow")).items.map((i) => i.actor.name)).toEqual(["Charlie", "Alpha"]);
    expect((await list("?q=cat")).items.map((i) => i.actor.name)).toEqual(["Echo", "Delta"]);
    expect((await list("?q=charl")).items.map((i) => i.actor.name)).toEqual(["Charlie"]);
    // LIKE wildcards are literal.
    expect((await list("?q=100%25")).items.map((i) => i.actor.name)).toEqual(["Bravo"]);
    expect((await list("?q=%25_")).items).toEqual([]);

    const first = await list("?limit=2");
    expect(first.items.map((i) => i.actor.name)).toEqual(["Echo", "Delta"]);
    const second = await list(`?limit=2&cursor=${first.nextCursor}`);
    expect(second.items.map((i) => i.actor.name)).toEqual(["Charlie", "Bravo"]);
    const third = await list(`?limit=2&cursor=${second.nextCursor}`);
    expect(third.items.map((i) => i.actor.name)).toEqual(["Alpha"]);
    expect(third.nextCursor).toBeNull();
    expect((await call(inboxPath(tenant.tenantId, "?cursor=garbage!"), asUser(viewer))).status).toBe(400);
    expect((await call(inboxPath(tenant.tenantId, "?type=nope"), asUser(viewer))).status).toBe(400);

    const operator = tenant.members.operator;
    const [echo, delta] = all.items;
    expect(await apiCall(operator, "POST", inboxPath(tenant.tenantId, "/read"), { ids: [echo?.id, delta?.id], read: true })).toEqual({ updated: 2, unread: 3 });
    expect((await list("?unread=true")).items.map((i) => i.actor.name)).toEqual(["Charlie", "Bravo", "Alpha"]);
    expect((await list("?unread=false")).items.every((i) => i.readAt !== null)).toBe(true);
    expect(await apiCall(operator, "POST", inboxPath(tenant.tenantId, "/read"), { ids: [echo?.id], read: false })).toEqual({ updated: 1, unread: 4 });
    expect(await apiCall(viewer, "GET", inboxPath(tenant.tenantId, "/unread"))).toEqual({ unread: 4 });
    // Mark all read up to a moment: what arrived after it stays unread.
    const before = all.items.find((i) => i.actor.name === "Charlie")?.occurredAt;
    expect(await apiCall(operator, "POST", inboxPath(tenant.tenantId, "/read-all"), { before })).toEqual({ updated: 3, unread: 1 });
    expect(await apiCall(operator, "POST", inboxPath(tenant.tenantId, "/read-all"), {})).toEqual({ updated: 1, unread: 0 });
  });

  it("RBAC: viewers read but cannot mark or configure; another tenant's ids change nothing; another tenant gets 404", async () => {
    const [tenant, other] = [await seedInboxTenant("RBAC A"), await seedInboxTenant("RBAC B")];
    const [item] = await seedItems(tenant, [{ type: "follow", platform: "twitch", name: "Foxtrot", ageMs: 0 }]);
    const viewer = tenant.members.viewer;
    expect((await call(inboxPath(tenant.tenantId, "/read"), asUser(viewer, { method: "POST", body: JSON.stringify({ ids: [item?.id], read: true }) }))).status).toBe(403);
    expect((await call(inboxPath(tenant.tenantId, "/settings"), asUser(tenant.members.operator, { method: "PUT", body: JSON.stringify({ retentionDays: 7 }) }))).status).toBe(403);
    expect((await call(inboxPath(tenant.tenantId, "/webhooks"), asUser(tenant.members.operator, { method: "POST", body: JSON.stringify({ name: "x" }) }))).status).toBe(403);
    expect((await call(inboxPath(tenant.tenantId), asUser(other.owner))).status).toBe(404);
    expect((await call(inboxPath(tenant.tenantId, "/live"), { headers: { upgrade: "websocket", cookie: other.owner.cookie } })).status).toBe(404);
    expect(await apiCall(other.owner, "POST", inboxPath(other.tenantId, "/read"), { ids: [item?.id], read: true })).toEqual({ updated: 0, unread: 0 });
    expect((await apiCall<api.InboxPage>(viewer, "GET", inboxPath(tenant.tenantId))).items[0]?.readAt).toBeNull();
    expect((await apiCall<api.InboxPage>(other.owner, "GET", inboxPath(other.tenantId))).items).toEqual([]);
  });
});

describe("retention", () => {
  it("defaults to 90 days; the purge deletes what is older than each tenant's setting", async () => {
    const [short, long] = [await seedInboxTenant("Short"), await seedInboxTenant("Long")];
    expect(await apiCall(short.members.viewer, "GET", inboxPath(short.tenantId, "/settings"))).toEqual({ retentionDays: 90 });
    expect(await apiCall(short.members.admin, "PUT", inboxPath(short.tenantId, "/settings"), { retentionDays: 7 })).toEqual({ retentionDays: 7 });
    expect((await call(inboxPath(short.tenantId, "/settings"), asUser(short.members.admin, { method: "PUT", body: JSON.stringify({ retentionDays: 0 }) }))).status).toBe(400);
    const specs = [
      { type: "follow" as const, platform: "twitch" as const, name: "Recent", ageMs: DAY },
      { type: "follow" as const, platform: "twitch" as const, name: "Month", ageMs: 30 * DAY },
      { type: "follow" as const, platform: "twitch" as const, name: "Ancient", ageMs: 100 * DAY },
    ];
    await seedItems(short, specs);
    await seedItems(long, specs);
    await withDb((db) => purgeExpiredInbox(db, new Date()));
    const names = async (t: SeededTenant) => (await withDb((db) => db.select().from(unifiedInboxNotifications).where(eq(unifiedInboxNotifications.tenantId, t.tenantId)))).map((r) => r.actorName).sort();
    expect(await names(short)).toEqual(["Recent"]);
    expect(await names(long)).toEqual(["Month", "Recent"]);
  });
});

describe("generic webhook /webhooks/inbox/:sourceId", () => {
  async function hmac(secret: string, body: string): Promise<string> {
    const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    return [...new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(body)))].map((b) => b.toString(16).padStart(2, "0")).join("");
  }
  const post = (id: string, body: string, headers: Record<string, string>) => call(`/webhooks/inbox/${id}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });

  it("bearer and HMAC accepted (202) and stored; a repeated id is a duplicate; bad secret 401; bad body 400; disabled 403; rotation retires the old secret", async () => {
    const tenant = await seedInboxTenant();
    const admin = tenant.members.admin;
    const hook = await apiCall<api.InboxWebhookWithSecret>(admin, "POST", inboxPath(tenant.tenantId, "/webhooks"), { name: "Tips" }, 201);
    expect(hook.url).toBe(`http://localhost/webhooks/inbox/${hook.id}`);
    expect(hook.secret).toMatch(/^nis_/);
    expect(hook.kind).toBe("custom");
    const donations = await apiCall<api.InboxWebhookWithSecret>(admin, "POST", inboxPath(tenant.tenantId, "/webhooks"), { name: "Ko-fi", kind: "donations" }, 201);
    expect(donations.kind).toBe("donations");
    await apiCall(admin, "POST", inboxPath(tenant.tenantId, "/webhooks"), { name: "Odd", kind: "lottery" }, 400);
    const listed = await apiCall<{ items: api.InboxWebhookView[] }>(admin, "GET", inboxPath(tenant.tenantId, "/webhooks"));
    expect(JSON.stringify(listed)).not.toContain(hook.secret);
    const socket = await openInbox(tenant.owner, tenant.tenantId);

    const tip = JSON.stringify({ id: "tip-1", type: "donation", actor: { name: "Generous" }, amount: 12.5, currency: "EUR", message: "<img src=x onerror=alert(1)>" });
    const bearer = await post(hook.id, tip, { authorization: `Bearer ${hook.secret}` });
    expect(bearer.status).toBe(202);
    expect(await bearer.json()).toEqual({ status: "accepted" });
    expect(await nextItem(socket)).toMatchObject({ platform: "custom", type: "donation", amount: 12.5, currency: "EUR", actor: { name: "Generous" }, message: "<img src=x onerror=alert(1)>", broadcasterId: hook.id });
    const again = await post(hook.id, tip, { authorization: `Bearer ${hook.secret}` });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ status: "duplicate" });

    const raid = JSON.stringify({ id: "raid-1", type: "raid", actor: { id: "c1", name: "Custom Raider" }, viewers: 12 });
    const ts = String(Math.floor(Date.now() / 1000));
    expect((await post(hook.id, raid, { "x-nebula-timestamp": ts, "x-nebula-signature": `sha256=${await hmac(hook.secret, `${ts}.${raid}`)}` })).status).toBe(202);
    expect(await nextItem(socket)).toMatchObject({ type: "raid", viewers: 12, actor: { id: "c1", name: "Custom Raider" } });

    expect((await post(hook.id, raid, { authorization: "Bearer nis_wrong" })).status).toBe(401);
    expect((await post(hook.id, raid, { "x-nebula-timestamp": ts, "x-nebula-signature": `sha256=${await hmac("nis_wrong", `${ts}.${raid}`)}` })).status).toBe(401);
    expect((await post(hook.id, `${raid} `, { "x-nebula-timestamp": ts, "x-nebula-signature": `sha256=${await hmac(hook.secret, `${ts}.${raid}`)}` })).status).toBe(401);
    expect((await post(hook.id, raid, {})).status).toBe(401);
    // An id the cache has never seen is asked to retry while it is looked up after the answer; the retry is refused.
    const nobody = `ibw_${hook.id.slice(4).split("").reverse().join("")}`;
    const unknown = { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${hook.secret}` }, body: raid };
    expect((await callWorker(`/webhooks/inbox/${nobody}`, unknown)).status).toBe(503);
    expect((await post(nobody, raid, { authorization: `Bearer ${hook.secret}` })).status).toBe(404);
    const bad = await post(hook.id, JSON.stringify({ id: "x", type: "bribe", actor: { name: "" } }), { authorization: `Bearer ${hook.secret}` });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: "BAD_REQUEST" } });
    expect((await post(hook.id, "{not json", { authorization: `Bearer ${hook.secret}` })).status).toBe(400);

    await apiCall(admin, "PATCH", inboxPath(tenant.tenantId, `/webhooks/${hook.id}`), { enabled: false });
    expect((await post(hook.id, JSON.stringify({ id: "tip-2", type: "donation", actor: { name: "Late" } }), { authorization: `Bearer ${hook.secret}` })).status).toBe(403);
    await apiCall(admin, "PATCH", inboxPath(tenant.tenantId, `/webhooks/${hook.id}`), { enabled: true });
    const rotated = await apiCall<api.InboxWebhookWithSecret>(admin, "POST", inboxPath(tenant.tenantId, `/webhooks/${hook.id}/rotate-secret`));
    expect(rotated.secret).not.toBe(hook.secret);
    const tip3 = JSON.stringify({ id: "tip-3", type: "donation", actor: { name: "After" }, amount: 1, currency: "USD" });
    expect((await post(hook.id, tip3, { authorization: `Bearer ${hook.secret}` })).status).toBe(401);
    expect((await post(hook.id, tip3, { authorization: `Bearer ${rotated.secret}` })).status).toBe(202);
    expect(await nextItem(socket)).toMatchObject({ actor: { name: "After" } });

    const rows = await withDb((db) => db.select().from(unifiedInboxNotifications).where(eq(unifiedInboxNotifications.tenantId, tenant.tenantId)));
    expect(rows.map((r) => r.actorName).sort()).toEqual(["After", "Custom Raider", "Generous"]);
    socket.close();
  });
});

// A Twitch connection's EventSub subscriptions as the Streams page sees them: a subscription Twitch refuses (a scope the
// broadcaster never granted) or later revokes is stored with its reason and shown as "N of M subscribed"; Retry
// re-creates what failed or was revoked; reconnecting with the missing scope fixes a refusal. Only the connection's
// owner (or an admin) of its own tenant may retry.
import type { MyConnections } from "@nebula/schema/api/connections";
import { auditLog } from "@nebula/schema";
import { and, eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { type Signed, deliver, fake } from "../go-live/go-live-harness.ts";
import { type SeededTenant, type SeededUser, asUser, seedTenant, withDb } from "../support/seed.ts";
import { ORIGINS, accountId, call, callback, connect, consent, startConnect } from "./connection-harness.ts";

const WAIT = { timeout: 15_000, interval: 50 };

interface FakeSubscription {
  id: string;
  type: string;
  status: string;
  condition: Record<string, string>;
}

async function subscriptionsOf(broadcasterId: string): Promise<FakeSubscription[]> {
  const state = await (await fetch(`${ORIGINS.twitch}/__control/twitch/state`)).json<{ subscriptions: FakeSubscription[] }>();
  return state.subscriptions.filter((s) => Object.values(s.condition).includes(broadcasterId));
}

async function twitchConnection(tenant: SeededTenant, user: SeededUser = tenant.owner) {
  const res = await call(`/api/t/${tenant.tenantId}/streams/connections`, asUser(user));
  expect(res.status).toBe(200);
  const slot = (await res.json<MyConnections>()).platforms.find((p) => p.platform === "twitch");
  const connection = slot?.connection;
  if (!connection) throw new Error("no Twitch connection");
  return connection;
}

/** The subscriptions are created after the callback's redirect: wait until all of them have an outcome. */
async function settledEventSub(tenant: SeededTenant, wanted: number) {
  await vi.waitFor(async () => expect((await twitchConnection(tenant)).eventSub?.wanted).toBe(wanted), WAIT);
  return (await twitchConnection(tenant)).eventSub;
}

const retry = (tenant: SeededTenant, connectionId: string, user: SeededUser = tenant.owner) =>
  call(`/api/t/${tenant.tenantId}/streams/connections/${connectionId}/eventsub/retry`, asUser(user, { method: "POST" }));

describe("Twitch EventSub status per connection", () => {
  it("a refused subscription is stored with the missing scope; Retry asks again; reconnecting with the scope fixes it", async () => {
    const tenant = await withDb((db) => seedTenant(db, "EventSub refusal lab"));
    const account = { id: accountId("twitch"), login: "noscopes" };
    // The consent grants everything but bits:read (a token from before the app asked for it).
    const authorize = new URL(await startConnect(tenant.tenantId, tenant.owner, "twitch"));
    authorize.searchParams.set("scope", (authorize.searchParams.get("scope") ?? "").split(" ").filter((s) => s !== "bits:read").join(" "));
    expect(await callback(await consent(authorize.toString(), account), tenant.owner)).toContain("connected=twitch");

    expect(await settledEventSub(tenant, 6)).toEqual({
      wanted: 6,
      subscribed: 5,
      failures: [{ type: "channel.cheer", state: "failed", reason: "missing scope bits:read", needsReconnect: true, since: expect.any(String) }],
    });
    expect((await subscriptionsOf(account.id)).map((s) => s.type)).not.toContain("channel.cheer");

    // Retry asks Twitch again, which still refuses: the failure stays, nothing else is touched.
    const connection = await twitchConnection(tenant);
    const res = await retry(tenant, connection.id);
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await res.json<{ eventSub: unknown }>()).eventSub).toMatchObject({ wanted: 6, subscribed: 5, failures: [{ type: "channel.cheer", reason: "missing scope bits:read" }] });
    expect(await subscriptionsOf(account.id)).toHaveLength(5);
    const audits = await withDb((db) => db.select().from(auditLog).where(and(eq(auditLog.tenantId, tenant.tenantId), eq(auditLog.action, "connection.eventsub.retry"))));
    expect(audits).toMatchObject([{ targetId: connection.id, details: { created: 0, failed: ["channel.cheer"] } }]);

    // Reconnect asks for every base scope again: all six subscribed, none duplicated.
    await connect(tenant.tenantId, tenant.owner, "twitch", account);
    await vi.waitFor(async () => expect((await twitchConnection(tenant)).eventSub).toEqual({ wanted: 6, subscribed: 6, failures: [] }), WAIT);
    expect((await subscriptionsOf(account.id)).map((s) => s.type).sort()).toEqual([
      "channel.cheer",
      "channel.follow",
      "channel.raid",
      "channel.subscribe",
      "channel.subscription.gift",
      "channel.subscription.message",
    ]);
  });

  it("a subscription revoked for failed deliveries or a retired version is re-created by itself, after the webhook's answer", async () => {
    const tenant = await withDb((db) => seedTenant(db, "EventSub revocation lab"));
    const account = { id: accountId("twitch"), login: "revoked" };
    await connect(tenant.tenantId, tenant.owner, "twitch", account);
    expect(await settledEventSub(tenant, 6)).toMatchObject({ subscribed: 6, failures: [] });

    for (const [type, status] of [["channel.cheer", "notification_failures_exceeded"], ["channel.raid", "version_removed"]] as const) {
      const before = (await subscriptionsOf(account.id)).find((s) => s.type === type) as FakeSubscription;
      // Twitch gives up on the subscription and says so at the callback; the answer does not wait for the re-creation.
      const signed = await fake<Signed>(ORIGINS.twitch, "/__control/twitch/sign", { messageType: "revocation", subscriptionType: type, subscriptionId: before.id, status });
      expect((await deliver("/webhooks/twitch", signed)).status).toBe(204);
      // Twitch's dead copy is deleted and a new one created: one of that type, with another id, the status healthy again.
      await vi.waitFor(async () => {
        const now = (await subscriptionsOf(account.id)).filter((s) => s.type === type);
        expect(now).toHaveLength(1);
        expect(now[0]?.id).not.toBe(before.id);
      }, WAIT);
      await vi.waitFor(async () => expect((await twitchConnection(tenant)).eventSub).toEqual({ wanted: 6, subscribed: 6, failures: [] }), WAIT);
    }
    expect(await subscriptionsOf(account.id)).toHaveLength(6);
  });

  it("a subscription whose authorization was withdrawn stays revoked and asks for a reconnect; Retry re-creates it on demand", async () => {
    const tenant = await withDb((db) => seedTenant(db, "EventSub withdrawn lab"));
    const account = { id: accountId("twitch"), login: "withdrawn" };
    await connect(tenant.tenantId, tenant.owner, "twitch", account);
    expect(await settledEventSub(tenant, 6)).toMatchObject({ subscribed: 6, failures: [] });

    const follow = (await subscriptionsOf(account.id)).find((s) => s.type === "channel.follow") as FakeSubscription;
    const withdrawn = await fake<Signed>(ORIGINS.twitch, "/__control/twitch/sign", { messageType: "revocation", subscriptionType: "channel.follow", subscriptionId: follow.id, status: "authorization_revoked" });
    expect((await deliver("/webhooks/twitch", withdrawn)).status).toBe(204);
    await vi.waitFor(async () => expect((await twitchConnection(tenant)).eventSub?.subscribed).toBe(5), WAIT);
    expect((await twitchConnection(tenant)).eventSub?.failures).toEqual([
      { type: "channel.follow", state: "revoked", reason: "revoked by Twitch: the broadcaster withdrew this app's authorization", needsReconnect: true, since: expect.any(String) },
    ]);
    // Nothing re-created it: Twitch still holds only the revoked copy.
    expect((await subscriptionsOf(account.id)).filter((s) => s.type === "channel.follow").map((s) => s.id)).toEqual([follow.id]);

    // Retry deletes Twitch's dead copy and creates a new one.
    const connection = await twitchConnection(tenant);
    const res = await retry(tenant, connection.id);
    expect(res.status, await res.clone().text()).toBe(200);
    expect((await res.json<{ eventSub: unknown }>()).eventSub).toEqual({ wanted: 6, subscribed: 6, failures: [] });
    const follows = (await subscriptionsOf(account.id)).filter((s) => s.type === "channel.follow");
    expect(follows).toHaveLength(1);
    expect(follows[0]?.id).not.toBe(follow.id);
  });

  it("with the chat bot's scopes, channel.chat.message is subscribed too (the bot's commands, the inbox's mentions)", async () => {
    const tenant = await withDb((db) => seedTenant(db, "EventSub chat lab"));
    const account = { id: accountId("twitch"), login: "chatty" };
    await connect(tenant.tenantId, tenant.owner, "twitch", account, { feature: "chatbot" });
    expect(await settledEventSub(tenant, 7)).toEqual({ wanted: 7, subscribed: 7, failures: [] });
    const chat = (await subscriptionsOf(account.id)).filter((s) => s.type === "channel.chat.message");
    expect(chat.map((s) => s.condition)).toEqual([{ broadcaster_user_id: account.id, user_id: account.id }]);
  });

  it("only the owner or an admin of the connection's tenant may retry", async () => {
    const tenant = await withDb((db) => seedTenant(db, "EventSub access lab"));
    const other = await withDb((db) => seedTenant(db, "EventSub other lab"));
    await connect(tenant.tenantId, tenant.owner, "twitch", { id: accountId("twitch"), login: "guarded" });
    const connection = await twitchConnection(tenant);

    expect((await retry(tenant, connection.id, tenant.members.viewer)).status).toBe(403);
    // An operator may manage their own connections, not another member's: the same 404 as a missing one.
    expect((await retry(tenant, connection.id, tenant.members.operator)).status).toBe(404);
    expect((await retry(other, connection.id, other.owner)).status).toBe(404);
    const anonymous = await call(`/api/t/${tenant.tenantId}/streams/connections/${connection.id}/eventsub/retry`, { method: "POST", headers: { origin: "http://localhost" } });
    expect(anonymous.status).toBe(401);
    const malformed = await retry(tenant, "pcn_not-an-id");
    expect(malformed.status).toBe(404);
    expect((await malformed.json<{ error: { code: string } }>()).error.code).toBe("NOT_FOUND");
    expect((await retry(tenant, connection.id, tenant.members.admin)).status).toBe(200);
  });
});

// Connecting Twitch feeds the inbox: the channel becomes an inbox source of the tenant (streamer = the member who
// connected), and after the callback the six EventSub subscriptions the inbox reads exist at (fake) Twitch with the
// right conditions and our webhook as callback; creating them again finds them all existing.
import { inboxSources } from "@nebula/schema";
import { and, eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { subscribeTwitchEvents } from "../../src/connections/connection-inbox.ts";
import { seedTenant, withDb } from "../support/seed.ts";
import { ORIGINS, accountId, connect, connectionOf, withDeps } from "./connection-harness.ts";

interface FakeSubscription {
  type: string;
  version: string;
  condition: Record<string, string>;
  transport: { method: string; callback: string };
}

async function subscriptionsOf(broadcasterId: string): Promise<FakeSubscription[]> {
  const res = await fetch(`${ORIGINS.twitch}/__control/twitch/state`);
  const state = await res.json<{ subscriptions: FakeSubscription[] }>();
  return state.subscriptions.filter((s) => Object.values(s.condition).includes(broadcasterId));
}

describe("connecting Twitch feeds the inbox", () => {
  it("registers the channel as an inbox source and creates the six EventSub subscriptions", async () => {
    const tenant = await withDb((db) => seedTenant(db, "Connection inbox lab"));
    const account = { id: accountId("twitch"), login: "inboxconnector" };
    const { landing } = await connect(tenant.tenantId, tenant.owner, "twitch", account);
    expect(landing).toContain("connected=twitch");
    expect((await connectionOf(tenant.tenantId, tenant.owner.userId, "twitch"))?.platformUserId).toBe(account.id);

    const sources = await withDb((db) => db.select().from(inboxSources).where(and(eq(inboxSources.tenantId, tenant.tenantId), eq(inboxSources.broadcasterId, account.id))));
    expect(sources).toMatchObject([{ platform: "twitch", streamerUserId: tenant.owner.userId }]);

    // Created after the redirect was sent: wait until all six have arrived at the fake.
    await vi.waitFor(async () => expect((await subscriptionsOf(account.id)).length).toBe(6), { timeout: 15_000, interval: 50 });
    const subs = await subscriptionsOf(account.id);
    const b = { broadcaster_user_id: account.id };
    expect(subs.map(({ type, version, condition }) => ({ type, version, condition })).sort((x, y) => x.type.localeCompare(y.type))).toEqual([
      { type: "channel.cheer", version: "1", condition: b },
      { type: "channel.follow", version: "2", condition: { ...b, moderator_user_id: account.id } },
      { type: "channel.raid", version: "1", condition: { to_broadcaster_user_id: account.id } },
      { type: "channel.subscribe", version: "1", condition: b },
      { type: "channel.subscription.gift", version: "1", condition: b },
      { type: "channel.subscription.message", version: "1", condition: b },
    ]);
    for (const s of subs) expect(s.transport).toEqual({ method: "webhook", callback: "http://localhost/webhooks/twitch" });

    // A reconnect asks again: every subscription already exists, nothing is duplicated.
    const connection = await connectionOf(tenant.tenantId, tenant.owner.userId, "twitch");
    if (!connection) throw new Error("not connected");
    expect(await withDeps(new Date(), (deps) => subscribeTwitchEvents(deps, connection))).toEqual({ created: 0, existed: 6, failed: [] });
    expect((await subscriptionsOf(account.id)).length).toBe(6);
  });
});

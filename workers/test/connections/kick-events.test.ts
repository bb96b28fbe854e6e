// Kick channels are actually subscribed: connecting Kick registers the channel as an inbox source and, after the
// callback, the fake Kick holds exactly the inbox's five webhook subscriptions (a reconnect creates none again);
// adding the channel as a chat-bot channel adds chat.message.sent; a channel added as an inbox source alone is
// subscribed too; go-live's own subscription is not duplicated either; and what Kick refuses (one event, or a 429) shows on the Streams page as a status with its reason,
// which Retry clears once Kick accepts (after a 429, once its Retry-After has passed).
import { eventSubSubscriptions, inboxSources } from "@nebula/schema";
import type { MyConnections } from "@nebula/schema/api/connections";
import { and, eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { ensureKickSubscription } from "../../src/go-live/subscriptions.ts";
import { withDeps as withGoLiveDeps } from "../go-live/go-live-harness.ts";
import { type SeededTenant, asUser, seedTenant, withDb } from "../support/seed.ts";
import { ORIGINS, accountId, call, connect, connectionOf } from "./connection-harness.ts";

const WAIT = { timeout: 15_000, interval: 50 };
const INBOX_EVENTS = ["channel.followed", "channel.subscription.gifts", "channel.subscription.new", "channel.subscription.renewal", "kicks.gifted"];

interface FakeKickSubscription {
  broadcaster_user_id: number;
  name: string;
  version: number;
  id: string;
}

async function kickControl(path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${ORIGINS.kick}/__control/kick/${path}`, body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return res.json();
}

async function subscriptionsAtKick(broadcasterId: string): Promise<string[]> {
  const { subscriptions } = (await kickControl("state")) as { subscriptions: FakeKickSubscription[] };
  return subscriptions
    .filter((s) => s.broadcaster_user_id === Number(broadcasterId))
    .map((s) => `${s.name}@${s.version}`)
    .sort();
}

const v1 = (names: string[]) => names.map((n) => `${n}@1`).sort();

async function kickConnection(tenant: SeededTenant) {
  const res = await call(`/api/t/${tenant.tenantId}/streams/connections`, asUser(tenant.owner));
  expect(res.status).toBe(200);
  const connection = (await res.json<MyConnections>()).platforms.find((p) => p.platform === "kick")?.connection;
  if (!connection) throw new Error("no Kick connection");
  return connection;
}

const storedRows = (connectionId: string) => withDb((db) => db.select().from(eventSubSubscriptions).where(eq(eventSubSubscriptions.connectionId, connectionId)));

describe("connecting Kick subscribes its events", () => {
  it("registers the inbox source and creates exactly the five inbox subscriptions; a reconnect creates none", async () => {
    const tenant = await withDb((db) => seedTenant(db, "Kick events lab"));
    const account = { id: accountId("kick"), login: "kickconnector" };
    expect((await connect(tenant.tenantId, tenant.owner, "kick", account)).landing).toContain("connected=kick");

    const sources = await withDb((db) => db.select().from(inboxSources).where(and(eq(inboxSources.tenantId, tenant.tenantId), eq(inboxSources.broadcasterId, account.id))));
    expect(sources).toMatchObject([{ platform: "kick", streamerUserId: tenant.owner.userId }]);

    // Made after the redirect: wait until the Streams page has all five outcomes.
    await vi.waitFor(async () => expect((await kickConnection(tenant)).eventSub?.wanted).toBe(5), WAIT);
    expect((await kickConnection(tenant)).eventSub).toEqual({ wanted: 5, subscribed: 5, failures: [] });
    expect(await subscriptionsAtKick(account.id)).toEqual(v1(INBOX_EVENTS));

    // Reconnecting runs it again: it lists first and finds all five.
    const connection = await connectionOf(tenant.tenantId, tenant.owner.userId, "kick");
    if (!connection) throw new Error("not connected");
    const firstRun = Math.max(...(await storedRows(connection.id)).map((r) => r.updatedAt.getTime()));
    // With the chat bot's scopes this time: the account then speaks as the bot in its own channel (Kick chat needs them).
    expect((await connect(tenant.tenantId, tenant.owner, "kick", account, { feature: "chatbot" })).landing).toContain("connected=kick");
    await vi.waitFor(async () => expect((await storedRows(connection.id)).every((r) => r.updatedAt.getTime() > firstRun)).toBe(true), WAIT);
    expect(await subscriptionsAtKick(account.id)).toEqual(v1(INBOX_EVENTS));
    expect((await kickConnection(tenant)).eventSub).toEqual({ wanted: 5, subscribed: 5, failures: [] });

    // The chat bot joins the channel: its chat lines are subscribed as well, nothing else twice.
    const added = await call(
      `/api/t/${tenant.tenantId}/streams/chat-bot/channels`,
      asUser(tenant.owner, { method: "POST", body: JSON.stringify({ platform: "kick", channelId: account.id, channelLogin: account.login, connectionId: connection.id, botIsModerator: true }) }),
    );
    expect(added.status, await added.clone().text()).toBe(201);
    await vi.waitFor(async () => expect((await kickConnection(tenant)).eventSub?.wanted).toBe(6), WAIT);
    expect(await subscriptionsAtKick(account.id)).toEqual(v1([...INBOX_EVENTS, "chat.message.sent"]));
    expect((await kickConnection(tenant)).eventSub).toEqual({ wanted: 6, subscribed: 6, failures: [] });
  });

  it("disconnecting Kick deletes the inbox subscriptions at Kick, unless the channel still feeds the chat bot", async () => {
    const tenant = await withDb((db) => seedTenant(db, "Kick disconnect lab"));
    const account = { id: accountId("kick"), login: "kickleaver" };
    expect((await connect(tenant.tenantId, tenant.owner, "kick", account)).landing).toContain("connected=kick");
    await vi.waitFor(async () => expect(await subscriptionsAtKick(account.id)).toEqual(v1(INBOX_EVENTS)), WAIT);
    const connection = await connectionOf(tenant.tenantId, tenant.owner.userId, "kick");
    if (!connection) throw new Error("not connected");

    const res = await call(`/api/t/${tenant.tenantId}/streams/connections/${connection.id}`, asUser(tenant.owner, { method: "DELETE" }));
    expect(res.status, await res.clone().text()).toBe(204);
    expect(await subscriptionsAtKick(account.id)).toEqual([]);
    const sources = await withDb((db) => db.select().from(inboxSources).where(and(eq(inboxSources.tenantId, tenant.tenantId), eq(inboxSources.broadcasterId, account.id))));
    expect(sources).toEqual([]);

    // Connected again and a chat-bot channel of it: the chat bot still reads the channel, so the disconnect keeps them.
    expect((await connect(tenant.tenantId, tenant.owner, "kick", account, { feature: "chatbot" })).landing).toContain("connected=kick");
    const again = await connectionOf(tenant.tenantId, tenant.owner.userId, "kick");
    if (!again) throw new Error("not connected");
    const added = await call(
      `/api/t/${tenant.tenantId}/streams/chat-bot/channels`,
      asUser(tenant.owner, { method: "POST", body: JSON.stringify({ platform: "kick", channelId: account.id, channelLogin: account.login, connectionId: again.id, botIsModerator: true }) }),
    );
    expect(added.status, await added.clone().text()).toBe(201);
    await vi.waitFor(async () => expect(await subscriptionsAtKick(account.id)).toEqual(v1([...INBOX_EVENTS, "chat.message.sent"])), WAIT);
    const second = await call(`/api/t/${tenant.tenantId}/streams/connections/${again.id}`, asUser(tenant.owner, { method: "DELETE" }));
    expect(second.status).toBe(204);
    expect(await subscriptionsAtKick(account.id)).toEqual(v1([...INBOX_EVENTS, "chat.message.sent"]));
  });

  it("a Kick channel added only as an inbox source is subscribed too", async () => {
    const tenant = await withDb((db) => seedTenant(db, "Kick inbox source lab"));
    const broadcasterId = accountId("kick");
    const res = await call(`/api/t/${tenant.tenantId}/streams/inbox/sources`, asUser(tenant.members.admin, { method: "POST", body: JSON.stringify({ platform: "kick", broadcasterId }) }));
    expect(res.status, await res.clone().text()).toBe(201);
    await vi.waitFor(async () => expect(await subscriptionsAtKick(broadcasterId)).toEqual(v1(INBOX_EVENTS)), WAIT);
  });
});

describe("go-live's Kick subscription", () => {
  it("is made once: a second ensure lists it and creates nothing", async () => {
    const broadcasterId = accountId("kick");
    expect(await withGoLiveDeps((deps) => ensureKickSubscription(deps, broadcasterId))).toBe("subscribed");
    expect(await withGoLiveDeps((deps) => ensureKickSubscription(deps, broadcasterId))).toBe("unchanged");
    expect(await subscriptionsAtKick(broadcasterId)).toEqual(["livestream.status.updated@1"]);
  });
});

describe("Kick subscription failures are a status, not a crash", () => {
  it("an event Kick refuses is shown with Kick's reason; a 429 is shown as the rate limit; Retry fixes it once Kick accepts", async () => {
    const tenant = await withDb((db) => seedTenant(db, "Kick refusal lab"));
    const account = { id: accountId("kick"), login: "kickrefused" };
    await kickControl("subscription-failures", { broadcaster_user_id: Number(account.id), events: { "kicks.gifted": "Event not available for this channel" } });

    expect((await connect(tenant.tenantId, tenant.owner, "kick", account)).landing).toContain("connected=kick");
    await vi.waitFor(async () => expect((await kickConnection(tenant)).eventSub?.wanted).toBe(5), WAIT);
    expect((await kickConnection(tenant)).eventSub).toEqual({
      wanted: 5,
      subscribed: 4,
      failures: [{ type: "kicks.gifted", state: "failed", reason: "Kick refused: Event not available for this channel", needsReconnect: false, since: expect.any(String) }],
    });
    expect(await subscriptionsAtKick(account.id)).toEqual(v1(INBOX_EVENTS.filter((e) => e !== "kicks.gifted")));

    const connectionId = (await kickConnection(tenant)).id;
    const retry = () => call(`/api/t/${tenant.tenantId}/streams/connections/${connectionId}/eventsub/retry`, asUser(tenant.owner, { method: "POST" }));

    // Kick rate-limits every call about this broadcaster (Retry-After: 1 s): Retry still answers, with the reason on each event.
    await kickControl("subscription-failures", { broadcaster_user_id: Number(account.id), status: 429, retryAfter: 1 });
    const limited = await retry();
    expect(limited.status, await limited.clone().text()).toBe(200);
    const limitedView = await limited.json<{ eventSub: { subscribed: number; failures: { reason: string }[] } }>();
    expect(limitedView.eventSub.subscribed).toBe(0);
    expect(new Set(limitedView.eventSub.failures.map((f) => f.reason))).toEqual(new Set(["Kick's rate limit was reached; retry in a minute"]));

    // Kick accepts again, but its Retry-After holds back the whole app until it has passed (a Retry before then is
    // refused here, with the same reason): the streamer presses Retry until it goes through.
    await kickControl("subscription-failures", { broadcaster_user_id: Number(account.id) });
    const fixed = await vi.waitFor(async () => {
      const res = await retry();
      expect(res.status).toBe(200);
      const view = await res.json<{ eventSub: unknown }>();
      expect(view.eventSub).toEqual({ wanted: 5, subscribed: 5, failures: [] });
      return view;
      // As a person presses it: every half second, not every 50 ms (Retry is limited to 20 a minute per user).
    }, { timeout: 15_000, interval: 500 });
    expect(fixed.eventSub).toEqual({ wanted: 5, subscribed: 5, failures: [] });
    expect(await subscriptionsAtKick(account.id)).toEqual(v1(INBOX_EVENTS));
  });
});

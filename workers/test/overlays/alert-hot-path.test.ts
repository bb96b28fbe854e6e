// A Twitch follow → the alert on a connected overlay renderer, without waiting on Postgres once the channel's owners
// and the tenant's alert overlays are cached: the warm path's only query is the inbox insert, which comes after the
// alert; with Postgres down the alert still plays, and the queue's retry stores the item without playing it twice.
// Changes to who owns the channel and to the overlays reach the next alert. A warm test alert from the editor reads no
// Postgres either, and a rotated, deleted or changed-behind-its-back overlay still gets the next one right. Postgres
// queries are counted at the local bridge under application names only this file uses.
import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { type api, overlayWire, overlays, unifiedInboxNotifications } from "@nebula/schema";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { consumeDiscordQueue } from "../../src/discord-queue/consumer.ts";
import type { Env } from "../../src/env.ts";
import { newPublicId } from "../../src/overlays/overlays.ts";
import { type Signed, TWITCH, fake } from "../go-live/go-live-harness.ts";
import { addChannel, apiCall, inboxPath, platformId, seedInboxTenant } from "../inbox/inbox-harness.ts";
import type { SeededTenant } from "../support/seed.ts";
import { asUser, withDb } from "../support/seed.ts";
import { type TestSocket, mustConnect } from "../support/sockets.ts";
import { bridgeTraffic, callWorker, envNamed, envWithPostgresDown, recordingQueue } from "../support/worker-call.ts";
import { callAs, createOverlayAs, overlaysPath, sampleDocument, sendTestAlert, socketPath } from "./support.ts";

const { queue, sent } = recordingQueue();
const appName = (what: string) => `alert-${what}-${crypto.randomUUID().slice(0, 8)}`;

/** A signed channel.follow for the channel, delivered to /webhooks/twitch under `workerEnv` (after-answer work included). */
async function follow(broadcaster: string, user: string, workerEnv: Env): Promise<void> {
  const event = { user_id: platformId(), user_login: user.toLowerCase(), user_name: user, broadcaster_user_id: broadcaster, broadcaster_user_login: "hotcaster", broadcaster_user_name: "HotCaster", followed_at: new Date().toISOString() };
  const signed = await fake<Signed>(TWITCH, "/__control/twitch/sign", { messageType: "notification", subscriptionType: "channel.follow", event, condition: { broadcaster_user_id: broadcaster } });
  const res = await callWorker("/webhooks/twitch", { method: "POST", headers: signed.headers, body: signed.body }, { ...workerEnv, DISCORD_QUEUE: queue });
  expect(res.status).toBe(204);
}

async function openRenderer(publicId: string): Promise<TestSocket> {
  const source = await mustConnect(socketPath(publicId));
  overlayWire.HelloFrame.parse(await source.nextJson());
  overlayWire.DocumentFrame.parse(await source.nextJson());
  return source;
}

const nextAlert = async (source: TestSocket) => {
  const frame = overlayWire.EventFrame.parse(await source.nextJson());
  if (frame.event.type !== "alert") throw new Error(`expected an alert, got ${frame.event.type}`);
  return { seq: frame.seq, user: frame.event.user, test: frame.event.test };
};

async function storedFollowers(tenant: SeededTenant): Promise<string[]> {
  const rows = await withDb((db) => db.select().from(unifiedInboxNotifications).where(and(eq(unifiedInboxNotifications.tenantId, tenant.tenantId), eq(unifiedInboxNotifications.type, "follow"))));
  return rows.map((r) => r.actorName).sort();
}

let tenant: SeededTenant;
let broadcaster: string;
let main: api.OverlayView;
let renderer: TestSocket;

beforeAll(async () => {
  tenant = await seedInboxTenant("Alert hot path lab");
  broadcaster = platformId();
  main = await createOverlayAs(tenant.members.operator, tenant, { name: "Main", document: sampleDocument() });
  renderer = await openRenderer(main.publicId);
});

describe("follow → overlay alert", () => {
  it("a warm follow plays its alert with no Postgres query before it; the inbox insert is the only one", async () => {
    // A follow before the channel is anyone's: nothing plays (and "nobody" is what gets cached for the channel).
    await follow(broadcaster, "Early", envNamed(appName("unowned")));
    // Adding the channel drops that answer: the next follow finds the tenant.
    await addChannel(tenant, "twitch", broadcaster);

    const cold = appName("cold");
    await follow(broadcaster, "First", envNamed(cold));
    expect(await nextAlert(renderer)).toEqual({ seq: 1, user: "First", test: false });
    // Cold: the channel's owners (two sources), the tenant's alert overlays, then the insert.
    expect((await bridgeTraffic(cold)).queries).toBe(4);

    const warm = appName("warm");
    await follow(broadcaster, "Second", envNamed(warm));
    expect(await nextAlert(renderer)).toEqual({ seq: 2, user: "Second", test: false });
    expect(await bridgeTraffic(warm)).toEqual({ connections: 1, queries: 1 });
    expect(await storedFollowers(tenant)).toEqual(["First", "Second"]);
  });

  it("with Postgres down the alert still plays; the queue's retry stores the follow and plays nothing again", async () => {
    sent.length = 0;
    await follow(broadcaster, "Outage", envWithPostgresDown(appName("down")));
    expect(await nextAlert(renderer)).toEqual({ seq: 3, user: "Outage", test: false });
    expect(await storedFollowers(tenant)).toEqual(["First", "Second"]);

    // The live run failed on the insert and let go of its claim: the queued copy runs it all again.
    const batch = createMessageBatch("nebula-discord", sent.map((body, i) => ({ id: `alert-${i}-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body })));
    const ctx = createExecutionContext();
    await consumeDiscordQueue(batch, env as Env, ctx);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toHaveLength(1);
    expect(await storedFollowers(tenant)).toEqual(["First", "Outage", "Second"]);

    // The room skipped the retry's alert (same Twitch message id): the next event on the renderer is a test alert.
    expect((await sendTestAlert(tenant.members.operator, tenant, main.id)).status).toBe(200);
    expect(await nextAlert(renderer)).toEqual({ seq: 4, user: expect.any(String), test: true });
  });

  it("overlay and channel changes reach the next alert: a new overlay plays it, an overlay without alert layers gets nothing, a removed channel plays nothing", async () => {
    const second = await createOverlayAs(tenant.members.operator, tenant, { name: "Second", document: sampleDocument() });
    const plain = await createOverlayAs(tenant.members.operator, tenant, { name: "BRB", document: { ...sampleDocument(), layers: sampleDocument().layers.filter((l) => l.type === "text" || l.type === "image") } });
    const secondRenderer = await openRenderer(second.publicId);
    const plainRenderer = await openRenderer(plain.publicId);

    await follow(broadcaster, "Third", envNamed(appName("after-create")));
    expect(await nextAlert(renderer)).toMatchObject({ seq: 5, user: "Third" });
    expect(await nextAlert(secondRenderer)).toMatchObject({ seq: 1, user: "Third" });

    // Giving the BRB screen an alert box makes it a target from the next follow on.
    const withAlertBox = { ...sampleDocument(), layers: sampleDocument().layers.filter((l) => l.type !== "goal-bar") };
    const saved = await callAs(tenant.members.operator, "PATCH", overlaysPath(tenant, `/${plain.id}`), { version: plain.version, document: withAlertBox });
    expect(saved.status).toBe(200);
    overlayWire.DocumentFrame.parse(await plainRenderer.nextJson());

    const sources = await apiCall<{ items: api.InboxSourceView[] }>(tenant.members.admin, "GET", inboxPath(tenant.tenantId, "/sources"));
    await follow(broadcaster, "Fourth", envNamed(appName("after-save")));
    // The BRB screen's first event is this follow: the one before it never reached it.
    expect(await nextAlert(plainRenderer)).toMatchObject({ seq: 1, user: "Fourth" });
    expect(await nextAlert(renderer)).toMatchObject({ seq: 6, user: "Fourth" });

    for (const source of sources.items) await apiCall(tenant.members.admin, "DELETE", inboxPath(tenant.tenantId, `/sources/${source.id}`), undefined, 204);
    await follow(broadcaster, "Gone", envNamed(appName("after-remove")));
    expect((await sendTestAlert(tenant.members.operator, tenant, main.id)).status).toBe(200);
    expect(await nextAlert(renderer)).toMatchObject({ seq: 7, test: true });
    for (const socket of [renderer, secondRenderer, plainRenderer]) socket.close();
  });
});

describe("test alert → overlay", () => {
  it("a warm test alert reads no Postgres; after a rotation, a change made straight in Postgres and a deletion the next one still lands right", async () => {
    const overlay = await createOverlayAs(tenant.members.operator, tenant, { name: "Test alerts", document: sampleDocument() });
    const testAlert = (applicationName: string) =>
      callWorker(overlaysPath(tenant, `/${overlay.id}/test-alert`), asUser(tenant.members.operator, { method: "POST", body: JSON.stringify({ kind: "follow" }) }), envNamed(applicationName));
    const source = await openRenderer(overlay.publicId);

    // Cold, the overlay's public id (the room's name) is read once and remembered with the session and the role.
    expect((await testAlert(appName("test-cold"))).status).toBe(200);
    expect(await nextAlert(source)).toMatchObject({ seq: 1, test: true });
    const warm = appName("test-warm");
    const res = await testAlert(warm);
    expect(await res.json()).toEqual({ seq: 2, delivered: 1 });
    expect(await nextAlert(source)).toMatchObject({ seq: 2, test: true });
    expect(await bridgeTraffic(warm)).toEqual({ connections: 0, queries: 0 });

    // A rotation drops the remembered id: the next test alert plays on the new one.
    const rotated = await callAs(tenant.members.operator, "POST", overlaysPath(tenant, `/${overlay.id}/rotate-public-id`));
    const { publicId } = await rotated.json<api.OverlayView>();
    expect((await source.closed).code).toBe(overlayWire.OVERLAY_CLOSE_NOT_FOUND);
    const renewed = await openRenderer(publicId);
    expect((await testAlert(appName("test-rotated"))).status).toBe(200);
    expect(await nextAlert(renewed)).toMatchObject({ seq: 1, test: true });

    // An id changed in Postgres behind the API's back leaves a stale one remembered: its room is no longer live, so the
    // alert goes to the id Postgres has, whose room is published on the way.
    const moved = newPublicId();
    await withDb((db) => db.update(overlays).set({ publicId: moved }).where(eq(overlays.id, overlay.id)));
    await env.OVERLAY_ROOM.getByName(publicId).revoke();
    expect(await (await testAlert(appName("test-moved"))).json()).toEqual({ seq: 1, delivered: 0 });
    const late = await mustConnect(socketPath(moved));
    expect(overlayWire.HelloFrame.parse(await late.nextJson()).lastSeq).toBe(1);
    late.close();

    // Deleted: the overlay is gone for test alerts too.
    expect((await callAs(tenant.members.operator, "DELETE", overlaysPath(tenant, `/${overlay.id}`))).status).toBe(204);
    const gone = await testAlert(appName("test-deleted"));
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
  });
});

// Goal bars bound to the inbox, as a streamer's OBS source sees them: each new follow, cheer or donation moves its
// goal once (a redelivered item never twice, an event from before the goal's start and a test alert never); the
// values survive the room restarting and the public id rotating; the editor sets a value live, and a new start puts
// the bar back at its starting value.
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import type { api, overlayWire } from "@nebula/schema";
import { beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../src/logging/logger.ts";
import { sendInboxItemsToOverlays } from "../../src/overlays/overlay-inbox.ts";
import type { OverlayRoom } from "../../src/overlays/overlay-room.ts";
import { type SeededTenant, seedTenant, withDb } from "../support/seed.ts";
import { closeRenderer, env, goalLayer, nextEvent, openRenderer, roomOf } from "./spotify-harness.ts";
import { callAs, createOverlayAs, overlaysPath, sendTestAlert } from "./support.ts";

let lab: SeededTenant;

beforeAll(async () => {
  lab = await withDb((db) => seedTenant(db, "Goal lab"));
});

let itemCount = 0;
/** An inbox event as the fan-out gets it: the item, with the platform's own id of the event. */
function item(type: api.InboxItem["type"], change: Partial<api.InboxItem> = {}): api.InboxItem & { sourceEventId: string } {
  itemCount++;
  const id = `inb_${String(Date.now() % 1e10).padStart(10, "0")}${String(itemCount).padStart(6, "0")}`;
  return {
    id,
    sourceEventId: `evt-${id}`,
    platform: "twitch",
    type,
    streamerUserId: null,
    broadcasterId: "1001",
    actor: { id: `v${itemCount}`, name: `Viewer${itemCount}`, avatarUrl: null },
    amount: null,
    currency: null,
    bits: null,
    months: null,
    count: null,
    viewers: null,
    tier: null,
    message: null,
    occurredAt: new Date().toISOString(),
    readAt: null,
    ...change,
  };
}

const fanOut = (tenant: SeededTenant, items: ReturnType<typeof item>[]) =>
  withDb((db) => sendInboxItemsToOverlays({ db, rooms: env.OVERLAY_ROOM, logger: createLogger({ test: "goals" }, "error") }, tenant.tenantId, items));

const goalsOf = async (tenant: SeededTenant, overlayId: string) => {
  const res = await callAs(tenant.members.viewer, "GET", overlaysPath(tenant, `/${overlayId}/goals`));
  expect(res.status).toBe(200);
  return Object.fromEntries((await res.json<api.OverlayGoals>()).goals.map((g) => [g.layerId, g.current]));
};

const goalsDocument = (...layers: overlayWire.OverlayLayer[]): overlayWire.OverlayDocument => ({ version: 1, canvas: { width: 1920, height: 1080 }, layers });

const anHourAgo = () => new Date(Date.now() - 3_600_000).toISOString();

describe("goal bars counting the inbox", () => {
  it("moves each goal by its metric, once per item, only since its start; survives a restart of the room", async () => {
    const since = anHourAgo();
    const document = goalsDocument(
      goalLayer("follows", { metric: "follows", since, current: 10 }),
      goalLayer("bits", { metric: "bits" }),
      goalLayer("tips", { metric: "donations" }),
      goalLayer("subs", { metric: "subs" }),
      goalLayer("manual", { current: 5 }),
    );
    const overlay = await createOverlayAs(lab.members.operator, lab, { name: "Goals", document });
    const renderer = await openRenderer(overlay.publicId);
    expect(renderer.hello.goals).toEqual({ follows: 10, bits: 0, tips: 0, subs: 0, manual: 5 });

    const follow = item("follow");
    await fanOut(lab, [follow]);
    expect((await nextEvent(renderer.socket)).event).toMatchObject({ type: "alert", kind: "follow" });
    expect((await nextEvent(renderer.socket)).event).toMatchObject({ type: "goal", layerId: "follows", current: 11 });

    // One batch: a cheer, a donation, a gift of five subs, and a follow from before the goal started.
    await fanOut(lab, [item("cheer", { bits: 300 }), item("donation", { amount: 12.5, currency: "USD", platform: "custom" }), item("gift_sub", { count: 5 }), item("follow", { occurredAt: new Date(Date.parse(since) - 60_000).toISOString() })]);
    for (const kind of ["cheer", "donation", "giftsub", "follow"]) expect((await nextEvent(renderer.socket)).event).toMatchObject({ type: "alert", kind });
    const moved = [await nextEvent(renderer.socket), await nextEvent(renderer.socket), await nextEvent(renderer.socket)].map((f) => f.event);
    expect(moved).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: "goal", layerId: "bits", current: 300 }),
        expect.objectContaining({ type: "goal", layerId: "tips", current: 12.5 }),
        expect.objectContaining({ type: "goal", layerId: "subs", current: 5 }),
      ]),
    );

    // The queue redelivers the first follow, and a test alert plays: neither counts. The next follow makes 12.
    await fanOut(lab, [follow]);
    expect((await sendTestAlert(lab.members.operator, lab, overlay.id, "follow")).status).toBe(200);
    expect((await nextEvent(renderer.socket)).event).toMatchObject({ type: "alert", kind: "follow", test: true });
    await fanOut(lab, [item("follow")]);
    expect((await nextEvent(renderer.socket)).event).toMatchObject({ type: "alert", kind: "follow", test: false });
    expect((await nextEvent(renderer.socket)).event).toMatchObject({ type: "goal", layerId: "follows", current: 12 });

    // The room is torn down (a deploy, an eviction) while the source hibernates: the values come back from storage.
    await evictDurableObject(roomOf(overlay.publicId));
    expect(await goalsOf(lab, overlay.id)).toEqual({ follows: 12, bits: 300, tips: 12.5, subs: 5, manual: 5 });
    await fanOut(lab, [item("cheer", { bits: 50 })]);
    expect((await nextEvent(renderer.socket)).event).toMatchObject({ type: "alert", kind: "cheer" });
    expect((await nextEvent(renderer.socket)).event).toMatchObject({ type: "goal", layerId: "bits", current: 350 });
    const late = await openRenderer(overlay.publicId);
    expect(late.hello.goals).toEqual({ follows: 12, bits: 350, tips: 12.5, subs: 5, manual: 5 });
    await closeRenderer(late);
    await closeRenderer(renderer);
  });

  it("lets the editor set a goal live, starts a goal over on a new start, and keeps the values across a rotated URL", async () => {
    const overlay = await createOverlayAs(lab.members.operator, lab, { name: "Reset", document: goalsDocument(goalLayer("follows", { metric: "follows", current: 3 })) });
    const renderer = await openRenderer(overlay.publicId);
    await fanOut(lab, [item("follow")]);
    await nextEvent(renderer.socket);
    expect((await nextEvent(renderer.socket)).event).toMatchObject({ type: "goal", current: 4 });

    // Set current: 200 with the value, and every source moves.
    const set = await callAs(lab.members.operator, "PUT", overlaysPath(lab, `/${overlay.id}/goals/follows`), { current: 40 });
    expect(set.status).toBe(200);
    expect(await set.json()).toEqual({ layerId: "follows", current: 40 });
    expect((await nextEvent(renderer.socket)).event).toMatchObject({ type: "goal", layerId: "follows", current: 40 });

    // Refusals: an unknown layer, a negative value, a viewer.
    const missing = await callAs(lab.members.operator, "PUT", overlaysPath(lab, `/${overlay.id}/goals/nope`), { current: 1 });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: "NOT_FOUND", message: "Goal bar not found" } });
    const negative = await callAs(lab.members.operator, "PUT", overlaysPath(lab, `/${overlay.id}/goals/follows`), { current: -1 });
    expect(negative.status).toBe(400);
    expect(await negative.json()).toMatchObject({ error: { code: "BAD_REQUEST" } });
    expect((await callAs(lab.members.viewer, "PUT", overlaysPath(lab, `/${overlay.id}/goals/follows`), { current: 1 })).status).toBe(403);

    // Renaming the bar keeps its value; a new start puts it back at its starting value, on every source.
    const layer = overlay.document.layers[0] as ReturnType<typeof goalLayer>;
    const rename = await callAs(lab.members.operator, "PATCH", overlaysPath(lab, `/${overlay.id}`), { version: 1, document: { ...overlay.document, layers: [{ ...layer, label: "Followers!" }] } });
    expect(rename.status).toBe(200);
    expect((await renderer.socket.nextJson()).type).toBe("document");
    expect(await goalsOf(lab, overlay.id)).toEqual({ follows: 40 });
    const restart = await callAs(lab.members.operator, "PATCH", overlaysPath(lab, `/${overlay.id}`), { version: 2, document: { ...overlay.document, layers: [{ ...layer, label: "Followers!", since: new Date().toISOString() }] } });
    expect(restart.status).toBe(200);
    expect((await renderer.socket.nextJson()).type).toBe("document");
    expect((await nextEvent(renderer.socket)).event).toMatchObject({ type: "goal", layerId: "follows", current: 3 });

    // A new public id: the old source is cut off, the goal stands where it was under the new one.
    await fanOut(lab, [item("follow")]);
    await nextEvent(renderer.socket);
    expect((await nextEvent(renderer.socket)).event).toMatchObject({ type: "goal", current: 4 });
    const rotated = await callAs(lab.members.operator, "POST", overlaysPath(lab, `/${overlay.id}/rotate-public-id`));
    expect(rotated.status).toBe(200);
    expect((await renderer.socket.closed).code).toBe(4404);
    const fresh = await openRenderer((await rotated.json<api.OverlayView>()).publicId);
    expect(fresh.hello.goals).toEqual({ follows: 4 });
    await closeRenderer(fresh);
  });

  it("a room published before goal bars counted learns them from its document when it next starts", async () => {
    const overlay = await createOverlayAs(lab.members.operator, lab, { name: "Older", document: goalsDocument(goalLayer("follows", { metric: "follows", current: 7 })) });
    // What such a room holds: the document, and nothing of goals.
    await runInDurableObject(roomOf(overlay.publicId), async (_room: OverlayRoom, state) => {
      state.storage.kv.delete("live-state:v1");
      state.storage.sql.exec("DELETE FROM goals");
    });
    await evictDurableObject(roomOf(overlay.publicId));
    expect(await goalsOf(lab, overlay.id)).toEqual({ follows: 7 });
    const renderer = await openRenderer(overlay.publicId);
    await fanOut(lab, [item("follow")]);
    await nextEvent(renderer.socket);
    expect((await nextEvent(renderer.socket)).event).toMatchObject({ type: "goal", layerId: "follows", current: 8 });
    await closeRenderer(renderer);
  });
});

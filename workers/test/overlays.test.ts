// OBS sources and their OverlayRoom: a source gets hello + the document, then numbered events; one that drops and
// comes back with ?since= gets exactly what it missed, in order; an editor save reaches every source; a rotated or
// unknown public id is refused with 4404; pings are answered without waking the room.
import { env, exports } from "cloudflare:workers";
import { type api, overlayWire } from "@nebula/schema";
import { beforeAll, describe, expect, it } from "vitest";
import { randomToken } from "../src/crypto/tokens.ts";
import { type SeededTenant, seedTenant, url, withDb } from "./support/seed.ts";
import { type TestSocket, connect, mustConnect } from "./support/sockets.ts";
import { callAs, createOverlayAs, overlaysPath, sampleDocument, sendTestAlert, socketPath } from "./overlays/support.ts";

let lab: SeededTenant;
let other: SeededTenant;

beforeAll(async () => {
  [lab, other] = await withDb(async (db) => [await seedTenant(db, "Overlay Lab"), await seedTenant(db, "Overlay Rival")]);
});

const newOverlay = (name = "Main") => createOverlayAs(lab.members.operator, lab, { name, document: sampleDocument() });

/** Reads the two frames every connection starts with. */
async function greeting(source: TestSocket): Promise<{ hello: overlayWire.HelloFrame; document: overlayWire.DocumentFrame }> {
  const hello = overlayWire.HelloFrame.parse(await source.nextJson());
  const document = overlayWire.DocumentFrame.parse(await source.nextJson());
  return { hello, document };
}

async function nextEvent(source: TestSocket): Promise<overlayWire.EventFrame> {
  return overlayWire.EventFrame.parse(await source.nextJson());
}

describe("a source of an overlay", () => {
  it("starts with hello and the overlay's document, then gets each test alert, numbered, on every source", async () => {
    const overlay = await newOverlay();
    const sources = [await mustConnect(socketPath(overlay.publicId)), await mustConnect(socketPath(overlay.publicId))];
    for (const source of sources) {
      const { hello, document } = await greeting(source);
      expect(hello.lastSeq).toBe(0);
      expect(document.version).toBe(1);
      expect(document.document).toEqual(sampleDocument());
    }
    expect(await env.OVERLAY_ROOM.getByName(overlay.publicId).connections()).toBe(2);

    const res = await sendTestAlert(lab.members.operator, lab, overlay.id, "cheer");
    expect(res.status).toBe(200);
    expect(await res.json<api.OverlayTestResult>()).toEqual({ seq: 1, delivered: 2 });
    for (const source of sources) {
      const frame = await nextEvent(source);
      expect(frame).toMatchObject({ seq: 1, event: { type: "alert", kind: "cheer", user: "TestViewer", amount: 500, test: true } });
      source.close();
    }
  });

  it("resumes after a drop: reconnecting with ?since= gets exactly the missed events, in order, then the live ones", async () => {
    const overlay = await newOverlay();
    const first = await mustConnect(socketPath(overlay.publicId));
    await greeting(first);
    expect((await sendTestAlert(lab.members.operator, lab, overlay.id, "follow")).status).toBe(200);
    expect((await nextEvent(first)).seq).toBe(1);
    first.close();
    await first.closed;

    // While the source is away, three events happen.
    const kinds = ["sub", "raid", "donation"] as const;
    for (const kind of kinds) expect((await sendTestAlert(lab.members.operator, lab, overlay.id, kind)).status).toBe(200);

    const back = await mustConnect(socketPath(overlay.publicId, 1));
    const { hello } = await greeting(back);
    expect(hello.lastSeq).toBe(4);
    const missed = [await nextEvent(back), await nextEvent(back), await nextEvent(back)];
    expect(missed.map((f) => [f.seq, f.event.type === "alert" && f.event.kind])).toEqual([
      [2, "sub"],
      [3, "raid"],
      [4, "donation"],
    ]);
    // Nothing else was queued: the next frame is the next live event.
    expect((await sendTestAlert(lab.members.operator, lab, overlay.id, "follow")).status).toBe(200);
    expect((await nextEvent(back)).seq).toBe(5);
    back.close();
  });

  it("a fresh source (no since) gets the kept events as history after hello; one that is up to date gets none", async () => {
    const overlay = await newOverlay();
    for (const kind of ["follow", "sub"] as const) await sendTestAlert(lab.members.operator, lab, overlay.id, kind);
    const fresh = await mustConnect(socketPath(overlay.publicId));
    expect((await greeting(fresh)).hello.lastSeq).toBe(2);
    expect([(await nextEvent(fresh)).seq, (await nextEvent(fresh)).seq]).toEqual([1, 2]);

    const current = await mustConnect(socketPath(overlay.publicId, 2));
    await greeting(current);
    await sendTestAlert(lab.members.operator, lab, overlay.id, "raid");
    expect((await nextEvent(current)).seq).toBe(3);
    expect((await nextEvent(fresh)).seq).toBe(3);
    fresh.close();
    current.close();
  });

  it("sees an editor save at once: the new document arrives on the open socket", async () => {
    const overlay = await newOverlay();
    const source = await mustConnect(socketPath(overlay.publicId));
    await greeting(source);
    const moved = sampleDocument();
    const title = moved.layers[0];
    if (title) title.x = 321;
    const res = await callAs(lab.members.operator, "PATCH", overlaysPath(lab, `/${overlay.id}`), { version: 1, document: moved });
    expect(res.status).toBe(200);
    const frame = overlayWire.DocumentFrame.parse(await source.nextJson());
    expect(frame.version).toBe(2);
    expect(frame.document.layers[0]).toMatchObject({ id: "title", x: 321 });

    // A rename alone changes nothing a source shows, so nothing is sent; the next save is version 4.
    expect((await callAs(lab.members.operator, "PATCH", overlaysPath(lab, `/${overlay.id}`), { version: 2, name: "Renamed" })).status).toBe(200);
    expect((await callAs(lab.members.operator, "PATCH", overlaysPath(lab, `/${overlay.id}`), { version: 3, document: sampleDocument() })).status).toBe(200);
    expect(overlayWire.DocumentFrame.parse(await source.nextJson()).version).toBe(4);
    source.close();
  });

  it("is refused with 4404 when its public id was rotated away, and the new id works", async () => {
    const overlay = await newOverlay();
    const old = await mustConnect(socketPath(overlay.publicId));
    await greeting(old);

    const res = await callAs(lab.members.operator, "POST", overlaysPath(lab, `/${overlay.id}/rotate-public-id`));
    expect(res.status).toBe(200);
    const rotated = await res.json<api.OverlayView>();
    expect(rotated.publicId).not.toBe(overlay.publicId);
    expect(rotated.publicId).toMatch(overlayWire.OVERLAY_PUBLIC_ID_PATTERN);
    expect(rotated.publicId.length).toBeGreaterThanOrEqual(24);

    expect((await old.closed).code).toBe(overlayWire.OVERLAY_CLOSE_NOT_FOUND);
    const again = await mustConnect(socketPath(overlay.publicId));
    expect((await again.closed).code).toBe(overlayWire.OVERLAY_CLOSE_NOT_FOUND);

    const renewed = await mustConnect(socketPath(rotated.publicId));
    expect((await greeting(renewed)).document.document).toEqual(sampleDocument());
    expect(await (await sendTestAlert(lab.members.operator, lab, overlay.id)).json()).toMatchObject({ delivered: 1 });
    expect((await nextEvent(renewed)).event).toMatchObject({ type: "alert", kind: "follow" });
    renewed.close();
  });

  it("is refused with 4404 for an id that names no overlay, and for a deleted overlay", async () => {
    const unknown = await mustConnect(socketPath(randomToken("", 24)));
    expect((await unknown.closed).code).toBe(overlayWire.OVERLAY_CLOSE_NOT_FOUND);

    const overlay = await newOverlay("Doomed");
    const source = await mustConnect(socketPath(overlay.publicId));
    await greeting(source);
    expect((await callAs(lab.members.operator, "DELETE", overlaysPath(lab, `/${overlay.id}`))).status).toBe(204);
    expect((await source.closed).code).toBe(overlayWire.OVERLAY_CLOSE_NOT_FOUND);
  });

  it("answers the source's ping with pong", async () => {
    const overlay = await newOverlay();
    const source = await mustConnect(socketPath(overlay.publicId));
    await greeting(source);
    source.send(overlayWire.OVERLAY_PING);
    expect(await source.next()).toBe(overlayWire.OVERLAY_PONG);
    source.close();
  });

  it("answers 404 for a malformed public id and 426 for a plain request to the socket", async () => {
    for (const bad of ["short", "x".repeat(23), "has.dots.in.it.000000000000", "x".repeat(65)]) {
      const { socket, response } = await connect(socketPath(bad));
      expect(socket).toBeNull();
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
    }
    const plain = await exports.default.fetch(url(socketPath(randomToken("", 24))));
    expect(plain.status).toBe(426);
    expect(await plain.json()).toMatchObject({ error: { code: "UPGRADE_REQUIRED" } });
  });

  it("keeps only the last 200 events: a source far behind resumes from the oldest kept", async () => {
    const overlay = await newOverlay();
    const room = env.OVERLAY_ROOM.getByName(overlay.publicId);
    const at = new Date().toISOString();
    for (let i = 0; i < 205; i++) await room.broadcast(lab.tenantId, { type: "goal", layerId: "goal", current: i, at });
    const source = await mustConnect(socketPath(overlay.publicId, 1));
    expect((await greeting(source)).hello.lastSeq).toBe(205);
    expect((await nextEvent(source)).seq).toBe(6);
    source.close();
  });

  it("keeps chat lines apart: a busy chat never pushes a missed alert out of the history", async () => {
    const overlay = await newOverlay();
    const room = env.OVERLAY_ROOM.getByName(overlay.publicId);
    const at = new Date().toISOString();
    expect((await sendTestAlert(lab.members.operator, lab, overlay.id, "raid")).status).toBe(200);
    for (let i = 0; i < 260; i++) await room.broadcast(lab.tenantId, { type: "chat", platform: "twitch", user: "viewer", text: `line ${i}`, colour: null, at });
    const source = await mustConnect(socketPath(overlay.publicId, 0));
    expect((await greeting(source)).hello.lastSeq).toBe(261);
    const first = await nextEvent(source);
    expect(first).toMatchObject({ seq: 1, event: { type: "alert", kind: "raid" } });
    // Then only the newest OVERLAY_CHAT_HISTORY lines, in order.
    const lines: number[] = [];
    for (let i = 0; i < overlayWire.OVERLAY_CHAT_HISTORY; i++) lines.push((await nextEvent(source)).seq);
    expect(lines[0]).toBe(261 - overlayWire.OVERLAY_CHAT_HISTORY + 1);
    expect(lines.at(-1)).toBe(261);
    source.close();
  });

  it("takes no event from another tenant, even one that knows the public id", async () => {
    const overlay = await newOverlay();
    expect(await env.OVERLAY_ROOM.getByName(overlay.publicId).broadcast(other.tenantId, { type: "goal", layerId: "goal", current: 1, at: new Date().toISOString() })).toBeNull();
    const res = await sendTestAlert(other.members.owner, other, overlay.id);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
    // The owner's first alert is still seq 1.
    expect(await (await sendTestAlert(lab.members.operator, lab, overlay.id)).json()).toMatchObject({ seq: 1 });
  });

  it("serves the renderer page at /overlay/<public id> without a session", async () => {
    const overlay = await newOverlay();
    const res = await exports.default.fetch(url(`/overlay/${overlay.publicId}`));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(res.headers.get("content-security-policy")).toMatch(/media-src 'self' https: http:/);
    await res.body?.cancel();
  });
});

// OBS overlays: sources of one overlay share its OverlayRoom; the dashboard's test alert reaches every source,
// numbered, and only the tenant that owns the overlay can send to it.
import { env, exports } from "cloudflare:workers";
import { api, overlayWire } from "@nebula/schema";
import { beforeAll, describe, expect, it } from "vitest";
import { randomToken } from "../src/crypto/tokens.ts";
import { type SeededTenant, asUser, seedTenant, url, withDb } from "./support/seed.ts";
import { connect, mustConnect } from "./support/sockets.ts";

const newPublicId = () => randomToken("", 18); // 24 url-safe characters
const socketPath = (publicId: string) => `/overlay/${publicId}/ws`;
const sendTest = (tenant: SeededTenant, publicId: string) =>
  exports.default.fetch(url(`/api/t/${tenant.tenantId}/overlays/${publicId}/test`), asUser(tenant.members.operator, { method: "POST" }));

let lab: SeededTenant;
let other: SeededTenant;

beforeAll(async () => {
  [lab, other] = await withDb(async (db) => [await seedTenant(db, "Overlay Lab"), await seedTenant(db, "Overlay Rival")]);
});

describe("overlay websockets", () => {
  it("delivers a test alert to every connected source with sequence 1", async () => {
    const publicId = newPublicId();
    const sources = [await mustConnect(socketPath(publicId)), await mustConnect(socketPath(publicId))];
    expect(await env.OVERLAY_ROOM.getByName(publicId).connections()).toBe(2);

    const res = await sendTest(lab, publicId);
    expect(res.status).toBe(200);
    expect(api.OverlayTestResult.parse(await res.json())).toEqual({ seq: 1, delivered: 2 });

    for (const source of sources) {
      const frame = overlayWire.OverlayFrame.parse(await source.nextJson());
      expect(frame).toMatchObject({ type: "event", seq: 1, event: { type: "test", message: "Test alert from Nebula Command" } });
      source.close();
    }
  });

  it("answers 404 to another tenant sending to an overlay it does not own, and delivers nothing", async () => {
    const publicId = newPublicId();
    const source = await mustConnect(socketPath(publicId));
    expect((await sendTest(lab, publicId)).status).toBe(200);
    expect(await source.nextJson()).toMatchObject({ seq: 1 });

    const res = await sendTest(other, publicId);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: "NOT_FOUND" } });

    // The owner's next alert is seq 2: the rival's attempt neither reached the source nor took a number.
    expect(await (await sendTest(lab, publicId)).json()).toMatchObject({ seq: 2, delivered: 1 });
    expect(await source.nextJson()).toMatchObject({ seq: 2 });
    source.close();
  });

  it("replays missed events to a source that reconnects with ?after=", async () => {
    const publicId = newPublicId();
    for (let i = 0; i < 3; i++) expect((await sendTest(lab, publicId)).status).toBe(200);
    const source = await mustConnect(`${socketPath(publicId)}?after=1`);
    expect(await source.nextJson()).toMatchObject({ seq: 2 });
    expect(await source.nextJson()).toMatchObject({ seq: 3 });
    source.close();
  });

  it("answers the source's ping with pong", async () => {
    const source = await mustConnect(socketPath(newPublicId()));
    source.send(overlayWire.OVERLAY_PING);
    expect(await source.next()).toBe(overlayWire.OVERLAY_PONG);
    source.close();
  });

  it("answers 404 for a malformed public id and 426 for a plain request", async () => {
    for (const bad of ["short", "x".repeat(23), "has.dots.in.it.000000000000", "x".repeat(65)]) {
      const { socket, response } = await connect(socketPath(bad));
      expect(socket).toBeNull();
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: "NOT_FOUND" } });
    }
    const plain = await exports.default.fetch(url(socketPath(newPublicId())));
    expect(plain.status).toBe(426);
    expect(await plain.json()).toMatchObject({ error: { code: "UPGRADE_REQUIRED" } });
  });

  it("keeps only the last 100 events", async () => {
    const publicId = newPublicId();
    const room = env.OVERLAY_ROOM.getByName(publicId);
    expect(await room.claim(lab.tenantId)).toBe(true);
    for (let i = 0; i < 105; i++) await room.broadcast({ type: "test", message: `alert ${i}`, at: new Date().toISOString() });
    const source = await mustConnect(`${socketPath(publicId)}?after=1`);
    expect(await source.nextJson()).toMatchObject({ seq: 6 });
    source.close();
  });
});

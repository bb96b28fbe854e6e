// The overlays API as a streamer's team uses it: create, list, save with a version check (a stale save is 409),
// rename, delete; export as a JSON download and import it back; imports with unknown or bad fields are refused with
// the field's path; roles: viewers read, operators design, another tenant sees 404.
import { type api, auditLog, overlayWire } from "@nebula/schema";
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { type SeededTenant, seedTenant, withDb } from "./support/seed.ts";
import { callAs, createOverlayAs, overlaysPath, sampleDocument, sendTestAlert } from "./overlays/support.ts";

let lab: SeededTenant;
let other: SeededTenant;

beforeAll(async () => {
  [lab, other] = await withDb(async (db) => [await seedTenant(db, "Overlay API Lab"), await seedTenant(db, "Overlay API Rival")]);
});

type Issues = { error: { code: string; message: string; details: { issues: { path: string; message: string }[] } } };

describe("overlays: happy paths", () => {
  it("creates an empty overlay, lists it, saves a document over the version read, renames and deletes it", async () => {
    const op = lab.members.operator;
    const created = await createOverlayAs(op, lab, { name: "Starting soon" });
    expect(created).toMatchObject({ name: "Starting soon", version: 1, layerCount: 0, document: overlayWire.emptyOverlayDocument() });
    expect(created.id).toMatch(/^ovl_/);
    expect(created.publicId).toMatch(/^[A-Za-z0-9_-]{32}$/);

    const list = await (await callAs(lab.members.viewer, "GET", overlaysPath(lab))).json<api.OverlayList>();
    expect(list.items.find((o) => o.id === created.id)).toMatchObject({ name: "Starting soon", layerCount: 0 });

    const saved = await callAs(op, "PATCH", overlaysPath(lab, `/${created.id}`), { version: 1, document: sampleDocument() });
    expect(saved.status).toBe(200);
    expect(await saved.json()).toMatchObject({ version: 2, layerCount: 7 });

    const read = await (await callAs(lab.members.viewer, "GET", overlaysPath(lab, `/${created.id}`))).json<api.OverlayView>();
    expect(read.document).toEqual(sampleDocument());

    const renamed = await callAs(op, "PATCH", overlaysPath(lab, `/${created.id}`), { version: 2, name: "BRB" });
    expect(await renamed.json()).toMatchObject({ name: "BRB", version: 3 });

    expect((await callAs(op, "DELETE", overlaysPath(lab, `/${created.id}`))).status).toBe(204);
    expect((await callAs(op, "GET", overlaysPath(lab, `/${created.id}`))).status).toBe(404);

    const actions = await withDb((db) => db.select({ action: auditLog.action }).from(auditLog).where(and(eq(auditLog.tenantId, lab.tenantId), eq(auditLog.targetId, created.id))));
    expect(actions.map((a) => a.action).sort()).toEqual(["overlay.create", "overlay.delete", "overlay.update", "overlay.update"]);
  });

  it("exports a JSON download that imports back as a new overlay with the same document", async () => {
    const original = await createOverlayAs(lab.members.operator, lab, { name: "Gameplay / main", document: sampleDocument() });
    const res = await callAs(lab.members.viewer, "GET", overlaysPath(lab, `/${original.id}/export`));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="Gameplay-main.overlay.json"');
    const file = await res.json<api.OverlayExport>();
    expect(file).toMatchObject({ format: "nebula-overlay", formatVersion: 1, name: "Gameplay / main", document: sampleDocument() });

    const imported = await callAs(lab.members.operator, "POST", overlaysPath(lab, "/import"), file);
    expect(imported.status).toBe(201);
    const copy = await imported.json<api.OverlayView>();
    expect(copy.id).not.toBe(original.id);
    expect(copy.publicId).not.toBe(original.publicId);
    expect(copy).toMatchObject({ name: "Gameplay / main", version: 1, document: sampleDocument() });
  });
});

describe("overlays: errors", () => {
  const file = () => ({ format: "nebula-overlay", formatVersion: 1, name: "Imported", document: sampleDocument() }) as Record<string, unknown>;
  const importAs = (body: unknown) => callAs(lab.members.operator, "POST", overlaysPath(lab, "/import"), body);

  async function issuesOf(res: Response): Promise<{ path: string; message: string }[]> {
    expect(res.status).toBe(400);
    const body = await res.json<Issues>();
    expect(body.error.code).toBe("BAD_REQUEST");
    return body.error.details.issues;
  }

  it("refuses an import with an unknown field anywhere, naming it", async () => {
    const top = { ...file(), theme: "dark" };
    expect(await issuesOf(await importAs(top))).toEqual([expect.objectContaining({ path: "", message: expect.stringContaining('"theme"') })]);

    const doc = sampleDocument();
    const withExtra = { ...file(), document: { ...doc, layers: [{ ...doc.layers[0], blink: true }, ...doc.layers.slice(1)] } };
    expect(await issuesOf(await importAs(withExtra))).toEqual([expect.objectContaining({ path: "document.layers.0", message: expect.stringContaining('"blink"') })]);

    const alertDoc = sampleDocument();
    const box = alertDoc.layers[2] as Record<string, unknown> & { alerts: Record<string, Record<string, unknown>> };
    box.alerts.follow = { ...box.alerts.follow, gif: "x" };
    expect((await issuesOf(await importAs({ ...file(), document: alertDoc })))[0]?.path).toBe("document.layers.2.alerts.follow");
  });

  it("refuses bad values with the field's path: colour, layer type, duplicate ids, URL scheme, format", async () => {
    const doc = sampleDocument() as { layers: Record<string, unknown>[] };
    (doc.layers[0] as Record<string, unknown>).colour = "red";
    (doc.layers[1] as Record<string, unknown>).url = "javascript:alert(1)";
    (doc.layers[3] as Record<string, unknown>).id = "title";
    const issues = await issuesOf(await importAs({ ...file(), document: doc }));
    expect(issues.map((i) => i.path).sort()).toEqual(["document.layers.0.colour", "document.layers.1.url", "document.layers.3.id"]);
    expect(issues.find((i) => i.path === "document.layers.3.id")?.message).toBe('Duplicate layer id "title"');

    const badType = sampleDocument() as { layers: Record<string, unknown>[] };
    (badType.layers[0] as Record<string, unknown>).type = "video";
    expect((await issuesOf(await importAs({ ...file(), document: badType })))[0]?.path).toBe("document.layers.0.type");

    expect((await issuesOf(await importAs({ ...file(), format: "streamlabs" })))[0]?.path).toBe("format");
    expect(await issuesOf(await importAs({ name: "only a name" }))).toEqual(expect.arrayContaining([expect.objectContaining({ path: "document" })]));
  });

  it("answers 409 with the current version to a save over a stale one, and keeps the newer save", async () => {
    const overlay = await createOverlayAs(lab.members.operator, lab, { name: "Contended" });
    const path = overlaysPath(lab, `/${overlay.id}`);
    expect((await callAs(lab.members.operator, "PATCH", path, { version: 1, document: sampleDocument() })).status).toBe(200);
    const stale = await callAs(lab.members.admin, "PATCH", path, { version: 1, name: "Mine" });
    expect(stale.status).toBe(409);
    expect(await stale.json()).toMatchObject({ error: { code: "CONFLICT", details: { currentVersion: 2 } } });
    expect(await (await callAs(lab.members.viewer, "GET", path)).json()).toMatchObject({ name: "Contended", version: 2, layerCount: 7 });
  });

  it("refuses a save that changes nothing, and 404s an overlay id that names nothing", async () => {
    const overlay = await createOverlayAs(lab.members.operator, lab, { name: "Empty save" });
    expect((await callAs(lab.members.operator, "PATCH", overlaysPath(lab, `/${overlay.id}`), { version: 1 })).status).toBe(400);
    expect((await callAs(lab.members.operator, "GET", overlaysPath(lab, "/ovl_0000000000000000"))).status).toBe(404);
  });
});

describe("overlays: security", () => {
  it("lets viewers read and export but not design, rotate or send test alerts", async () => {
    const overlay = await createOverlayAs(lab.members.operator, lab, { name: "Viewer check" });
    const viewer = lab.members.viewer;
    expect((await callAs(viewer, "GET", overlaysPath(lab, `/${overlay.id}`))).status).toBe(200);
    expect((await callAs(viewer, "GET", overlaysPath(lab, `/${overlay.id}/export`))).status).toBe(200);
    for (const [method, path, body] of [
      ["POST", overlaysPath(lab), { name: "nope" }],
      ["PATCH", overlaysPath(lab, `/${overlay.id}`), { version: 1, name: "nope" }],
      ["DELETE", overlaysPath(lab, `/${overlay.id}`), undefined],
      ["POST", overlaysPath(lab, `/${overlay.id}/rotate-public-id`), undefined],
      ["POST", overlaysPath(lab, "/import"), { format: "nebula-overlay", formatVersion: 1, name: "x", document: sampleDocument() }],
    ] as const) {
      const res = await callAs(viewer, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    expect((await sendTestAlert(viewer, lab, overlay.id)).status).toBe(403);
    expect((await sendTestAlert(lab.members.operator, lab, overlay.id)).status).toBe(200);
  });

  it("answers another tenant's owner with 404 for every action on an overlay it does not own, and changes nothing", async () => {
    const overlay = await createOverlayAs(lab.members.operator, lab, { name: "Private" });
    const rival = other.members.owner;
    const on = (rest: string) => overlaysPath(other, `/${overlay.id}${rest}`);
    for (const [method, path, body] of [
      ["GET", on(""), undefined],
      ["GET", on("/export"), undefined],
      ["PATCH", on(""), { version: 1, name: "Stolen" }],
      ["POST", on("/rotate-public-id"), undefined],
      ["POST", on("/test-alert"), { kind: "follow" }],
      ["DELETE", on(""), undefined],
    ] as const) {
      const res = await callAs(rival, method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    expect((await (await callAs(rival, "GET", overlaysPath(other))).json<api.OverlayList>()).items.some((o) => o.id === overlay.id)).toBe(false);
    expect(await (await callAs(lab.members.viewer, "GET", overlaysPath(lab, `/${overlay.id}`))).json()).toMatchObject({ name: "Private", version: 1, publicId: overlay.publicId });
  });
});

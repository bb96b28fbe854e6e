// A tenant's OBS overlays: create, save (optimistic concurrency on `version`), delete, export/import as JSON, rotate
// the public id, and send events to the overlay's OverlayRoom. Postgres is the truth; every change that a source
// must see is pushed to the room, which is all a source ever talks to.
import { type Actor, recordAudit } from "../audit/audit.ts";
import { api, newId, overlays, overlayWire } from "@nebula/schema";
import { and, asc, eq, sql } from "drizzle-orm";
import type { Cache } from "../cache/cache.ts";
import { randomToken } from "../crypto/tokens.ts";
import type { Db } from "../db/client.ts";
import type { Env } from "../env.ts";
import { AppError, notFound } from "../errors/app-error.ts";
import { iso } from "../http/respond.ts";
import type { BroadcastResult, OverlayRoom } from "./overlay-room.ts";

export interface OverlayDeps {
  db: Db;
  rooms: Env["OVERLAY_ROOM"];
  now: () => Date;
  requestId?: string;
  /**
   * Holds the tenant's alert overlays for the inbox's fan-out (overlay-inbox.ts), which every change below drops, and
   * each overlay's public id for the calls to its room (callRoom).
   */
  cache?: Cache;
}

export const overlayAlertTargetsKey = (tenantId: string) => `overlays:alert-targets:${tenantId}`;
/** The tenant's overlays with a chat box, for the chat fan-out (overlay-chat.ts). */
export const overlayChatTargetsKey = (tenantId: string) => `overlays:chat-targets:${tenantId}`;

/** After an overlay is created, deleted, given a new public id or a new document: the next alert (or chat line) reads Postgres. */
export async function forgetOverlayAlertTargets(cache: Cache | undefined, tenantId: string): Promise<void> {
  await Promise.all([cache?.delete(overlayAlertTargetsKey(tenantId)), cache?.delete(overlayChatTargetsKey(tenantId))]);
}

/** An overlay's public id, which names its room; only a rotation changes it, and a deletion ends it (both drop the key). */
const overlayRoomKey = (tenantId: string, overlayId: string) => `overlays:room:${tenantId}:${overlayId}`;
/**
 * Long: a room only ever answers its own tenant's live overlay (callRoom reads Postgres when it does not), so an entry
 * made stale elsewhere costs one extra room call, never a wrong one. Short would make the first test alert after a quiet
 * spell wait on Postgres, which Neon may first have to wake.
 */
const ROOM_TTL_SECONDS = 24 * 60 * 60;

type Row = typeof overlays.$inferSelect;

const overlayNotFound = () => notFound("Overlay");

/** 24 random bytes: 32 url-safe characters, the OBS source's only credential. */
export const newPublicId = () => randomToken("", 24);

export function overlaySummary(row: Row): api.OverlaySummary {
  return {
    id: row.id,
    name: row.name,
    publicId: row.publicId,
    version: row.version,
    layerCount: row.document.layers.length,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

export const overlayView = (row: Row): api.OverlayView => ({ ...overlaySummary(row), document: row.document });

/** The room keeps the document and sends it on every connect: its size is bounded. */
function refuseOversized(document: overlayWire.OverlayDocument): void {
  const bytes = new TextEncoder().encode(JSON.stringify(document)).length;
  if (bytes > api.OVERLAY_DOCUMENT_MAX_BYTES) {
    throw new AppError("PAYLOAD_TOO_LARGE", `The overlay is ${bytes} bytes as JSON; the limit is ${api.OVERLAY_DOCUMENT_MAX_BYTES}`);
  }
}

async function oneRow(db: Pick<Db, "select">, tenantId: string, overlayId: string): Promise<Row> {
  const [row] = await db.select().from(overlays).where(and(eq(overlays.id, overlayId), eq(overlays.tenantId, tenantId))).limit(1);
  if (!row) throw overlayNotFound();
  return row;
}

/** Pushes the overlay's current document to its room (which makes the room live for its sources). */
export const publishOverlay = (deps: OverlayDeps, row: Row) =>
  deps.rooms.getByName(row.publicId).publish({ tenantId: row.tenantId, overlayId: row.id, version: row.version, document: row.document });

export async function listOverlays(deps: OverlayDeps, tenantId: string): Promise<api.OverlayList> {
  const rows = await deps.db.select().from(overlays).where(eq(overlays.tenantId, tenantId)).orderBy(asc(overlays.name), asc(overlays.createdAt));
  return { items: rows.map(overlaySummary) };
}

export async function getOverlay(deps: OverlayDeps, tenantId: string, overlayId: string): Promise<Row> {
  return oneRow(deps.db, tenantId, overlayId);
}

export async function createOverlay(deps: OverlayDeps, tenantId: string, input: api.CreateOverlayRequest, actor: Actor, action = "overlay.create"): Promise<Row> {
  const document = input.document ?? overlayWire.emptyOverlayDocument();
  refuseOversized(document);
  const now = deps.now();
  const row = await deps.db.transaction(async (tx) => {
    const [created] = await tx
      .insert(overlays)
      .values({ id: newId("overlay"), tenantId, name: input.name, publicId: newPublicId(), document, version: 1, createdAt: now, updatedAt: now })
      .returning();
    if (!created) throw new AppError("INTERNAL", "Overlay insert returned nothing");
    await recordAudit(tx, actor, { tenantId, action, targetType: "overlay", targetId: created.id, details: { name: created.name } }, deps.requestId);
    return created;
  });
  await forgetOverlayAlertTargets(deps.cache, tenantId);
  await publishOverlay(deps, row);
  return row;
}

/** Saves a name and/or document over the version the editor read; a newer one answers 409 with the current version. */
export async function updateOverlay(deps: OverlayDeps, tenantId: string, overlayId: string, input: api.UpdateOverlayRequest, actor: Actor): Promise<Row> {
  if (input.document) refuseOversized(input.document);
  const row = await deps.db.transaction(async (tx) => {
    const [updated] = await tx
      .update(overlays)
      .set({
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.document !== undefined ? { document: input.document } : {}),
        version: sql`${overlays.version} + 1`,
        updatedAt: deps.now(),
      })
      .where(and(eq(overlays.id, overlayId), eq(overlays.tenantId, tenantId), eq(overlays.version, input.version)))
      .returning();
    if (!updated) {
      const current = await oneRow(tx, tenantId, overlayId);
      throw new AppError("CONFLICT", "This overlay was changed elsewhere since you opened it; reload to get the latest version", {
        details: { currentVersion: current.version },
      });
    }
    const changed = [input.name !== undefined && "name", input.document !== undefined && "document"].filter(Boolean);
    await recordAudit(tx, actor, { tenantId, action: "overlay.update", targetType: "overlay", targetId: overlayId, details: { changed, version: updated.version } }, deps.requestId);
    return updated;
  });
  if (input.document) {
    await forgetOverlayAlertTargets(deps.cache, tenantId);
    await publishOverlay(deps, row);
  }
  return row;
}

export async function deleteOverlay(deps: OverlayDeps, tenantId: string, overlayId: string, actor: Actor): Promise<void> {
  const row = await deps.db.transaction(async (tx) => {
    const [deleted] = await tx.delete(overlays).where(and(eq(overlays.id, overlayId), eq(overlays.tenantId, tenantId))).returning();
    if (!deleted) throw overlayNotFound();
    await recordAudit(tx, actor, { tenantId, action: "overlay.delete", targetType: "overlay", targetId: overlayId, details: { name: deleted.name } }, deps.requestId);
    return deleted;
  });
  await Promise.all([forgetOverlayAlertTargets(deps.cache, tenantId), deps.cache?.delete(overlayRoomKey(tenantId, overlayId))]);
  await deps.rooms.getByName(row.publicId).revoke();
}

/** A new public id: sources that had the old one are closed and refused from now on. */
export async function rotatePublicId(deps: OverlayDeps, tenantId: string, overlayId: string, actor: Actor): Promise<Row> {
  const before = await oneRow(deps.db, tenantId, overlayId);
  const row = await deps.db.transaction(async (tx) => {
    const [rotated] = await tx
      .update(overlays)
      .set({ publicId: newPublicId(), updatedAt: deps.now() })
      .where(and(eq(overlays.id, overlayId), eq(overlays.tenantId, tenantId)))
      .returning();
    if (!rotated) throw overlayNotFound();
    await recordAudit(tx, actor, { tenantId, action: "overlay.rotate_public_id", targetType: "overlay", targetId: overlayId }, deps.requestId);
    return rotated;
  });
  await Promise.all([forgetOverlayAlertTargets(deps.cache, tenantId), deps.cache?.delete(overlayRoomKey(tenantId, overlayId))]);
  await publishOverlay(deps, row);
  const oldRoom = deps.rooms.getByName(before.publicId);
  // The goal bars carry on where they stood: their values live in the room, not in Postgres.
  const goals = await oldRoom.goalValues(tenantId);
  if (goals) await deps.rooms.getByName(row.publicId).adoptGoals(tenantId, goals);
  await oldRoom.revoke();
  return row;
}

export function exportOverlay(row: Row, now: Date): api.OverlayExport {
  return { format: api.OVERLAY_EXPORT_FORMAT, formatVersion: 1, name: row.name, exportedAt: now.toISOString(), document: row.document };
}

export async function importOverlay(deps: OverlayDeps, tenantId: string, file: api.OverlayExport, actor: Actor): Promise<Row> {
  return createOverlay(deps, tenantId, { name: file.name, document: file.document }, actor, "overlay.import");
}

/**
 * Asks the overlay's room, found by its public id from the cache, so that a warm call (a test alert) never waits on
 * Postgres. `ask` answers null when the room is not this tenant's live overlay: the cached id was rotated away (or the
 * overlay deleted) by another isolate, or the room lost its state (a fresh deployment's storage). Then Postgres has the
 * truth: a missing row is a 404; otherwise the id is remembered, the room published from the row, and asked once more.
 */
async function callRoom<T>(deps: OverlayDeps, tenantId: string, overlayId: string, ask: (room: DurableObjectStub<OverlayRoom>) => Promise<T | null>): Promise<T> {
  const key = overlayRoomKey(tenantId, overlayId);
  const cached = (await deps.cache?.get(key).catch(() => null)) ?? null;
  if (cached !== null) {
    const answer = await ask(deps.rooms.getByName(cached));
    if (answer !== null) return answer;
  }
  const row = await oneRow(deps.db, tenantId, overlayId);
  const room = deps.rooms.getByName(row.publicId);
  if (row.publicId !== cached) {
    await deps.cache?.set(key, row.publicId, { ttlSeconds: ROOM_TTL_SECONDS }).catch(() => {});
    const answer = await ask(room);
    if (answer !== null) return answer;
  }
  await publishOverlay(deps, row);
  const answer = await ask(room);
  if (answer === null) throw overlayNotFound();
  return answer;
}

/** Numbers one event in the overlay's room and fans it out; the overlay must be the tenant's (else 404). */
export const sendOverlayEvent = (deps: OverlayDeps, tenantId: string, overlayId: string, event: overlayWire.OverlayEvent): Promise<BroadcastResult> =>
  callRoom(deps, tenantId, overlayId, (room) => room.broadcast(tenantId, event));

/** Where each goal bar of the overlay stands now (the room's values). */
export async function overlayGoals(deps: OverlayDeps, tenantId: string, overlayId: string): Promise<api.OverlayGoals> {
  const values = await callRoom(deps, tenantId, overlayId, (room) => room.goalValues(tenantId));
  return { goals: Object.entries(values).map(([layerId, current]) => ({ layerId, current })) };
}

/** The editor's "set current": the goal bar moves there on every source at once. */
export async function setOverlayGoal(deps: OverlayDeps, tenantId: string, overlayId: string, layerId: string, current: number, actor: Actor): Promise<api.OverlayGoal> {
  const result = await callRoom<{ current: number } | "no-goal">(deps, tenantId, overlayId, (room) => room.setGoal(tenantId, layerId, current));
  if (result === "no-goal") throw notFound("Goal bar");
  await recordAudit(deps.db, actor, { tenantId, action: "overlay.set_goal", targetType: "overlay", targetId: overlayId, details: { layerId, current: result.current } }, deps.requestId);
  return { layerId, current: result.current };
}

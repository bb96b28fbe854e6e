// Overlays over HTTP. Public, for OBS: the renderer page at /overlay/:publicId and its websocket at
// /overlay/:publicId/ws (neither touches Postgres; the room answers). The tenant's /api/t/:tenantId/overlays:
// list, create, import, read, save, delete, export, rotate the public id, send a test alert, read and set goal bars.
import { api, idPattern, overlayWire } from "@nebula/schema";
import { type Context, Hono } from "hono";
import { z } from "zod";
import { AppError } from "../errors/app-error.ts";
import { caller } from "../http/caller.ts";
import type { AppEnv } from "../http/context.ts";
import { jsonBody, params } from "../http/validate.ts";
import { relayUpgrade, requireWebSocketUpgrade } from "../http/websocket.ts";
import { authorize } from "../tenancy/access.ts";
import {
  type OverlayDeps,
  createOverlay,
  deleteOverlay,
  exportOverlay,
  getOverlay,
  importOverlay,
  listOverlays,
  overlayGoals,
  overlayView,
  rotatePublicId,
  sendOverlayEvent,
  setOverlayGoal,
  updateOverlay,
} from "./overlays.ts";

const PublicParams = z.object({ publicId: z.string().regex(overlayWire.OVERLAY_PUBLIC_ID_PATTERN) });
const OverlayParams = z.object({ overlayId: z.string().regex(idPattern("overlay")) });
const GoalParams = OverlayParams.extend({ layerId: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/) });

/** The renderer's HTML in web/dist (web/overlay-renderer.html; the asset server maps the extensionless path to it). */
const RENDERER_ASSET = "/overlay-renderer";

export const overlaySocketRoutes = new Hono<AppEnv>()
  .get("/:publicId/ws", params(PublicParams), async (c) => {
    requireWebSocketUpgrade(c.req.header("upgrade"));
    return relayUpgrade(await c.env.OVERLAY_ROOM.getByName(c.req.valid("param").publicId).fetch(c.req.raw));
  })
  // The same page for every id: a revoked or unknown one is refused on the socket, and the page then shows nothing.
  .get("/:publicId", params(PublicParams), async (c) => {
    const asset = await c.env.ASSETS.fetch(new Request(new URL(RENDERER_ASSET, c.req.url)));
    if (!asset.ok) throw new AppError("NOT_FOUND", "The overlay renderer is not built (npm run build:web)");
    const headers = new Headers(asset.headers);
    headers.set("cache-control", "no-store");
    return new Response(asset.body, { status: 200, headers });
  });

function depsOf(c: Context<AppEnv>): OverlayDeps {
  return { db: c.var.services.db, cache: c.var.services.cache, rooms: c.env.OVERLAY_ROOM, now: c.var.services.now, requestId: c.var.requestId };
}

const tenantOf = (c: Context<AppEnv>) => c.var.tenant.tenantId;

export const overlayRoutes = new Hono<AppEnv>()
  .get("/overlays", authorize("overlays.read"), async (c) => c.json(api.OverlayList.parse(await listOverlays(depsOf(c), tenantOf(c)))))
  .post("/overlays", authorize("overlays.manage"), jsonBody(api.CreateOverlayRequest), async (c) => {
    const row = await createOverlay(depsOf(c), tenantOf(c), c.req.valid("json"), caller(c));
    return c.json(api.OverlayView.parse(overlayView(row)), 201);
  })
  .post("/overlays/import", authorize("overlays.manage"), jsonBody(api.OverlayExport), async (c) => {
    const row = await importOverlay(depsOf(c), tenantOf(c), c.req.valid("json"), caller(c));
    return c.json(api.OverlayView.parse(overlayView(row)), 201);
  })
  .get("/overlays/:overlayId", authorize("overlays.read"), params(OverlayParams), async (c) => {
    const row = await getOverlay(depsOf(c), tenantOf(c), c.req.valid("param").overlayId);
    return c.json(api.OverlayView.parse(overlayView(row)));
  })
  .patch("/overlays/:overlayId", authorize("overlays.manage"), params(OverlayParams), jsonBody(api.UpdateOverlayRequest), async (c) => {
    const row = await updateOverlay(depsOf(c), tenantOf(c), c.req.valid("param").overlayId, c.req.valid("json"), caller(c));
    return c.json(api.OverlayView.parse(overlayView(row)));
  })
  .delete("/overlays/:overlayId", authorize("overlays.manage"), params(OverlayParams), async (c) => {
    await deleteOverlay(depsOf(c), tenantOf(c), c.req.valid("param").overlayId, caller(c));
    return c.body(null, 204);
  })
  .get("/overlays/:overlayId/export", authorize("overlays.read"), params(OverlayParams), async (c) => {
    const row = await getOverlay(depsOf(c), tenantOf(c), c.req.valid("param").overlayId);
    const file = api.OverlayExport.parse(exportOverlay(row, c.var.services.now()));
    const filename = `${row.name.replace(/[^\w.-]+/g, "-").replace(/^-+|-+$/g, "") || "overlay"}.overlay.json`;
    c.header("content-disposition", `attachment; filename="${filename}"`);
    return c.json(file);
  })
  .post("/overlays/:overlayId/rotate-public-id", authorize("overlays.manage"), params(OverlayParams), async (c) => {
    const row = await rotatePublicId(depsOf(c), tenantOf(c), c.req.valid("param").overlayId, caller(c));
    return c.json(api.OverlayView.parse(overlayView(row)));
  })
  .post("/overlays/:overlayId/test-alert", authorize("overlays.test"), params(OverlayParams), jsonBody(api.OverlayTestAlertRequest), async (c) => {
    const event = overlayWire.sampleAlert(c.req.valid("json").kind, c.var.services.now());
    return c.json(api.OverlayTestResult.parse(await sendOverlayEvent(depsOf(c), tenantOf(c), c.req.valid("param").overlayId, event)));
  })
  .get("/overlays/:overlayId/goals", authorize("overlays.read"), params(OverlayParams), async (c) =>
    c.json(api.OverlayGoals.parse(await overlayGoals(depsOf(c), tenantOf(c), c.req.valid("param").overlayId))),
  )
  .put("/overlays/:overlayId/goals/:layerId", authorize("overlays.manage"), params(GoalParams), jsonBody(api.SetOverlayGoalRequest), async (c) => {
    const { overlayId, layerId } = c.req.valid("param");
    return c.json(api.OverlayGoal.parse(await setOverlayGoal(depsOf(c), tenantOf(c), overlayId, layerId, c.req.valid("json").current, caller(c))));
  });

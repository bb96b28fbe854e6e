// Overlays over HTTP: the OBS source's websocket at /overlay/:publicId/ws (public, no Postgres) and the
// tenant's /api/t/:tenantId/overlays/:publicId/test.
import { api, overlayWire } from "@nebula/schema";
import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../http/context.ts";
import { params } from "../http/validate.ts";
import { relayUpgrade, requireWebSocketUpgrade } from "../http/websocket.ts";
import { authorize } from "../tenancy/access.ts";
import { sendTestAlert } from "./overlays.ts";

const OverlayParams = z.object({ publicId: z.string().regex(overlayWire.OVERLAY_PUBLIC_ID_PATTERN) });

export const overlaySocketRoutes = new Hono<AppEnv>().get("/:publicId/ws", params(OverlayParams), async (c) => {
  requireWebSocketUpgrade(c.req.header("upgrade"));
  return relayUpgrade(await c.env.OVERLAY_ROOM.getByName(c.req.valid("param").publicId).fetch(c.req.raw));
});

export const overlayRoutes = new Hono<AppEnv>().post("/overlays/:publicId/test", authorize("overlays.test"), params(OverlayParams), async (c) => {
  const result = await sendTestAlert(c.env.OVERLAY_ROOM, c.var.tenant.tenantId, c.req.valid("param").publicId, c.var.services.now());
  return c.json(api.OverlayTestResult.parse(result));
});

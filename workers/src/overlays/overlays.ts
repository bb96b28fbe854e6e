// Overlay actions of a tenant; for now the dashboard's "send test alert".
import type { api } from "@nebula/schema";
import type { Env } from "../env.ts";
import { notFound } from "../errors/app-error.ts";

export const TEST_ALERT_MESSAGE = "Test alert from Nebula Command";

/** Another tenant's overlay answers exactly like a missing one: 404. */
export async function sendTestAlert(rooms: Env["OVERLAY_ROOM"], tenantId: string, publicId: string, now: Date): Promise<api.OverlayTestResult> {
  const room = rooms.getByName(publicId);
  if (!(await room.claim(tenantId))) throw notFound("Overlay");
  return room.broadcast({ type: "test", message: TEST_ALERT_MESSAGE, at: now.toISOString() });
}

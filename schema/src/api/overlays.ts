// Overlays on the wire: /api/t/:tenantId/overlays (list, create, read, save with a version check, delete, export,
// import, rotate the public id, send a test alert). The worker parses its outputs with these, the web app its inputs.
import { z } from "zod";
import { AlertKind, OVERLAY_PUBLIC_ID_PATTERN, OverlayDocument } from "../wire/overlay.ts";

const isoDate = z.iso.datetime({ offset: true });
const overlayName = z.string().trim().min(1, "must be 1-80 characters").max(80, "must be 1-80 characters");

/** A document as JSON is at most this long: the room keeps it in its storage and sends it on every connect. */
export const OVERLAY_DOCUMENT_MAX_BYTES = 256 * 1024;

export const OverlaySummary = z.object({
  id: z.string(),
  name: z.string(),
  publicId: z.string().regex(OVERLAY_PUBLIC_ID_PATTERN),
  version: z.number().int().min(1),
  layerCount: z.number().int().min(0),
  createdAt: isoDate,
  updatedAt: isoDate,
});
export type OverlaySummary = z.infer<typeof OverlaySummary>;

export const OverlayList = z.object({ items: z.array(OverlaySummary) });
export type OverlayList = z.infer<typeof OverlayList>;

export const OverlayView = OverlaySummary.extend({ document: OverlayDocument });
export type OverlayView = z.infer<typeof OverlayView>;

export const CreateOverlayRequest = z.strictObject({ name: overlayName, document: OverlayDocument.optional() });
export type CreateOverlayRequest = z.infer<typeof CreateOverlayRequest>;

/** `version` is the one the editor last read: a save over a newer one answers 409 (someone else saved meanwhile). */
export const UpdateOverlayRequest = z
  .strictObject({ version: z.number().int().min(1), name: overlayName.optional(), document: OverlayDocument.optional() })
  .refine((v) => v.name !== undefined || v.document !== undefined, { message: "Give a name or a document to change" });
export type UpdateOverlayRequest = z.infer<typeof UpdateOverlayRequest>;

export const OVERLAY_EXPORT_FORMAT = "nebula-overlay";

/** What export downloads and import accepts: nothing else (an unknown field is an error naming it). */
export const OverlayExport = z.strictObject({
  format: z.literal(OVERLAY_EXPORT_FORMAT),
  formatVersion: z.literal(1),
  name: overlayName,
  exportedAt: isoDate.optional(),
  document: OverlayDocument,
});
export type OverlayExport = z.infer<typeof OverlayExport>;

/** "Send test alert": one event of this kind, marked as a test, to every source of the overlay. */
export const OverlayTestAlertRequest = z.strictObject({ kind: AlertKind });
export type OverlayTestAlertRequest = z.infer<typeof OverlayTestAlertRequest>;

/** The sequence number the event got and how many sources were connected. */
export const OverlayTestResult = z.object({ seq: z.number().int().min(1), delivered: z.number().int().min(0) });
export type OverlayTestResult = z.infer<typeof OverlayTestResult>;

/** Where a goal bar stands live (the room's value, moved by inbox events and by "set current"). */
export const OverlayGoal = z.object({ layerId: z.string(), current: z.number().min(0) });
export type OverlayGoal = z.infer<typeof OverlayGoal>;
export const OverlayGoals = z.object({ goals: z.array(OverlayGoal) });
export type OverlayGoals = z.infer<typeof OverlayGoals>;

/** The editor's "set current": puts the bar at this value now, on every source. */
export const SetOverlayGoalRequest = z.strictObject({ current: z.number().min(0).max(1e9) });
export type SetOverlayGoalRequest = z.infer<typeof SetOverlayGoalRequest>;

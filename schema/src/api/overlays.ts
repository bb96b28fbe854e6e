// Wire shapes of /api/t/:tenantId/overlays: the worker parses its outputs with these, the web app its inputs.
import { z } from "zod";

/** The result of "send test alert": the sequence number it got and how many sources were connected. */
export const OverlayTestResult = z.object({ seq: z.number().int().min(1), delivered: z.number().int().min(0) });
export type OverlayTestResult = z.infer<typeof OverlayTestResult>;

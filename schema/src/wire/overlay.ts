// What an OBS overlay's websocket carries: events fanned out by its OverlayRoom, each with a per-room sequence number.
import { z } from "zod";

/** A public overlay id is an unguessable url-safe string: knowing it is what lets an OBS source subscribe. */
export const OVERLAY_PUBLIC_ID_PATTERN = /^[A-Za-z0-9_-]{24,64}$/;
/** The room keeps this many recent events so a reconnecting source can catch up with `?after=<seq>`. */
export const OVERLAY_EVENT_HISTORY = 100;
export const OVERLAY_PING = "ping";
export const OVERLAY_PONG = "pong";

const isoDate = z.iso.datetime({ offset: true });

/** "Send test alert" from the dashboard. Real alerts (follow, sub, raid, donation) join this union later. */
export const TestEvent = z.object({
  type: z.literal("test"),
  message: z.string().min(1).max(500),
  at: isoDate,
});
export type TestEvent = z.infer<typeof TestEvent>;

export const OverlayEvent = z.discriminatedUnion("type", [TestEvent]);
export type OverlayEvent = z.infer<typeof OverlayEvent>;

/** One frame from the room to a source. */
export const OverlayFrame = z.object({
  type: z.literal("event"),
  seq: z.number().int().min(1),
  event: OverlayEvent,
});
export type OverlayFrame = z.infer<typeof OverlayFrame>;

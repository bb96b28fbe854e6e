// The overlay protocol's plain values, without zod, so the OBS renderer and the editor import them without pulling
// a validator into the browser bundle. schema/src/wire/overlay.ts re-exports them beside the shapes.
import type { AlertEvent } from "./overlay.ts";

/** A public overlay id is an unguessable url-safe string: knowing it is what lets an OBS source subscribe. */
export const OVERLAY_PUBLIC_ID_PATTERN = /^[A-Za-z0-9_-]{24,64}$/;
/** The room keeps this many recent events so a reconnecting source can catch up with `?since=<seq>`. */
export const OVERLAY_EVENT_HISTORY = 200;
/** Chat lines are kept apart and fewer (a chat box shows at most 50): a busy chat never pushes alerts out of the history. */
export const OVERLAY_CHAT_HISTORY = 50;
/** Heartbeat: the renderer sends "ping" every interval; the room's auto-response answers "pong" without waking. */
export const OVERLAY_PING = "ping";
export const OVERLAY_PONG = "pong";
export const OVERLAY_PING_INTERVAL_MS = 5_000;
/** OBS browser sources stall silently: no pong for this long and the renderer drops the socket and reconnects. */
export const OVERLAY_PONG_TIMEOUT_MS = 15_000;
/** Close code for a public id that names no live overlay (never made, rotated away, deleted): do not retry. */
export const OVERLAY_CLOSE_NOT_FOUND = 4404;

export const OVERLAY_CANVAS = { width: 1920, height: 1080 } as const;
export const OVERLAY_DOCUMENT_VERSION = 1;
export const OVERLAY_MAX_LAYERS = 100;

export const ALERT_KINDS = ["follow", "sub", "resub", "giftsub", "cheer", "raid", "donation", "superchat", "membership"] as const;
/** The variables an alert template may use, as {name}. */
export const ALERT_TEMPLATE_VARIABLES = ["user", "amount", "currency", "count", "months", "message", "platform"] as const;
/** What a goal bar counts: "manual" moves only when the editor sets it; the rest add up the tenant's inbox events. */
export const GOAL_METRICS = ["manual", "follows", "subs", "bits", "donations"] as const;
export const NOW_PLAYING_SOURCES = ["spotify", "youtube"] as const;
export const LAYER_TYPES = ["text", "image", "alert-box", "chat-box", "event-list", "goal-bar", "now-playing"] as const;

/**
 * A sample alert of a kind, with plausible numbers so every template variable renders: the API's "send test alert"
 * and the editor's preview show the same thing.
 */
export function sampleAlert(kind: AlertEvent["kind"], at: Date = new Date(0)): AlertEvent {
  const money = kind === "donation" || kind === "superchat";
  return {
    type: "alert",
    kind,
    platform: "test",
    user: "TestViewer",
    amount: money ? 5 : kind === "cheer" ? 500 : null,
    currency: money ? "USD" : null,
    count: kind === "raid" ? 42 : kind === "giftsub" ? 5 : null,
    months: kind === "resub" || kind === "membership" ? 12 : null,
    message: kind === "follow" || kind === "raid" ? null : "This is a test alert from Nebula Command",
    test: true,
    at: at.toISOString(),
  };
}

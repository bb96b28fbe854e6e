// OBS overlays: the document an overlay is (a versioned list of layers on a 1920×1080 canvas), the events its
// OverlayRoom numbers and fans out, and the frames a renderer's websocket carries. Strict objects throughout:
// an imported file with a field we do not know is refused with the field's path, never silently dropped.
import { z } from "zod";
import { ALERT_KINDS, GOAL_METRICS, type LAYER_TYPES, NOW_PLAYING_SOURCES, OVERLAY_CANVAS, OVERLAY_DOCUMENT_VERSION, OVERLAY_MAX_LAYERS } from "./overlay-constants.ts";

export * from "./overlay-constants.ts";

const isoDate = z.iso.datetime({ offset: true });
const colour = z.string().regex(/^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$/, "Expected a colour like #ff8800 or #ff8800cc");
/** Images and sounds load in the OBS source from anywhere the streamer hosts them, but only over http(s). */
const mediaUrl = z.url({ protocol: /^https?$/, error: "Expected an http(s) URL" }).max(2048);
/** A CSS font-family list; quotes and commas allowed, nothing that could end the declaration. */
const font = z.string().min(1).max(120).regex(/^[\w \-,'"]+$/, "Expected a font family like Inter, sans-serif");
const fontSize = z.number().int().min(6).max(400);

export const AlertKind = z.enum(ALERT_KINDS);
export type AlertKind = z.infer<typeof AlertKind>;

const LayerBase = {
  id: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, "Layer ids are 1-40 letters, digits, _ or -"),
  name: z.string().min(1).max(80),
  x: z.number().min(-OVERLAY_CANVAS.width).max(OVERLAY_CANVAS.width * 2),
  y: z.number().min(-OVERLAY_CANVAS.height).max(OVERLAY_CANVAS.height * 2),
  w: z.number().min(1).max(OVERLAY_CANVAS.width * 2),
  h: z.number().min(1).max(OVERLAY_CANVAS.height * 2),
  rotation: z.number().min(-360).max(360).optional(),
  opacity: z.number().min(0).max(1),
  /** Stacking order: higher draws on top. */
  z: z.number().int().min(0).max(10_000),
  visible: z.boolean(),
  locked: z.boolean(),
};

export const TextLayer = z.strictObject({
  ...LayerBase,
  type: z.literal("text"),
  content: z.string().max(2000),
  font,
  size: fontSize,
  colour,
  align: z.enum(["left", "center", "right"]),
  shadow: z.boolean(),
});

export const ImageLayer = z.strictObject({
  ...LayerBase,
  type: z.literal("image"),
  url: mediaUrl.nullable(),
  fit: z.enum(["contain", "cover", "fill"]),
});

/** How one kind of event plays in an alert box. */
export const AlertStyle = z.strictObject({
  enabled: z.boolean(),
  /** Text with {user}, {amount}, … (ALERT_TEMPLATE_VARIABLES). */
  template: z.string().max(300),
  imageUrl: mediaUrl.nullable(),
  soundUrl: mediaUrl.nullable(),
  volume: z.number().min(0).max(1),
  durationMs: z.number().int().min(1000).max(60_000),
});
export type AlertStyle = z.infer<typeof AlertStyle>;

export const AlertBoxLayer = z.strictObject({
  ...LayerBase,
  type: z.literal("alert-box"),
  font,
  size: fontSize,
  colour,
  /** Kinds left out do not play in this box. */
  alerts: z.partialRecord(AlertKind, AlertStyle),
});

export const ChatBoxLayer = z.strictObject({
  ...LayerBase,
  type: z.literal("chat-box"),
  maxLines: z.number().int().min(1).max(50),
  /** Seconds a line stays before fading out; 0 keeps lines until pushed out. */
  fadeAfterSeconds: z.number().int().min(0).max(3600),
  /** Lines that start with "!" (chat commands): hidden unless set, as viewers' !commands are noise on stream. */
  showCommands: z.boolean().optional(),
  /** The chat bot's own lines (its replies, timers): hidden unless set. */
  showBotLines: z.boolean().optional(),
  font,
  size: fontSize,
  colour,
});

export const EventListLayer = z.strictObject({
  ...LayerBase,
  type: z.literal("event-list"),
  kinds: z.array(AlertKind).min(1).max(ALERT_KINDS.length),
  count: z.number().int().min(1).max(25),
  font,
  size: fontSize,
  colour,
});

export const GoalMetric = z.enum(GOAL_METRICS);
export type GoalMetric = z.infer<typeof GoalMetric>;

export const GoalBarLayer = z.strictObject({
  ...LayerBase,
  type: z.literal("goal-bar"),
  label: z.string().max(120),
  /** Where the bar starts (and, for a manual goal, where it stands until the editor sets it live). */
  current: z.number().min(0).max(1e9),
  /** What moves the bar: nothing but the editor ("manual", the default), or the tenant's inbox events of a kind. */
  metric: GoalMetric.optional(),
  /** When the goal started: earlier events do not count, and a new start puts the bar back at `current`. */
  since: isoDate.nullable().optional(),
  target: z.number().min(1).max(1e9),
  barColour: colour,
  backgroundColour: colour,
  textColour: colour,
});

export const NowPlayingLayer = z.strictObject({
  ...LayerBase,
  type: z.literal("now-playing"),
  source: z.enum(NOW_PLAYING_SOURCES),
  /** The Spotify connection it shows; absent or null: the tenant's first connected Spotify account. */
  connectionId: z.string().regex(/^pcn_[0-9a-z]{16}$/, "Expected a connection id (pcn_…)").nullable().optional(),
  font,
  size: fontSize,
  colour,
});

export const OverlayLayer = z.discriminatedUnion("type", [TextLayer, ImageLayer, AlertBoxLayer, ChatBoxLayer, EventListLayer, GoalBarLayer, NowPlayingLayer]);
export type OverlayLayer = z.infer<typeof OverlayLayer>;
export type OverlayLayerType = OverlayLayer["type"];
export type LayerOf<T extends OverlayLayerType> = Extract<OverlayLayer, { type: T }>;
// Every layer type has a shape, and every shape a type name: checked both ways at compile time.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const layerTypesMatch: Same<(typeof LAYER_TYPES)[number], OverlayLayerType> = true;
void layerTypesMatch;

export const OverlayDocument = z
  .strictObject({
    version: z.literal(OVERLAY_DOCUMENT_VERSION),
    canvas: z.strictObject({ width: z.literal(OVERLAY_CANVAS.width), height: z.literal(OVERLAY_CANVAS.height) }),
    layers: z.array(OverlayLayer).max(OVERLAY_MAX_LAYERS),
  })
  .superRefine((doc, ctx) => {
    const seen = new Set<string>();
    doc.layers.forEach((layer, i) => {
      if (seen.has(layer.id)) ctx.addIssue({ code: "custom", path: ["layers", i, "id"], message: `Duplicate layer id "${layer.id}"` });
      seen.add(layer.id);
    });
  });
export type OverlayDocument = z.infer<typeof OverlayDocument>;

export function emptyOverlayDocument(): OverlayDocument {
  return { version: OVERLAY_DOCUMENT_VERSION, canvas: { ...OVERLAY_CANVAS }, layers: [] };
}

// ---- events the room numbers and fans out -------------------------------------------------------------------

const platform = z.enum(["twitch", "youtube", "kick", "test", "other"]);

/** Follows, subs, cheers, raids, donations…: played by alert boxes and listed by event lists. */
export const AlertEvent = z.strictObject({
  type: z.literal("alert"),
  kind: AlertKind,
  platform,
  user: z.string().min(1).max(100),
  amount: z.number().min(0).nullable(),
  currency: z.string().max(8).nullable(),
  count: z.number().int().min(0).nullable(),
  months: z.number().int().min(0).nullable(),
  message: z.string().max(500).nullable(),
  /** Sent by "send test alert". */
  test: z.boolean(),
  at: isoDate,
});
export type AlertEvent = z.infer<typeof AlertEvent>;

export const ChatEvent = z.strictObject({
  type: z.literal("chat"),
  platform,
  user: z.string().min(1).max(100),
  text: z.string().max(500),
  colour: colour.nullable(),
  /** Written by the tenant's chat bot: a chat box shows it only with `showBotLines`. */
  bot: z.boolean().optional(),
  at: isoDate,
});
export type ChatEvent = z.infer<typeof ChatEvent>;

/** Moves a goal bar (by layer id) to a new current value. */
export const GoalEvent = z.strictObject({ type: z.literal("goal"), layerId: z.string().max(40), current: z.number().min(0), at: isoDate });
export type GoalEvent = z.infer<typeof GoalEvent>;

/**
 * What is playing now, or null for nothing. Sent when the track or the play state changes (or the listener seeks), not
 * on every poll: a renderer advances `progressMs` itself from `at` while `isPlaying`. Source "spotify": the streamer's
 * Spotify playback; "youtube": the song-request queue's current song (title, channel as `artist`, thumbnail).
 */
export const NowPlayingEvent = z.strictObject({
  type: z.literal("now-playing"),
  source: z.enum(NOW_PLAYING_SOURCES),
  track: z
    .strictObject({
      title: z.string().max(300),
      artist: z.string().max(300),
      album: z.string().max(300).nullable(),
      artUrl: mediaUrl.nullable(),
      isPlaying: z.boolean(),
      progressMs: z.number().int().min(0).nullable(),
      durationMs: z.number().int().min(0).nullable(),
      /** A YouTube song request's requester, shown as "requested by". Absent for Spotify. */
      requestedBy: z.string().max(100).nullable().optional(),
    })
    .nullable(),
  at: isoDate,
});
export type NowPlayingEvent = z.infer<typeof NowPlayingEvent>;

export const OverlayEvent = z.discriminatedUnion("type", [AlertEvent, ChatEvent, GoalEvent, NowPlayingEvent]);
export type OverlayEvent = z.infer<typeof OverlayEvent>;

// ---- frames from the room to a renderer ----------------------------------------------------------------------

/**
 * First frame on every connection: the newest sequence number, so a fresh renderer knows which events are history,
 * and the live state as of it: where each goal bar stands and what plays now. Every change of that state is also a
 * numbered event, so the replay that follows only ever moves it forward to the same place.
 */
export const HelloFrame = z.object({
  type: z.literal("hello"),
  lastSeq: z.number().int().min(0),
  goals: z.record(z.string(), z.number().min(0)).optional(),
  nowPlaying: z.array(NowPlayingEvent).optional(),
});
/** The overlay's document: on connect, and again on every save in the editor. */
export const DocumentFrame = z.object({ type: z.literal("document"), version: z.number().int().min(1), document: OverlayDocument });
export const EventFrame = z.object({ type: z.literal("event"), seq: z.number().int().min(1), event: OverlayEvent });

export const OverlayFrame = z.discriminatedUnion("type", [HelloFrame, DocumentFrame, EventFrame]);
export type OverlayFrame = z.infer<typeof OverlayFrame>;
export type HelloFrame = z.infer<typeof HelloFrame>;
export type DocumentFrame = z.infer<typeof DocumentFrame>;
export type EventFrame = z.infer<typeof EventFrame>;

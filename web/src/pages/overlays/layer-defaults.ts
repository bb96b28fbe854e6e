// A new layer of each type, placed near the canvas centre with sensible defaults.
import type { AlertStyle, OverlayDocument, OverlayLayer, OverlayLayerType } from "@nebula/schema/wire/overlay";
import { LAYER_TYPES } from "@nebula/schema/wire/overlay-constants";

export const LAYER_LABELS: Record<OverlayLayerType, string> = {
  text: "Text",
  image: "Image",
  "alert-box": "Alert box",
  "chat-box": "Chat box",
  "event-list": "Event list",
  "goal-bar": "Goal bar",
  "now-playing": "Now playing",
};
export { LAYER_TYPES };

const FONT = "Inter, system-ui, sans-serif";

export function defaultAlertStyle(template: string): AlertStyle {
  return { enabled: true, template, imageUrl: null, soundUrl: null, volume: 0.8, durationMs: 5000 };
}

export const DEFAULT_TEMPLATES = {
  follow: "{user} just followed!",
  sub: "{user} subscribed!",
  resub: "{user} resubscribed for {months} months!",
  giftsub: "{user} gifted {count} subs!",
  cheer: "{user} cheered {amount} bits!",
  raid: "{user} is raiding with {count} viewers!",
  donation: "{user} donated {currency} {amount}!",
  superchat: "{user} sent a Super Chat: {currency} {amount}",
  membership: "{user} became a member!",
} as const;

function freshId(doc: OverlayDocument, type: OverlayLayerType): string {
  const taken = new Set(doc.layers.map((l) => l.id));
  for (let n = 1; ; n++) {
    const id = `${type}-${n}`;
    if (!taken.has(id)) return id;
  }
}

export function newLayer(doc: OverlayDocument, type: OverlayLayerType): OverlayLayer {
  const id = freshId(doc, type);
  const z = doc.layers.reduce((m, l) => Math.max(m, l.z + 1), 0);
  const base = { id, name: `${LAYER_LABELS[type]} ${id.split("-").pop()}`, rotation: 0, opacity: 1, z, visible: true, locked: false };
  const at = (w: number, h: number) => ({ x: Math.round((1920 - w) / 20) * 10, y: Math.round((1080 - h) / 20) * 10, w, h });
  switch (type) {
    case "text":
      return { ...base, ...at(600, 100), type, content: "Your text", font: FONT, size: 56, colour: "#ffffff", align: "center", shadow: true };
    case "image":
      return { ...base, ...at(400, 300), type, url: null, fit: "contain" };
    case "alert-box":
      return {
        ...base,
        ...at(700, 300),
        type,
        font: FONT,
        size: 48,
        colour: "#ffffff",
        alerts: { follow: defaultAlertStyle(DEFAULT_TEMPLATES.follow), sub: defaultAlertStyle(DEFAULT_TEMPLATES.sub), cheer: defaultAlertStyle(DEFAULT_TEMPLATES.cheer), raid: defaultAlertStyle(DEFAULT_TEMPLATES.raid) },
      };
    case "chat-box":
      return { ...base, ...at(500, 400), type, maxLines: 10, fadeAfterSeconds: 0, font: FONT, size: 24, colour: "#ffffff" };
    case "event-list":
      return { ...base, ...at(400, 260), type, kinds: ["follow", "sub", "cheer", "raid"], count: 5, font: FONT, size: 24, colour: "#ffffff" };
    case "goal-bar":
      return { ...base, ...at(800, 60), type, label: "Follower goal", current: 0, target: 100, barColour: "#7c3aed", backgroundColour: "#000000aa", textColour: "#ffffff" };
    case "now-playing":
      return { ...base, ...at(500, 80), type, source: "spotify", font: FONT, size: 24, colour: "#ffffff" };
  }
}

/** z renumbered 0..n-1 in the given order (bottom first). */
export function withOrder(layers: OverlayLayer[]): OverlayLayer[] {
  return layers.map((l, z) => (l.z === z ? l : { ...l, z }));
}

export const byZ = (layers: OverlayLayer[]) => [...layers].sort((a, b) => a.z - b.z);

// Shared arrangement for the overlay suites: API calls as a tenant's members, and a document with one layer of each kind.
import { exports } from "cloudflare:workers";
import type { api, overlayWire } from "@nebula/schema";
import { type SeededMember, type SeededTenant, asUser, url } from "../support/seed.ts";

export const overlaysPath = (tenant: SeededTenant, rest = "") => `/api/t/${tenant.tenantId}/overlays${rest}`;

export function callAs(member: SeededMember, method: string, path: string, body?: unknown): Promise<Response> {
  return exports.default.fetch(url(path), asUser(member, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) }));
}

export async function createOverlayAs(member: SeededMember, tenant: SeededTenant, body: api.CreateOverlayRequest): Promise<api.OverlayView> {
  const res = await callAs(member, "POST", overlaysPath(tenant), body);
  if (res.status !== 201) throw new Error(`create overlay: ${res.status} ${await res.text()}`);
  return res.json<api.OverlayView>();
}

export const sendTestAlert = (member: SeededMember, tenant: SeededTenant, overlayId: string, kind: overlayWire.AlertKind = "follow") =>
  callAs(member, "POST", overlaysPath(tenant, `/${overlayId}/test-alert`), { kind });

export const socketPath = (publicId: string, since?: number) => `/overlay/${publicId}/ws${since === undefined ? "" : `?since=${since}`}`;

const base = { opacity: 1, visible: true, locked: false, rotation: 0 };

export function sampleDocument(): overlayWire.OverlayDocument {
  return {
    version: 1,
    canvas: { width: 1920, height: 1080 },
    layers: [
      { ...base, id: "title", name: "Title", type: "text", x: 100, y: 80, w: 800, h: 120, z: 0, content: "Welcome to the stream", font: "Inter, sans-serif", size: 64, colour: "#ffffff", align: "left", shadow: true },
      { ...base, id: "logo", name: "Logo", type: "image", x: 1600, y: 40, w: 256, h: 256, z: 1, url: "https://example.com/logo.png", fit: "contain" },
      {
        ...base,
        id: "alerts",
        name: "Alerts",
        type: "alert-box",
        x: 660,
        y: 300,
        w: 600,
        h: 300,
        z: 2,
        font: "Inter, sans-serif",
        size: 48,
        colour: "#ffcc00",
        alerts: {
          follow: { enabled: true, template: "{user} just followed!", imageUrl: null, soundUrl: null, volume: 0.8, durationMs: 4000 },
          cheer: { enabled: true, template: "{user} cheered {amount} bits", imageUrl: "https://example.com/cheer.gif", soundUrl: "https://example.com/cheer.mp3", volume: 0.5, durationMs: 6000 },
        },
      },
      { ...base, id: "chat", name: "Chat", type: "chat-box", x: 40, y: 600, w: 500, h: 440, z: 3, maxLines: 10, fadeAfterSeconds: 30, font: "Inter, sans-serif", size: 24, colour: "#ffffff" },
      { ...base, id: "recent", name: "Recent", type: "event-list", x: 1500, y: 600, w: 380, h: 300, z: 4, kinds: ["follow", "sub"], count: 5, font: "Inter, sans-serif", size: 22, colour: "#ffffff" },
      { ...base, id: "goal", name: "Sub goal", type: "goal-bar", x: 560, y: 980, w: 800, h: 60, z: 5, label: "Sub goal", current: 12, target: 50, barColour: "#7c3aed", backgroundColour: "#00000088", textColour: "#ffffff" },
      { ...base, id: "np", name: "Now playing", type: "now-playing", x: 40, y: 40, w: 500, h: 80, z: 6, source: "spotify", font: "Inter, sans-serif", size: 22, colour: "#ffffff" },
    ],
  };
}

// What the overlay browser stories share: the owner's world (owner-stack.ts) signed in, with one overlay made through
// the API, the stage document they draw, and a socket spy injected into renderer pages.
import type { api, overlayWire } from "@nebula/schema";
import { expect } from "vitest";
import { pageApi } from "./browser.ts";
import { type OwnerWorld, startOwnerWorld } from "./owner-stack.ts";

export const layerBase = { opacity: 1, visible: true, locked: false, rotation: 0 };
const alertStyle = (template: string) => ({ enabled: true, template, imageUrl: null, soundUrl: null, volume: 0.8, durationMs: 1000 });

/** A title, an alert box (follow, sub, cheer), an event list and a goal bar, bottom to top. */
export const STAGE_DOCUMENT: overlayWire.OverlayDocument = {
  version: 1,
  canvas: { width: 1920, height: 1080 },
  layers: [
    { ...layerBase, id: "title", name: "Title", type: "text", x: 100, y: 80, w: 900, h: 120, z: 0, content: "Nebula Live", font: "sans-serif", size: 96, colour: "#ffffff", align: "left", shadow: true },
    {
      ...layerBase,
      id: "alerts",
      name: "Alerts",
      type: "alert-box",
      x: 560,
      y: 360,
      w: 800,
      h: 260,
      z: 1,
      font: "sans-serif",
      size: 64,
      colour: "#facc15",
      alerts: { follow: alertStyle("{user} just followed!"), sub: alertStyle("{user} subscribed!"), cheer: alertStyle("{user} cheered {amount} bits!") },
    },
    { ...layerBase, id: "recent", name: "Recent", type: "event-list", x: 1480, y: 700, w: 400, h: 300, z: 2, kinds: ["follow", "sub", "cheer"], count: 5, font: "sans-serif", size: 28, colour: "#ffffff" },
    { ...layerBase, id: "goal", name: "Goal", type: "goal-bar", x: 560, y: 980, w: 800, h: 60, z: 3, label: "Sub goal", current: 12, target: 50, barColour: "#7c3aed", backgroundColour: "#000000aa", textColour: "#ffffff" },
  ],
};

/**
 * Runs before the renderer's own script. Records every WebSocket the page opens; while `__blocked` is set new ones go
 * to an address the Worker refuses, so the page stays disconnected until the test lets it back; a socket marked
 * `__stalled` swallows every frame (pongs included) without closing, which is how a stalled OBS source looks from the
 * inside. `__states` lists the stage's connection states as they change; `__loadedOnce` tells a reload apart.
 */
export const SOCKET_SPY = `
  window.__sockets = [];
  window.__blocked = false;
  window.__states = [];
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(window.__blocked ? String(url).replace(/\\/overlay\\/[^/]+\\/ws/, "/overlay/blocked/ws") : url, protocols);
      this.__stalled = false;
      window.__sockets.push({ url: String(url), socket: this });
    }
    set onmessage(handler) {
      super.onmessage = handler === null ? null : (event) => {
        if (!this.__stalled) handler.call(this, event);
      };
    }
    get onmessage() {
      return super.onmessage;
    }
  };
  document.addEventListener("DOMContentLoaded", () => {
    const record = () => {
      const state = document.querySelector('[data-testid="overlay-stage"]')?.getAttribute("data-connection");
      if (state && window.__states.at(-1) !== state) window.__states.push(state);
    };
    new MutationObserver(record).observe(document.documentElement, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-connection"] });
    record();
  });
  window.__loadedOnce = Math.random();
`;

/** The page's view of SOCKET_SPY. */
export type SpiedWindow = { __sockets: { url: string; socket: WebSocket & { __stalled: boolean } }[]; __blocked: boolean; __states: string[]; __loadedOnce: number };

export interface OverlayStory extends OwnerWorld {
  tenantId: string;
  overlay: api.OverlayView;
  apiCall<T>(method: string, apiPath: string, body?: unknown): Promise<{ status: number; body: T }>;
}

/** The owner's world (with `env` for the stack), signed in, and the overlay made through the API. */
export async function startOverlayStory(name: string, overlay: api.CreateOverlayRequest, env?: Record<string, string>): Promise<OverlayStory> {
  const world = await startOwnerWorld(name, 1000, env);
  try {
    await world.signIn("nav-overlays");
    const apiCall = <T>(method: string, apiPath: string, body?: unknown) => pageApi(world.page)<T>(method, apiPath, body);
    const tenantId = (await apiCall<{ activeTenantId: string }>("GET", "/api/me")).body.activeTenantId;
    const created = await apiCall<api.OverlayView>("POST", `/api/t/${tenantId}/overlays`, overlay);
    expect(created.status).toBe(201);
    return Object.assign(world, { tenantId, overlay: created.body, apiCall });
  } catch (err) {
    await world.stop();
    throw err;
  }
}

// Arrangement for the now-playing and goal suites: a Spotify account connected through the fake's consent screen,
// the fake's playback and rate-limit controls, an overlay's OverlayRoom with its alarm, and a renderer's socket.
import { env as bindings } from "cloudflare:workers";
import { overlayWire } from "@nebula/schema";
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import type { FakeTrack } from "../../../test/fakes/spotify.ts";
import { expect } from "vitest";
import type { Env } from "../../src/env.ts";
import type { OverlayRoom } from "../../src/overlays/overlay-room.ts";
import type { SeededMember, SeededTenant } from "../support/seed.ts";
import { type TestSocket, mustConnect } from "../support/sockets.ts";
import { accountId, connect, connectionOf } from "../connections/connection-harness.ts";
import { socketPath } from "./support.ts";

export const env = bindings as Env;
const SPOTIFY = env.SPOTIFY_API_BASE ?? "";

let n = 0;
export function track(name: string): FakeTrack {
  n++;
  return { id: `trk${Date.now().toString(36)}${n}`.padEnd(22, "0").slice(0, 22), name, artists: ["Nebula Band"], album: "Orbits", durationMs: 240_000 };
}

export async function spotifyControl<T = unknown>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${SPOTIFY}/__control/spotify/${path}`, body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json() as Promise<T>;
}

export const play = (account: string, t: FakeTrack | null, change: { isPlaying?: boolean; progressMs?: number } = {}) => spotifyControl("playback", { accountId: account, track: t, ...change });
export const rateLimit = (account: string, retryAfter: number) => spotifyControl("rate-limit", { accountId: account, retryAfter, times: 1 });
export const callsOf = async (account: string) => (await spotifyControl<{ calls: { status: number }[] }>(`state?accountId=${encodeURIComponent(account)}`)).calls;

/** Connects a Spotify account for the member through the consent screen; answers the account id and connection id. */
export async function connectSpotify(tenant: SeededTenant, member: SeededMember, name = "DJ Nebula"): Promise<{ account: string; connectionId: string }> {
  const account = accountId("spotify");
  const { landing } = await connect(tenant.tenantId, member, "spotify", { id: account, login: account, displayName: name });
  expect(landing).toBe("/streams?connected=spotify");
  const row = await connectionOf(tenant.tenantId, member.userId, "spotify");
  if (!row) throw new Error("no Spotify connection row");
  return { account, connectionId: row.id };
}

export const roomOf = (publicId: string) => env.OVERLAY_ROOM.getByName(publicId);

export const alarmOf = (publicId: string) => runInDurableObject(roomOf(publicId), async (_room: OverlayRoom, state) => state.storage.getAlarm());

/** Runs the room's alarm now if one is set (what the runtime does when its time comes). */
export const runAlarm = (publicId: string) => runDurableObjectAlarm(roomOf(publicId));

export interface Renderer {
  socket: TestSocket;
  hello: overlayWire.HelloFrame;
  document: overlayWire.DocumentFrame;
}

/** A renderer (OBS source) connects and reads the two frames every connection starts with. */
export async function openRenderer(publicId: string, since?: number): Promise<Renderer> {
  const socket = await mustConnect(socketPath(publicId, since));
  const hello = overlayWire.HelloFrame.parse(await socket.nextJson());
  const document = overlayWire.DocumentFrame.parse(await socket.nextJson());
  return { socket, hello, document };
}

export async function nextEvent(socket: TestSocket): Promise<overlayWire.EventFrame> {
  return overlayWire.EventFrame.parse(await socket.nextJson());
}

/** The renderer leaves, and the room has seen it go (it closes back). */
export async function closeRenderer(renderer: Renderer): Promise<void> {
  renderer.socket.close();
  await renderer.socket.closed;
}

const base = { opacity: 1, visible: true, locked: false, rotation: 0 };

export function nowPlayingDocument(connectionId: string | null = null, extra: overlayWire.OverlayLayer[] = []): overlayWire.OverlayDocument {
  return {
    version: 1,
    canvas: { width: 1920, height: 1080 },
    layers: [
      { ...base, id: "np", name: "Now playing", type: "now-playing", x: 40, y: 40, w: 600, h: 100, z: 0, source: "spotify", connectionId, font: "Inter, sans-serif", size: 24, colour: "#ffffff" },
      ...extra,
    ],
  };
}

export function goalLayer(id: string, change: Partial<overlayWire.LayerOf<"goal-bar">> = {}): overlayWire.LayerOf<"goal-bar"> {
  return { ...base, id, name: id, type: "goal-bar", x: 560, y: 980, w: 800, h: 60, z: 1, label: id, current: 0, target: 100, barColour: "#7c3aed", backgroundColour: "#00000088", textColour: "#ffffff", ...change };
}

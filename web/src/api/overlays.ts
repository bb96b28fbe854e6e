// OBS overlays: the tenant's list, one overlay with its document, save (with the version read: 409 when stale),
// create, import, delete, rotate the public URL, send a test alert, read and set goal bars live, connect Spotify for
// the now-playing layer; and the URLs OBS and the export download use.
import type { AuthorizeRedirect } from "@nebula/schema/api/connections";
import type { CreateOverlayRequest, OverlayExport, OverlayGoal, OverlayGoals, OverlayList, OverlayTestResult, OverlayView, UpdateOverlayRequest } from "@nebula/schema/api/overlays";
import type { AlertKind } from "@nebula/schema/wire/overlay";
import { query } from "@solidjs/router";
import { request } from "./client.ts";

export type { OverlaySummary, OverlayView } from "@nebula/schema/api/overlays";

const overlaysPath = (tenantId: string, rest = "") => `/api/t/${encodeURIComponent(tenantId)}/overlays${rest}`;
const onePath = (tenantId: string, overlayId: string, rest = "") => overlaysPath(tenantId, `/${encodeURIComponent(overlayId)}${rest}`);

export const getOverlays = query((tenantId: string) => request<OverlayList>("GET", overlaysPath(tenantId)), "overlays");
export const getOverlay = query((tenantId: string, overlayId: string) => request<OverlayView>("GET", onePath(tenantId, overlayId)), "overlay");
/** Not cached: the editor's "reload" after a conflict must see the newest version. */
export const readOverlay = (tenantId: string, overlayId: string) => request<OverlayView>("GET", onePath(tenantId, overlayId));

export const createOverlay = (tenantId: string, input: CreateOverlayRequest) => request<OverlayView>("POST", overlaysPath(tenantId), input);
export const importOverlay = (tenantId: string, file: unknown) => request<OverlayView>("POST", overlaysPath(tenantId, "/import"), file);
export const updateOverlay = (tenantId: string, overlayId: string, change: UpdateOverlayRequest) => request<OverlayView>("PATCH", onePath(tenantId, overlayId), change);
export const deleteOverlay = (tenantId: string, overlayId: string) => request<void>("DELETE", onePath(tenantId, overlayId));
export const rotateOverlayUrl = (tenantId: string, overlayId: string) => request<OverlayView>("POST", onePath(tenantId, overlayId, "/rotate-public-id"));
export const sendTestAlert = (tenantId: string, overlayId: string, kind: AlertKind) =>
  request<OverlayTestResult>("POST", onePath(tenantId, overlayId, "/test-alert"), { kind });

/** Where each goal bar stands live (moved by the inbox and by "set current"). */
export const getOverlayGoals = query((tenantId: string, overlayId: string) => request<OverlayGoals>("GET", onePath(tenantId, overlayId, "/goals")), "overlay-goals");
export const setOverlayGoal = (tenantId: string, overlayId: string, layerId: string, current: number) =>
  request<OverlayGoal>("PUT", onePath(tenantId, overlayId, `/goals/${encodeURIComponent(layerId)}`), { current });

/** Spotify's consent screen for the now-playing layer; the browser comes back to `returnTo` (the editor). */
export const connectSpotify = (tenantId: string, returnTo: string) =>
  request<AuthorizeRedirect>("POST", `/api/t/${encodeURIComponent(tenantId)}/streams/connections/spotify/connect`, { feature: "base", returnTo });

/** A same-origin GET answered as an attachment: a plain link downloads it with the session cookie. */
export const exportHref = (tenantId: string, overlayId: string) => onePath(tenantId, overlayId, "/export");
/** What the streamer pastes into OBS as a browser source. */
export const obsUrl = (publicId: string) => new URL(`/overlay/${publicId}`, window.location.origin).toString();

export type { OverlayExport };

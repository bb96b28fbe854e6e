// Go-live notifications for the Discord section: tracked streamers of a guild, their stream sessions, platform
// status (what detects a stream, the YouTube quota) and "send test alert".
import type {
  CreateTrackedStreamerRequest,
  GoLiveStatus,
  StreamSessionView,
  TrackedStreamerView,
  UpdateTrackedStreamerRequest,
} from "@nebula/schema/api/go-live";
import { query } from "@solidjs/router";
import type { z } from "zod";
import { request } from "./client.ts";
import { discordTenantPath } from "./discord.ts";

export type TrackedStreamer = TrackedStreamerView;
export type StreamSession = z.infer<typeof StreamSessionView>;
export type GoLivePlatformStatus = z.infer<typeof GoLiveStatus>;

const goLive = (tenantId: string, rest: string) => discordTenantPath(tenantId, `/go-live${rest}`);
const streamerPath = (tenantId: string, id: string, rest = "") => goLive(tenantId, `/streamers/${encodeURIComponent(id)}${rest}`);

export const getGoLiveStatus = query((tenantId: string) => request<GoLivePlatformStatus>("GET", goLive(tenantId, "/status")), "go-live-status");

export const getTrackedStreamers = query(
  (tenantId: string, guildId: string) =>
    request<{ items: TrackedStreamer[] }>("GET", goLive(tenantId, `/streamers?${new URLSearchParams({ guildId })}`)),
  "go-live-streamers",
);

export const getStreamSessions = query(
  (tenantId: string) => request<{ items: StreamSession[] }>("GET", goLive(tenantId, "/sessions?limit=50")),
  "go-live-sessions",
);

export const addTrackedStreamer = (tenantId: string, input: CreateTrackedStreamerRequest) =>
  request<TrackedStreamer>("POST", goLive(tenantId, "/streamers"), input);
export const updateTrackedStreamer = (tenantId: string, id: string, change: UpdateTrackedStreamerRequest) =>
  request<TrackedStreamer>("PATCH", streamerPath(tenantId, id), change);
export const removeTrackedStreamer = (tenantId: string, id: string) => request<void>("DELETE", streamerPath(tenantId, id));
export const sendStreamTestAlert = (tenantId: string, id: string) =>
  request<{ outboxId: string; queued: boolean }>("POST", streamerPath(tenantId, id, "/test"));

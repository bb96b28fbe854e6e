// Platform connections for the Streams page: the signed-in user's Twitch/YouTube/Kick connections, every member's for
// admins, and the actions (connect and "enable chat bot" answer the platform's consent URL to open; disconnect).
import type { AuthorizeRedirect, ConnectionFeature, ConnectionPlatform, ConnectionView, MyConnections, TenantConnectionList } from "@nebula/schema/api/connections";
import { query } from "@solidjs/router";
import { request } from "./client.ts";

const connections = (tenantId: string, rest = "") => `/api/t/${encodeURIComponent(tenantId)}/streams/connections${rest}`;

export const getMyConnections = query((tenantId: string) => request<MyConnections>("GET", connections(tenantId)), "stream-connections");
export const getTenantConnections = query((tenantId: string) => request<TenantConnectionList>("GET", connections(tenantId, "/all")), "stream-connections-all");

export const startConnection = (tenantId: string, platform: ConnectionPlatform, feature: ConnectionFeature) =>
  request<AuthorizeRedirect>("POST", connections(tenantId, `/${platform}/connect`), { feature, returnTo: "/streams" });
export const upgradeConnection = (tenantId: string, connectionId: string) =>
  request<AuthorizeRedirect>("POST", connections(tenantId, `/${encodeURIComponent(connectionId)}/upgrade`), { returnTo: "/streams" });
export const disconnectConnection = (tenantId: string, connectionId: string) => request<void>("DELETE", connections(tenantId, `/${encodeURIComponent(connectionId)}`));
/** Re-creates the Twitch EventSub subscriptions that failed or were revoked; answers the connection as it now stands. */
export const retryEventSubs = (tenantId: string, connectionId: string) => request<ConnectionView>("POST", connections(tenantId, `/${encodeURIComponent(connectionId)}/eventsub/retry`));

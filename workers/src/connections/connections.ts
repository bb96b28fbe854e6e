// Reading and removing platform connections: the caller's own per platform (with whether the server can connect
// it at all), every member's for admins, and disconnect, which revokes at the platform before deleting the tokens and
// then undoes what the account left running (disconnect-cleanup.ts).
import { type api, platformConnections, users } from "@nebula/schema";
import { CONNECTION_PLATFORMS } from "@nebula/schema";
import { and, asc, eq } from "drizzle-orm";
import { type Actor, recordAudit } from "../audit/audit.ts";
import { AppError } from "../errors/app-error.ts";
import { iso } from "../http/respond.ts";
import { featuresOf } from "./connect-flow.ts";
import { type ConnectionDeps, type ConnectionRow, openTokens } from "./connection-tokens.ts";
import { type CleanupReport, type DisconnectBindings, cleanUpAfterDisconnect } from "./disconnect-cleanup.ts";
import { eventSubStatuses } from "./eventsub-status.ts";
import { missingCredentials, revokeAtPlatform } from "./platform-oauth.ts";

/** The settings page shows a token this close to expiry as "expiring" even before the refresh job has run. */
export const EXPIRING_WITHIN_MS = 15 * 60_000;

export function connectionView(row: ConnectionRow, now: Date, eventSub: api.EventSubStatus | null = null): api.ConnectionView {
  const soon = row.status === "connected" && !row.refreshTokenCiphertext && row.expiresAt !== null && row.expiresAt.getTime() - now.getTime() < EXPIRING_WITHIN_MS;
  return {
    id: row.id,
    platform: row.platform,
    userId: row.userId,
    platformUserId: row.platformUserId,
    login: row.login,
    displayName: row.displayName,
    avatarUrl: row.avatarUrl,
    scopes: row.scopes,
    features: featuresOf(row.platform, row.scopes),
    status: soon ? "expiring" : row.status,
    expiresAt: iso(row.expiresAt),
    lastRefreshError: row.lastRefreshError,
    lastRefreshedAt: iso(row.lastRefreshedAt),
    createdAt: iso(row.createdAt),
    eventSub,
  };
}

export async function myConnections(deps: ConnectionDeps, tenantId: string, userId: string): Promise<api.MyConnections> {
  const rows = await deps.db
    .select()
    .from(platformConnections)
    .where(and(eq(platformConnections.tenantId, tenantId), eq(platformConnections.userId, userId)));
  const now = deps.now();
  const eventSub = await eventSubStatuses(deps.db, rows.map((r) => r.id));
  return {
    platforms: CONNECTION_PLATFORMS.map((platform) => {
      const row = rows.find((r) => r.platform === platform);
      const missing = missingCredentials(deps.config, platform);
      return { platform, configured: missing.length === 0, missing, connection: row ? connectionView(row, now, eventSub.get(row.id) ?? null) : null };
    }),
  };
}

export async function tenantConnections(deps: ConnectionDeps, tenantId: string): Promise<api.TenantConnectionList> {
  const rows = await deps.db
    .select({ row: platformConnections, userName: users.name })
    .from(platformConnections)
    .innerJoin(users, eq(users.id, platformConnections.userId))
    .where(eq(platformConnections.tenantId, tenantId))
    .orderBy(asc(users.name), asc(platformConnections.platform));
  const now = deps.now();
  const eventSub = await eventSubStatuses(deps.db, rows.map((r) => r.row.id));
  return { items: rows.map((r) => ({ ...connectionView(r.row, now, eventSub.get(r.row.id) ?? null), userName: r.userName })) };
}

/** A connection of this tenant that the caller may act on: their own, or anyone's for admins. Others: 404. */
export async function connectionInTenant(deps: ConnectionDeps, tenantId: string, connectionId: string, caller: { userId: string; isAdmin: boolean }): Promise<ConnectionRow> {
  const [row] = await deps.db
    .select()
    .from(platformConnections)
    .where(and(eq(platformConnections.id, connectionId), eq(platformConnections.tenantId, tenantId)))
    .limit(1);
  if (!row || (row.userId !== caller.userId && !caller.isAdmin)) throw new AppError("NOT_FOUND", "Connection not found");
  return row;
}

export async function disconnect(
  deps: ConnectionDeps,
  row: ConnectionRow,
  actor: Actor,
  requestId?: string,
  bindings: DisconnectBindings = { liveChats: null, timers: null },
): Promise<{ revoked: boolean; cleanup: CleanupReport }> {
  let revoked = false;
  try {
    revoked = await revokeAtPlatform(deps.config, row.platform, await openTokens(await deps.keyRing(), row));
  } catch (err) {
    // Unconfigured platform or a token that no longer opens: the tokens still go.
    deps.logger.warn("could not revoke a connection at the platform", { platform: row.platform, connectionId: row.id, tenantId: row.tenantId, error: err instanceof Error ? err.message : "unknown" });
  }
  await deps.db.transaction(async (tx) => {
    await tx.delete(platformConnections).where(eq(platformConnections.id, row.id));
    await recordAudit(
      tx,
      actor,
      {
        tenantId: row.tenantId,
        action: "connection.disconnect",
        targetType: "platform_connection",
        targetId: row.id,
        details: { platform: row.platform, account: row.login, ownerUserId: row.userId, revokedAtPlatform: revoked },
      },
      requestId,
    );
  });
  // After the row is gone, so nothing links a channel to it again meanwhile; a failed step does not fail the disconnect.
  const cleanup = await cleanUpAfterDisconnect({ ...deps, ...bindings }, row);
  await recordAudit(deps.db, actor, { tenantId: row.tenantId, action: "connection.disconnect.cleanup", targetType: "platform_connection", targetId: row.id, details: { platform: row.platform, account: row.login, ...cleanup } }, requestId).catch(
    (err: unknown) => deps.logger.warn("connections: the disconnect cleanup was not audited", { connectionId: row.id, err }),
  );
  return { revoked, cleanup };
}

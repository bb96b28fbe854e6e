// Tokens of a platform connection: sealed at rest (AES-GCM bound to the row), opened only here, refreshed before they
// expire. `tokenFor` is what other features (chat bot, inbox) call: it hands back a working access token, refreshing on
// demand, one refresh per connection at a time.
import { type ConnectionStatus, platformConnections } from "@nebula/schema";
import { and, eq } from "drizzle-orm";
import type { KeyRing } from "../crypto/secret-box.ts";
import { AppError } from "../errors/app-error.ts";
import type { Services } from "../http/context.ts";
import { connectionAad } from "./connection-aad.ts";
import { GrantRefused, type TokenGrant, refreshGrant } from "./platform-oauth.ts";

export type ConnectionDeps = Pick<Services, "db" | "cache" | "config" | "logger" | "now" | "keyRing">;
export type ConnectionRow = typeof platformConnections.$inferSelect;

/** How the streamer knows each platform, for messages they read on the settings page. */
const PLATFORM_NAMES: Record<ConnectionRow["platform"], string> = { twitch: "Twitch", youtube: "YouTube", kick: "Kick", spotify: "Spotify" };

/** Refreshed this long before expiry by tokenFor (a token that dies mid-request fails with 401). */
export const TOKEN_MARGIN_MS = 60_000;

export interface SealedTokens {
  keyVersion: string;
  accessTokenCiphertext: string;
  refreshTokenCiphertext: string | null;
}

export async function sealTokens(ring: KeyRing, row: Pick<ConnectionRow, "id" | "tenantId" | "userId" | "platform">, tokens: { accessToken: string; refreshToken: string | null }): Promise<SealedTokens> {
  const access = await ring.seal(tokens.accessToken, connectionAad(row, "access"));
  const refresh = tokens.refreshToken === null ? null : await ring.seal(tokens.refreshToken, connectionAad(row, "refresh"));
  // seal() always uses the current key, so both share its version.
  return { keyVersion: access.keyVersion, accessTokenCiphertext: access.ciphertext, refreshTokenCiphertext: refresh?.ciphertext ?? null };
}

export async function openTokens(ring: KeyRing, row: ConnectionRow): Promise<{ accessToken: string; refreshToken: string | null }> {
  const accessToken = await ring.open({ keyVersion: row.keyVersion, ciphertext: row.accessTokenCiphertext }, connectionAad(row, "access"));
  const refreshToken = row.refreshTokenCiphertext === null ? null : await ring.open({ keyVersion: row.keyVersion, ciphertext: row.refreshTokenCiphertext }, connectionAad(row, "refresh"));
  return { accessToken, refreshToken };
}

export async function loadConnection(deps: Pick<ConnectionDeps, "db">, connectionId: string): Promise<ConnectionRow | null> {
  const [row] = await deps.db.select().from(platformConnections).where(eq(platformConnections.id, connectionId)).limit(1);
  return row ?? null;
}

export interface PlatformToken {
  connectionId: string;
  tenantId: string;
  userId: string;
  platform: ConnectionRow["platform"];
  platformUserId: string;
  login: string;
  scopes: string[];
  accessToken: string;
  expiresAt: Date | null;
}

const tokenOf = (row: ConnectionRow, accessToken: string): PlatformToken => ({
  connectionId: row.id,
  tenantId: row.tenantId,
  userId: row.userId,
  platform: row.platform,
  platformUserId: row.platformUserId,
  login: row.login,
  scopes: row.scopes,
  accessToken,
  expiresAt: row.expiresAt,
});

/** `refusal` is the platform's own code (invalid_grant) when this very refresh was refused; it stays out of the message. */
const reauthError = (row: ConnectionRow, refusal?: string) =>
  new AppError("CONFLICT", `The ${PLATFORM_NAMES[row.platform]} connection of ${row.login} needs to be re-authorized`, {
    details: { connectionId: row.id, platform: row.platform, status: row.status, reason: "needs_reauth", ...(refusal ? { refusal } : {}) },
  });

/**
 * A working access token for the connection: from the row while it has more than a minute left, otherwise refreshed
 * first. Throws NOT_FOUND for an unknown connection and CONFLICT (details.reason "needs_reauth") when the user must
 * connect again. Callers never see the refresh token.
 */
export async function tokenFor(deps: ConnectionDeps, connectionId: string): Promise<PlatformToken> {
  const row = await loadConnection(deps, connectionId);
  if (!row) throw new AppError("NOT_FOUND", "Connection not found");
  if (row.status === "needs_reauth" || row.status === "revoked") throw reauthError(row);
  const ring = await deps.keyRing();
  if (!row.expiresAt || row.expiresAt.getTime() - deps.now().getTime() > TOKEN_MARGIN_MS) {
    return tokenOf(row, (await openTokens(ring, row)).accessToken);
  }
  const refreshed = await refreshConnection(deps, row.id);
  if (refreshed.outcome !== "refreshed") throw refreshed.outcome === "needs_reauth" ? reauthError(refreshed.row, refreshed.refusal) : new AppError("UPSTREAM", `${row.platform}: could not refresh the token (${refreshed.row.lastRefreshError ?? "unknown error"})`, { details: { platform: row.platform, connectionId } });
  return tokenOf(refreshed.row, refreshed.accessToken);
}

export type RefreshResult =
  | { outcome: "refreshed"; row: ConnectionRow; accessToken: string }
  | { outcome: "needs_reauth"; row: ConnectionRow; refusal?: string }
  | { outcome: "failed"; row: ConnectionRow };

/** One refresh per connection per isolate; concurrent callers share it. */
const inFlight = new Map<string, Promise<RefreshResult>>();

export function refreshConnection(deps: ConnectionDeps, connectionId: string, options: { force?: boolean } = {}): Promise<RefreshResult> {
  let running = inFlight.get(connectionId);
  if (!running) {
    running = refreshOnce(deps, connectionId, options.force ?? false).finally(() => inFlight.delete(connectionId));
    inFlight.set(connectionId, running);
  }
  return running;
}

async function setStatus(deps: ConnectionDeps, row: ConnectionRow, status: ConnectionStatus, error: string | null): Promise<ConnectionRow> {
  const [updated] = await deps.db
    .update(platformConnections)
    .set({ status, lastRefreshError: error, updatedAt: deps.now() })
    .where(eq(platformConnections.id, row.id))
    .returning();
  return updated ?? { ...row, status, lastRefreshError: error };
}

/**
 * Across isolates the row is the lock: the new tokens are written only if the refresh token is still the one this
 * refresh used (compare-and-set). The loser of a race, or a refresh refused because another isolate already rotated
 * the refresh token, re-reads the row and uses the winner's token instead of marking the connection broken.
 */
async function refreshOnce(deps: ConnectionDeps, connectionId: string, force: boolean): Promise<RefreshResult> {
  const ring = await deps.keyRing();
  const row = await loadConnection(deps, connectionId);
  if (!row) throw new AppError("NOT_FOUND", "Connection not found");
  if (row.status === "needs_reauth" || row.status === "revoked") return { outcome: "needs_reauth", row };
  const now = deps.now();
  if (!force && row.expiresAt && row.expiresAt.getTime() - now.getTime() > TOKEN_MARGIN_MS && row.lastRefreshedAt && now.getTime() - row.lastRefreshedAt.getTime() < TOKEN_MARGIN_MS) {
    // Refreshed a moment ago by someone else.
    return { outcome: "refreshed", row, accessToken: (await openTokens(ring, row)).accessToken };
  }
  const { refreshToken } = await openTokens(ring, row);
  if (!refreshToken) {
    const expired = !row.expiresAt || row.expiresAt.getTime() <= now.getTime();
    const updated = await setStatus(deps, row, expired ? "needs_reauth" : "expiring", `${PLATFORM_NAMES[row.platform]} gave this connection no way to renew its sign-in: connect again before it expires.`);
    return expired ? { outcome: "needs_reauth", row: updated } : { outcome: "failed", row: updated };
  }
  let grant: TokenGrant;
  try {
    grant = await refreshGrant(deps.config, row.platform, refreshToken, now);
  } catch (err) {
    const current = await loadConnection(deps, connectionId);
    if (current && current.refreshTokenCiphertext !== row.refreshTokenCiphertext && current.status === "connected") {
      return { outcome: "refreshed", row: current, accessToken: (await openTokens(ring, current)).accessToken };
    }
    if (err instanceof GrantRefused) {
      deps.logger.warn("platform refused a refresh token", { platform: row.platform, connectionId, tenantId: row.tenantId, reason: err.reason });
      const message = `${PLATFORM_NAMES[row.platform]} no longer accepts this connection's sign-in (it was revoked or expired): connect again.`;
      return { outcome: "needs_reauth", row: await setStatus(deps, row, "needs_reauth", message), refusal: err.reason };
    }
    const message = err instanceof AppError ? err.message : "refresh failed";
    deps.logger.warn("token refresh failed", { platform: row.platform, connectionId, tenantId: row.tenantId, error: message });
    const soon = !row.expiresAt || row.expiresAt.getTime() - now.getTime() < 15 * 60_000;
    return { outcome: "failed", row: await setStatus(deps, row, soon ? "expiring" : row.status, message) };
  }
  const sealed = await sealTokens(ring, row, { accessToken: grant.accessToken, refreshToken: grant.refreshToken ?? refreshToken });
  const [updated] = await deps.db
    .update(platformConnections)
    .set({
      ...sealed,
      expiresAt: grant.expiresAt,
      scopes: grant.scopes ?? row.scopes,
      status: "connected",
      lastRefreshError: null,
      lastRefreshedAt: now,
      updatedAt: now,
    })
    .where(and(eq(platformConnections.id, row.id), row.refreshTokenCiphertext === null ? eq(platformConnections.keyVersion, row.keyVersion) : eq(platformConnections.refreshTokenCiphertext, row.refreshTokenCiphertext)))
    .returning();
  if (updated) return { outcome: "refreshed", row: updated, accessToken: grant.accessToken };
  // Someone else wrote first (or the row was disconnected): theirs wins.
  const current = await loadConnection(deps, connectionId);
  if (!current) throw new AppError("NOT_FOUND", "Connection not found");
  if (current.status === "needs_reauth" || current.status === "revoked") return { outcome: "needs_reauth", row: current };
  return { outcome: "refreshed", row: current, accessToken: (await openTokens(ring, current)).accessToken };
}

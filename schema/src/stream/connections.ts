// A streamer's OAuth connection to Twitch, YouTube, Kick or Spotify (now playing on overlays): one per (tenant, user,
// platform). The access and refresh
// tokens are sealed with AES-256-GCM (workers/src/crypto) bound to this row as associated data; they are never stored
// or returned in plaintext. The cron refresh job reads `expires_at`, the settings page reads `status`.
import { sql } from "drizzle-orm";
import { index, text, uniqueIndex } from "drizzle-orm/pg-core";
import { at, createdAt, updatedAt } from "../core/columns.ts";
import { tenants } from "../core/tenants.ts";
import { users } from "../core/users.ts";
import { STREAM_PLATFORMS } from "../discord/tracked-streamers.ts";
import { stream } from "./columns.ts";

/**
 * connected: tokens work; expiring: the access token is close to expiry and the last refresh failed for a reason
 * that may pass (the platform was down); needs_reauth: the platform refused the grant (invalid_grant, Twitch
 * validate 401), the user must connect again; revoked: the platform told us the user removed the app.
 */
/** The streaming platforms, plus Spotify, which only feeds the overlays' now-playing layer (no chat, no inbox). */
export const CONNECTION_PLATFORMS = [...STREAM_PLATFORMS, "spotify"] as const;
export type ConnectionPlatformName = (typeof CONNECTION_PLATFORMS)[number];

export const CONNECTION_STATUSES = ["connected", "expiring", "needs_reauth", "revoked"] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

export const platformConnections = stream.table(
  "platform_connections",
  {
    /** `pcn_…` */
    id: text("id").primaryKey(),
    tenantId: text("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    platform: text("platform", { enum: CONNECTION_PLATFORMS }).notNull(),
    /** Twitch user id, YouTube channel id (UC…), Kick user id, Spotify user id. */
    platformUserId: text("platform_user_id").notNull(),
    login: text("login").notNull(),
    displayName: text("display_name").notNull(),
    avatarUrl: text("avatar_url"),
    /** What the platform says the current token grants. */
    scopes: text("scopes").array().notNull().default(sql`'{}'::text[]`),
    /** Key version that sealed both tokens; rotation re-seals rows whose version is not current. */
    keyVersion: text("key_version").notNull(),
    /** base64(iv || ciphertext || tag), associated data `nebula.connection:<id>:<tenant>:<user>:<platform>:access`. */
    accessTokenCiphertext: text("access_token_ciphertext").notNull(),
    refreshTokenCiphertext: text("refresh_token_ciphertext"),
    expiresAt: at("expires_at"),
    status: text("status", { enum: CONNECTION_STATUSES }).notNull().default("connected"),
    lastRefreshError: text("last_refresh_error"),
    lastRefreshedAt: at("last_refreshed_at"),
    /** Twitch requires apps to validate user tokens hourly (GET /oauth2/validate). */
    lastValidatedAt: at("last_validated_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("platform_connections_user_platform_uq").on(t.tenantId, t.userId, t.platform),
    // One platform account belongs to one streamer of a tenant.
    uniqueIndex("platform_connections_account_uq").on(t.tenantId, t.platform, t.platformUserId),
    // The refresh job: tokens that expire soon.
    index("platform_connections_expiry_idx").on(t.expiresAt).where(sql`${t.status} in ('connected', 'expiring')`),
    index("platform_connections_key_version_idx").on(t.keyVersion),
  ],
);

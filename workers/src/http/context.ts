// Types carried on every request's context: services, request id, who is calling and in which tenant.
import type { Permission, Role } from "@nebula/schema";
import type { Cache } from "../cache/cache.ts";
import type { Config } from "../config/config.ts";
import type { KeyRing } from "../crypto/secret-box.ts";
import type { Db } from "../db/client.ts";
import type { Env } from "../env.ts";
import type { Logger } from "../logging/logger.ts";

export interface Services {
  config: Config;
  logger: Logger;
  now: () => Date;
  /** Opened on first use and closed when the response is done, so routes that never touch Postgres never connect. */
  readonly db: Db;
  cache: Cache;
  keyRing(): Promise<KeyRing>;
}

export interface AuthUser {
  id: string;
  name: string;
  avatarUrl: string | null;
}

export type Auth =
  | { via: "session"; user: AuthUser; sessionId: string; activeTenantId: string | null }
  | { via: "token"; user: AuthUser; tokenId: string; tenantId: string; scopes: string[] };

export interface TenantAccess {
  tenantId: string;
  role: Role;
  /** Null for a session (everything the role allows); a token's scopes otherwise. */
  scopes: string[] | null;
}

export interface AppEnv {
  Bindings: Env;
  Variables: {
    requestId: string;
    services: Services;
    auth: Auth | null;
    tenant: TenantAccess;
    permission: Permission;
  };
}

// API tokens: `nc_` + 256 random bits, shown once, stored as SHA-256, scoped to a preset, revocable.
import { READ_ONLY_SCOPES, apiTokens, newId, users } from "@nebula/schema";
import type { api } from "@nebula/schema";
import { and, desc, eq, isNull } from "drizzle-orm";
import type { z } from "zod";
import { type Actor, recordAudit } from "../audit/audit.ts";
import { forgetApiToken } from "../auth/auth-cache.ts";
import { randomToken, sha256Hex } from "../crypto/tokens.ts";
import type { Db } from "../db/client.ts";
import { AppError, notFound } from "../errors/app-error.ts";
import type { TenantAccess } from "../http/context.ts";
import { iso } from "../http/respond.ts";

export function scopesFor(preset: (typeof api.TOKEN_SCOPE_PRESETS)[number]): string[] {
  return preset === "full" ? ["*"] : [...READ_ONLY_SCOPES];
}

const columns = {
  id: apiTokens.id,
  name: apiTokens.name,
  prefix: apiTokens.prefix,
  scopes: apiTokens.scopes,
  userId: apiTokens.userId,
  lastUsedAt: apiTokens.lastUsedAt,
  expiresAt: apiTokens.expiresAt,
  revokedAt: apiTokens.revokedAt,
  createdAt: apiTokens.createdAt,
  creatorName: users.name,
};

interface Row {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  userId: string;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
  creatorName: string;
}

function present(r: Row): api.ApiToken {
  return {
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    scopes: r.scopes,
    createdBy: { id: r.userId, name: r.creatorName },
    lastUsedAt: iso(r.lastUsedAt),
    expiresAt: iso(r.expiresAt),
    revokedAt: iso(r.revokedAt),
    createdAt: iso(r.createdAt),
  };
}

export async function listApiTokens(db: Db, tenantId: string): Promise<api.ApiToken[]> {
  const rows = await db
    .select(columns)
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(eq(apiTokens.tenantId, tenantId))
    .orderBy(desc(apiTokens.createdAt))
    .limit(200);
  return rows.map(present);
}

export async function createApiToken(
  db: Db,
  access: TenantAccess,
  actor: Actor & { userId: string; userName: string },
  input: z.output<typeof api.CreateApiTokenRequest>,
  now: Date,
  requestId: string,
): Promise<{ token: api.ApiToken; secret: string }> {
  // A token can never carry more than the token it was made with.
  if (access.scopes && !access.scopes.includes("*") && input.scope === "full") {
    throw new AppError("FORBIDDEN", "A read-only token cannot create a full-access token");
  }
  const secret = randomToken("nc_", 32);
  const row = {
    id: newId("apiToken"),
    tenantId: access.tenantId,
    userId: actor.userId,
    name: input.name,
    prefix: secret.slice(0, 10),
    tokenHash: await sha256Hex(secret),
    scopes: scopesFor(input.scope),
    expiresAt: input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * 86_400_000) : null,
    createdAt: now,
  };
  await db.transaction(async (tx) => {
    await tx.insert(apiTokens).values(row);
    await recordAudit(tx, actor, { tenantId: access.tenantId, action: "api_token.create", targetType: "api_token", targetId: row.id, details: { name: row.name, scope: input.scope } }, requestId);
  });
  const token = present({ ...row, lastUsedAt: null, revokedAt: null, creatorName: actor.userName });
  return { token, secret };
}

/** Operators revoke their own tokens; admins and owners any in the tenant. */
export async function revokeApiToken(db: Db, access: TenantAccess, actor: Actor & { userId: string }, tokenId: string, now: Date, requestId: string): Promise<void> {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .select({ id: apiTokens.id, userId: apiTokens.userId, revokedAt: apiTokens.revokedAt, name: apiTokens.name })
      .from(apiTokens)
      .where(and(eq(apiTokens.id, tokenId), eq(apiTokens.tenantId, access.tenantId)));
    if (!row) throw notFound("API token");
    if (row.userId !== actor.userId && access.role === "operator") throw new AppError("FORBIDDEN", "Operators can revoke only their own tokens");
    if (row.revokedAt) return;
    await tx.update(apiTokens).set({ revokedAt: now }).where(and(eq(apiTokens.id, tokenId), isNull(apiTokens.revokedAt)));
    await recordAudit(tx, actor, { tenantId: access.tenantId, action: "api_token.revoke", targetType: "api_token", targetId: tokenId, details: { name: row.name } }, requestId);
  });
  // After the commit: the token's next request in this isolate is refused (auth-cache.ts).
  forgetApiToken(tokenId);
}

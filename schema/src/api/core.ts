// Wire shapes of the core API (/api/*): the worker parses its outputs with these, the web app its inputs.
import { z } from "zod";
import { ROLES } from "../core/roles.ts";

export const RoleSchema = z.enum(ROLES);
const isoDate = z.iso.datetime({ offset: true });

export const TenantSummary = z.object({ id: z.string(), name: z.string(), role: RoleSchema });
export type TenantSummary = z.infer<typeof TenantSummary>;

export const MeResponse = z.object({
  user: z.object({ id: z.string(), name: z.string(), avatarUrl: z.string().nullable() }),
  tenants: z.array(TenantSummary),
  activeTenantId: z.string().nullable(),
  /** How this request was authenticated. */
  via: z.enum(["session", "token"]),
  discordSignIn: z.boolean(),
});
export type MeResponse = z.infer<typeof MeResponse>;

export const SwitchTenantRequest = z.strictObject({ tenantId: z.string().max(64) });
export const CreateTenantRequest = z.strictObject({ name: z.string().trim().min(1).max(80) });
export const UpdateTenantRequest = z.strictObject({ name: z.string().trim().min(1).max(80) });

export const Member = z.object({
  id: z.string(),
  userId: z.string(),
  name: z.string(),
  avatarUrl: z.string().nullable(),
  role: RoleSchema,
  createdAt: isoDate,
});
export type Member = z.infer<typeof Member>;
export const MemberList = z.object({ items: z.array(Member) });
export const UpdateMemberRequest = z.strictObject({ role: RoleSchema });

export const Invite = z.object({
  id: z.string(),
  role: RoleSchema,
  maxUses: z.number().int(),
  uses: z.number().int(),
  expiresAt: isoDate,
  revokedAt: isoDate.nullable(),
  createdAt: isoDate,
  status: z.enum(["active", "used", "expired", "revoked"]),
});
export type Invite = z.infer<typeof Invite>;
export const InviteList = z.object({ items: z.array(Invite) });
export const CreateInviteRequest = z.strictObject({
  role: z.enum(["viewer", "operator", "admin"]),
  maxUses: z.number().int().min(1).max(100).default(1),
  expiresInHours: z.number().int().min(1).max(24 * 30).default(72),
});
/** The link is in the response once; only its hash is stored. */
export const CreatedInvite = z.object({ invite: Invite, url: z.url() });
export const AcceptInviteRequest = z.strictObject({ token: z.string().min(20).max(200) });
export const AcceptInviteResponse = z.object({ tenant: TenantSummary });
/** What an invite link offers, read before accepting; uses nothing up. */
export const InvitePreview = z.object({
  tenant: z.object({ id: z.string(), name: z.string() }),
  role: RoleSchema,
  expiresAt: isoDate,
  /** The caller's current role there, when they already belong to it. */
  currentRole: RoleSchema.nullable(),
});
export type InvitePreview = z.infer<typeof InvitePreview>;

export const TOKEN_SCOPE_PRESETS = ["full", "read"] as const;
export const ApiToken = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(z.string()),
  createdBy: z.object({ id: z.string(), name: z.string() }),
  lastUsedAt: isoDate.nullable(),
  expiresAt: isoDate.nullable(),
  revokedAt: isoDate.nullable(),
  createdAt: isoDate,
});
export type ApiToken = z.infer<typeof ApiToken>;
export const ApiTokenList = z.object({ items: z.array(ApiToken) });
export const CreateApiTokenRequest = z.strictObject({
  name: z.string().trim().min(1).max(80),
  scope: z.enum(TOKEN_SCOPE_PRESETS).default("full"),
  expiresInDays: z.number().int().min(1).max(365).nullable().default(null),
});
/** `secret` appears in this response only, never again. */
export const CreatedApiToken = z.object({ token: ApiToken, secret: z.string() });

export const AuditEntry = z.object({
  id: z.string(),
  actorId: z.string(),
  actorName: z.string(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  result: z.enum(["success", "failure"]),
  details: z.record(z.string(), z.unknown()).nullable(),
  createdAt: isoDate,
});
export type AuditEntry = z.infer<typeof AuditEntry>;
export const AuditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(100).optional(),
  action: z.string().max(80).optional(),
});
export const AuditPage = z.object({ items: z.array(AuditEntry), nextCursor: z.string().nullable() });

export const Health = z.object({
  status: z.enum(["ok", "degraded"]),
  version: z.string(),
  database: z.object({ ok: z.boolean(), latencyMs: z.number().nullable(), error: z.string().optional() }),
  cache: z.object({ ok: z.boolean(), adapter: z.string(), latencyMs: z.number().nullable() }),
  discord: z.object({ interactions: z.boolean(), signIn: z.boolean(), bot: z.boolean() }),
});
export type Health = z.infer<typeof Health>;
export type AuditPage = z.infer<typeof AuditPage>;
export type CreatedInvite = z.infer<typeof CreatedInvite>;
export type CreatedApiToken = z.infer<typeof CreatedApiToken>;

// Connecting a platform account: start (a single-use state in the cache, bound to tenant + user + platform, 10 min,
// holding the PKCE verifier) → the platform's consent screen → finish (exchange the code, read the account, store the
// sealed tokens). An "upgrade" asks for the chat bot's scopes on top of what the connection already holds and keeps
// the row; a platform account already connected by another member of the tenant is refused.
import { CONNECTION_PLATFORMS, type api, newId, platformConnections } from "@nebula/schema";
import { CONNECTION_SCOPES } from "@nebula/schema/api/connections";
import { generateCodeVerifier, generateState } from "arctic";
import { and, eq, ne } from "drizzle-orm";
import { z } from "zod";
import { type Actor, recordAudit } from "../audit/audit.ts";
import { markIdleGateChanged } from "../cron/idle-gates.ts";
import { AppError } from "../errors/app-error.ts";
import { type ConnectionDeps, type ConnectionRow, openTokens, sealTokens } from "./connection-tokens.ts";
import { GrantRefused, authorizeUrl, exchangeCode, readIdentity, revokeAtPlatform } from "./platform-oauth.ts";

type Platform = api.ConnectionPlatform;
type Feature = api.ConnectionFeature;

/** How long the user has on the platform's consent screen. */
export const CONNECT_STATE_TTL_SECONDS = 600;

const FlowState = z.object({
  tenantId: z.string(),
  userId: z.string(),
  userName: z.string(),
  platform: z.enum(CONNECTION_PLATFORMS),
  feature: z.enum(["base", "chatbot"]),
  verifier: z.string(),
  /** Set for an upgrade: the connection whose account must come back. */
  connectionId: z.string().nullable(),
  returnTo: z.string(),
  expiresAt: z.number(),
});
type FlowState = z.infer<typeof FlowState>;

const stateKey = (state: string) => `connections:oauth-state:${state}`;

export const callbackUri = (origin: string, platform: Platform) => `${origin}/auth/platforms/${platform}/callback`;

/** The scopes a connect asks for: the feature's, plus every feature the connection already has (scopes merge). */
export function scopesToRequest(platform: Platform, feature: Feature, existing: readonly string[] = []): string[] {
  const wanted = new Set<string>(CONNECTION_SCOPES[platform].base);
  if (feature === "chatbot") for (const s of CONNECTION_SCOPES[platform].chatbot) wanted.add(s);
  for (const s of existing) wanted.add(s);
  return [...wanted];
}

export function featuresOf(platform: Platform, scopes: readonly string[]): { base: boolean; chatbot: boolean } {
  const has = (list: readonly string[]) => list.every((s) => scopes.includes(s));
  return { base: has(CONNECTION_SCOPES[platform].base), chatbot: has(CONNECTION_SCOPES[platform].chatbot) };
}

async function ownConnection(deps: ConnectionDeps, tenantId: string, userId: string, platform: Platform): Promise<ConnectionRow | null> {
  const [row] = await deps.db
    .select()
    .from(platformConnections)
    .where(and(eq(platformConnections.tenantId, tenantId), eq(platformConnections.userId, userId), eq(platformConnections.platform, platform)))
    .limit(1);
  return row ?? null;
}

export interface StartConnect {
  tenantId: string;
  userId: string;
  userName: string;
  platform: Platform;
  feature: Feature;
  /** For an upgrade: the caller's own connection on this platform. */
  upgradeOf?: ConnectionRow;
  origin: string;
  returnTo?: string;
}

export async function startConnect(deps: ConnectionDeps, input: StartConnect): Promise<{ authorizeUrl: string }> {
  const existing = input.upgradeOf ?? (await ownConnection(deps, input.tenantId, input.userId, input.platform));
  const scopes = scopesToRequest(input.platform, input.feature, existing && existing.status !== "revoked" ? existing.scopes : []);
  const state = generateState();
  const verifier = generateCodeVerifier();
  const url = authorizeUrl(deps.config, input.platform, { state, verifier, scopes, redirectUri: callbackUri(input.origin, input.platform) });
  const flow: FlowState = {
    tenantId: input.tenantId,
    userId: input.userId,
    userName: input.userName,
    platform: input.platform,
    feature: input.feature,
    verifier,
    connectionId: input.upgradeOf?.id ?? null,
    returnTo: input.returnTo ?? "/streams",
    expiresAt: deps.now().getTime() + CONNECT_STATE_TTL_SECONDS * 1000,
  };
  await deps.cache.set(stateKey(state), JSON.stringify(flow), { ttlSeconds: CONNECT_STATE_TTL_SECONDS });
  return { authorizeUrl: url.toString() };
}

/** Why a callback did not connect, as the settings page explains it (the `connection_error` query value). */
export type ConnectFailure = "state" | "denied" | "refused" | "conflict" | "wrong_account" | "upstream" | "misconfigured" | "no_channel";

export class ConnectError extends Error {
  constructor(
    readonly failure: ConnectFailure,
    message: string,
    readonly returnTo = "/streams",
  ) {
    super(message);
    this.name = "ConnectError";
  }
}

export interface FinishConnect {
  platform: Platform;
  state: string;
  code: string | null;
  /** The platform's `error` parameter (access_denied when the user pressed Cancel). */
  error: string | null;
  /** The signed-in user finishing the flow: must be the one who started it. */
  sessionUserId: string | null;
  origin: string;
  requestId?: string;
}

/** Takes the state (single use: a replay finds nothing), checks it, and connects. */
export async function finishConnect(deps: ConnectionDeps, input: FinishConnect): Promise<{ connection: ConnectionRow; returnTo: string }> {
  const raw = await deps.cache.take(stateKey(input.state));
  const parsed = raw ? FlowState.safeParse(JSON.parse(raw)) : null;
  const flow = parsed?.success ? parsed.data : null;
  if (!flow || flow.platform !== input.platform || flow.expiresAt <= deps.now().getTime()) {
    throw new ConnectError("state", "This sign-in link expired or was already used; start the connection again");
  }
  if (!input.sessionUserId || input.sessionUserId !== flow.userId) {
    throw new ConnectError("state", "This connection was started by another user; start it again signed in as yourself", flow.returnTo);
  }
  if (input.error) throw new ConnectError(input.error === "access_denied" ? "denied" : "refused", `${input.platform} answered ${input.error}`, flow.returnTo);
  if (!input.code) throw new ConnectError("refused", `${input.platform} sent no authorization code`, flow.returnTo);
  try {
    return { connection: await connectAccount(deps, flow, input), returnTo: flow.returnTo };
  } catch (err) {
    if (err instanceof ConnectError) throw err;
    if (err instanceof GrantRefused) throw new ConnectError("refused", `${input.platform} refused the authorization code`, flow.returnTo);
    if (err instanceof AppError) {
      const failure: ConnectFailure = err.code === "MISCONFIGURED" ? "misconfigured" : err.code === "BAD_REQUEST" ? "no_channel" : "upstream";
      throw new ConnectError(failure, err.message, flow.returnTo);
    }
    throw err;
  }
}

async function connectAccount(deps: ConnectionDeps, flow: FlowState, input: FinishConnect): Promise<ConnectionRow> {
  const now = deps.now();
  const grant = await exchangeCode(deps.config, flow.platform, { code: input.code as string, verifier: flow.verifier, redirectUri: callbackUri(input.origin, flow.platform) }, now);
  const discard = () => revokeAtPlatform(deps.config, flow.platform, grant).catch(() => false);
  let identity: Awaited<ReturnType<typeof readIdentity>>;
  try {
    identity = await readIdentity(deps.config, deps.cache, flow.platform, grant.accessToken, now);
  } catch (err) {
    await discard();
    throw err;
  }
  const [taken] = await deps.db
    .select({ id: platformConnections.id })
    .from(platformConnections)
    .where(and(eq(platformConnections.tenantId, flow.tenantId), eq(platformConnections.platform, flow.platform), eq(platformConnections.platformUserId, identity.platformUserId), ne(platformConnections.userId, flow.userId)))
    .limit(1);
  if (taken) {
    await discard();
    throw new ConnectError("conflict", `${identity.displayName} on ${flow.platform} is already connected by another member of this tenant`, flow.returnTo);
  }
  const existing = await ownConnection(deps, flow.tenantId, flow.userId, flow.platform);
  if (flow.connectionId && (!existing || existing.id !== flow.connectionId || existing.platformUserId !== identity.platformUserId)) {
    await discard();
    throw new ConnectError("wrong_account", `Enabling the chat bot needs the same ${flow.platform} account (${existing?.displayName ?? "the connected one"}); you signed in as ${identity.displayName}`, flow.returnTo);
  }
  const ring = await deps.keyRing();
  const id = existing?.id ?? newId("platformConnection");
  const key = { id, tenantId: flow.tenantId, userId: flow.userId, platform: flow.platform };
  const sealed = await sealTokens(ring, key, grant);
  const requested = scopesToRequest(flow.platform, flow.feature, existing?.scopes ?? []);
  const values = {
    ...identity,
    ...sealed,
    scopes: grant.scopes ?? requested,
    expiresAt: grant.expiresAt,
    status: "connected" as const,
    lastRefreshError: null,
    lastRefreshedAt: now,
    lastValidatedAt: now,
    updatedAt: now,
  };
  if (existing && existing.platformUserId !== identity.platformUserId) {
    // Reconnected as another account: the old account's grant is no longer ours to keep.
    await revokeAtPlatform(deps.config, flow.platform, await openTokens(ring, existing).catch(() => ({ accessToken: "", refreshToken: null })));
  }
  let row: ConnectionRow | undefined;
  try {
    [row] = existing
      ? await deps.db.update(platformConnections).set(values).where(eq(platformConnections.id, existing.id)).returning()
      : await deps.db.insert(platformConnections).values({ ...key, ...values }).returning();
  } catch (err) {
    // Two members connecting one account at the same moment: the unique index decides.
    if ((err as { code?: string }).code === "23505" || /unique/i.test(String((err as Error).message))) {
      await discard();
      throw new ConnectError("conflict", `${identity.displayName} on ${flow.platform} is already connected in this tenant`, flow.returnTo);
    }
    throw err;
  }
  if (!row) throw new AppError("INTERNAL", "connection was not stored");
  // New tokens may expire before any the */5 refresh job knows of: it asks Postgres for the next expiry again.
  await markIdleGateChanged(deps.cache, "connections.refresh");
  const actor: Actor = { id: flow.userId, name: flow.userName };
  await recordAudit(
    deps.db,
    actor,
    {
      tenantId: flow.tenantId,
      action: flow.connectionId ? "connection.upgrade" : existing ? "connection.reconnect" : "connection.connect",
      targetType: "platform_connection",
      targetId: row.id,
      details: { platform: flow.platform, account: identity.login, platformUserId: identity.platformUserId, scopes: row.scopes },
    },
    input.requestId,
  );
  return row;
}

// Platform connections as a streamer meets them: connect Twitch, YouTube and Kick through each platform's consent
// screen (the fakes check client, redirect URI and PKCE), tokens sealed at rest, refreshed by cron before they expire,
// broken grants shown as "needs re-authorization", disconnect revoking at the platform, and every refusal of a state
// that was replayed, expired or carried by someone else. The token endpoints see each platform's own client
// authentication: HTTP Basic at Google (arctic), client_id/client_secret form fields at Twitch and Kick.
import { auditLog, platformConnections } from "@nebula/schema";
import { CONNECTION_SCOPES } from "@nebula/schema/api/connections";
import { and, eq, sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { ConnectError, finishConnect, startConnect as startConnectFlow } from "../../src/connections/connect-flow.ts";
import { runConnectionRefresh, runTwitchValidation } from "../../src/connections/connection-jobs.ts";
import { openTokens, tokenFor } from "../../src/connections/connection-tokens.ts";
import { myConnections } from "../../src/connections/connections.ts";
import { AppError } from "../../src/errors/app-error.ts";
import { type SeededTenant, asUser, seedTenant, withDb } from "../support/seed.ts";
import { accountId, call, callback, connect, connectionOf, consent, fakeControl, oauthState, startConnect, withDeps } from "./connection-harness.ts";

let lab: SeededTenant;
let other: SeededTenant;

beforeAll(async () => {
  [lab, other] = await withDb(async (db) => [await seedTenant(db, "Connections lab"), await seedTenant(db, "Other lab")]);
});


async function rawRow(id: string): Promise<string> {
  return withDb(async (db) => {
    const res = await db.execute(sql`select row_to_json(c)::text as j from stream.platform_connections c where id = ${id}`);
    return (res.rows[0] as { j: string }).j;
  });
}

async function tokensOf(id: string) {
  return withDeps(new Date(), async (deps) => {
    const [row] = await deps.db.select().from(platformConnections).where(eq(platformConnections.id, id));
    return openTokens(await deps.keyRing(), row as typeof platformConnections.$inferSelect);
  });
}

describe("connect", () => {
  it("connects Twitch end to end and stores the tokens sealed, bound to the row", async () => {
    const me = lab.members.operator;
    const account = { id: accountId("twitch"), login: "nebula_caster", displayName: "NebulaCaster" };
    const { authorizeUrl, landing } = await connect(lab.tenantId, me, "twitch", account);
    expect(landing).toBe("/streams?connected=twitch");
    const asked = new URL(authorizeUrl);
    expect(asked.searchParams.get("scope")?.split(" ").sort()).toEqual([...CONNECTION_SCOPES.twitch.base].sort());
    expect(asked.searchParams.get("redirect_uri")).toBe("http://localhost/auth/platforms/twitch/callback");

    const res = await call(`/api/t/${lab.tenantId}/streams/connections`, asUser(me));
    expect(res.status).toBe(200);
    const body = await res.json<{ platforms: { platform: string; configured: boolean; connection: Record<string, unknown> | null }[] }>();
    const twitch = body.platforms.find((p) => p.platform === "twitch");
    expect(twitch?.configured).toBe(true);
    expect(twitch?.connection).toMatchObject({
      platformUserId: account.id,
      login: "nebula_caster",
      displayName: "NebulaCaster",
      avatarUrl: `https://static.fake-twitch.test/avatars/${account.id}.png`,
      status: "connected",
      features: { base: true, chatbot: false },
    });
    expect(JSON.stringify(body)).not.toMatch(/at_|rt_|ciphertext/);

    const row = await connectionOf(lab.tenantId, me.userId, "twitch");
    if (!row) throw new Error("no row");
    const tokens = await tokensOf(row.id);
    expect(tokens.accessToken).toMatch(/^at_/);
    expect(tokens.refreshToken).toMatch(/^rt_/);
    const raw = await rawRow(row.id);
    expect(raw).not.toContain(tokens.accessToken);
    expect(raw).not.toContain(tokens.refreshToken as string);
    // Moved to another row (or swapped between columns), a ciphertext does not open.
    await withDeps(new Date(), async (deps) => {
      const ring = await deps.keyRing();
      await expect(openTokens(ring, { ...row, id: "pcn_0000000000000000" })).rejects.toThrow();
      await expect(openTokens(ring, { ...row, accessTokenCiphertext: row.refreshTokenCiphertext as string })).rejects.toThrow();
    });
    const [audit] = await withDb((db) => db.select().from(auditLog).where(and(eq(auditLog.tenantId, lab.tenantId), eq(auditLog.targetId, row.id))));
    expect(audit).toMatchObject({ action: "connection.connect", actorId: me.userId, result: "success" });
  });

  it("connects YouTube with PKCE and offline access, so Google hands out a refresh token; a code Google refuses is reported as refused", async () => {
    const me = lab.members.admin;
    const account = { id: accountId("youtube"), login: "nebulalive", displayName: "Nebula Live" };
    // A code issued for one flow's challenge, brought back with another flow's state: Google answers invalid_grant.
    const firstFlow = await startConnect(lab.tenantId, me, "youtube");
    const secondFlow = await startConnect(lab.tenantId, me, "youtube");
    const codeOfFirst = new URL(await consent(firstFlow, account)).searchParams.get("code") as string;
    const mixed = new URL(await consent(secondFlow, account));
    mixed.searchParams.set("code", codeOfFirst);
    expect(await callback(mixed.toString(), me)).toBe("/streams?connection_error=refused&platform=youtube");
    expect(await connectionOf(lab.tenantId, me.userId, "youtube")).toBeUndefined();

    const { authorizeUrl, landing } = await connect(lab.tenantId, me, "youtube", account);
    expect(landing).toBe("/streams?connected=youtube");
    const asked = new URL(authorizeUrl);
    expect(asked.searchParams.get("access_type")).toBe("offline");
    expect(asked.searchParams.get("prompt")).toBe("consent");
    expect(asked.searchParams.get("code_challenge_method")).toBe("S256");
    const state = await oauthState("youtube", account.id);
    expect(state.tokenRequests).toEqual([
      { accountId: account.id, grantType: "authorization_code", hadVerifier: true, ok: false, clientAuth: "basic" },
      { accountId: account.id, grantType: "authorization_code", hadVerifier: true, ok: true, clientAuth: "basic" },
    ]);
    const row = await connectionOf(lab.tenantId, me.userId, "youtube");
    expect(row).toMatchObject({ platformUserId: account.id, displayName: "Nebula Live", login: "@nebulalive", scopes: [...CONNECTION_SCOPES.youtube.base] });
    expect(row?.refreshTokenCiphertext).not.toBeNull();
  });

  it("connects Kick (OAuth 2.1): the fake refuses a flow without PKCE and a verifier that does not match", async () => {
    const me = lab.members.owner;
    const account = { id: accountId("kick"), login: "nebula_kick" };
    const authorizeUrl = await startConnect(lab.tenantId, me, "kick");
    const noPkce = new URL(authorizeUrl);
    noPkce.searchParams.delete("code_challenge");
    expect((await fetch(noPkce)).status).toBe(400);

    // A code issued for one flow's challenge, brought back with another flow's state (and so its verifier).
    const second = await startConnect(lab.tenantId, me, "kick");
    const codeOfFirst = new URL(await consent(authorizeUrl, account)).searchParams.get("code") as string;
    const back = new URL(await consent(second, account));
    back.searchParams.set("code", codeOfFirst);
    expect(await callback(back.toString(), me)).toBe("/streams?connection_error=refused&platform=kick");
    expect((await oauthState("kick", account.id)).tokenRequests.at(-1)).toMatchObject({ grantType: "authorization_code", hadVerifier: true, ok: false, clientAuth: "form" });

    const { landing } = await connect(lab.tenantId, me, "kick", account);
    expect(landing).toBe("/streams?connected=kick");
    expect(await connectionOf(lab.tenantId, me.userId, "kick")).toMatchObject({ platformUserId: account.id, login: "nebula_kick", status: "connected" });
  });

  it("upgrades to the chat bot's scopes on the same row, and refuses another account for the upgrade", async () => {
    const me = other.members.operator;
    const account = { id: accountId("twitch"), login: "upgrader" };
    await connect(other.tenantId, me, "twitch", account);
    const before = await connectionOf(other.tenantId, me.userId, "twitch");
    if (!before) throw new Error("no row");

    const upgrade = async () => {
      const res = await call(`/api/t/${other.tenantId}/streams/connections/${before.id}/upgrade`, asUser(me, { method: "POST", body: "{}" }));
      expect(res.status).toBe(200);
      return (await res.json<{ authorizeUrl: string }>()).authorizeUrl;
    };
    const stranger = await upgrade();
    expect(await callback(await consent(stranger, { id: accountId("twitch"), login: "someone_else" }), me)).toBe("/streams?connection_error=wrong_account&platform=twitch");

    const authorizeUrl = await upgrade();
    const scopes = new URL(authorizeUrl).searchParams.get("scope")?.split(" ") ?? [];
    expect(scopes).toEqual(expect.arrayContaining([...CONNECTION_SCOPES.twitch.base, ...CONNECTION_SCOPES.twitch.chatbot]));
    expect(await callback(await consent(authorizeUrl, account), me)).toBe("/streams?connected=twitch");
    const after = await connectionOf(other.tenantId, me.userId, "twitch");
    expect(after?.id).toBe(before.id);
    expect(after?.scopes).toEqual(expect.arrayContaining(CONNECTION_SCOPES.twitch.chatbot as string[]));
    const list = await (await call(`/api/t/${other.tenantId}/streams/connections`, asUser(me))).json<{ platforms: { platform: string; connection: { features: { chatbot: boolean } } | null }[] }>();
    expect(list.platforms.find((p) => p.platform === "twitch")?.connection?.features.chatbot).toBe(true);
  });

  it("refuses a platform account another member of the tenant already connected, and gives the fresh grant back", async () => {
    const account = { id: accountId("kick"), login: "shared_account" };
    expect((await connect(other.tenantId, other.members.admin, "kick", account)).landing).toBe("/streams?connected=kick");
    const { landing } = await connect(other.tenantId, other.members.owner, "kick", account);
    expect(landing).toBe("/streams?connection_error=conflict&platform=kick");
    expect(await connectionOf(other.tenantId, other.members.owner.userId, "kick")).toBeUndefined();
    const state = await oauthState("kick", account.id);
    expect(state.grants.filter((g) => g.revoked)).toHaveLength(1);
  });
});

describe("state", () => {
  it("is single use: replaying the callback is refused", async () => {
    const me = other.members.admin;
    const url = await consent(await startConnect(other.tenantId, me, "twitch"), { id: accountId("twitch"), login: "replayed" });
    expect(await callback(url, me)).toBe("/streams?connected=twitch");
    expect(await callback(url, me)).toBe("/streams?connection_error=state&platform=twitch");
  });

  it("is bound to the user who started it: another member's (or no) session is refused", async () => {
    const url = await consent(await startConnect(lab.tenantId, lab.members.admin, "kick"), { id: accountId("kick"), login: "hijacked" });
    expect(await callback(url, lab.members.viewer)).toBe("/streams?connection_error=state&platform=kick");
    // Taken by the refusal: not usable afterwards either.
    expect(await callback(url, lab.members.admin)).toBe("/streams?connection_error=state&platform=kick");
    const anonymous = await consent(await startConnect(lab.tenantId, lab.members.admin, "kick"), { id: accountId("kick"), login: "anon" });
    expect(await callback(anonymous, null)).toBe("/streams?connection_error=state&platform=kick");
    expect(await connectionOf(lab.tenantId, lab.members.admin.userId, "kick")).toBeUndefined();
  });

  it("expires after 10 minutes and is bound to its platform", async () => {
    const started = new Date();
    const user = other.members.owner;
    const flow = await withDeps(started, (deps) => startConnectFlow(deps, { tenantId: other.tenantId, userId: user.userId, userName: user.name, platform: "twitch", feature: "base", origin: "http://localhost" }));
    const back = new URL(await consent(flow.authorizeUrl, { id: accountId("twitch"), login: "late" }));
    const finish = (at: Date, platform: "twitch" | "kick") =>
      withDeps(at, (deps) => finishConnect(deps, { platform, state: back.searchParams.get("state") as string, code: back.searchParams.get("code"), error: null, sessionUserId: user.userId, origin: "http://localhost" }));
    await expect(finish(new Date(started.getTime() + 11 * 60_000), "twitch")).rejects.toMatchObject({ failure: "state" });

    const again = await withDeps(started, (deps) => startConnectFlow(deps, { tenantId: other.tenantId, userId: user.userId, userName: user.name, platform: "twitch", feature: "base", origin: "http://localhost" }));
    const back2 = new URL(await consent(again.authorizeUrl, { id: accountId("twitch"), login: "late" }));
    const err = await withDeps(started, (deps) => finishConnect(deps, { platform: "kick", state: back2.searchParams.get("state") as string, code: back2.searchParams.get("code"), error: null, sessionUserId: user.userId, origin: "http://localhost" })).catch((e) => e);
    expect(err).toBeInstanceOf(ConnectError);
    expect(err.failure).toBe("state");
  });

  it("reports Cancel on the consent screen as denied", async () => {
    const me = lab.members.viewer;
    // Viewers cannot connect at all (operator and up manage their own connections).
    const res = await call(`/api/t/${lab.tenantId}/streams/connections/twitch/connect`, asUser(me, { method: "POST", body: "{}" }));
    expect(res.status).toBe(403);
    const url = await consent(await startConnect(other.tenantId, other.members.admin, "youtube"), { id: accountId("youtube"), login: "nope" }, "deny");
    expect(await callback(url, other.members.admin)).toBe("/streams?connection_error=denied&platform=youtube");
  });
});

describe("tokens over time", () => {
  async function connected(platform: "twitch" | "youtube" | "kick", login: string) {
    const tenant = await withDb((db) => seedTenant(db, `${login} lab`));
    const me = tenant.members.operator;
    const account = { id: accountId(platform), login };
    await connect(tenant.tenantId, me, platform, account);
    const row = await connectionOf(tenant.tenantId, me.userId, platform);
    if (!row?.expiresAt) throw new Error("no row");
    return { tenant, me, account, row, expiresAt: row.expiresAt };
  }

  it("the cron refresh renews a token that expires within 15 minutes, before it expires", async () => {
    const { row, account, expiresAt } = await connected("twitch", "refreshed_caster");
    const before = await tokensOf(row.id);
    // Not yet due half an hour before expiry.
    await withDeps(new Date(expiresAt.getTime() - 30 * 60_000), runConnectionRefresh);
    expect((await connectionOf(row.tenantId, row.userId, "twitch"))?.accessTokenCiphertext).toBe(row.accessTokenCiphertext);

    const at = new Date(expiresAt.getTime() - 10 * 60_000);
    const run = await withDeps(at, runConnectionRefresh);
    expect(run.refreshed).toBeGreaterThanOrEqual(1);
    const after = await connectionOf(row.tenantId, row.userId, "twitch");
    expect(after).toMatchObject({ status: "connected", lastRefreshError: null });
    expect(after?.expiresAt?.getTime()).toBe(at.getTime() + 14_400_000);
    const renewed = await tokensOf(row.id);
    expect(renewed.accessToken).not.toBe(before.accessToken);
    // Twitch hands out a new refresh token with each refresh; the old one no longer works.
    expect(renewed.refreshToken).not.toBe(before.refreshToken);
    expect((await oauthState("twitch", account.id)).tokenRequests.filter((r) => r.grantType === "refresh_token")).toEqual([{ accountId: account.id, grantType: "refresh_token", hadVerifier: false, ok: true, clientAuth: "form" }]);
  });

  it("Google keeps its refresh token across refreshes", async () => {
    const { row, account, expiresAt } = await connected("youtube", "google_refresh");
    const before = await tokensOf(row.id);
    await withDeps(new Date(expiresAt.getTime() - 5 * 60_000), runConnectionRefresh);
    const after = await tokensOf(row.id);
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).toBe(before.refreshToken);
    expect((await oauthState("youtube", account.id)).tokenRequests.filter((r) => r.grantType === "refresh_token")).toEqual([{ accountId: account.id, grantType: "refresh_token", hadVerifier: false, ok: true, clientAuth: "basic" }]);
  });

  it("Google's invalid_grant on refresh (the user removed the app) marks the connection needs_reauth", async () => {
    const { row, account, expiresAt } = await connected("youtube", "revoked_at_google");
    await fakeControl("youtube", "revoke-grants", { accountId: account.id });
    await withDeps(new Date(expiresAt.getTime() - 5 * 60_000), runConnectionRefresh);
    expect(await connectionOf(row.tenantId, row.userId, "youtube")).toMatchObject({ status: "needs_reauth", lastRefreshError: "YouTube no longer accepts this connection's sign-in (it was revoked or expired): connect again." });
    const err = await withDeps(new Date(), (deps) => tokenFor(deps, row.id)).catch((e) => e);
    expect(err).toMatchObject({ code: "CONFLICT", details: { reason: "needs_reauth" } });
  });

  it("invalid_grant on refresh marks the connection needs_reauth, and the settings page says so", async () => {
    const { tenant, me, row, account, expiresAt } = await connected("kick", "revoked_at_kick");
    await fakeControl("kick", "revoke-grants", { accountId: account.id });
    // A feature asks for a token a moment before expiry: the refresh it makes is refused.
    const refused = await withDeps(new Date(expiresAt.getTime() - 30_000), (deps) => tokenFor(deps, row.id)).catch((e) => e);
    // The platform's code is kept for whoever reads the error; the streamer reads a sentence.
    expect(refused).toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/^The Kick connection of /), details: { reason: "needs_reauth", refusal: "invalid_grant" } });
    const after = await connectionOf(row.tenantId, row.userId, "kick");
    expect(after?.status).toBe("needs_reauth");
    expect(after?.lastRefreshError).toBe("Kick no longer accepts this connection's sign-in (it was revoked or expired): connect again.");
    const list = await (await call(`/api/t/${tenant.tenantId}/streams/connections`, asUser(me))).json<{ platforms: { platform: string; connection: { status: string; lastRefreshError: string } | null }[] }>();
    expect(list.platforms.find((p) => p.platform === "kick")?.connection).toMatchObject({ status: "needs_reauth", lastRefreshError: expect.stringMatching(/connect again/) });
    const err = await withDeps(new Date(), (deps) => tokenFor(deps, row.id)).catch((e) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: "CONFLICT", details: { reason: "needs_reauth" } });
    // Reconnecting the same account heals it in place.
    await connect(tenant.tenantId, me, "kick", account);
    expect(await connectionOf(row.tenantId, row.userId, "kick")).toMatchObject({ id: row.id, status: "connected", lastRefreshError: null });
  });

  it("a platform outage during refresh leaves the connection expiring (retried next run), not broken", async () => {
    const { row, expiresAt } = await connected("youtube", "google_outage");
    await fakeControl("youtube", "fail-next", { status: 503 });
    const err = await withDeps(new Date(expiresAt.getTime() + 60_000), (deps) => tokenFor(deps, row.id)).catch((e) => e);
    expect(err).toMatchObject({ code: "UPSTREAM" });
    const after = await connectionOf(row.tenantId, row.userId, "youtube");
    expect(after).toMatchObject({ status: "expiring", lastRefreshError: expect.stringMatching(/503/) });
    // The next run gets through.
    await withDeps(new Date(expiresAt.getTime() + 2 * 60_000), runConnectionRefresh);
    expect(await connectionOf(row.tenantId, row.userId, "youtube")).toMatchObject({ status: "connected", lastRefreshError: null });
  });

  it("Google's token endpoint answering 429 is a rate limit: the connection is kept and says why, and the next run gets through", async () => {
    const { row, expiresAt } = await connected("youtube", "google_busy");
    await fakeControl("youtube", "fail-next", { status: 429 });
    const err = await withDeps(new Date(expiresAt.getTime() + 60_000), (deps) => tokenFor(deps, row.id)).catch((e) => e);
    expect(err).toMatchObject({ code: "UPSTREAM", message: expect.stringMatching(/rate limit reached/) });
    expect(await connectionOf(row.tenantId, row.userId, "youtube")).toMatchObject({ status: "expiring", lastRefreshError: expect.stringMatching(/^youtube: rate limit reached; retry in \d+ s$/) });
    await withDeps(new Date(expiresAt.getTime() + 2 * 60_000), runConnectionRefresh);
    expect(await connectionOf(row.tenantId, row.userId, "youtube")).toMatchObject({ status: "connected", lastRefreshError: null });
  });

  it("the hourly Twitch validation turns a token Twitch refuses (401) into needs_reauth and keeps good ones", async () => {
    const good = await connected("twitch", "validated_ok");
    const bad = await connected("twitch", "validated_revoked");
    await fakeControl("twitch", "revoke-grants", { accountId: bad.account.id });
    const at = new Date();
    await withDeps(at, runTwitchValidation);
    expect(await connectionOf(bad.row.tenantId, bad.row.userId, "twitch")).toMatchObject({ status: "needs_reauth" });
    const ok = await connectionOf(good.row.tenantId, good.row.userId, "twitch");
    expect(ok?.status).toBe("connected");
    expect(ok?.lastValidatedAt?.getTime()).toBe(at.getTime());
  });

  it("tokenFor hands out the stored token while fresh, and refreshes an expired one once for concurrent callers", async () => {
    const { row, account, expiresAt } = await connected("kick", "token_for_caller");
    const stored = await tokensOf(row.id);
    const fresh = await withDeps(new Date(), (deps) => tokenFor(deps, row.id));
    expect(fresh).toMatchObject({ connectionId: row.id, platform: "kick", platformUserId: account.id, accessToken: stored.accessToken });
    expect(fresh).not.toHaveProperty("refreshToken");

    const expired = new Date(expiresAt.getTime() + 60_000);
    const tokens = await withDeps(expired, (deps) => Promise.all(Array.from({ length: 5 }, () => tokenFor(deps, row.id))));
    expect(new Set(tokens.map((t) => t.accessToken)).size).toBe(1);
    expect(tokens[0]?.accessToken).not.toBe(stored.accessToken);
    expect((await oauthState("kick", account.id)).tokenRequests.filter((r) => r.grantType === "refresh_token")).toHaveLength(1);
  });
});

describe("disconnect and visibility", () => {
  it("disconnect revokes at the platform, deletes the tokens and is audit-logged", async () => {
    const tenant = await withDb((db) => seedTenant(db, "Disconnect lab"));
    const me = tenant.members.operator;
    for (const platform of ["twitch", "youtube", "kick"] as const) {
      const account = { id: accountId(platform), login: `leaving_${platform}` };
      await connect(tenant.tenantId, me, platform, account);
      const row = await connectionOf(tenant.tenantId, me.userId, platform);
      if (!row) throw new Error("no row");
      const res = await call(`/api/t/${tenant.tenantId}/streams/connections/${row.id}`, asUser(me, { method: "DELETE" }));
      expect(res.status).toBe(204);
      const state = await oauthState(platform, account.id);
      expect(state.revocations.length).toBeGreaterThanOrEqual(1);
      expect(state.grants.every((g) => g.revoked)).toBe(true);
      expect(await connectionOf(tenant.tenantId, me.userId, platform)).toBeUndefined();
      const [audit] = await withDb((db) => db.select().from(auditLog).where(and(eq(auditLog.targetId, row.id), eq(auditLog.action, "connection.disconnect"))));
      expect(audit).toMatchObject({ actorId: me.userId, details: { platform, revokedAtPlatform: true } });
    }
  });

  it("members manage their own; admins see everyone's and may disconnect them", async () => {
    const tenant = await withDb((db) => seedTenant(db, "Visibility lab"));
    const { operator, admin, owner } = tenant.members;
    await connect(tenant.tenantId, operator, "twitch", { id: accountId("twitch"), login: "op_caster" });
    await connect(tenant.tenantId, owner, "kick", { id: accountId("kick"), login: "owner_caster" });
    const opRow = await connectionOf(tenant.tenantId, operator.userId, "twitch");
    const ownerRow = await connectionOf(tenant.tenantId, owner.userId, "kick");

    const mine = await (await call(`/api/t/${tenant.tenantId}/streams/connections`, asUser(operator))).json<{ platforms: { connection: unknown }[] }>();
    expect(mine.platforms.filter((p) => p.connection)).toHaveLength(1);
    expect((await call(`/api/t/${tenant.tenantId}/streams/connections/all`, asUser(operator))).status).toBe(403);
    // Someone else's connection is not there for an operator: the same 404 as a missing one.
    expect((await call(`/api/t/${tenant.tenantId}/streams/connections/${ownerRow?.id}`, asUser(operator, { method: "DELETE" }))).status).toBe(404);
    expect((await call(`/api/t/${tenant.tenantId}/streams/connections/${ownerRow?.id}/upgrade`, asUser(operator, { method: "POST", body: "{}" }))).status).toBe(404);
    // Nor from another tenant, even for its owner.
    expect((await call(`/api/t/${other.tenantId}/streams/connections/${ownerRow?.id}`, asUser(other.members.owner, { method: "DELETE" }))).status).toBe(404);

    const all = await (await call(`/api/t/${tenant.tenantId}/streams/connections/all`, asUser(admin))).json<{ items: { userName: string; login: string }[] }>();
    expect(all.items.map((i) => i.login).sort()).toEqual(["op_caster", "owner_caster"]);
    expect(all.items.find((i) => i.login === "op_caster")?.userName).toBe(operator.name);
    expect((await call(`/api/t/${tenant.tenantId}/streams/connections/${opRow?.id}`, asUser(admin, { method: "DELETE" }))).status).toBe(204);
    expect(await connectionOf(tenant.tenantId, operator.userId, "twitch")).toBeUndefined();
    const [audit] = await withDb((db) => db.select().from(auditLog).where(and(eq(auditLog.targetId, opRow?.id as string), eq(auditLog.action, "connection.disconnect"))));
    expect(audit).toMatchObject({ actorId: admin.userId, details: { ownerUserId: operator.userId } });
  });

  it("says which variables are missing when a platform's OAuth client is not configured", async () => {
    const tenant = await withDb((db) => seedTenant(db, "Unconfigured lab"));
    await withDeps(
      new Date(),
      async (deps) => {
        const slots = await myConnections(deps, tenant.tenantId, tenant.members.operator.userId);
        expect(slots.platforms.find((p) => p.platform === "youtube")).toMatchObject({ configured: false, missing: ["YOUTUBE_CLIENT_ID", "YOUTUBE_CLIENT_SECRET"], connection: null });
        expect(slots.platforms.find((p) => p.platform === "twitch")).toMatchObject({ configured: true, missing: [] });
        const err = await startConnectFlow(deps, { tenantId: tenant.tenantId, userId: tenant.members.operator.userId, userName: "x", platform: "youtube", feature: "base", origin: "http://localhost" }).catch((e) => e);
        expect(err).toMatchObject({ code: "MISCONFIGURED", message: expect.stringMatching(/YOUTUBE_CLIENT_ID/) });
      },
      { config: { ...(await withDeps(new Date(), async (d) => d.config)), YOUTUBE_CLIENT_ID: undefined, YOUTUBE_CLIENT_SECRET: undefined } },
    );
  });
});

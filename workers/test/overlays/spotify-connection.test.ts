// Connecting Spotify for the now-playing layer, as a streamer meets it: the consent screen asks for the two playback
// scopes with PKCE, the app authenticates with HTTP Basic (the fake refuses anything else), the tokens are sealed,
// Settings lists it; the cron and on-demand refreshes go through Spotify's token endpoint, a refused refresh token
// asks for re-authorization, and disconnect deletes the tokens (Spotify has no revocation endpoint).
import { CONNECTION_SCOPES } from "@nebula/schema/api/connections";
import { beforeAll, describe, expect, it } from "vitest";
import { runConnectionRefresh } from "../../src/connections/connection-jobs.ts";
import { openTokens, tokenFor } from "../../src/connections/connection-tokens.ts";
import { myConnections } from "../../src/connections/connections.ts";
import { type SeededTenant, asUser, seedTenant, withDb } from "../support/seed.ts";
import { call, connectionOf, fakeControl, oauthState, startConnect, withDeps } from "../connections/connection-harness.ts";
import { connectSpotify } from "./spotify-harness.ts";

let lab: SeededTenant;

beforeAll(async () => {
  lab = await withDb((db) => seedTenant(db, "Spotify lab"));
});

describe("a Spotify connection", () => {
  it("connects through Spotify's consent screen with PKCE and the playback scopes, tokens sealed", async () => {
    const me = lab.members.operator;
    const authorizeUrl = new URL(await startConnect(lab.tenantId, me, "spotify"));
    expect(authorizeUrl.pathname).toBe("/authorize");
    expect(authorizeUrl.searchParams.get("scope")?.split(" ")).toEqual(["user-read-currently-playing", "user-read-playback-state"]);
    expect(authorizeUrl.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorizeUrl.searchParams.get("redirect_uri")).toBe("http://localhost/auth/platforms/spotify/callback");

    const { account, connectionId } = await connectSpotify(lab, me, "DJ Nebula");
    const state = await oauthState("spotify", account);
    expect(state.tokenRequests).toEqual([{ accountId: account, grantType: "authorization_code", hadVerifier: true, ok: true, clientAuth: "basic" }]);
    const row = await connectionOf(lab.tenantId, me.userId, "spotify");
    expect(row).toMatchObject({ id: connectionId, platformUserId: account, displayName: "DJ Nebula", status: "connected", scopes: [...CONNECTION_SCOPES.spotify.base] });
    expect(row?.accessTokenCiphertext).not.toMatch(/^at_/);
    const tokens = await withDeps(new Date(), async (deps) => openTokens(await deps.keyRing(), row as NonNullable<typeof row>));
    expect(tokens.accessToken).toMatch(/^at_/);
    expect(tokens.refreshToken).toMatch(/^rt_/);

    const res = await call(`/api/t/${lab.tenantId}/streams/connections`, asUser(me));
    const slot = (await res.json<{ platforms: { platform: string; configured: boolean; connection: { login: string } | null }[] }>()).platforms.find((p) => p.platform === "spotify");
    expect(slot).toMatchObject({ configured: true, connection: { login: account } });
    expect(JSON.stringify(slot)).not.toMatch(/at_|rt_/);
  });

  it("refreshes before expiry through the token endpoint (tokenFor and the cron job), with a rotated refresh token", async () => {
    const me = lab.members.admin;
    const { account, connectionId } = await connectSpotify(lab, me);
    const before = await connectionOf(lab.tenantId, me.userId, "spotify");
    if (!before?.expiresAt) throw new Error("Spotify tokens expire");
    const nearExpiry = new Date(before.expiresAt.getTime() - 30_000);

    const token = await withDeps(nearExpiry, (deps) => tokenFor(deps, connectionId));
    const after = await connectionOf(lab.tenantId, me.userId, "spotify");
    expect(after?.refreshTokenCiphertext).not.toBe(before.refreshTokenCiphertext);
    expect(token.accessToken).not.toBe((await withDeps(new Date(), async (deps) => openTokens(await deps.keyRing(), before))).accessToken);

    if (!after?.expiresAt) throw new Error("the refreshed token expires");
    const run = await withDeps(new Date(after.expiresAt.getTime() - 60_000), (deps) => runConnectionRefresh(deps));
    expect(run.refreshed).toBeGreaterThanOrEqual(1);
    const grants = (await oauthState("spotify", account)).tokenRequests.map((r) => `${r.grantType}:${r.ok}`);
    expect(grants).toEqual(["authorization_code:true", "refresh_token:true", "refresh_token:true"]);
  });

  it("asks for re-authorization when Spotify refuses the refresh token, and disconnects without a revocation call", async () => {
    const me = lab.members.owner;
    const { account, connectionId } = await connectSpotify(lab, me);
    await fakeControl("spotify", "revoke-grants", { accountId: account });
    const row = await connectionOf(lab.tenantId, me.userId, "spotify");
    if (!row?.expiresAt) throw new Error("Spotify tokens expire");
    const nearExpiry = new Date(row.expiresAt.getTime() - 30_000);
    await expect(withDeps(nearExpiry, (deps) => tokenFor(deps, connectionId))).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await connectionOf(lab.tenantId, me.userId, "spotify")).toMatchObject({ status: "needs_reauth" });
    const mine = await withDeps(new Date(), (deps) => myConnections(deps, lab.tenantId, me.userId));
    expect(mine.platforms.find((p) => p.platform === "spotify")?.connection?.status).toBe("needs_reauth");

    const res = await call(`/api/t/${lab.tenantId}/streams/connections/${connectionId}`, asUser(me, { method: "DELETE" }));
    expect(res.status).toBe(204);
    expect(await connectionOf(lab.tenantId, me.userId, "spotify")).toBeUndefined();
  });
});

// The fake Discord speaks Discord's OAuth 2 wire format: what a real client (arctic) sends works, and what Discord
// refuses, the fake refuses with the same status and body shape.
import { CodeChallengeMethod, OAuth2Client, OAuth2RequestError, generateCodeVerifier, generateState } from "arctic";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeDiscord, startFakeDiscord } from "./discord.ts";

const CLIENT_ID = "200000000000000002";
const SECRET = "fake-test-secret";
const REDIRECT = "http://app.test/auth/discord/callback";
const ADA = { id: "300000000000000003", username: "ada", global_name: "Ada", avatar: null };

let discord: FakeDiscord;
beforeAll(async () => {
  discord = await startFakeDiscord({ clientId: CLIENT_ID, clientSecret: SECRET, redirectUris: [REDIRECT], users: [ADA] });
});
afterAll(() => discord.close());

/** Authorizes with a fresh PKCE pair and returns the code from the redirect. */
async function authorize(verifier = generateCodeVerifier()): Promise<{ code: string; verifier: string; state: string }> {
  const state = generateState();
  const url = new OAuth2Client(CLIENT_ID, SECRET, REDIRECT).createAuthorizationURLWithPKCE(
    `${discord.url}/oauth2/authorize`,
    state,
    CodeChallengeMethod.S256,
    verifier,
    ["identify"],
  );
  const res = await fetch(url, { redirect: "manual" });
  expect(res.status).toBe(302);
  const back = new URL(res.headers.get("location") ?? "");
  expect(back.searchParams.get("state")).toBe(state);
  return { code: back.searchParams.get("code") ?? "", verifier, state };
}

function tokenRequest(form: Record<string, string>, auth?: string): Promise<Response> {
  return fetch(`${discord.url}/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...(auth ? { authorization: auth } : {}) },
    body: new URLSearchParams(form),
  });
}

describe("fake Discord OAuth 2", () => {
  it("completes arctic's authorization code flow with PKCE and serves the user", async () => {
    const { code, verifier } = await authorize();
    const tokens = await new OAuth2Client(CLIENT_ID, SECRET, REDIRECT).validateAuthorizationCode(`${discord.url}/oauth2/token`, code, verifier);
    expect(tokens.tokenType()).toBe("Bearer");
    expect(tokens.scopes()).toEqual(["identify"]);
    const me = await fetch(`${discord.url}/users/@me`, { headers: { authorization: `Bearer ${tokens.accessToken()}` } });
    expect(await me.json()).toMatchObject({ ...ADA, discriminator: "0" });
  });

  it("accepts client credentials in the form body as well as HTTP Basic", async () => {
    const { code, verifier } = await authorize();
    const res = await tokenRequest({ grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: REDIRECT, client_id: CLIENT_ID, client_secret: SECRET });
    expect(res.status).toBe(200);
  });

  it("refuses a wrong client secret with 401 invalid_client", async () => {
    const { code, verifier } = await authorize();
    const res = await tokenRequest(
      { grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: REDIRECT },
      `Basic ${btoa(`${CLIENT_ID}:wrong-secret`)}`,
    );
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: "invalid_client" });
  });

  it("refuses a wrong verifier, a second use of a code, and a different redirect_uri with 400 invalid_grant", async () => {
    const client = new OAuth2Client(CLIENT_ID, SECRET, REDIRECT);
    const wrongVerifier = await authorize();
    const err = await client.validateAuthorizationCode(`${discord.url}/oauth2/token`, wrongVerifier.code, generateCodeVerifier()).catch((e) => e);
    expect(err).toBeInstanceOf(OAuth2RequestError);
    expect(err.code).toBe("invalid_grant");

    const used = await authorize();
    const tokens = await client.validateAuthorizationCode(`${discord.url}/oauth2/token`, used.code, used.verifier);
    const again = await client.validateAuthorizationCode(`${discord.url}/oauth2/token`, used.code, used.verifier).catch((e) => e);
    expect(again.code).toBe("invalid_grant");
    // Replaying the code revokes what it was exchanged for.
    const me = await fetch(`${discord.url}/users/@me`, { headers: { authorization: `Bearer ${tokens.accessToken()}` } });
    expect(me.status).toBe(401);
    expect(await me.json()).toEqual({ message: "401: Unauthorized", code: 0 });

    const moved = await authorize();
    const elsewhere = await new OAuth2Client(CLIENT_ID, SECRET, "http://app.test/other")
      .validateAuthorizationCode(`${discord.url}/oauth2/token`, moved.code, moved.verifier)
      .catch((e) => e);
    expect(elsewhere.code).toBe("invalid_grant");
  });

  it("shows an error page, never a redirect, for an unknown client or an unregistered redirect_uri", async () => {
    for (const [clientId, redirectUri] of [
      ["999", REDIRECT],
      [CLIENT_ID, "https://evil.test/cb"],
    ]) {
      const url = new URL(`${discord.url}/oauth2/authorize`);
      url.search = new URLSearchParams({ response_type: "code", client_id: clientId ?? "", redirect_uri: redirectUri ?? "", scope: "identify" }).toString();
      const res = await fetch(url, { redirect: "manual" });
      expect(res.status).toBe(400);
      expect(res.headers.get("location")).toBeNull();
    }
  });

  it("redirects with error=access_denied in deny mode, set over the control endpoint", async () => {
    const set = await fetch(`${discord.origin}/__control`, { method: "POST", body: JSON.stringify({ mode: "deny" }) });
    expect(await set.json()).toEqual({ mode: "deny" });
    try {
      const url = new OAuth2Client(CLIENT_ID, SECRET, REDIRECT).createAuthorizationURLWithPKCE(
        `${discord.url}/oauth2/authorize`,
        "s1",
        CodeChallengeMethod.S256,
        generateCodeVerifier(),
        ["identify"],
      );
      const back = new URL((await fetch(url, { redirect: "manual" })).headers.get("location") ?? "");
      expect(Object.fromEntries(back.searchParams)).toMatchObject({ error: "access_denied", state: "s1" });
      expect(back.searchParams.has("code")).toBe(false);
    } finally {
      discord.setMode("approve");
    }
  });

  it("requires PKCE with S256", async () => {
    const url = new OAuth2Client(CLIENT_ID, SECRET, REDIRECT).createAuthorizationURL(`${discord.url}/oauth2/authorize`, "s2", ["identify"]);
    const back = new URL((await fetch(url, { redirect: "manual" })).headers.get("location") ?? "");
    expect(back.searchParams.get("error")).toBe("invalid_request");
  });
});

// Sign in with Discord, end to end: the app's /auth routes inside workerd, a browser that follows each redirect and
// keeps cookies, and the fake Discord (test/fakes/discord.ts) doing the OAuth 2 + PKCE checks Discord does.
import { env } from "cloudflare:workers";
import { users } from "@nebula/schema";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config/config.ts";
import { Browser, setCookies } from "./support/browser.ts";
import { url, withDb } from "./support/seed.ts";

const discordApi = loadConfig(env).DISCORD_API_BASE;
const discordOrigin = new URL(discordApi).origin;
const CALLBACK = url("/auth/discord/callback");
const FLOW_COOKIES = ["nc_oauth_state", "nc_oauth_verifier", "nc_oauth_return"];

interface DiscordUser {
  id: string;
  username: string;
  global_name: string | null;
  avatar: string | null;
}

interface LoggedRequest {
  method: string;
  path: string;
  body: Record<string, string> | null;
  authScheme: string | null;
}

async function control(path: string, body: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${discordOrigin}/__control${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`fake Discord control ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

function snowflake(): string {
  return `9${Array.from({ length: 17 }, () => Math.floor(Math.random() * 10)).join("")}`;
}

/** A Discord account that exists at the fake Discord (added or updated there). */
async function discordAccount(fields: Partial<DiscordUser> = {}): Promise<DiscordUser> {
  const user: DiscordUser = { id: snowflake(), username: "ada", global_name: "Ada Lovelace", avatar: "0f1e2d3c4b5a69788796a5b4c3d2e1f0", ...fields };
  await control("", { users: [user] });
  return user;
}

/** A browser already signed in at Discord as `user`, who will click approve (or deny) on the consent screen. */
async function browserSignedInAtDiscord(user: DiscordUser, decision: "approve" | "deny" = "approve"): Promise<Browser> {
  const browser = new Browser();
  const { cookie } = (await control("/login", { userId: user.id, decision })) as { cookie: string };
  browser.addCookie(discordOrigin, cookie);
  return browser;
}

async function tokenRequestsFor(code: string): Promise<LoggedRequest[]> {
  const log = (await (await fetch(`${discordOrigin}/__control/requests`)).json()) as LoggedRequest[];
  return log.filter((r) => r.path === new URL(`${discordApi}/oauth2/token`).pathname && r.body?.code === code);
}

async function s256(verifier: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  return btoa(String.fromCharCode(...digest)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/**
 * The user clicks "Sign in with Discord" and Discord answers: returns the app's start response, Discord's redirect
 * back, and the callback URL the browser is about to open (not opened yet).
 */
async function goToDiscordAndBack(browser: Browser, start = "/auth/discord") {
  const started = await browser.fetch(start);
  expect(started.status).toBe(302);
  const authorizeUrl = new URL(started.headers.get("location") ?? "");
  const consent = await browser.follow(started, start);
  expect(consent.status).toBe(302);
  const callbackUrl = new URL(consent.headers.get("location") ?? "");
  return { started, authorizeUrl, consent, callbackUrl };
}

async function signIn(browser: Browser, start = "/auth/discord"): Promise<Response> {
  const { consent, authorizeUrl } = await goToDiscordAndBack(browser, start);
  return browser.follow(consent, authorizeUrl.toString());
}

async function me(browser: Browser) {
  const res = await browser.fetch("/api/me");
  return { status: res.status, body: (await res.json()) as { user: { id: string; name: string; avatarUrl: string | null }; via: string } };
}

describe("Sign in with Discord", () => {
  describe("happy path", () => {
    it("sends the user to Discord with PKCE, and back to the app signed in with a session cookie", async () => {
      const account = await discordAccount();
      const browser = await browserSignedInAtDiscord(account);

      const { started, authorizeUrl, consent, callbackUrl } = await goToDiscordAndBack(browser);

      // The app sent the browser to Discord's authorize endpoint with everything Discord needs.
      expect(`${authorizeUrl.origin}${authorizeUrl.pathname}`).toBe(`${discordApi}/oauth2/authorize`);
      const q = authorizeUrl.searchParams;
      expect(q.get("response_type")).toBe("code");
      expect(q.get("client_id")).toBe("100000000000000001");
      expect(q.get("redirect_uri")).toBe(CALLBACK);
      expect(q.get("scope")).toBe("identify");
      expect(q.get("code_challenge_method")).toBe("S256");
      // The round-trip secrets ride in short-lived HttpOnly cookies scoped to /auth.
      const flow = setCookies(started);
      expect(flow.map((c) => c.name).sort()).toEqual([...FLOW_COOKIES].sort());
      for (const c of flow) {
        expect(c.attributes).toMatchObject({ path: "/auth", httponly: true, samesite: "Lax", "max-age": "600" });
      }
      const state = browser.cookie(CALLBACK, "nc_oauth_state")?.value ?? "";
      const verifier = browser.cookie(CALLBACK, "nc_oauth_verifier")?.value ?? "";
      expect(q.get("state")).toBe(state);
      expect(q.get("code_challenge")).toBe(await s256(verifier));
      expect(q.get("code_challenge")).not.toBe(verifier);

      // Discord approved and sent the browser back to the callback with a code and the same state.
      expect(`${callbackUrl.origin}${callbackUrl.pathname}`).toBe(CALLBACK);
      expect(callbackUrl.searchParams.get("state")).toBe(state);
      const code = callbackUrl.searchParams.get("code") ?? "";
      expect(code).not.toBe("");

      const done = await browser.follow(consent, authorizeUrl.toString());
      expect(done.status).toBe(302);
      expect(done.headers.get("location")).toBe("/");
      const session = setCookies(done).find((c) => c.name === "nc_session");
      expect(session?.attributes).toMatchObject({ httponly: true, samesite: "Lax", path: "/" });
      // The flow cookies are spent.
      for (const name of FLOW_COOKIES) expect(browser.cookie(CALLBACK, name)).toBeUndefined();

      // The app exchanged the code once, authenticating with HTTP Basic and proving PKCE with the verifier.
      const exchanges = await tokenRequestsFor(code);
      expect(exchanges).toHaveLength(1);
      expect(exchanges[0]).toMatchObject({ authScheme: "Basic", body: { grant_type: "authorization_code", code_verifier: verifier, redirect_uri: CALLBACK } });
      expect(exchanges[0]?.body).not.toHaveProperty("client_secret");

      const who = await me(browser);
      expect(who.status).toBe(200);
      expect(who.body.via).toBe("session");
      expect(who.body.user).toMatchObject({
        name: "Ada Lovelace",
        avatarUrl: `https://cdn.discordapp.com/avatars/${account.id}/${account.avatar}.png`,
      });
    });

    it("brings the user back to where they started (an invite link)", async () => {
      const browser = await browserSignedInAtDiscord(await discordAccount());
      const done = await signIn(browser, "/auth/discord?returnTo=/invite/abc");
      expect(done.status).toBe(302);
      expect(done.headers.get("location")).toBe("/invite/abc");
      expect((await me(browser)).status).toBe(200);
    });

    it("signs a returning Discord user in as the same user, with their new name and avatar", async () => {
      const account = await discordAccount({ global_name: "Ada Lovelace" });
      const first = await browserSignedInAtDiscord(account);
      await signIn(first);
      const before = await me(first);

      const renamed = await discordAccount({ ...account, global_name: "Countess of Lovelace", avatar: null });
      const second = await browserSignedInAtDiscord(renamed);
      await signIn(second);
      const after = await me(second);

      expect(after.body.user).toEqual({ id: before.body.user.id, name: "Countess of Lovelace", avatarUrl: null });
      const rows = await withDb((db) => db.select({ id: users.id }).from(users).where(eq(users.discordId, account.id)));
      expect(rows).toEqual([{ id: before.body.user.id }]);
    });

    it("names a user without a display name after their username", async () => {
      const browser = await browserSignedInAtDiscord(await discordAccount({ username: "grace.h", global_name: null }));
      await signIn(browser);
      expect((await me(browser)).body.user.name).toBe("grace.h");
    });
  });

  describe("errors", () => {
    it("returns to the app with discord_denied when the user declines on Discord", async () => {
      const browser = await browserSignedInAtDiscord(await discordAccount(), "deny");
      const { callbackUrl } = await goToDiscordAndBack(browser);
      expect(callbackUrl.searchParams.get("error")).toBe("access_denied");
      expect(callbackUrl.searchParams.has("code")).toBe(false);

      const done = await browser.fetch(callbackUrl.toString());
      expect(done.status).toBe(302);
      expect(done.headers.get("location")).toBe("/?error=discord_denied");
      expect(setCookies(done).find((c) => c.name === "nc_session")).toBeUndefined();
      expect((await me(browser)).status).toBe(401);
    });

    it("reports any other Discord error as a failed sign-in, not as the user's refusal", async () => {
      const browser = new Browser();
      await browser.fetch("/auth/discord");
      const state = browser.cookie(CALLBACK, "nc_oauth_state")?.value ?? "";
      // What Discord sends back when something on its side or in the app's registration is wrong.
      const done = await browser.fetch(`${CALLBACK}?error=server_error&error_description=Internal+error&state=${state}`);
      expect(done.headers.get("location")).toBe("/?error=oauth_failed");
      expect((await me(browser)).status).toBe(401);
    });

    it("rejects an invalid returnTo with a 400 before going to Discord", async () => {
      for (const returnTo of ["//evil.com", "/\\evil.com", "https://evil.com/", "javascript:alert(1)"]) {
        const browser = new Browser();
        const res = await browser.fetch(`/auth/discord?returnTo=${encodeURIComponent(returnTo)}`);
        expect(res.status, returnTo).toBe(400);
        expect(res.headers.get("location")).toBeNull();
        expect(res.headers.get("content-type")).toMatch(/^application\/json/);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe("BAD_REQUEST");
        expect(setCookies(res)).toEqual([]);
      }
    });
  });

  describe("security", () => {
    it("refuses a callback whose state is not this browser's (login CSRF), without spending the code", async () => {
      // An attacker gets a code for their own Discord account and plants the callback link on the victim.
      const attacker = await browserSignedInAtDiscord(await discordAccount({ global_name: "Mallory" }));
      const { callbackUrl: planted } = await goToDiscordAndBack(attacker);
      const victim = await browserSignedInAtDiscord(await discordAccount());
      await goToDiscordAndBack(victim);

      const done = await victim.fetch(planted.toString());
      expect(done.status).toBe(302);
      expect(done.headers.get("location")).toBe("/?error=oauth_state");
      expect(setCookies(done).find((c) => c.name === "nc_session")).toBeUndefined();
      expect((await me(victim)).status).toBe(401);
      expect(await tokenRequestsFor(planted.searchParams.get("code") ?? "")).toEqual([]);
    });

    it("refuses a callback from a browser that never started a sign-in", async () => {
      const { callbackUrl } = await goToDiscordAndBack(await browserSignedInAtDiscord(await discordAccount()));
      const stranger = new Browser();
      const done = await stranger.fetch(callbackUrl.toString());
      expect(done.headers.get("location")).toBe("/?error=oauth_state");
      expect((await me(stranger)).status).toBe(401);
    });

    it("fails the sign-in when the PKCE verifier does not match the challenge Discord saw", async () => {
      const browser = await browserSignedInAtDiscord(await discordAccount());
      const { callbackUrl } = await goToDiscordAndBack(browser);
      // Someone holding the code and state, but not the verifier that went with them.
      const forged = Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) => b.toString(16).padStart(2, "0")).join("");
      browser.addCookie(CALLBACK, `nc_oauth_verifier=${forged}`, "/auth");

      const done = await browser.fetch(callbackUrl.toString());
      expect(done.status).toBe(302);
      expect(done.headers.get("location")).toBe("/?error=oauth_failed");
      expect(setCookies(done).find((c) => c.name === "nc_session")).toBeUndefined();
      expect((await me(browser)).status).toBe(401);
      const [exchange] = await tokenRequestsFor(callbackUrl.searchParams.get("code") ?? "");
      expect(exchange?.body?.code_verifier).toBe(forged);
    });

    it("does not sign anyone in from a replayed callback (the code works once)", async () => {
      const browser = await browserSignedInAtDiscord(await discordAccount());
      const { consent, authorizeUrl, callbackUrl } = await goToDiscordAndBack(browser);
      // Everything a thief could copy from the first browser: the callback link and its flow cookies.
      const stolen = FLOW_COOKIES.map((name) => `${name}=${browser.cookie(CALLBACK, name)?.value}`);
      const done = await browser.follow(consent, authorizeUrl.toString());
      expect(done.headers.get("location")).toBe("/");

      const thief = new Browser();
      for (const cookie of stolen) thief.addCookie(CALLBACK, cookie, "/auth");
      const replay = await thief.fetch(callbackUrl.toString());
      expect(replay.status).toBe(302);
      expect(replay.headers.get("location")).toBe("/?error=oauth_failed");
      expect(setCookies(replay).find((c) => c.name === "nc_session")).toBeUndefined();
      expect((await me(thief)).status).toBe(401);
      // The rightful session is unaffected.
      expect((await me(browser)).status).toBe(200);
    });
  });
});

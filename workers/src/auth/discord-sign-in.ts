// Sign in with Discord: OAuth 2 authorization code with PKCE (arctic), endpoints under DISCORD_API_BASE
// so tests and self-hosters can point it at another server. Finds or creates the user by Discord id.
import { CodeChallengeMethod, OAuth2Client, OAuth2RequestError, generateCodeVerifier, generateState } from "arctic";
import { newId, users } from "@nebula/schema";
import { z } from "zod";
import type { Config } from "../config/config.ts";
import type { Db } from "../db/client.ts";
import { AppError } from "../errors/app-error.ts";

export const DISCORD_SCOPES = ["identify"];

const DiscordUser = z.object({
  id: z.string().regex(/^\d{5,25}$/),
  username: z.string(),
  global_name: z.string().nullish(),
  avatar: z.string().nullish(),
});

export function discordSignInEnabled(config: Config): boolean {
  return !!(config.DISCORD_CLIENT_ID && config.DISCORD_CLIENT_SECRET);
}

function client(config: Config, redirectUri: string): OAuth2Client {
  if (!config.DISCORD_CLIENT_ID || !config.DISCORD_CLIENT_SECRET) {
    throw new AppError("MISCONFIGURED", "Discord sign-in is not configured (set DISCORD_CLIENT_ID and DISCORD_CLIENT_SECRET)");
  }
  return new OAuth2Client(config.DISCORD_CLIENT_ID, config.DISCORD_CLIENT_SECRET, redirectUri);
}

export function startDiscordSignIn(config: Config, redirectUri: string): { url: URL; state: string; verifier: string } {
  const state = generateState();
  const verifier = generateCodeVerifier();
  const url = client(config, redirectUri).createAuthorizationURLWithPKCE(
    `${config.DISCORD_API_BASE}/oauth2/authorize`,
    state,
    CodeChallengeMethod.S256,
    verifier,
    DISCORD_SCOPES,
  );
  url.searchParams.set("prompt", "none");
  return { url, state, verifier };
}

export interface DiscordProfile {
  discordId: string;
  name: string;
  avatarUrl: string | null;
}

const UPSTREAM_TIMEOUT_MS = 10_000;

/** Exchanges the code (with the PKCE verifier) and reads the Discord user. */
export async function finishDiscordSignIn(config: Config, redirectUri: string, code: string, verifier: string): Promise<DiscordProfile> {
  let accessToken: string;
  try {
    const tokens = await client(config, redirectUri).validateAuthorizationCode(`${config.DISCORD_API_BASE}/oauth2/token`, code, verifier);
    accessToken = tokens.accessToken();
  } catch (err) {
    if (err instanceof OAuth2RequestError) throw new AppError("UNAUTHORIZED", `Discord rejected the sign-in (${err.code})`);
    throw new AppError("UPSTREAM", "Could not reach Discord to finish sign-in");
  }
  const res = await fetch(`${config.DISCORD_API_BASE}/users/@me`, {
    headers: { authorization: `Bearer ${accessToken}` },
    signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
  }).catch(() => null);
  if (!res?.ok) throw new AppError("UPSTREAM", "Could not read your Discord profile");
  const parsed = DiscordUser.safeParse(await res.json().catch(() => null));
  if (!parsed.success) throw new AppError("UPSTREAM", "Discord returned an unexpected profile");
  const u = parsed.data;
  return {
    discordId: u.id,
    name: u.global_name || u.username,
    avatarUrl: u.avatar ? `https://cdn.discordapp.com/avatars/${u.id}/${u.avatar}.png` : null,
  };
}

/** Finds the user by Discord id (refreshing name and avatar) or creates one. */
export async function upsertDiscordUser(db: Db, profile: DiscordProfile, now: Date): Promise<string> {
  const [row] = await db
    .insert(users)
    .values({ id: newId("user"), name: profile.name, discordId: profile.discordId, avatarUrl: profile.avatarUrl })
    .onConflictDoUpdate({ target: users.discordId, set: { name: profile.name, avatarUrl: profile.avatarUrl, updatedAt: now } })
    .returning({ id: users.id });
  return (row as { id: string }).id;
}

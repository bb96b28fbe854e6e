// "Add to server": the OAuth 2 bot authorization URL (scopes bot + applications.commands, plus identify so we learn
// which Discord account approved) and its callback, which links the chosen guild to the tenant. The state is a random
// single-use value kept in the cache for 10 minutes, bound to the tenant and the user who asked for the link.
import { CodeChallengeMethod, OAuth2Client, OAuth2RequestError, generateCodeVerifier, generateState } from "arctic";
import { type Role, can } from "@nebula/schema";
import { z } from "zod";
import type { Cache } from "../cache/cache.ts";
import type { Config } from "../config/config.ts";
import { AppError } from "../errors/app-error.ts";

export const INSTALL_SCOPES = ["bot", "applications.commands", "identify"];
export const INSTALL_STATE_SECONDS = 600;

/**
 * What the bot asks for when added: View Channels, Send Messages, Send Messages in Threads, Create Private Threads,
 * Manage Threads, Embed Links, Attach Files, Read Message History, Mention Everyone (only used where a template
 * allows it), Manage Roles (auto-roles), Manage Channels (ticket channels). No Administrator.
 */
export const BOT_PERMISSIONS =
  (1n << 10n) | (1n << 11n) | (1n << 38n) | (1n << 36n) | (1n << 34n) | (1n << 14n) | (1n << 15n) | (1n << 16n) | (1n << 17n) | (1n << 28n) | (1n << 4n);

const InstallState = z.object({ tenantId: z.string(), userId: z.string(), verifier: z.string() });
export type InstallState = z.infer<typeof InstallState>;

const stateKey = (state: string) => `discord:install:${state}`;

function client(config: Config, redirectUri: string): OAuth2Client {
  if (!config.DISCORD_CLIENT_ID || !config.DISCORD_CLIENT_SECRET || !config.DISCORD_BOT_TOKEN) {
    throw new AppError("MISCONFIGURED", "The Discord bot is not configured (set DISCORD_CLIENT_ID, DISCORD_CLIENT_SECRET and DISCORD_BOT_TOKEN of the bot's application)");
  }
  return new OAuth2Client(config.DISCORD_CLIENT_ID, config.DISCORD_CLIENT_SECRET, redirectUri);
}

export function installRedirectUri(requestUrl: string, publicUrl: string | undefined): string {
  return `${publicUrl ? new URL(publicUrl).origin : new URL(requestUrl).origin}/auth/discord/install/callback`;
}

export async function startGuildInstall(
  config: Config,
  cache: Cache,
  input: { tenantId: string; userId: string; guildId?: string; redirectUri: string; now: Date },
): Promise<{ url: string; expiresAt: string }> {
  const oauth = client(config, input.redirectUri);
  const state = generateState();
  const verifier = generateCodeVerifier();
  await cache.set(stateKey(state), JSON.stringify({ tenantId: input.tenantId, userId: input.userId, verifier } satisfies InstallState), { ttlSeconds: INSTALL_STATE_SECONDS });
  const url = oauth.createAuthorizationURLWithPKCE(`${config.DISCORD_API_BASE}/oauth2/authorize`, state, CodeChallengeMethod.S256, verifier, INSTALL_SCOPES);
  url.searchParams.set("permissions", BOT_PERMISSIONS.toString());
  // Discord: integration_type 0 is "guild install" (the bot joins a server), 1 would be a user install.
  url.searchParams.set("integration_type", "0");
  if (input.guildId) {
    url.searchParams.set("guild_id", input.guildId);
    url.searchParams.set("disable_guild_select", "true");
  }
  return { url: url.toString(), expiresAt: new Date(input.now.getTime() + INSTALL_STATE_SECONDS * 1000).toISOString() };
}

/** Single use: a replayed callback finds nothing. */
export async function takeInstallState(cache: Cache, state: string): Promise<InstallState | null> {
  const raw = await cache.take(stateKey(state));
  if (!raw) return null;
  const parsed = InstallState.safeParse(JSON.parse(raw));
  return parsed.success ? parsed.data : null;
}

const DiscordMe = z.object({ id: z.string().regex(/^\d{5,25}$/) });

/** Exchanges the code (PKCE) and reads which Discord account approved the install. */
export async function installerDiscordId(config: Config, redirectUri: string, code: string, verifier: string): Promise<string> {
  let accessToken: string;
  try {
    const tokens = await client(config, redirectUri).validateAuthorizationCode(`${config.DISCORD_API_BASE}/oauth2/token`, code, verifier);
    accessToken = tokens.accessToken();
  } catch (err) {
    if (err instanceof OAuth2RequestError) throw new AppError("UNAUTHORIZED", `Discord rejected the install (${err.code})`);
    throw new AppError("UPSTREAM", "Could not reach Discord to finish the install");
  }
  const res = await fetch(`${config.DISCORD_API_BASE}/users/@me`, { headers: { authorization: `Bearer ${accessToken}` }, signal: AbortSignal.timeout(10_000) }).catch(() => null);
  const me = DiscordMe.safeParse(res?.ok ? await res.json().catch(() => null) : null);
  if (!me.success) throw new AppError("UPSTREAM", "Could not read the Discord account that approved the install");
  return me.data.id;
}

export const mayInstall = (role: Role | null) => !!role && can(role, "discord.manage");

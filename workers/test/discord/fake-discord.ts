// Test helpers for the fake Discord's guild model and interaction webhooks (test/fakes/discord-guilds.ts), reached
// over HTTP from inside workerd, plus the interaction signer.
import { env } from "cloudflare:workers";
import { inject } from "vitest";
import { loadConfig } from "../../src/config/config.ts";
import type { FakeGuildSeed, InteractionRecord } from "../../../test/fakes/discord-guild-types.ts";
import { InteractionSigner, snowflake } from "../../../test/fakes/interaction-signer.ts";

export const discordApi = loadConfig(env).DISCORD_API_BASE;
export const discordOrigin = new URL(discordApi).origin;
/** Signs with the run's key pair, whose public half is the Worker's DISCORD_PUBLIC_KEY (test/global-setup.ts). */
export const signer = new InteractionSigner(inject("discordInteractionKey"));
export { snowflake };

async function control<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${discordOrigin}/__control${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`fake Discord ${method} /__control${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<T>;
}

export const seedGuild = (seed: FakeGuildSeed) => control("POST", "/guilds", seed);
export const guildState = (id: string) => control<Record<string, unknown> & { botPresent: boolean }>("GET", `/guilds/${id}`);
export const setBotPresent = (id: string, present: boolean) => control("POST", `/guilds/${id}/bot`, { present });
export const addFault = (fault: { method: string; path: string; status: number; count?: number; retryAfter?: number; afterStore?: boolean }) => control("POST", "/faults", fault);
export const interactionRecord = (id: string) => control<InteractionRecord>("GET", `/interactions/${id}`);
/** Waits (on the fake, not a sleep) until @original of this interaction was edited `edits` times. */
export const waitForOriginalEdit = (id: string, edits = 1) => control<InteractionRecord>("GET", `/interactions/${id}/wait?edits=${edits}`);
export const registeredCommands = (applicationId: string, guildId?: string) =>
  control<{ name: string }[]>("GET", `/commands?applicationId=${applicationId}${guildId ? `&guildId=${guildId}` : ""}`);

export interface DiscordAccount {
  id: string;
  username: string;
  global_name: string | null;
  avatar: string | null;
}

/** A Discord account the fake's OAuth knows. */
export async function discordAccount(username = "mod"): Promise<DiscordAccount> {
  const user = { id: snowflake(), username, global_name: username, avatar: null };
  await control("POST", "", { users: [user] });
  return user;
}

export async function loginAtDiscord(userId: string): Promise<string> {
  return (await control<{ cookie: string }>("POST", "/login", { userId })).cookie;
}

/** Discord permission bits used by the tests. */
export const BITS = { ADMINISTRATOR: 1n << 3n, MANAGE_GUILD: 1n << 5n, SEND_MESSAGES: 1n << 11n } as const;

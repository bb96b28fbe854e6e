// Arrangement for the go-live suites: a tenant with a linked guild, tracked streamers, the platform fakes' control
// endpoints (they sign webhooks with the same secrets and keys the real platforms would use), and the domain's
// dependencies built the way the queue consumer builds them. The guild is also in the fake Discord's guild model: the
// tenant's owner owns it and the admin and operator hold Manage Server there (their Discord accounts linked), so the
// go-live write routes pass the Manage Server check; the viewer is a plain member.
import { env as bindings, exports } from "cloudflare:workers";
import { guilds, newId, trackedStreamers, users } from "@nebula/schema";
import { eq } from "drizzle-orm";
import { expect } from "vitest";
import { loadConfig } from "../../src/config/config.ts";
import type { Env } from "../../src/env.ts";
import { type GoLiveDeps, goLiveDeps } from "../../src/go-live/go-live-deps.ts";
import type { TrackedStreamer } from "../../src/go-live/observe.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createServices } from "../../src/services/services.ts";
import { BITS, guildState, seedGuild, snowflake as discordSnowflake } from "../discord/fake-discord.ts";
import { snowflake } from "../outbox/outbox-harness.ts";
import { type SeededTenant, seedTenant, url, withDb } from "../support/seed.ts";

export const env = bindings as Env;
export const TWITCH = (env.TWITCH_API_BASE ?? "").replace(/\/helix$/, "");
export const YOUTUBE = (env.YOUTUBE_API_BASE ?? "").replace(/\/youtube\/v3$/, "");
export const KICK = env.KICK_API_BASE ?? "";

export async function fake<T = unknown>(origin: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${origin}${path}`, body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as T;
}

export interface Signed {
  headers: Record<string, string>;
  body: string;
}

/** Delivers a signed webhook to the Worker the way the platform would. */
export function deliver(path: string, signed: Signed, change: { body?: string; headers?: Record<string, string> } = {}): Promise<Response> {
  return exports.default.fetch(url(path), { method: "POST", headers: { ...signed.headers, ...change.headers }, body: change.body ?? signed.body });
}

export interface GoLiveTenant extends SeededTenant {
  guildId: string;
  /** Discord accounts linked to the tenant's members (owner: the guild's owner; admin, operator: Manage Server). */
  discordIds: Record<"owner" | "admin" | "operator" | "viewer", string>;
  /** A text channel of the guild in the fake's guild model (what the API accepts for notices). */
  channelId: string;
}

/** Messages the fake Discord's guild model holds in a channel of the guild (channels it models, unlike discordSide). */
export async function guildChannelMessages(guildId: string, channelId: string) {
  const state = (await guildState(guildId)) as unknown as { channels: { id: string; messages: { id: string; content: string; embeds: Record<string, unknown>[]; allowed_mentions: unknown }[] }[] };
  return state.channels.find((c) => c.id === channelId)?.messages ?? [];
}

export async function seedGoLiveTenant(name = "Go-live lab"): Promise<GoLiveTenant> {
  const guildId = discordSnowflake();
  const managers = discordSnowflake();
  const discordIds = { owner: discordSnowflake(), admin: discordSnowflake(), operator: discordSnowflake(), viewer: discordSnowflake() };
  const channelId = discordSnowflake();
  await seedGuild({
    id: guildId,
    name: `${name} server`,
    ownerId: discordIds.owner,
    channels: [{ id: channelId, name: "live-now", type: 0 }],
    roles: [{ id: managers, name: "Managers", permissions: String(BITS.MANAGE_GUILD) }],
    members: [
      { user: { id: discordIds.owner, username: "owner" }, roles: [] },
      { user: { id: discordIds.admin, username: "admin" }, roles: [managers] },
      { user: { id: discordIds.operator, username: "operator" }, roles: [managers] },
      { user: { id: discordIds.viewer, username: "viewer" }, roles: [] },
    ],
  });
  return withDb(async (db) => {
    const tenant = await seedTenant(db, name);
    await db.insert(guilds).values({ guildId, tenantId: tenant.tenantId, name: `${name} server` });
    for (const role of ["owner", "admin", "operator", "viewer"] as const) {
      await db.update(users).set({ discordId: discordIds[role] }).where(eq(users.id, tenant.members[role].userId));
    }
    return { ...tenant, guildId, discordIds, channelId };
  });
}

export async function trackStreamer(tenant: GoLiveTenant, values: Partial<typeof trackedStreamers.$inferInsert> & Pick<typeof trackedStreamers.$inferInsert, "platform" | "platformUserId">): Promise<TrackedStreamer> {
  return withDb(async (db) => {
    const [row] = await db
      .insert(trackedStreamers)
      .values({ id: newId("trackedStreamer"), tenantId: tenant.tenantId, guildId: tenant.guildId, login: values.platformUserId, displayName: values.platformUserId, channelId: snowflake(), ...values })
      .returning();
    return row as TrackedStreamer;
  });
}

/** The domain's dependencies with a db that lives for `work` (as one queue batch's do). */
export async function withDeps<T>(work: (deps: GoLiveDeps) => Promise<T>): Promise<T> {
  const config = loadConfig(env);
  const scope = createServices(env, config, createLogger({ test: "go-live" }, "error"));
  try {
    return await work(goLiveDeps(env, scope.services));
  } finally {
    await scope.dispose();
  }
}

let serial = 0;
export const twitchUserId = () => String(40_000_000 + Math.floor(Math.random() * 1_000_000) * 10 + (++serial % 10));

// Arrangement shared by the welcome and custom-command suites: a tenant with every role, a guild in the fake
// Discord's guild model linked to it (channels, roles, members), and the tenant's admin linked to a Discord account
// with Manage Server there, so guild settings routes pass requireGuildManager.
import { env, exports } from "cloudflare:workers";
import { guilds, users } from "@nebula/schema";
import { eq } from "drizzle-orm";
import { BITS, discordAccount, discordApi, seedGuild, snowflake } from "../discord/fake-discord.ts";
import { type SeededTenant, type SeededUser, asUser, seedTenant, url, withDb } from "../support/seed.ts";

export interface ManagedGuild {
  lab: SeededTenant;
  guildId: string;
  guildName: string;
  adminDiscordId: string;
  channels: { welcome: string; goodbye: string; general: string };
  roles: { mods: string; members: string; vip: string };
}

export async function setDiscordId(user: SeededUser, discordId: string | null): Promise<void> {
  await withDb((db) => db.update(users).set({ discordId }).where(eq(users.id, user.userId)));
}

export async function seedManagedGuild(name: string): Promise<ManagedGuild> {
  const lab = await withDb((db) => seedTenant(db, name));
  const guildId = snowflake();
  const guildName = `${name} server`;
  const admin = await discordAccount(`admin-${guildId.slice(-4)}`);
  const channels = { welcome: snowflake(), goodbye: snowflake(), general: snowflake() };
  const roles = { mods: snowflake(), members: snowflake(), vip: snowflake() };
  await seedGuild({
    id: guildId,
    name: guildName,
    ownerId: snowflake(),
    roles: [
      { id: roles.mods, name: "Mods", permissions: String(BITS.MANAGE_GUILD) },
      { id: roles.members, name: "Members", permissions: "0" },
      { id: roles.vip, name: "VIP", permissions: "0" },
    ],
    channels: [
      { id: channels.welcome, name: "welcome", type: 0 },
      { id: channels.goodbye, name: "goodbye", type: 0 },
      { id: channels.general, name: "general", type: 0 },
    ],
    members: [{ user: { id: admin.id, username: admin.username }, roles: [roles.mods] }],
  });
  await withDb((db) => db.insert(guilds).values({ guildId, tenantId: lab.tenantId, name: guildName }));
  await setDiscordId(lab.members.admin, admin.id);
  return { lab, guildId, guildName, adminDiscordId: admin.id, channels, roles };
}

export const call = (path: string, user: SeededUser, init: RequestInit = {}) => exports.default.fetch(url(path), asUser(user, init));
export const json = (method: string, body: unknown): RequestInit => ({ method, body: JSON.stringify(body), headers: { "content-type": "application/json" } });

/** Calls the fake Discord's bot REST directly, as the bot (to arrange state the way Discord would hold it). */
export async function asBot<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${discordApi}${path}`, {
    method,
    headers: { authorization: `Bot ${(env as { DISCORD_BOT_TOKEN?: string }).DISCORD_BOT_TOKEN}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`fake Discord ${method} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

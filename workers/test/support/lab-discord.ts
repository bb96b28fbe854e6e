// A lab's Discord in the integration suites: its server in the fake Discord's guild model (test/fakes/discord-guilds.ts),
// linked to the tenant and managed by its owner (the guild's owner) and admin (Manage Server); channels made there as
// destinations; what the fake received per channel or webhook; and the tenant's Outbox held so the test decides when
// it delivers.
import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env as bindings } from "cloudflare:workers";
import { guilds, users } from "@nebula/schema";
import { eq } from "drizzle-orm";
import { expect } from "vitest";
import type { Env } from "../../src/env.ts";
import { type DiscordLimits, getDiscordLimits } from "../../src/discord-rest/discord-limits.ts";
import { type Outbox, getOutboxByName } from "../../src/outbox/outbox.ts";
import { BITS, guildState, seedGuild, snowflake as discordSnowflake } from "../discord/fake-discord.ts";
import { type SeededTenant, withDb } from "./seed.ts";

const env = bindings as Env;
const DISCORD_ORIGIN = (env.DISCORD_API_BASE ?? "").replace(/\/api\/v10$/, "");

/**
 * The tenant's outbox on a clock a day ahead, so workerd never runs its alarm on its own: the test delivers by
 * running the alarm, and then knows everything enqueued so far has reached the fake Discord. Its Discord limits are
 * its own, on the same clock: the bot-wide 50/s is shared by every suite running at once, and a slot refused for the
 * rest of a real second would leave a message behind after the alarm's last run.
 */
export async function holdOutbox(tenantId: string): Promise<() => Promise<void>> {
  const stub = getOutboxByName(env.OUTBOX, tenantId);
  const now = () => Date.now() + 24 * 3600_000;
  const discordLimits = `limits-held-${tenantId}`;
  await runInDurableObject(getDiscordLimits(env.DISCORD_LIMITS, discordLimits), (limits: DiscordLimits) => limits.tune({ now }));
  await runInDurableObject(stub, (outbox: Outbox) => outbox.tune({ now, discordLimits }));
  return async () => {
    for (let runs = 0; runs < 20 && (await runDurableObjectAlarm(stub)); runs++);
  };
}

export interface ReceivedEmbed {
  title?: string;
  description?: string;
  url?: string;
  color?: number;
  fields?: { name: string; value: string }[];
}

const botAuth = () => ({ authorization: `Bot ${env.DISCORD_BOT_TOKEN}` });
const labGuilds = new Map<string, Promise<string>>();

/** The lab's guild (one per tenant): in the fake's guild model, linked to the tenant, managed by its owner and admin. */
export function guildOf(lab: SeededTenant): Promise<string> {
  let guild = labGuilds.get(lab.tenantId);
  if (!guild) {
    guild = (async () => {
      const guildId = discordSnowflake();
      const managers = discordSnowflake();
      const owner = discordSnowflake();
      const admin = discordSnowflake();
      await seedGuild({
        id: guildId,
        name: "Lab server",
        ownerId: owner,
        roles: [{ id: managers, name: "Managers", permissions: String(BITS.MANAGE_GUILD) }],
        members: [
          { user: { id: owner, username: "owner" }, roles: [] },
          { user: { id: admin, username: "admin" }, roles: [managers] },
        ],
      });
      await withDb(async (db) => {
        await db.insert(guilds).values({ guildId, tenantId: lab.tenantId, name: "Lab server" });
        await db.update(users).set({ discordId: owner }).where(eq(users.id, lab.members.owner.userId));
        await db.update(users).set({ discordId: admin }).where(eq(users.id, lab.members.admin.userId));
      });
      return guildId;
    })();
    labGuilds.set(lab.tenantId, guild);
  }
  return guild;
}

/** A new text channel in the lab's guild (made through the fake's bot REST, as a bot would), as a destination. */
export async function guildChannel(lab: SeededTenant): Promise<{ kind: "channel"; channelId: string; guildId: string }> {
  const guildId = await guildOf(lab);
  const res = await fetch(`${env.DISCORD_API_BASE}/guilds/${guildId}/channels`, { method: "POST", headers: { ...botAuth(), "content-type": "application/json" }, body: JSON.stringify({ name: "lab", type: 0 }) });
  expect(res.status).toBe(201);
  return { kind: "channel", channelId: ((await res.json()) as { id: string }).id, guildId };
}

/** What the fake Discord stored for a channel or webhook, in order: a channel of the guild model there, others on the bot routes. */
export async function discordMessages(key: string): Promise<{ embeds: ReceivedEmbed[]; allowedMentions?: unknown }[]> {
  const channelId = /^channel:(\d+)$/.exec(key)?.[1];
  const channel = channelId ? await fetch(`${env.DISCORD_API_BASE}/channels/${channelId}`, { headers: botAuth() }) : null;
  if (channel?.ok) {
    const { guild_id } = (await channel.json()) as { guild_id: string };
    const state = (await guildState(guild_id)) as unknown as { channels: { id: string; messages: { embeds: ReceivedEmbed[]; allowed_mentions: unknown }[] }[] };
    return (state.channels.find((c) => c.id === channelId)?.messages ?? []).map((m) => ({ embeds: m.embeds, allowedMentions: m.allowed_mentions }));
  }
  const res = await fetch(`${DISCORD_ORIGIN}/__control/bot?key=${encodeURIComponent(key)}`);
  return ((await res.json()) as { messages: { embeds: ReceivedEmbed[] }[] }).messages;
}

export async function discordTitles(key: string): Promise<string[]> {
  return (await discordMessages(key)).map((m) => m.embeds[0]?.title ?? "");
}

export async function freshDiscordKey(key: string): Promise<void> {
  const res = await fetch(`${DISCORD_ORIGIN}/__control/bot`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ key }) });
  expect(res.status).toBe(200);
}


// Registering a guild's commands with Discord: one bulk overwrite (PUT /applications/{app}/guilds/{guild}/commands)
// holding the guild's enabled custom commands plus the registry's guild-scoped built-ins. Saves are debounced: each
// change bumps the guild's generation and queues `custom-commands.register` a few seconds out; only the newest
// generation calls Discord. An unchanged body is not sent again (Discord: 200 command creates per guild per day;
// overwrite counts only changes, but an identical PUT still spends a request). `npm run discord:register -- --guild`
// sends the same set, built here, and records it the same way, so neither path undoes the other.
import { type discordWire, customCommandRegistrations, customCommands, guilds } from "@nebula/schema";
import { and, eq, isNull, ne, sql } from "drizzle-orm";
import { z } from "zod";
import type { Config } from "../config/config.ts";
import type { Db } from "../db/client.ts";
import { type QueueContext, defineQueueKind, sendToDiscordQueue } from "../discord-queue/queue-kind.ts";
import { discordRestFor } from "../discord-rest/shared-client.ts";
import { AppError } from "../errors/app-error.ts";
import { interactionRegistry } from "../interactions/commands.ts";
import type { Logger } from "../logging/logger.ts";
import { customCommandDefinition } from "./invoke.ts";

/** Discord: at most 100 chat input commands per guild. */
export const GUILD_COMMAND_LIMIT = 100;
/** A burst of edits in the dashboard becomes one registration. */
export const REGISTER_DEBOUNCE_SECONDS = 2;

export const RegisterBody = z.object({ guildId: z.string().regex(/^\d{5,25}$/), generation: z.number().int().min(1) });

export function applicationIdOf(config: Pick<Config, "DISCORD_APPLICATION_ID" | "DISCORD_CLIENT_ID">): string | null {
  // The bot's application is also the OAuth app of "Add to server": its client id is the application id.
  return config.DISCORD_APPLICATION_ID ?? config.DISCORD_CLIENT_ID ?? null;
}

export function guildBuiltins() {
  return interactionRegistry.definitions("guild");
}

/** Marks the guild's commands changed and queues a registration (debounced); the registration row shows "pending". */
export async function requestRegistration(deps: { db: Db; queue: Queue | null; now: Date; requestId?: string }, tenantId: string, guildId: string): Promise<void> {
  const [row] = await deps.db
    .insert(customCommandRegistrations)
    .values({ guildId, tenantId, status: "pending", generation: 1, requestedAt: deps.now })
    .onConflictDoUpdate({
      target: customCommandRegistrations.guildId,
      set: { tenantId, status: "pending", generation: sql`${customCommandRegistrations.generation} + 1`, requestedAt: deps.now, updatedAt: deps.now },
    })
    .returning({ generation: customCommandRegistrations.generation });
  if (!row || !deps.queue) return;
  await sendToDiscordQueue(deps.queue, registerCommandsKind, `${guildId}:${row.generation}`, { guildId, generation: row.generation }, { requestId: deps.requestId, delaySeconds: REGISTER_DEBOUNCE_SECONDS });
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** What a guild's bulk overwrite holds, and its fingerprint (`registered_hash` once Discord accepted it). */
export interface GuildCommandSet {
  tenantId: string | null;
  body: discordWire.ApplicationCommandDefinition[];
  builtinCount: number;
  hash: string;
}

/**
 * The registry's guild built-ins plus the tenant's enabled custom commands of the guild. A bulk overwrite replaces
 * everything the guild has, so whatever sends one sends this whole set (Discord deletes what the body leaves out).
 */
export async function guildCommandSet(db: Db, tenantId: string | null, guildId: string): Promise<GuildCommandSet> {
  const rows = tenantId
    ? await db
        .select()
        .from(customCommands)
        .where(and(eq(customCommands.guildId, guildId), eq(customCommands.tenantId, tenantId), eq(customCommands.enabled, true)))
        .orderBy(customCommands.name)
    : [];
  const builtins = guildBuiltins();
  const body = [...builtins, ...rows.map(customCommandDefinition)];
  return { tenantId, body, builtinCount: builtins.length, hash: await sha256(JSON.stringify(body)) };
}

/** The set of the tenant the guild is linked to now (the one its interactions answer for); an unlinked guild has only the built-ins. */
export async function linkedGuildCommandSet(db: Db, guildId: string): Promise<GuildCommandSet> {
  const [guild] = await db
    .select({ tenantId: guilds.tenantId })
    .from(guilds)
    .where(and(eq(guilds.guildId, guildId), isNull(guilds.removedAt)))
    .limit(1);
  return guildCommandSet(db, guild?.tenantId ?? null, guildId);
}

/**
 * Records a set sent outside the queue (`npm run discord:register -- --guild`): the fingerprint becomes that set's,
 * so the queue's next registration of the same set is skipped and a changed one is sent. A registration of another
 * tenant than the set's has its fingerprint cleared, so its next registration sends its own set.
 */
export async function recordGuildCommandsSent(db: Db, guildId: string, set: GuildCommandSet, now: Date): Promise<void> {
  const registration = eq(customCommandRegistrations.guildId, guildId);
  if (set.tenantId) {
    await db
      .update(customCommandRegistrations)
      .set({
        registeredHash: set.hash,
        commandCount: set.body.length,
        registeredAt: now,
        // A queued registration still runs and records its own outcome; a failed one is mended by this send.
        status: sql`case when ${customCommandRegistrations.status} = 'pending' then 'pending' else 'registered' end`,
        error: sql`case when ${customCommandRegistrations.status} = 'pending' then ${customCommandRegistrations.error} else null end`,
        updatedAt: now,
      })
      .where(and(registration, eq(customCommandRegistrations.tenantId, set.tenantId)));
  }
  await db
    .update(customCommandRegistrations)
    .set({ registeredHash: null, updatedAt: now })
    .where(set.tenantId ? and(registration, ne(customCommandRegistrations.tenantId, set.tenantId)) : registration);
}

function rejection(err: unknown): string | null {
  if (!(err instanceof AppError) || err.code !== "UPSTREAM") return null;
  const details = err.details as { status?: unknown; code?: unknown } | null;
  if (typeof details?.status !== "number") return null;
  // Discord 50001 Missing Access: the bot was added without the applications.commands scope (or left the server).
  if (details.code === 50001) return "Discord refused: the bot is not in this server or was added without the applications.commands scope; add it again from the dashboard";
  // Discord 30034: the daily limit of command creates for this guild is spent.
  if (details.code === 30034) return "Discord's daily limit of command creates for this server (200) is reached; registration resumes tomorrow";
  return err.message;
}

/** Sends the guild's command set to Discord when `generation` is still the newest; records the outcome. */
export async function registerGuildCommands(deps: { db: Db; config: Config; logger: Logger; now: Date }, guildId: string, generation: number): Promise<void> {
  const [reg] = await deps.db.select().from(customCommandRegistrations).where(eq(customCommandRegistrations.guildId, guildId)).limit(1);
  if (!reg || reg.generation !== generation) return;
  const { body, hash } = await guildCommandSet(deps.db, reg.tenantId, guildId);
  const record = (values: Partial<typeof customCommandRegistrations.$inferInsert>) =>
    deps.db
      .update(customCommandRegistrations)
      .set({ ...values, updatedAt: deps.now })
      .where(and(eq(customCommandRegistrations.guildId, guildId), eq(customCommandRegistrations.generation, generation)));
  const applicationId = applicationIdOf(deps.config);
  if (!applicationId || !deps.config.DISCORD_BOT_TOKEN) {
    await record({ status: "failed", error: "The Discord bot is not configured (set DISCORD_APPLICATION_ID and DISCORD_BOT_TOKEN)" });
    return;
  }
  if (body.length > GUILD_COMMAND_LIMIT) {
    await record({ status: "failed", error: `Discord allows ${GUILD_COMMAND_LIMIT} commands per server; this one has ${body.length}` });
    return;
  }
  if (reg.registeredHash === hash) {
    await record({ status: "registered", error: null, commandCount: body.length });
    return;
  }
  try {
    await discordRestFor(deps.config).request({ method: "PUT", path: `/applications/${applicationId}/guilds/${guildId}/commands`, auth: "bot", body, idempotent: true });
  } catch (err) {
    const refused = rejection(err);
    if (refused === null) throw err;
    deps.logger.warn("discord refused the guild's commands", { guildId, err });
    await record({ status: "failed", error: refused.slice(0, 500) });
    return;
  }
  await record({ status: "registered", error: null, registeredHash: hash, commandCount: body.length, registeredAt: deps.now });
}

/** The `nebula-discord` queue kind (listed in discord-queue/kinds.ts). */
export const registerCommandsKind = defineQueueKind({
  kind: "custom-commands.register",
  body: RegisterBody,
  handle: (body, q: QueueContext) => registerGuildCommands({ db: q.services.db, config: q.services.config, logger: q.logger, now: q.services.now() }, body.guildId, body.generation),
});

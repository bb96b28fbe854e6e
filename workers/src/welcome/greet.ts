// Member joins and leaves, from the Gateway (delivered through the `nebula-discord` queue, at least once): auto-roles
// (PUT /guilds/{g}/members/{u}/roles/{r}), the greeting through the tenant's outbox (idempotency key from the event
// id), the DM (POST /users/@me/channels, then the message with a nonce), and the leave message. Each event has one
// welcome_events row whose per-step statuses make a replay skip what is done: nothing is sent or given twice.
// Membership Screening: a member who joins with pending=true has not accepted the rules yet, and roles would let them
// past it (Discord: bots wait for GUILD_MEMBER_UPDATE with pending false, as MEE6 and Carl-bot do). They are greeted
// on join, as TicketsBot and MEE6 do, and their join row's roles stay "pending" until member.screened gives them.
import { guilds, welcomeEvents, welcomeSettings } from "@nebula/schema";
import { and, desc, eq, isNull } from "drizzle-orm";
import type { Cache } from "../cache/cache.ts";
import { loadConfig } from "../config/config.ts";
import type { Config } from "../config/config.ts";
import type { Db } from "../db/client.ts";
import { type GatewayEventOf, onGatewayEvent } from "../discord-gateway/gateway-events.ts";
import { RetryLater } from "../discord-queue/queue-kind.ts";
import type { DiscordMessage, DiscordRest } from "../discord-rest/discord-rest.ts";
import { discordRestFor } from "../discord-rest/shared-client.ts";
import type { Env } from "../env.ts";
import { AppError } from "../errors/app-error.ts";
import type { Logger } from "../logging/logger.ts";
import { type Outbox, nonceOf } from "../outbox/outbox.ts";
import { baseLogger, createServices } from "../services/services.ts";
import type { TemplateUser } from "../templates/discord-values.ts";
import { type WelcomeScene, leaveMessage, welcomeDm, welcomeMessage } from "./welcome-message.ts";

export interface WelcomeDeps {
  db: Db;
  cache: Cache;
  config: Config;
  rest: DiscordRest;
  outboxes: DurableObjectNamespace<Outbox>;
  logger: Logger;
  now: () => Date;
}

type Settings = typeof welcomeSettings.$inferSelect;
type EventRow = typeof welcomeEvents.$inferSelect;
type Joined = GatewayEventOf<"member.joined">;
type Left = GatewayEventOf<"member.left">;
type Screened = GatewayEventOf<"member.screened">;

export const welcomeOutboxId = (eventId: string) => `welcome:${eventId}`;
export const leaveOutboxId = (eventId: string) => `welcome-leave:${eventId}`;

/** Discord's status and JSON error code of a refused request; null for failures worth retrying (5xx, timeouts). */
function refusal(err: unknown): { status: number; code: number | null; message: string } | null {
  if (!(err instanceof AppError) || err.code !== "UPSTREAM") return null;
  const d = err.details as { status?: unknown; code?: unknown } | null;
  if (typeof d?.status !== "number") return null;
  return { status: d.status, code: typeof d.code === "number" ? d.code : null, message: err.message };
}

/** The linked guild and its settings; null when the guild is not linked or has never been configured. */
async function settingsFor(db: Db, guildId: string): Promise<{ settings: Settings; guildName: string } | null> {
  const [row] = await db
    .select({ settings: welcomeSettings, guildName: guilds.name })
    .from(welcomeSettings)
    .innerJoin(guilds, and(eq(guilds.guildId, welcomeSettings.guildId), eq(guilds.tenantId, welcomeSettings.tenantId)))
    .where(and(eq(welcomeSettings.guildId, guildId), isNull(guilds.removedAt)))
    .limit(1);
  return row ?? null;
}

/** Discord's approximate member count (GET /guilds/{id}?with_counts=true); null when Discord does not say. */
export async function memberCountOf(rest: DiscordRest, guildId: string): Promise<number | null> {
  try {
    const guild = await rest.request<{ approximate_member_count?: unknown }>({ method: "GET", path: `/guilds/${guildId}`, query: { with_counts: "true" }, auth: "bot", idempotent: true });
    return typeof guild?.approximate_member_count === "number" ? guild.approximate_member_count : null;
  } catch {
    return null;
  }
}

async function claimEvent(db: Db, values: typeof welcomeEvents.$inferInsert): Promise<EventRow> {
  await db.insert(welcomeEvents).values(values).onConflictDoNothing();
  const [row] = await db.select().from(welcomeEvents).where(eq(welcomeEvents.id, values.id)).limit(1);
  if (!row) throw new Error(`welcome event ${values.id} vanished`);
  return row;
}

const setEvent = (db: Db, id: string, values: Partial<typeof welcomeEvents.$inferInsert>, now: Date) =>
  db.update(welcomeEvents).set({ ...values, updatedAt: now }).where(eq(welcomeEvents.id, id));

async function giveRoles(deps: WelcomeDeps, settings: Settings, userId: string): Promise<Pick<EventRow, "roleStatus" | "roleError">> {
  const results: { roleId: string; ok: boolean; status: number | null; code: number | null; message: string | null }[] = [];
  for (const roleId of settings.autoRoleIds) {
    try {
      // PUT is idempotent: giving a role the member already has is a 204 again.
      await deps.rest.request({ method: "PUT", path: `/guilds/${settings.guildId}/members/${userId}/roles/${roleId}`, auth: "bot", idempotent: true });
      results.push({ roleId, ok: true, status: 204, code: null, message: null });
    } catch (err) {
      const refused = refusal(err);
      if (!refused) throw err;
      // Discord 403 (50013 Missing Permissions): the bot lacks Manage Roles or the role is above the bot's highest.
      const message =
        refused.status === 403 ? "Discord refused (403): give the bot Manage Roles and move its role above this role in Server Settings → Roles" : refused.message;
      results.push({ roleId, ok: false, status: refused.status, code: refused.code, message });
    }
  }
  const now = deps.now();
  await deps.db
    .update(welcomeSettings)
    .set({ lastAutoRoles: { at: now.toISOString(), userId, results }, lastAutoRolesAt: now })
    .where(eq(welcomeSettings.guildId, settings.guildId));
  const failed = results.filter((r) => !r.ok);
  if (failed.length === 0) return { roleStatus: "given", roleError: null };
  const error = failed.map((f) => `${f.roleId}: ${f.message}`).join("; ").slice(0, 500);
  if (failed.length < results.length) return { roleStatus: "partial", roleError: error };
  return { roleStatus: failed.every((f) => f.status === 403) ? "forbidden" : "failed", roleError: error };
}

/** Opens the DM channel and sends; Discord 50007 (the member does not accept DMs) is recorded, never retried. */
async function sendDm(deps: WelcomeDeps, eventId: string, userId: string, message: DiscordMessage): Promise<Pick<EventRow, "dmStatus" | "dmError">> {
  try {
    const channel = await deps.rest.request<{ id: string }>({ method: "POST", path: "/users/@me/channels", auth: "bot", body: { recipient_id: userId }, idempotent: true });
    // nonce + enforce_nonce: a retry after a timeout returns the first message instead of sending a second.
    await deps.rest.request({
      method: "POST",
      path: `/channels/${channel.id}/messages`,
      auth: "bot",
      body: { ...message, nonce: await nonceOf(`welcome-dm:${eventId}`), enforce_nonce: true },
      idempotent: true,
    });
    return { dmStatus: "sent", dmError: null };
  } catch (err) {
    const refused = refusal(err);
    if (!refused) throw err;
    if (refused.code === 50007 || refused.status === 403) return { dmStatus: "blocked", dmError: `Discord ${refused.status}${refused.code ? ` (${refused.code})` : ""}: cannot send messages to this user` };
    return { dmStatus: "failed", dmError: refused.message.slice(0, 500) };
  }
}

const memberOf = (user: Joined["user"]): TemplateUser => ({ id: user.id, username: user.username, global_name: user.global_name, avatar: user.avatar });

export async function greetMember(deps: WelcomeDeps, event: Joined): Promise<void> {
  const found = await settingsFor(deps.db, event.guildId);
  if (!found) return;
  const { settings, guildName } = found;
  const wantsSomething = settings.enabled || settings.dmEnabled || settings.autoRoleIds.length > 0;
  if (!wantsSomething) return;
  const now = deps.now();
  const row = await claimEvent(deps.db, { id: event.id, tenantId: settings.tenantId, guildId: event.guildId, userId: event.user.id, userName: event.user.global_name || event.user.username, kind: "joined", createdAt: now, updatedAt: now });
  if (event.user.bot && !settings.includeBots) {
    await setEvent(deps.db, row.id, { messageStatus: "skipped", dmStatus: "skipped", roleStatus: "skipped" }, now);
    return;
  }
  if (row.roleStatus === null) {
    const outcome = !settings.autoRoleIds.length
      ? { roleStatus: "skipped" as const, roleError: null }
      : event.pending
        ? { roleStatus: "pending" as const, roleError: null }
        : await giveRoles(deps, settings, event.user.id);
    await setEvent(deps.db, row.id, outcome, deps.now());
  }
  const scene: WelcomeScene = { member: memberOf(event.user), guild: { id: event.guildId, name: guildName }, memberCount: null };
  const needsText = (settings.enabled && settings.channelId && row.messageStatus === null) || (settings.dmEnabled && row.dmStatus === null);
  if (needsText) scene.memberCount = await memberCountOf(deps.rest, event.guildId);
  if (row.messageStatus === null) {
    const message = settings.enabled && settings.channelId ? welcomeMessage(settings, scene) : null;
    if (message && settings.channelId) {
      await deps.outboxes.getByName(settings.tenantId).enqueue({ id: welcomeOutboxId(event.id), destination: { kind: "channel", channelId: settings.channelId }, message });
    }
    await setEvent(deps.db, row.id, { messageStatus: message ? "queued" : "skipped" }, deps.now());
  }
  if (row.dmStatus === null) {
    const dm = settings.dmEnabled ? welcomeDm(settings, scene) : null;
    const outcome = dm ? await sendDm(deps, event.id, event.user.id, dm) : { dmStatus: "skipped" as const, dmError: null };
    if (outcome.dmStatus === "blocked") deps.logger.info("welcome DM refused by Discord; not retried", { guildId: event.guildId, userId: event.user.id });
    await setEvent(deps.db, row.id, outcome, deps.now());
  }
}

/**
 * The member passed Membership Screening: their join's pending auto-roles are given now (the settings of now, in case
 * they changed meanwhile). A replay finds the row no longer pending and does nothing; PUT is idempotent besides.
 */
export async function grantScreenedRoles(deps: WelcomeDeps, event: Screened): Promise<void> {
  const found = await settingsFor(deps.db, event.guildId);
  if (!found?.settings.autoRoleIds.length) return;
  const [join] = await deps.db
    .select()
    .from(welcomeEvents)
    .where(and(eq(welcomeEvents.tenantId, found.settings.tenantId), eq(welcomeEvents.guildId, event.guildId), eq(welcomeEvents.userId, event.user.id), eq(welcomeEvents.kind, "joined")))
    .orderBy(desc(welcomeEvents.createdAt))
    .limit(1);
  // The join is handled first in the Gateway's order, but the queue may hand them over the other way round: try again.
  if (!join) throw new RetryLater(30, "the member's join is not recorded yet");
  if (join.roleStatus !== "pending") return;
  await setEvent(deps.db, join.id, await giveRoles(deps, found.settings, event.user.id), deps.now());
}

export async function farewellMember(deps: WelcomeDeps, event: Left): Promise<void> {
  const found = await settingsFor(deps.db, event.guildId);
  const leaveChannelId = found?.settings.leaveEnabled ? found.settings.leaveChannelId : null;
  if (!found || !leaveChannelId) return;
  const { settings, guildName } = found;
  const now = deps.now();
  const row = await claimEvent(deps.db, { id: event.id, tenantId: settings.tenantId, guildId: event.guildId, userId: event.user.id, userName: event.user.global_name || event.user.username, kind: "left", createdAt: now, updatedAt: now });
  if (row.messageStatus !== null) return;
  if (event.user.bot && !settings.includeBots) {
    await setEvent(deps.db, row.id, { messageStatus: "skipped" }, now);
    return;
  }
  const scene: WelcomeScene = { member: memberOf(event.user), guild: { id: event.guildId, name: guildName }, memberCount: await memberCountOf(deps.rest, event.guildId) };
  const message = leaveMessage(settings, scene);
  if (message) await deps.outboxes.getByName(settings.tenantId).enqueue({ id: leaveOutboxId(event.id), destination: { kind: "channel", channelId: leaveChannelId }, message });
  await setEvent(deps.db, row.id, { messageStatus: message ? "queued" : "skipped" }, deps.now());
}

/** The handlers' dependencies for one event, from the Worker's bindings (the queue consumer hands us only `env`). */
async function withWelcomeDeps(env: Env, work: (deps: WelcomeDeps) => Promise<void>): Promise<void> {
  const config = loadConfig(env);
  const logger = baseLogger(config).child({ feature: "welcome" });
  const scope = createServices(env, config, logger);
  try {
    const { services } = scope;
    await work({ get db() { return services.db; }, cache: services.cache, config, rest: discordRestFor(config), outboxes: env.OUTBOX, logger, now: services.now });
  } finally {
    await scope.dispose();
  }
}

onGatewayEvent("member.joined", (event, env) => withWelcomeDeps(env, (deps) => greetMember(deps, event)));
onGatewayEvent("member.left", (event, env) => withWelcomeDeps(env, (deps) => farewellMember(deps, event)));
onGatewayEvent("member.screened", (event, env) => withWelcomeDeps(env, (deps) => grantScreenedRoles(deps, event)));

// A guild's welcome settings: read (defaults until saved), change (templates checked: errors refuse, warnings come
// back), the recent join/leave log, and the checks Discord would otherwise fail on later (a channel for what is on,
// roles that exist in the guild and that a bot can give at all).
import { type api, DEFAULT_LEAVE_TEMPLATE, DEFAULT_WELCOME_TEMPLATE, welcomeEvents, welcomeSettings } from "@nebula/schema";
import { and, desc, eq } from "drizzle-orm";
import { type Actor, recordAudit } from "../audit/audit.ts";
import type { Cache } from "../cache/cache.ts";
import type { Db } from "../db/client.ts";
import { type DiscordGuildWire, assertChannelsInGuild } from "../discord-guilds/guild-access.ts";
import type { DiscordRest } from "../discord-rest/discord-rest.ts";
import { AppError } from "../errors/app-error.ts";
import { iso } from "../http/respond.ts";
import { validateTemplate } from "../templates/template.ts";
import { WELCOME_VARIABLES } from "./welcome-message.ts";

export type WelcomeSettingsRow = typeof welcomeSettings.$inferSelect;
type Issue = api.TemplateIssue;

export const RECENT_EVENTS = 20;

export function defaultSettings(): api.WelcomeSettingsInput {
  return {
    enabled: false,
    channelId: null,
    template: DEFAULT_WELCOME_TEMPLATE,
    embed: null,
    dmEnabled: false,
    dmTemplate: null,
    autoRoleIds: [],
    includeBots: false,
    leaveEnabled: false,
    leaveChannelId: null,
    leaveTemplate: DEFAULT_LEAVE_TEMPLATE,
  };
}

export function settingsOf(row: WelcomeSettingsRow | undefined | null): api.WelcomeSettingsInput {
  if (!row) return defaultSettings();
  return {
    enabled: row.enabled,
    channelId: row.channelId,
    template: row.template,
    embed: row.embed,
    dmEnabled: row.dmEnabled,
    dmTemplate: row.dmTemplate,
    autoRoleIds: row.autoRoleIds,
    includeBots: row.includeBots,
    leaveEnabled: row.leaveEnabled,
    leaveChannelId: row.leaveChannelId,
    leaveTemplate: row.leaveTemplate,
  };
}

export async function loadWelcomeRow(db: Db, tenantId: string, guildId: string): Promise<WelcomeSettingsRow | undefined> {
  const [row] = await db.select().from(welcomeSettings).where(and(eq(welcomeSettings.guildId, guildId), eq(welcomeSettings.tenantId, tenantId))).limit(1);
  return row;
}

/** Every template of the settings, checked: errors (unclosed braces, empty placeholders) and warnings (unknown names). */
export function checkWelcomeTemplates(settings: Partial<api.WelcomeSettingsInput>): { errors: Issue[]; warnings: Issue[] } {
  const vocabulary = { variables: WELCOME_VARIABLES };
  const errors: Issue[] = [];
  const warnings: Issue[] = [];
  const check = (field: string, text: string | null | undefined) => {
    if (!text) return;
    const r = validateTemplate(text, vocabulary);
    errors.push(...r.errors.map((i) => ({ field, ...i })));
    warnings.push(...r.warnings.map((i) => ({ field, ...i })));
  };
  check("template", settings.template);
  check("dmTemplate", settings.dmTemplate);
  check("leaveTemplate", settings.leaveTemplate);
  for (const key of ["title", "description", "footer", "imageUrl"] as const) check(`embed.${key}`, settings.embed?.[key]);
  return { errors, warnings };
}

function badRequest(message: string, issues: { path: string; message: string }[]): AppError {
  return new AppError("BAD_REQUEST", message, { details: { issues: issues.map((i) => ({ ...i, code: "custom" })) } });
}

/** What Discord would refuse later, refused now with the field named. */
function checkConsistency(s: api.WelcomeSettingsInput, guild: DiscordGuildWire): void {
  const problems: { path: string; message: string }[] = [];
  if (s.enabled && !s.channelId) problems.push({ path: "channelId", message: "pick the channel the welcome message goes to" });
  if (s.enabled && !s.template.trim() && !s.embed) problems.push({ path: "template", message: "the welcome message needs a text or an embed" });
  if (s.dmEnabled && !s.dmTemplate?.trim()) problems.push({ path: "dmTemplate", message: "write the DM, or turn the DM off" });
  if (s.leaveEnabled && !s.leaveChannelId) problems.push({ path: "leaveChannelId", message: "pick the channel the leave message goes to" });
  if (s.leaveEnabled && !s.leaveTemplate.trim()) problems.push({ path: "leaveTemplate", message: "write the leave message, or turn it off" });
  s.autoRoleIds.forEach((id, i) => {
    const role = guild.roles.find((r) => r.id === id);
    // Discord: @everyone (id = guild id) is implicit, and managed roles (bots, boosts, integrations) cannot be given.
    if (!role || id === guild.id) problems.push({ path: `autoRoleIds.${i}`, message: `role ${id} is not a role of ${guild.name}` });
    else if (role.managed) problems.push({ path: `autoRoleIds.${i}`, message: `${role.name} is managed by an integration; Discord does not let bots give it` });
  });
  if (problems.length) throw badRequest(`Welcome settings: ${problems[0]?.message}`, problems);
}

export async function welcomeView(db: Db, tenantId: string, guildId: string): Promise<api.WelcomeSettingsView> {
  const row = await loadWelcomeRow(db, tenantId, guildId);
  const events = await db
    .select()
    .from(welcomeEvents)
    .where(and(eq(welcomeEvents.guildId, guildId), eq(welcomeEvents.tenantId, tenantId)))
    .orderBy(desc(welcomeEvents.createdAt))
    .limit(RECENT_EVENTS);
  const settings = settingsOf(row);
  return {
    guildId,
    settings,
    variables: [...WELCOME_VARIABLES],
    warnings: checkWelcomeTemplates(settings).warnings,
    autoRoles: row?.lastAutoRoles ?? null,
    recent: events.map((e) => ({
      id: e.id,
      kind: e.kind,
      userId: e.userId,
      userName: e.userName,
      messageStatus: e.messageStatus,
      dmStatus: e.dmStatus,
      dmError: e.dmError,
      roleStatus: e.roleStatus,
      roleError: e.roleError,
      at: iso(e.createdAt),
    })),
    updatedAt: row ? iso(row.updatedAt) : null,
  };
}

export async function updateWelcomeSettings(
  deps: { db: Db; rest: DiscordRest; cache: Cache; now: Date; requestId?: string },
  tenantId: string,
  guild: DiscordGuildWire,
  change: api.UpdateWelcomeSettingsRequest,
  actor: Actor,
): Promise<void> {
  const current = settingsOf(await loadWelcomeRow(deps.db, tenantId, guild.id));
  const next = { ...current, ...change };
  const { errors } = checkWelcomeTemplates(next);
  if (errors.length) throw badRequest(`Template error in ${errors[0]?.field}: ${errors[0]?.message}`, errors.map((e) => ({ path: e.field, message: e.message })));
  checkConsistency(next, guild);
  // One bot serves every tenant: a channel of another server would have it greet there.
  await assertChannelsInGuild(deps.rest, deps.cache, guild.id, { channelId: next.channelId, leaveChannelId: next.leaveChannelId });
  await deps.db
    .insert(welcomeSettings)
    .values({ guildId: guild.id, tenantId, ...next, createdAt: deps.now, updatedAt: deps.now })
    .onConflictDoUpdate({ target: welcomeSettings.guildId, set: { ...next, tenantId, updatedAt: deps.now } });
  await recordAudit(deps.db, actor, { tenantId, action: "discord.welcome.update", targetType: "discord_guild", targetId: guild.id, details: { fields: Object.keys(change) } }, deps.requestId);
}

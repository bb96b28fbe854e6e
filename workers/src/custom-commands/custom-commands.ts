// A guild's custom commands: create, change, delete, list with usage and registration status. Every change rewrites
// the guild's cache entry (what the interaction path reads) and asks for a debounced re-registration with Discord.
import { type api, customCommandRegistrations, customCommands, newId } from "@nebula/schema";
import { and, asc, count, eq } from "drizzle-orm";
import { type Actor, recordAudit } from "../audit/audit.ts";
import type { Cache } from "../cache/cache.ts";
import type { Db } from "../db/client.ts";
import { AppError } from "../errors/app-error.ts";
import { iso } from "../http/respond.ts";
import { interactionRegistry } from "../interactions/commands.ts";
import { type TemplateIssue, validateTemplate } from "../templates/template.ts";
import { warmGuildCommands } from "./command-cache.ts";
import { CUSTOM_COMMAND_PREFIXES, CUSTOM_COMMAND_VARIABLES } from "./invoke.ts";
import { GUILD_COMMAND_LIMIT, guildBuiltins, requestRegistration } from "./registration.ts";
import { pendingUses } from "./usage.ts";

export interface CustomCommandDeps {
  db: Db;
  cache: Cache;
  /** The `nebula-discord` queue, for the debounced registration; null where none is bound. */
  queue: Queue | null;
  now: () => Date;
  requestId?: string;
}

type Row = typeof customCommands.$inferSelect;
type Issue = { field: string; index: number; message: string };

const notFound = () => new AppError("NOT_FOUND", "Custom command not found");

/** Checks the response template and embed texts: errors refuse the save (400), warnings come back with the command. */
export function checkCommandTemplates(input: Pick<Row, "template" | "embed" | "options">): { errors: Issue[]; warnings: Issue[] } {
  const vocabulary = { variables: [...CUSTOM_COMMAND_VARIABLES, ...input.options.map((o) => `option.${o.name}`)], prefixes: [] as string[] };
  const errors: Issue[] = [];
  const warnings: Issue[] = [];
  const check = (field: string, text: string | null | undefined) => {
    if (!text) return;
    const result = validateTemplate(text, vocabulary);
    const tag = (i: TemplateIssue) => ({ field, ...i });
    errors.push(...result.errors.map(tag));
    warnings.push(
      ...result.warnings.map((w) => {
        const optionRef = /\{option\.([^}]*)\}/.exec(text.slice(w.index));
        return optionRef && w.message.includes("{option.") ? { field, index: w.index, message: `${w.message} (this command has no option "${optionRef[1]}")` } : tag(w);
      }),
    );
  };
  check("template", input.template);
  for (const key of ["title", "description", "footer", "imageUrl", "thumbnailUrl"] as const) check(`embed.${key}`, input.embed?.[key]);
  return { errors, warnings };
}

function refuseErrors(errors: Issue[]): void {
  if (errors.length > 0) throw new AppError("BAD_REQUEST", `The response template has ${errors.length === 1 ? "an error" : `${errors.length} errors`}: ${errors[0]?.message}`, { details: { issues: errors.map((e) => ({ path: e.field, code: "template", message: e.message })) } });
}

export function commandView(row: Row, pending = 0): api.CustomCommandView {
  return {
    id: row.id,
    guildId: row.guildId,
    name: row.name,
    description: row.description,
    options: row.options,
    template: row.template,
    embed: row.embed,
    ephemeral: row.ephemeral,
    allowedRoleIds: row.allowedRoleIds,
    userCooldownSeconds: row.userCooldownSeconds,
    globalCooldownSeconds: row.globalCooldownSeconds,
    enabled: row.enabled,
    usageCount: row.usageCount + pending,
    lastUsedAt: iso(row.lastUsedAt),
    warnings: checkCommandTemplates(row).warnings,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

async function guildRows(db: Db, tenantId: string, guildId: string): Promise<Row[]> {
  return db.select().from(customCommands).where(and(eq(customCommands.tenantId, tenantId), eq(customCommands.guildId, guildId))).orderBy(asc(customCommands.name));
}

async function oneRow(db: Db, tenantId: string, guildId: string, id: string): Promise<Row> {
  const [row] = await db
    .select()
    .from(customCommands)
    .where(and(eq(customCommands.id, id), eq(customCommands.tenantId, tenantId), eq(customCommands.guildId, guildId)))
    .limit(1);
  if (!row) throw notFound();
  return row;
}

async function registrationView(db: Db, guildId: string): Promise<api.CommandRegistrationView> {
  const [reg] = await db.select().from(customCommandRegistrations).where(eq(customCommandRegistrations.guildId, guildId)).limit(1);
  if (!reg) return { status: "none", commandCount: 0, error: null, requestedAt: null, registeredAt: null };
  return { status: reg.status, commandCount: reg.commandCount, error: reg.error, requestedAt: iso(reg.requestedAt), registeredAt: iso(reg.registeredAt) };
}

export async function listCustomCommands(deps: CustomCommandDeps, tenantId: string, guildId: string): Promise<api.CustomCommandList> {
  const rows = await guildRows(deps.db, tenantId, guildId);
  const pending = await pendingUses(deps.cache, rows.map((r) => r.id));
  return {
    items: rows.map((r) => commandView(r, pending.get(r.id) ?? 0)),
    registration: await registrationView(deps.db, guildId),
    limit: GUILD_COMMAND_LIMIT - guildBuiltins().length,
    variables: [...CUSTOM_COMMAND_VARIABLES, ...CUSTOM_COMMAND_PREFIXES.map((p) => `${p}<name>`)],
  };
}

export async function customCommandUsage(deps: CustomCommandDeps, tenantId: string, guildId: string): Promise<api.CustomCommandUsage> {
  const rows = await guildRows(deps.db, tenantId, guildId);
  const pending = await pendingUses(deps.cache, rows.map((r) => r.id));
  const items = rows.map((r) => ({ id: r.id, name: r.name, usageCount: r.usageCount + (pending.get(r.id) ?? 0), lastUsedAt: iso(r.lastUsedAt) })).sort((a, b) => b.usageCount - a.usageCount);
  return { items, total: items.reduce((n, i) => n + i.usageCount, 0) };
}

/** A built-in (global or guild) command of the same name would shadow the custom one: the router answers built-ins first. */
function refuseBuiltinName(name: string): void {
  if (interactionRegistry.command(name)) throw new AppError("CONFLICT", `/${name} is a built-in Nebula command; pick another name`, { details: { field: "name" } });
}

async function refuseTakenName(db: Db, guildId: string, name: string, exceptId?: string): Promise<void> {
  const [taken] = await db.select({ id: customCommands.id }).from(customCommands).where(and(eq(customCommands.guildId, guildId), eq(customCommands.name, name))).limit(1);
  if (taken && taken.id !== exceptId) throw new AppError("CONFLICT", `This server already has a /${name} command`, { details: { field: "name" } });
}

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown; cause?: { code?: unknown } } | null)?.code ?? (err as { cause?: { code?: unknown } } | null)?.cause?.code;
  return code === "23505";
}

async function afterChange(deps: CustomCommandDeps, tenantId: string, guildId: string): Promise<void> {
  await warmGuildCommands(deps.db, deps.cache, guildId);
  await requestRegistration({ db: deps.db, queue: deps.queue, now: deps.now(), requestId: deps.requestId }, tenantId, guildId);
}

export async function createCustomCommand(deps: CustomCommandDeps, tenantId: string, guildId: string, input: api.CreateCustomCommandRequest, actor: Actor): Promise<Row> {
  refuseErrors(checkCommandTemplates(input).errors);
  refuseBuiltinName(input.name);
  await refuseTakenName(deps.db, guildId, input.name);
  const [existing] = await deps.db.select({ n: count() }).from(customCommands).where(eq(customCommands.guildId, guildId));
  // Discord: at most 100 chat-input commands per guild, and Nebula's own guild commands count toward them.
  const room = GUILD_COMMAND_LIMIT - guildBuiltins().length;
  if ((existing?.n ?? 0) >= room) {
    throw new AppError("CONFLICT", `Discord allows ${GUILD_COMMAND_LIMIT} commands per server; this server has room for ${room} custom commands and all are used. Delete one to add another`, {
      details: { limit: room },
    });
  }
  const now = deps.now();
  let row: Row | undefined;
  try {
    [row] = await deps.db
      .insert(customCommands)
      .values({ id: newId("customCommand"), tenantId, guildId, ...input, createdAt: now, updatedAt: now })
      .returning();
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("CONFLICT", `This server already has a /${input.name} command`, { details: { field: "name" } });
    throw err;
  }
  if (!row) throw new Error("insert returned no row");
  await recordAudit(deps.db, actor, { tenantId, action: "discord.command.create", targetType: "custom_command", targetId: row.id, details: { guildId, name: row.name } }, deps.requestId);
  await afterChange(deps, tenantId, guildId);
  return row;
}

export async function updateCustomCommand(deps: CustomCommandDeps, tenantId: string, guildId: string, id: string, input: api.UpdateCustomCommandRequest, actor: Actor): Promise<Row> {
  const current = await oneRow(deps.db, tenantId, guildId, id);
  const next = { ...current, ...input };
  if (!next.template.trim() && !next.embed) throw new AppError("BAD_REQUEST", "A command needs a response text or an embed", { details: { issues: [{ path: "template", code: "custom", message: "a command needs a response text or an embed" }] } });
  refuseErrors(checkCommandTemplates(next).errors);
  if (input.name !== undefined && input.name !== current.name) {
    refuseBuiltinName(input.name);
    await refuseTakenName(deps.db, guildId, input.name, id);
  }
  let row: Row | undefined;
  try {
    [row] = await deps.db
      .update(customCommands)
      .set({ ...input, updatedAt: deps.now() })
      .where(and(eq(customCommands.id, id), eq(customCommands.tenantId, tenantId)))
      .returning();
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("CONFLICT", `This server already has a /${input.name} command`, { details: { field: "name" } });
    throw err;
  }
  if (!row) throw notFound();
  await recordAudit(deps.db, actor, { tenantId, action: "discord.command.update", targetType: "custom_command", targetId: id, details: { guildId, fields: Object.keys(input) } }, deps.requestId);
  await afterChange(deps, tenantId, guildId);
  return row;
}

export async function deleteCustomCommand(deps: CustomCommandDeps, tenantId: string, guildId: string, id: string, actor: Actor): Promise<void> {
  const [row] = await deps.db
    .delete(customCommands)
    .where(and(eq(customCommands.id, id), eq(customCommands.tenantId, tenantId), eq(customCommands.guildId, guildId)))
    .returning({ name: customCommands.name });
  if (!row) throw notFound();
  await recordAudit(deps.db, actor, { tenantId, action: "discord.command.delete", targetType: "custom_command", targetId: id, details: { guildId, name: row.name } }, deps.requestId);
  await afterChange(deps, tenantId, guildId);
}

/** Registers again (after fixing the bot's scope in Discord, say) even when nothing changed here. */
export async function reRegisterCommands(deps: CustomCommandDeps, tenantId: string, guildId: string, actor: Actor): Promise<api.CommandRegistrationView> {
  await deps.db.update(customCommandRegistrations).set({ registeredHash: null }).where(eq(customCommandRegistrations.guildId, guildId));
  await recordAudit(deps.db, actor, { tenantId, action: "discord.command.register", targetType: "discord_guild", targetId: guildId }, deps.requestId);
  await afterChange(deps, tenantId, guildId);
  return registrationView(deps.db, guildId);
}

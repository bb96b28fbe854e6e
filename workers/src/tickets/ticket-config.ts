// Ticket configuration of one guild: settings (limit, support hours, auto-close, log channel, rating) and panels with
// their categories and where their tickets live (a private thread, or a channel under an optional Discord category).
// Saving writes each category's form to the cache, which the panel click reads on the fast path, and posting a panel
// sends (or edits in place) its message with one button per category or a select menu.
import { type api, newId, ticketCategories, ticketPanels, ticketSettings, tickets } from "@nebula/schema";
import { and, asc, eq, inArray } from "drizzle-orm";
import { type Actor, recordAudit } from "../audit/audit.ts";
import type { Db } from "../db/client.ts";
import { assertChannelInGuild } from "../discord-guilds/guild-access.ts";
import { AppError, upstreamStatus } from "../errors/app-error.ts";
import { iso } from "../http/respond.ts";
import { encodeCustomId } from "../interactions/custom-id.ts";
import { cacheCategory, forgetCategory } from "./ticket-cache.ts";
import type { TicketDeps } from "./ticket-deps.ts";
import { scheduleAutoClose } from "./auto-close-timers.ts";

export type SettingsRow = typeof ticketSettings.$inferSelect;
export type PanelRow = typeof ticketPanels.$inferSelect;
export type CategoryRow = typeof ticketCategories.$inferSelect;

/** Discord: at most 5 buttons per action row; more categories than that become one select menu (≤ 25 options). */
export const MAX_PANEL_BUTTONS = 5;
/** Discord: channel type 4 is a category, the only valid parent_id of a text channel. */
const DISCORD_CATEGORY = 4;

export const PREFIX = {
  open: "tk.open",
  pick: "tk.pick",
  form: "tk.form",
  claim: "tk.claim",
  close: "tk.close",
  closeWhy: "tk.closewhy",
  closeReason: "tk.closereason",
  closeRequest: "tk.creq",
  rate: "tk.rate",
} as const;

/** The guild's settings row, created with defaults on first use. */
export async function ensureSettings(db: Db, tenantId: string, guildId: string): Promise<SettingsRow> {
  await db.insert(ticketSettings).values({ tenantId, guildId }).onConflictDoNothing();
  const [row] = await db.select().from(ticketSettings).where(and(eq(ticketSettings.guildId, guildId), eq(ticketSettings.tenantId, tenantId))).limit(1);
  if (!row) throw new AppError("NOT_FOUND", "Discord server not found");
  return row;
}

export function settingsView(row: SettingsRow): api.TicketSettings {
  return { perUserLimit: row.perUserLimit, supportHours: row.supportHours ?? null, autoCloseHours: row.autoCloseHours ?? null, logChannelId: row.logChannelId ?? null, ratingEnabled: row.ratingEnabled };
}

export function panelView(panel: PanelRow, categories: CategoryRow[]): api.TicketPanelView {
  const own = categories.filter((c) => c.panelId === panel.id).sort((a, b) => a.position - b.position);
  return {
    id: panel.id,
    guildId: panel.guildId,
    channelId: panel.channelId,
    title: panel.title,
    description: panel.description,
    messageId: panel.messageId,
    ticketKind: panel.ticketKind,
    discordCategoryId: panel.discordCategoryId,
    style: own.length > MAX_PANEL_BUTTONS ? "select" : "buttons",
    categories: own.map((c) => ({ id: c.id, name: c.name, emoji: c.emoji, description: c.description, staffRoleIds: c.staffRoleIds, questions: c.questions.map((q) => ({ ...q })) })),
    updatedAt: iso(panel.updatedAt),
  };
}

export async function readConfig(db: Db, tenantId: string, guildId: string): Promise<api.TicketConfigView> {
  const settings = await ensureSettings(db, tenantId, guildId);
  const panels = await db.select().from(ticketPanels).where(and(eq(ticketPanels.tenantId, tenantId), eq(ticketPanels.guildId, guildId))).orderBy(asc(ticketPanels.createdAt));
  const categories = panels.length
    ? await db.select().from(ticketCategories).where(inArray(ticketCategories.panelId, panels.map((p) => p.id)))
    : [];
  return { settings: settingsView(settings), panels: panels.map((p) => panelView(p, categories)) };
}

export async function updateSettings(deps: TicketDeps, tenantId: string, guildId: string, change: Partial<api.TicketSettings>, actor: Actor, requestId?: string): Promise<api.TicketSettings> {
  // One bot serves every tenant: a log channel of another server would get this server's transcripts.
  if (change.logChannelId) await assertChannelInGuild(deps.rest, deps.cache, guildId, change.logChannelId, "logChannelId");
  await ensureSettings(deps.db, tenantId, guildId);
  const [row] = await deps.db
    .update(ticketSettings)
    .set({ ...change, updatedAt: deps.now() })
    .where(and(eq(ticketSettings.guildId, guildId), eq(ticketSettings.tenantId, tenantId)))
    .returning();
  if (!row) throw new AppError("NOT_FOUND", "Discord server not found");
  await recordAudit(deps.db, actor, { tenantId, action: "tickets.settings.update", targetType: "discord_guild", targetId: guildId, details: { fields: Object.keys(change) } }, requestId);
  if (change.autoCloseHours) {
    // Tickets opened before auto-close was on get a timer now; each alarm re-reads the setting, so lowering or
    // turning it off needs nothing here.
    const open = await deps.db.select({ id: tickets.id, lastActivityAt: tickets.lastActivityAt }).from(tickets).where(and(eq(tickets.guildId, guildId), eq(tickets.tenantId, tenantId), eq(tickets.status, "open")));
    await scheduleAutoClose(guildId, open.map((t) => ({ ticketId: t.id, dueAt: t.lastActivityAt.getTime() + change.autoCloseHours! * 3600_000 })));
  }
  return settingsView(row);
}

async function panelOf(db: Db, tenantId: string, guildId: string, panelId: string): Promise<PanelRow> {
  const [row] = await db.select().from(ticketPanels).where(and(eq(ticketPanels.id, panelId), eq(ticketPanels.tenantId, tenantId), eq(ticketPanels.guildId, guildId))).limit(1);
  if (!row) throw new AppError("NOT_FOUND", "Ticket panel not found");
  return row;
}

async function categoriesOf(db: Db, panelId: string): Promise<CategoryRow[]> {
  return db.select().from(ticketCategories).where(eq(ticketCategories.panelId, panelId)).orderBy(asc(ticketCategories.position));
}

async function warmCategories(deps: TicketDeps, categories: CategoryRow[]): Promise<void> {
  for (const c of categories) await cacheCategory(deps.cache, { id: c.id, guildId: c.guildId, name: c.name, questions: c.questions });
}

/** Creates a panel or replaces one's fields and categories; existing category ids are kept so posted buttons still work. */
export async function savePanel(deps: TicketDeps, tenantId: string, guildId: string, panelId: string | null, input: api.TicketPanelInput, actor: Actor, requestId?: string): Promise<api.TicketPanelView> {
  await assertChannelInGuild(deps.rest, deps.cache, guildId, input.channelId, "channelId");
  const discordCategoryId = input.ticketKind === "channel" ? (input.discordCategoryId ?? null) : null;
  // Discord refuses a parent_id that is not a category (400) only when a ticket opens; say so while the form is open.
  if (discordCategoryId) await assertChannelInGuild(deps.rest, deps.cache, guildId, discordCategoryId, "discordCategoryId", { types: [DISCORD_CATEGORY], message: "That channel is not a category of this server" });
  await ensureSettings(deps.db, tenantId, guildId);
  const now = deps.now();
  const existing = panelId ? await panelOf(deps.db, tenantId, guildId, panelId) : null;
  const id = existing?.id ?? newId("ticketPanel");
  const before = existing ? await categoriesOf(deps.db, id) : [];
  const keep = new Set(before.map((c) => c.id));
  for (const c of input.categories) {
    if (c.id && !keep.has(c.id)) throw new AppError("BAD_REQUEST", `Category ${c.id} is not part of this panel`, { details: { categoryId: c.id } });
  }
  const rows = input.categories.map((c, position) => ({
    id: c.id ?? newId("ticketCategory"),
    tenantId,
    guildId,
    panelId: id,
    position,
    name: c.name,
    emoji: c.emoji ?? null,
    description: c.description,
    staffRoleIds: c.staffRoleIds,
    questions: c.questions,
    updatedAt: now,
  }));
  const removed = before.filter((c) => !rows.some((r) => r.id === c.id)).map((c) => c.id);
  await deps.db.transaction(async (tx) => {
    if (existing) {
      // A panel moved to another channel is posted there anew.
      const moved = existing.channelId !== input.channelId;
      // Open tickets keep the kind they were opened with (tickets.kind); only new ones follow a changed ticketKind.
      await tx
        .update(ticketPanels)
        .set({ channelId: input.channelId, title: input.title, description: input.description, ticketKind: input.ticketKind, discordCategoryId, updatedAt: now, ...(moved ? { messageId: null } : {}) })
        .where(eq(ticketPanels.id, id));
    } else {
      await tx.insert(ticketPanels).values({ id, tenantId, guildId, channelId: input.channelId, title: input.title, description: input.description, ticketKind: input.ticketKind, discordCategoryId });
    }
    if (removed.length) await tx.delete(ticketCategories).where(and(eq(ticketCategories.panelId, id), inArray(ticketCategories.id, removed)));
    for (const row of rows) {
      await tx
        .insert(ticketCategories)
        .values(row)
        .onConflictDoUpdate({ target: ticketCategories.id, set: { position: row.position, name: row.name, emoji: row.emoji, description: row.description, staffRoleIds: row.staffRoleIds, questions: row.questions, updatedAt: now } });
    }
    await recordAudit(tx, actor, { tenantId, action: existing ? "tickets.panel.update" : "tickets.panel.create", targetType: "ticket_panel", targetId: id, details: { categories: rows.length, ticketKind: input.ticketKind } }, requestId);
  });
  const categories = await categoriesOf(deps.db, id);
  await warmCategories(deps, categories);
  for (const gone of removed) await forgetCategory(deps.cache, gone);
  return panelView(await panelOf(deps.db, tenantId, guildId, id), categories);
}

export async function deletePanel(deps: TicketDeps, tenantId: string, guildId: string, panelId: string, actor: Actor, requestId?: string): Promise<void> {
  const panel = await panelOf(deps.db, tenantId, guildId, panelId);
  const categories = await categoriesOf(deps.db, panel.id);
  await deps.db.delete(ticketPanels).where(eq(ticketPanels.id, panel.id));
  for (const c of categories) await forgetCategory(deps.cache, c.id);
  await recordAudit(deps.db, actor, { tenantId, action: "tickets.panel.delete", targetType: "ticket_panel", targetId: panel.id }, requestId);
  if (panel.messageId) {
    await deps.rest.request({ method: "DELETE", path: `/channels/${panel.channelId}/messages/${panel.messageId}`, auth: "bot", idempotent: true }).catch((err: unknown) => {
      deps.logger.warn("could not delete a ticket panel's message", { err, panelId: panel.id });
    });
  }
}

/** The panel's Discord message: an embed, and one button per category or a select menu beyond five. */
export function panelMessage(panel: Pick<PanelRow, "id" | "title" | "description">, categories: CategoryRow[]): Record<string, unknown> {
  const components =
    categories.length > MAX_PANEL_BUTTONS
      ? [
          {
            type: 1,
            components: [
              {
                type: 3,
                custom_id: encodeCustomId(PREFIX.pick, panel.id),
                placeholder: "Choose what you need help with",
                options: categories.map((c) => ({
                  label: c.name.slice(0, 100),
                  value: c.id,
                  ...(c.description ? { description: c.description.slice(0, 100) } : {}),
                  ...(c.emoji ? { emoji: { name: c.emoji } } : {}),
                })),
              },
            ],
          },
        ]
      : [
          {
            type: 1,
            components: categories.map((c) => ({ type: 2, style: 1, custom_id: encodeCustomId(PREFIX.open, c.id), label: c.name.slice(0, 80), ...(c.emoji ? { emoji: { name: c.emoji } } : {}) })),
          },
        ];
  return {
    embeds: [{ title: panel.title, ...(panel.description ? { description: panel.description } : {}), color: 0x5865f2 }],
    components,
    allowed_mentions: { parse: [] },
  };
}

/** Posts the panel, or edits the message it already has (re-post); a message deleted in Discord is posted anew. */
export async function postPanel(deps: TicketDeps, tenantId: string, guildId: string, panelId: string, actor: Actor, requestId?: string): Promise<{ panel: api.TicketPanelView; action: "created" | "edited" }> {
  const panel = await panelOf(deps.db, tenantId, guildId, panelId);
  const categories = await categoriesOf(deps.db, panel.id);
  if (categories.length === 0) throw new AppError("BAD_REQUEST", "A panel needs at least one category");
  await warmCategories(deps, categories);
  const body = panelMessage(panel, categories);
  let action: "created" | "edited" = "created";
  let messageId: string | null = null;
  if (panel.messageId) {
    try {
      await deps.rest.request({ method: "PATCH", path: `/channels/${panel.channelId}/messages/${panel.messageId}`, auth: "bot", body, idempotent: true });
      messageId = panel.messageId;
      action = "edited";
    } catch (err) {
      if (upstreamStatus(err) !== 404) throw err;
    }
  }
  if (!messageId) {
    const sent = await deps.rest.request<{ id: string }>({ method: "POST", path: `/channels/${panel.channelId}/messages`, auth: "bot", body }).catch((err: unknown) => {
      const status = upstreamStatus(err);
      if (status === 403 || status === 404) throw new AppError("BAD_REQUEST", "The bot cannot post in that channel (missing access, or the channel is gone)", { details: { status } });
      throw err;
    });
    messageId = sent.id;
  }
  const [row] = await deps.db.update(ticketPanels).set({ messageId, updatedAt: deps.now() }).where(eq(ticketPanels.id, panel.id)).returning();
  await recordAudit(deps.db, actor, { tenantId, action: "tickets.panel.post", targetType: "ticket_panel", targetId: panel.id, details: { action, channelId: panel.channelId } }, requestId);
  return { panel: panelView(row ?? panel, categories), action };
}

/** The run-path fallback for a panel click whose category is not in the cache: read it, and warm the cache again. */
export async function loadCategory(deps: TicketDeps, categoryId: string): Promise<CategoryRow | null> {
  const [row] = await deps.db.select().from(ticketCategories).where(eq(ticketCategories.id, categoryId)).limit(1);
  if (row) await warmCategories(deps, [row]);
  return row ?? null;
}

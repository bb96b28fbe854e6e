// Tickets for the Discord section: the ticket list (search, filters, pages by ticket number), one ticket with its
// transcript and the HTML download, stats, closing from the dashboard, and the guild's panels, categories and settings.
import type {
  TicketPanelInput as PanelInputSchema,
  TicketConfigView,
  TicketDetail,
  TicketPanelView,
  TicketSettings,
  TicketStats,
  TicketSummary,
} from "@nebula/schema/api/tickets";
import { query } from "@solidjs/router";
import type { z } from "zod";
import { request } from "./client.ts";
import { guildPath } from "./discord.ts";

export type { TicketConfigView, TicketDetail, TicketPanelView, TicketSettings, TicketStats, TicketSummary } from "@nebula/schema/api/tickets";
/** What a panel form sends (every field given). */
export type TicketPanelInput = z.input<typeof PanelInputSchema>;
export type TicketFilters = { q: string; status: "" | "open" | "closed"; categoryId: string; claimedBy: string };
export type TicketPage = { items: TicketSummary[]; nextCursor: number | null };

export const TICKET_PAGE_SIZE = 25;

const ticketsPath = (tenantId: string, guildId: string, rest = "") => guildPath(tenantId, guildId, `/tickets${rest}`);
const ticketPath = (tenantId: string, guildId: string, ticketId: string, rest = "") => ticketsPath(tenantId, guildId, `/${encodeURIComponent(ticketId)}${rest}`);

/** `filters` is JSON (a string, so equal filters share one cache entry); `cursor`: tickets numbered below it. */
export function fetchTickets(tenantId: string, guildId: string, filters: TicketFilters, cursor: number | null): Promise<TicketPage> {
  const params = new URLSearchParams({ limit: String(TICKET_PAGE_SIZE) });
  if (filters.q.trim()) params.set("q", filters.q.trim());
  if (filters.status) params.set("status", filters.status);
  if (filters.categoryId) params.set("categoryId", filters.categoryId);
  if (filters.claimedBy) params.set("claimedBy", filters.claimedBy);
  if (cursor) params.set("cursor", String(cursor));
  return request<TicketPage>("GET", ticketsPath(tenantId, guildId, `?${params}`));
}
export const getTickets = query(
  (tenantId: string, guildId: string, filters: string) => fetchTickets(tenantId, guildId, JSON.parse(filters) as TicketFilters, null),
  "discord-tickets",
);
export const getTicket = query((tenantId: string, guildId: string, ticketId: string) => request<TicketDetail>("GET", ticketPath(tenantId, guildId, ticketId)), "discord-ticket");
export const getTicketStats = query((tenantId: string, guildId: string) => request<TicketStats>("GET", ticketsPath(tenantId, guildId, "/stats")), "discord-ticket-stats");
export const getTicketConfig = query((tenantId: string, guildId: string) => request<TicketConfigView>("GET", ticketsPath(tenantId, guildId, "/config")), "discord-ticket-config");

/** A plain link (the Worker answers it as an attachment), so the browser downloads it with the session cookie. */
export const transcriptHref = (tenantId: string, guildId: string, ticketId: string) => ticketPath(tenantId, guildId, ticketId, "/transcript.html");

export const closeTicket = (tenantId: string, guildId: string, ticketId: string, reason: string) =>
  request<TicketSummary>("POST", ticketPath(tenantId, guildId, ticketId, "/close"), reason.trim() ? { reason: reason.trim() } : {});

export const updateTicketSettings = (tenantId: string, guildId: string, change: Partial<TicketSettings>) =>
  request<TicketSettings>("PATCH", ticketsPath(tenantId, guildId, "/settings"), change);
export const createTicketPanel = (tenantId: string, guildId: string, input: TicketPanelInput) => request<TicketPanelView>("POST", ticketsPath(tenantId, guildId, "/panels"), input);
export const updateTicketPanel = (tenantId: string, guildId: string, panelId: string, input: TicketPanelInput) =>
  request<TicketPanelView>("PUT", ticketsPath(tenantId, guildId, `/panels/${encodeURIComponent(panelId)}`), input);
export const deleteTicketPanel = (tenantId: string, guildId: string, panelId: string) => request<void>("DELETE", ticketsPath(tenantId, guildId, `/panels/${encodeURIComponent(panelId)}`));
/** Posts the panel to its channel, or edits the message it already has there. */
export const postTicketPanel = (tenantId: string, guildId: string, panelId: string) =>
  request<{ panel: TicketPanelView; action: "created" | "edited" }>("POST", ticketsPath(tenantId, guildId, `/panels/${encodeURIComponent(panelId)}/post`));

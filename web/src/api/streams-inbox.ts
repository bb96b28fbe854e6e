// The unified inbox for the Streams section: one page of notifications (filters, search, cursor), read state,
// retention, the live socket's address, and the sources that feed it (webhooks for other tools, platform channels).
import type {
  CreateInboxWebhookRequest,
  InboxItem,
  InboxMarked,
  InboxPage,
  InboxSettings,
  InboxSourceView,
  InboxWebhookView,
  InboxWebhookWithSecret,
} from "@nebula/schema/api/inbox";
import { query } from "@solidjs/router";
import { request } from "./client.ts";

export type { InboxItem, InboxPage, InboxSourceView, InboxWebhookView, InboxWebhookWithSecret };
export type InboxFilters = { platforms: string[]; types: string[]; unread: boolean; q: string };

const inboxPath = (tenantId: string, rest = "") => `/api/t/${encodeURIComponent(tenantId)}/streams/inbox${rest}`;

export const INBOX_PAGE_SIZE = 50;

function listQuery(filters: InboxFilters, cursor: string | null): string {
  const params = new URLSearchParams({ limit: String(INBOX_PAGE_SIZE) });
  if (filters.platforms.length) params.set("platform", filters.platforms.join(","));
  if (filters.types.length) params.set("type", filters.types.join(","));
  if (filters.unread) params.set("unread", "true");
  if (filters.q.trim()) params.set("q", filters.q.trim());
  if (cursor) params.set("cursor", cursor);
  return `?${params}`;
}

/** `filters` is JSON so equal filters share one cache entry. */
export const getInboxPage = query(
  (tenantId: string, filters: string) => request<InboxPage>("GET", inboxPath(tenantId, listQuery(JSON.parse(filters) as InboxFilters, null))),
  "inbox-page",
);
export const fetchInboxPage = (tenantId: string, filters: InboxFilters, cursor: string) => request<InboxPage>("GET", inboxPath(tenantId, listQuery(filters, cursor)));

export const getInboxSettings = query((tenantId: string) => request<InboxSettings>("GET", inboxPath(tenantId, "/settings")), "inbox-settings");
export const saveInboxSettings = (tenantId: string, settings: InboxSettings) => request<InboxSettings>("PUT", inboxPath(tenantId, "/settings"), settings);

export const getInboxWebhooks = query((tenantId: string) => request<{ items: InboxWebhookView[] }>("GET", inboxPath(tenantId, "/webhooks")), "inbox-webhooks");
/** The answer carries the secret: the only time it is shown. */
export const createInboxWebhook = (tenantId: string, input: CreateInboxWebhookRequest) => request<InboxWebhookWithSecret>("POST", inboxPath(tenantId, "/webhooks"), input);
export const setInboxWebhookEnabled = (tenantId: string, id: string, enabled: boolean) =>
  request<InboxWebhookView>("PATCH", inboxPath(tenantId, `/webhooks/${encodeURIComponent(id)}`), { enabled });
export const rotateInboxWebhookSecret = (tenantId: string, id: string) => request<InboxWebhookWithSecret>("POST", inboxPath(tenantId, `/webhooks/${encodeURIComponent(id)}/rotate-secret`));
export const deleteInboxWebhook = (tenantId: string, id: string) => request<void>("DELETE", inboxPath(tenantId, `/webhooks/${encodeURIComponent(id)}`));

export const getInboxChannels = query((tenantId: string) => request<{ items: InboxSourceView[] }>("GET", inboxPath(tenantId, "/sources")), "inbox-channels");
export const removeInboxChannel = (tenantId: string, id: string) => request<void>("DELETE", inboxPath(tenantId, `/sources/${encodeURIComponent(id)}`));

export const markInbox = (tenantId: string, ids: string[], read: boolean) => request<InboxMarked>("POST", inboxPath(tenantId, "/read"), { ids, read });
export const markAllInboxRead = (tenantId: string, before: string) => request<InboxMarked>("POST", inboxPath(tenantId, "/read-all"), { before });

export function inboxLiveUrl(tenantId: string): string {
  const url = new URL(inboxPath(tenantId, "/live"), window.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

/** Does a live item belong in the list as filtered? (The same rules the API applies.) */
export function matchesFilters(item: InboxItem, f: InboxFilters): boolean {
  if (f.platforms.length && !f.platforms.includes(item.platform)) return false;
  if (f.types.length && !f.types.includes(item.type)) return false;
  if (f.unread && item.readAt) return false;
  const q = f.q.trim().toLowerCase();
  return !q || item.actor.name.toLowerCase().includes(q) || (item.message ?? "").toLowerCase().includes(q);
}

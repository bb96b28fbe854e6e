// The chat bot for the Streams section: the overview (channels, commands, timers, anti-spam settings), their
// changes (a channel's bot account: one of the tenant's connections, or the app's token), the moderation log with filters, and YouTube live chat's quota and pollers.
import type {
  AntiSpamSettings,
  ChatBotOverview,
  ChatChannelView,
  ChatCommandView,
  ChatTimerView,
  CreateChatChannelRequest,
  ModerationLogEntry,
  UpdateChatChannelRequest,
} from "@nebula/schema/api/chat-bot";
import type { YouTubeLiveChatOverview } from "@nebula/schema/api/youtube-live-chat";
import { query } from "@solidjs/router";
import { request } from "./client.ts";

export type { AntiSpamSettings, ChatBotOverview, ChatChannelView, ChatCommandView, ChatTimerView, CreateChatChannelRequest, ModerationLogEntry, UpdateChatChannelRequest };
export type LogFilters = { platform: string; rule: string; action: string; user: string };

const botPath = (tenantId: string, rest = "") => `/api/t/${encodeURIComponent(tenantId)}/streams/chat-bot${rest}`;

export const getChatBot = query((tenantId: string) => request<ChatBotOverview>("GET", botPath(tenantId)), "chat-bot");

/** `filters` is JSON so equal filters share one cache entry. */
export const getModerationLog = query((tenantId: string, filters: string) => {
  const f = JSON.parse(filters) as LogFilters;
  const params = new URLSearchParams({ limit: "100" });
  for (const [k, v] of Object.entries(f)) if (v.trim()) params.set(k, v.trim());
  return request<{ entries: ModerationLogEntry[]; next: string | null }>("GET", botPath(tenantId, `/log?${params}`));
}, "chat-bot-log");

export type CommandInput = Pick<ChatCommandView, "name" | "aliases" | "response" | "permission" | "userCooldownSeconds" | "globalCooldownSeconds" | "platforms" | "enabled">;
export type TimerInput = Omit<ChatTimerView, "id">;

export const createChatCommand = (tenantId: string, input: CommandInput) => request<ChatCommandView>("POST", botPath(tenantId, "/commands"), input);
export const updateChatCommand = (tenantId: string, id: string, change: Partial<CommandInput>) => request<ChatCommandView>("PATCH", botPath(tenantId, `/commands/${encodeURIComponent(id)}`), change);
export const deleteChatCommand = (tenantId: string, id: string) => request<void>("DELETE", botPath(tenantId, `/commands/${encodeURIComponent(id)}`));
export const createChatTimer = (tenantId: string, input: TimerInput) => request<ChatTimerView>("POST", botPath(tenantId, "/timers"), input);
export const updateChatTimer = (tenantId: string, id: string, change: Partial<TimerInput>) => request<ChatTimerView>("PATCH", botPath(tenantId, `/timers/${encodeURIComponent(id)}`), change);
export const deleteChatTimer = (tenantId: string, id: string) => request<void>("DELETE", botPath(tenantId, `/timers/${encodeURIComponent(id)}`));
export const createChatChannel = (tenantId: string, input: CreateChatChannelRequest) => request<ChatChannelView>("POST", botPath(tenantId, "/channels"), input);
export const updateChatChannel = (tenantId: string, id: string, change: UpdateChatChannelRequest) => request<ChatChannelView>("PATCH", botPath(tenantId, `/channels/${encodeURIComponent(id)}`), change);
export const deleteChatChannel = (tenantId: string, id: string) => request<void>("DELETE", botPath(tenantId, `/channels/${encodeURIComponent(id)}`));
export const saveAntiSpam = (tenantId: string, settings: AntiSpamSettings) => request<AntiSpamSettings>("PUT", botPath(tenantId, "/anti-spam"), settings);

/** YouTube live chat: the day's Data API quota (used of 10,000, the 80% warning) and each channel's poller. */
export const getYouTubeLiveChat = query((tenantId: string) => request<YouTubeLiveChatOverview>("GET", botPath(tenantId, "/youtube")), "chat-bot-youtube");

// Welcome messages for the Discord section: a guild's settings (with the template variables, the last auto-role
// result and recent joins/leaves), the editor's live preview, and "send test".
import type { UpdateWelcomeSettingsRequest, WelcomePreview, WelcomePreviewRequest, WelcomeSettingsView, WelcomeTestResult } from "@nebula/schema/api/welcome";
import { query } from "@solidjs/router";
import { request } from "./client.ts";
import { guildPath } from "./discord.ts";

export type { RenderedMessage, WelcomeEmbed, WelcomeEventView, WelcomePreview, WelcomeSettingsInput, WelcomeSettingsView } from "@nebula/schema/api/welcome";

const welcomePath = (tenantId: string, guildId: string, rest = "") => guildPath(tenantId, guildId, `/welcome${rest}`);

export const getWelcomeSettings = query(
  (tenantId: string, guildId: string) => request<WelcomeSettingsView>("GET", welcomePath(tenantId, guildId)),
  "discord-welcome",
);

export const saveWelcomeSettings = (tenantId: string, guildId: string, change: UpdateWelcomeSettingsRequest) =>
  request<WelcomeSettingsView>("PUT", welcomePath(tenantId, guildId), change);

/** Not cached: the editor asks again as the user types (unsaved settings, rendered for the caller as the new member). */
export const previewWelcome = (tenantId: string, guildId: string, draft: WelcomePreviewRequest) =>
  request<WelcomePreview>("POST", welcomePath(tenantId, guildId, "/preview"), draft);

export const sendWelcomeTest = (tenantId: string, guildId: string) => request<WelcomeTestResult>("POST", welcomePath(tenantId, guildId, "/test"));

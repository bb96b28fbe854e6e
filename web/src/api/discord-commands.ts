// Custom slash commands for the Discord section: a guild's commands (with usage counts and where their registration
// with Discord stands), create, change, delete, re-register, and usage per command.
import type {
  CommandRegistrationView,
  CreateCustomCommandRequest,
  CustomCommandList,
  CustomCommandUsage,
  CustomCommandView,
  UpdateCustomCommandRequest,
} from "@nebula/schema/api/custom-commands";
import { query } from "@solidjs/router";
import { request } from "./client.ts";
import { guildPath } from "./discord.ts";

export type { CommandRegistrationView, CustomCommandEmbed, CustomCommandOption, CustomCommandView } from "@nebula/schema/api/custom-commands";
/** The body a form sends: every field given (the defaults are the form's). */
export type CustomCommandInput = Required<CreateCustomCommandRequest>;

const commandsPath = (tenantId: string, guildId: string, rest = "") => guildPath(tenantId, guildId, `/commands${rest}`);

export const getCustomCommands = query(
  (tenantId: string, guildId: string) => request<CustomCommandList>("GET", commandsPath(tenantId, guildId)),
  "discord-commands",
);
export const getCustomCommandUsage = query(
  (tenantId: string, guildId: string) => request<CustomCommandUsage>("GET", commandsPath(tenantId, guildId, "/usage")),
  "discord-commands-usage",
);

export const createCustomCommand = (tenantId: string, guildId: string, input: CustomCommandInput) =>
  request<CustomCommandView>("POST", commandsPath(tenantId, guildId), input);
export const updateCustomCommand = (tenantId: string, guildId: string, id: string, change: UpdateCustomCommandRequest) =>
  request<CustomCommandView>("PATCH", commandsPath(tenantId, guildId, `/${encodeURIComponent(id)}`), change);
export const deleteCustomCommand = (tenantId: string, guildId: string, id: string) =>
  request<void>("DELETE", commandsPath(tenantId, guildId, `/${encodeURIComponent(id)}`));
/** Asks for a bulk overwrite of the guild's commands now (answered 202 with the registration's state). */
export const reRegisterCommands = (tenantId: string, guildId: string) => request<CommandRegistrationView>("POST", commandsPath(tenantId, guildId, "/register"));

// Welcome messages on the wire: /api/t/:tenantId/discord/guilds/:guildId/welcome (GET/PUT the settings, POST preview
// for the dashboard's live preview, POST test to send the greeting to the channel now).
import { z } from "zod";
import { WELCOME_DM_STATUSES, WELCOME_EVENT_KINDS, WELCOME_MESSAGE_STATUSES, WELCOME_ROLE_STATUSES } from "../discord/welcome-events.ts";

const snowflake = z.string().regex(/^\d{5,25}$/, "must be a Discord id");
const isoDate = z.iso.datetime({ offset: true });
const httpUrl = z.string().trim().max(2048).regex(/^(https?:\/\/\S+|\{[\w.]+\})$/, "must be an http(s) URL or a placeholder like {user.avatar}");

/** Discord: content ≤ 2000 characters; a template renders into it (placeholders may grow or shrink). */
export const WelcomeTemplate = z.string().max(2000);

export const WelcomeEmbed = z.object({
  title: z.string().max(256).nullable().default(null),
  description: z.string().max(4096).nullable().default(null),
  color: z.number().int().min(0).max(0xffffff).nullable().default(null),
  imageUrl: httpUrl.nullable().default(null),
  thumbnailAvatar: z.boolean().default(true),
  footer: z.string().max(2048).nullable().default(null),
});
export type WelcomeEmbed = z.infer<typeof WelcomeEmbed>;

export const WelcomeSettingsInput = z.object({
  enabled: z.boolean(),
  channelId: snowflake.nullable(),
  template: WelcomeTemplate,
  embed: WelcomeEmbed.nullable(),
  dmEnabled: z.boolean(),
  dmTemplate: WelcomeTemplate.nullable(),
  /** Discord: the bot can give only roles below its own highest role. */
  autoRoleIds: z.array(snowflake).max(10).refine((ids) => new Set(ids).size === ids.length, "roles must not repeat"),
  includeBots: z.boolean(),
  leaveEnabled: z.boolean(),
  leaveChannelId: snowflake.nullable(),
  leaveTemplate: WelcomeTemplate,
});
export type WelcomeSettingsInput = z.infer<typeof WelcomeSettingsInput>;

/** PUT body: any subset of the settings; what is missing keeps its value. */
export const UpdateWelcomeSettingsRequest = WelcomeSettingsInput.partial().refine((v) => Object.keys(v).length > 0, "nothing to change");
export type UpdateWelcomeSettingsRequest = z.infer<typeof UpdateWelcomeSettingsRequest>;

export const TemplateIssue = z.object({ field: z.string(), index: z.number().int(), message: z.string() });
export type TemplateIssue = z.infer<typeof TemplateIssue>;

export const AutoRoleResult = z.object({ roleId: z.string(), ok: z.boolean(), status: z.number().int().nullable(), code: z.number().int().nullable(), message: z.string().nullable() });

export const WelcomeEventView = z.object({
  id: z.string(),
  kind: z.enum(WELCOME_EVENT_KINDS),
  userId: z.string(),
  userName: z.string(),
  messageStatus: z.enum(WELCOME_MESSAGE_STATUSES).nullable(),
  dmStatus: z.enum(WELCOME_DM_STATUSES).nullable(),
  dmError: z.string().nullable(),
  roleStatus: z.enum(WELCOME_ROLE_STATUSES).nullable(),
  roleError: z.string().nullable(),
  at: isoDate,
});
export type WelcomeEventView = z.infer<typeof WelcomeEventView>;

export const WelcomeSettingsView = z.object({
  guildId: z.string(),
  settings: WelcomeSettingsInput,
  /** The template placeholders the editor offers. */
  variables: z.array(z.string()),
  warnings: z.array(TemplateIssue),
  /** The last auto-role attempt; a 403 means the bot's role is below the role it should give. */
  autoRoles: z.object({ at: isoDate, userId: z.string(), results: z.array(AutoRoleResult) }).nullable(),
  recent: z.array(WelcomeEventView),
  updatedAt: isoDate.nullable(),
});
export type WelcomeSettingsView = z.infer<typeof WelcomeSettingsView>;

/** POST preview: the editor's unsaved settings (any subset; the rest come from the saved ones). */
export const WelcomePreviewRequest = WelcomeSettingsInput.partial();
export type WelcomePreviewRequest = z.infer<typeof WelcomePreviewRequest>;

/** A rendered Discord message, as it would be sent. */
export const RenderedMessage = z.object({
  content: z.string().optional(),
  embeds: z.array(z.record(z.string(), z.unknown())).optional(),
  allowed_mentions: z.object({ parse: z.array(z.string()), users: z.array(z.string()).optional(), roles: z.array(z.string()).optional() }),
});
export type RenderedMessage = z.infer<typeof RenderedMessage>;

export const WelcomePreview = z.object({
  /** The sample member the preview was rendered for. */
  member: z.object({ id: z.string(), username: z.string(), globalName: z.string().nullable(), avatarUrl: z.string() }),
  welcome: RenderedMessage.nullable(),
  dm: RenderedMessage.nullable(),
  leave: RenderedMessage.nullable(),
  errors: z.array(TemplateIssue),
  warnings: z.array(TemplateIssue),
});
export type WelcomePreview = z.infer<typeof WelcomePreview>;

export const WelcomeTestResult = z.object({ outboxId: z.string(), channelId: z.string() });
export type WelcomeTestResult = z.infer<typeof WelcomeTestResult>;

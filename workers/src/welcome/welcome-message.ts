// The greeting, the DM and the leave message rendered from a guild's welcome settings. Only the member who joined
// may be pinged by the greeting (allowed_mentions names them alone); the leave message and the DM ping nobody.
import type { DiscordMessage } from "../discord-rest/discord-rest.ts";
import { SERVER_VARIABLES, type TemplateUser, USER_VARIABLES, serverValues, userValues } from "../templates/discord-values.ts";
import { type EmbedTemplate, renderMessage } from "../templates/message-template.ts";
import type { RenderOptions, TemplateValues } from "../templates/template.ts";

export const WELCOME_VARIABLES = [...USER_VARIABLES, ...SERVER_VARIABLES, "memberCount"] as const;

export interface WelcomeTemplates {
  template: string;
  embed: { title: string | null; description: string | null; color: number | null; imageUrl: string | null; thumbnailAvatar: boolean; footer: string | null } | null;
  dmTemplate: string | null;
  leaveTemplate: string;
}

export interface WelcomeScene {
  member: TemplateUser;
  guild: { id: string; name: string };
  /** Discord's approximate member count; null leaves {memberCount} visible. */
  memberCount: number | null;
}

function valuesOf(scene: WelcomeScene): TemplateValues {
  return { ...userValues(scene.member), ...serverValues(scene.guild), memberCount: scene.memberCount };
}

function embedOf(settings: WelcomeTemplates): EmbedTemplate | null {
  if (!settings.embed) return null;
  const e = settings.embed;
  return { title: e.title, description: e.description, color: e.color, imageUrl: e.imageUrl, footer: e.footer, thumbnailUrl: e.thumbnailAvatar ? "{user.avatar}" : null };
}

export function welcomeMessage(settings: WelcomeTemplates, scene: WelcomeScene, options: RenderOptions = {}): DiscordMessage | null {
  return renderMessage({ content: settings.template, embed: embedOf(settings) }, valuesOf(scene), { ...options, mentionUsers: [scene.member.id] });
}

export function welcomeDm(settings: WelcomeTemplates, scene: WelcomeScene, options: RenderOptions = {}): DiscordMessage | null {
  return settings.dmTemplate ? renderMessage({ content: settings.dmTemplate }, valuesOf(scene), options) : null;
}

export function leaveMessage(settings: WelcomeTemplates, scene: WelcomeScene, options: RenderOptions = {}): DiscordMessage | null {
  return renderMessage({ content: settings.leaveTemplate }, valuesOf(scene), options);
}

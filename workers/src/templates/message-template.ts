// A templated Discord message (content + optional embed) rendered into the body Discord accepts: every field cut to
// Discord's limits, image URLs that do not render to http(s) dropped, and allowed_mentions always set, so that only
// the users a feature names explicitly can be pinged (never @everyone, @here or roles from a template).
// https://discord.com/developers/docs/resources/message#embed-object-embed-limits
import type { DiscordEmbed, DiscordMessage } from "../discord-rest/discord-rest.ts";
import { type RenderOptions, type TemplateValues, renderTemplate } from "./template.ts";

/** Discord's message and embed limits (characters). */
export const DISCORD_LIMITS = {
  content: 2000,
  embedTitle: 256,
  embedDescription: 4096,
  embedFooter: 2048,
  embedAuthorName: 256,
  fieldName: 256,
  fieldValue: 1024,
  /** The sum of title, description, field names and values, footer and author name of one embed. */
  embedTotal: 6000,
} as const;

/** Cuts to `max` characters (code points are not split), ending with "…" when something was cut. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, max - 1).join("")}…`;
}

export interface EmbedTemplate {
  title?: string | null;
  description?: string | null;
  /** 0xRRGGBB. */
  color?: number | null;
  /** Templates too: "{user.avatar}" is a URL once rendered. */
  imageUrl?: string | null;
  thumbnailUrl?: string | null;
  footer?: string | null;
}

export interface MessageTemplate {
  content: string;
  embed?: EmbedTemplate | null;
}

export interface RenderMessageOptions extends RenderOptions {
  /** Users who may be pinged (the member being welcomed, the invoker); nobody else, and never @everyone or roles. */
  mentionUsers?: readonly string[];
}

const httpUrl = (s: string) => (/^https?:\/\/\S+$/.test(s) && s.length <= 2048 ? s : null);

/** Cuts every embed part to its limit, then the description further if the total is over 6000. */
export function fitEmbed(embed: DiscordEmbed): DiscordEmbed {
  const out: DiscordEmbed = { ...embed };
  if (out.title !== undefined) out.title = clip(out.title, DISCORD_LIMITS.embedTitle);
  if (out.description !== undefined) out.description = clip(out.description, DISCORD_LIMITS.embedDescription);
  if (out.footer) out.footer = { text: clip(out.footer.text, DISCORD_LIMITS.embedFooter) };
  if (out.author) out.author = { ...out.author, name: clip(out.author.name, DISCORD_LIMITS.embedAuthorName) };
  if (out.fields) out.fields = out.fields.slice(0, 25).map((f) => ({ ...f, name: clip(f.name, DISCORD_LIMITS.fieldName), value: clip(f.value, DISCORD_LIMITS.fieldValue) }));
  const others = (out.title?.length ?? 0) + (out.footer?.text.length ?? 0) + (out.author?.name.length ?? 0) + (out.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);
  if (out.description !== undefined && others + out.description.length > DISCORD_LIMITS.embedTotal) {
    out.description = clip(out.description, Math.max(1, DISCORD_LIMITS.embedTotal - others));
  }
  return out;
}

export function renderEmbed(template: EmbedTemplate, values: TemplateValues, options: RenderOptions = {}): DiscordEmbed | null {
  const text = (t: string | null | undefined) => (t ? renderTemplate(t, values, options).trim() : "");
  const embed: DiscordEmbed = {};
  const title = text(template.title);
  const description = text(template.description);
  const footer = text(template.footer);
  const image = httpUrl(text(template.imageUrl));
  const thumbnail = httpUrl(text(template.thumbnailUrl));
  if (title) embed.title = title;
  if (description) embed.description = description;
  if (footer) embed.footer = { text: footer };
  if (image) embed.image = { url: image };
  if (thumbnail) embed.thumbnail = { url: thumbnail };
  // Discord refuses an embed with nothing to show.
  if (!title && !description && !footer && !image && !thumbnail) return null;
  if (template.color !== null && template.color !== undefined) embed.color = template.color;
  return fitEmbed(embed);
}

/** The Discord message for a template; `null` when it renders to nothing (Discord refuses empty messages). */
export function renderMessage(template: MessageTemplate, values: TemplateValues, options: RenderMessageOptions = {}): DiscordMessage | null {
  const content = clip(renderTemplate(template.content, values, options).trim(), DISCORD_LIMITS.content);
  const embed = template.embed ? renderEmbed(template.embed, values, options) : null;
  if (!content && !embed) return null;
  const users = [...new Set(options.mentionUsers ?? [])].slice(0, 100);
  return {
    ...(content ? { content } : {}),
    ...(embed ? { embeds: [embed] } : {}),
    allowed_mentions: users.length ? { parse: [], users } : { parse: [] },
  };
}

// The go-live notice and its "stream ended" edit, as outbox items: the streamer's template with {streamer} {title}
// {game} {url} {platform} {viewers} {everyone}, an optional embed (author, title, game, viewers, thumbnail), and a role
// ping that only that role can receive: allowed_mentions lists the role and parses nothing, so a title saying
// @everyone pings nobody (Discord: allowed_mentions decides who is notified, whatever the content says). A streamer
// whose "allow @everyone" is on adds parse ["everyone"], so the template's own @everyone / @here pings; the values
// filled in (a stream title is the streamer's audience's to read, not to ping with) are defused even then.
import type { StreamPlatform } from "@nebula/schema";
import { formatDuration } from "../alerts/alert-message.ts";
import type { DiscordEmbed } from "../discord-rest/discord-rest.ts";
import type { OutboxItem } from "../outbox/outbox-item.ts";

export const PLATFORM_NAMES: Record<StreamPlatform, string> = { twitch: "Twitch", youtube: "YouTube", kick: "Kick" };
const PLATFORM_COLOURS: Record<StreamPlatform, number> = { twitch: 0x9146ff, youtube: 0xff0000, kick: 0x53fc18 };
const ENDED_COLOUR = 0x747f8d;

export interface NoticeStreamer {
  platform: StreamPlatform;
  login: string;
  displayName: string;
  channelId: string;
  pingRoleId: string | null;
  template: string;
  embed: boolean;
  /** Lets @everyone / @here / {everyone} in the template ping (allowed_mentions parse ["everyone"]). */
  allowEveryone?: boolean;
}

export interface NoticeSession {
  id: string;
  title: string;
  game: string;
  url: string;
  thumbnailUrl: string | null;
  viewers: number | null;
  startedAt: Date;
  endedAt?: Date | null;
  vodUrl?: string | null;
}

export const TEMPLATE_VARIABLES = ["streamer", "title", "game", "url", "platform", "viewers", "everyone"] as const;

/** A zero-width space after the @: Discord shows "@everyone" but does not read it as a mention. */
const defuse = (s: string) => s.replace(/@(everyone|here)/gi, "@\u200b$1");

// Discord: content ≤ 2000 characters, embed titles ≤ 256, field values ≤ 1024.
const clip = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

export function channelUrl(platform: StreamPlatform, login: string): string {
  if (platform === "twitch") return `https://www.twitch.tv/${login}`;
  if (platform === "kick") return `https://kick.com/${login}`;
  return login.startsWith("UC") ? `https://www.youtube.com/channel/${login}` : `https://www.youtube.com/@${login.replace(/^@/, "")}`;
}

/** Replaces each known {variable}; anything else in braces is left as written. {everyone} is empty unless allowed. */
export function renderTemplate(template: string, streamer: NoticeStreamer, session: NoticeSession): string {
  const filled = (s: string) => (streamer.allowEveryone ? defuse(s) : s);
  const values: Record<(typeof TEMPLATE_VARIABLES)[number], string> = {
    streamer: filled(streamer.displayName),
    title: filled(session.title),
    game: filled(session.game),
    url: filled(session.url),
    platform: PLATFORM_NAMES[streamer.platform],
    viewers: session.viewers === null ? "" : String(session.viewers),
    everyone: streamer.allowEveryone ? "@everyone" : "",
  };
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? values[name as keyof typeof values] : whole));
}

function liveEmbed(streamer: NoticeStreamer, session: NoticeSession): DiscordEmbed {
  const fields = [];
  if (session.game) fields.push({ name: "Game", value: clip(session.game, 1024), inline: true });
  if (session.viewers !== null) fields.push({ name: "Viewers", value: String(session.viewers), inline: true });
  return {
    author: { name: clip(streamer.displayName, 256), url: channelUrl(streamer.platform, streamer.login) },
    title: clip(session.title || `${streamer.displayName} is live`, 256),
    ...(/^https?:\/\//.test(session.url) ? { url: session.url } : {}),
    color: PLATFORM_COLOURS[streamer.platform],
    ...(fields.length ? { fields } : {}),
    ...(session.thumbnailUrl ? { image: { url: session.thumbnailUrl } } : {}),
    timestamp: session.startedAt.toISOString(),
    footer: { text: `Live on ${PLATFORM_NAMES[streamer.platform]}` },
  };
}

export const noticeId = (sessionId: string) => `golive:${sessionId}`;
export const endNoticeId = (sessionId: string) => `golive-end:${sessionId}`;

/** The go-live notice. `id` defaults to the session's notice id; test alerts pass their own. */
export function goLiveItem(streamer: NoticeStreamer, session: NoticeSession, id = noticeId(session.id)): OutboxItem {
  const text = renderTemplate(streamer.template, streamer, session);
  const ping = streamer.pingRoleId ? `<@&${streamer.pingRoleId}> ` : "";
  const content = clip(`${ping}${text}`, 2000);
  return {
    id,
    destination: { kind: "channel", channelId: streamer.channelId },
    message: {
      ...(content.trim() ? { content } : {}),
      ...(streamer.embed || !content.trim() ? { embeds: [liveEmbed(streamer, session)] } : {}),
      allowed_mentions: { parse: streamer.allowEveryone ? ["everyone"] : [], ...(streamer.pingRoleId ? { roles: [streamer.pingRoleId] } : {}) },
    },
  };
}

/** The edit once the stream ended: how long it ran and the VOD, in place of the live notice. */
export function streamEndedItem(streamer: NoticeStreamer, session: NoticeSession, notificationOutboxId: string): OutboxItem {
  const ended = session.endedAt ?? new Date();
  const duration = formatDuration(ended.getTime() - session.startedAt.getTime());
  const vod = session.vodUrl ? `\nVOD: ${session.vodUrl}` : "";
  const fields = [{ name: "Duration", value: duration, inline: true }];
  if (session.game) fields.push({ name: "Game", value: clip(session.game, 1024), inline: true });
  if (session.vodUrl) fields.push({ name: "VOD", value: clip(session.vodUrl, 1024), inline: false });
  return {
    id: endNoticeId(session.id),
    destination: { kind: "channel", channelId: streamer.channelId },
    edit: { of: notificationOutboxId },
    message: {
      content: clip(`${streamer.displayName} was live on ${PLATFORM_NAMES[streamer.platform]} for ${duration}.${vod}`, 2000),
      ...(streamer.embed
        ? {
            embeds: [
              {
                author: { name: clip(streamer.displayName, 256), url: channelUrl(streamer.platform, streamer.login) },
                title: clip(session.title || `${streamer.displayName}'s stream`, 256),
                ...(session.vodUrl && /^https?:\/\//.test(session.vodUrl) ? { url: session.vodUrl } : {}),
                color: ENDED_COLOUR,
                fields,
                ...(session.thumbnailUrl ? { thumbnail: { url: session.thumbnailUrl } } : {}),
                timestamp: ended.toISOString(),
                footer: { text: "Stream ended" },
              },
            ],
          }
        : {}),
      allowed_mentions: { parse: [] },
    },
  };
}

// One chat message, whatever platform it came from: who wrote it (with the roles that decide exemptions and command
// permissions), its text, and its fragments (emotes kept apart from text, so rules like the caps ratio can skip
// them). Twitch's channel.chat.message, Kick's chat.message.sent and YouTube's textMessageEvent (from the live-chat
// poller) become this shape at the edge.
import type { ChatRole, StreamPlatform } from "@nebula/schema";
import { z } from "zod";

export interface ChatFragment {
  type: "text" | "emote" | "mention" | "cheermote";
  text: string;
}

export interface ChatMessage {
  platform: StreamPlatform;
  /** Broadcaster user id (Twitch, Kick) or YouTube channel id. */
  channelId: string;
  messageId: string;
  user: { id: string; login: string; name: string; roles: ChatRole[] };
  text: string;
  fragments: ChatFragment[];
  /** The chatter's name colour (#rrggbb) where the platform sends one (Twitch); overlays' chat boxes use it. */
  colour?: string | null;
}

// ---- Twitch EventSub channel.chat.message (v1) ----

const TwitchFragment = z.looseObject({ type: z.string(), text: z.string() });
const TwitchChatEvent = z.looseObject({
  broadcaster_user_id: z.string(),
  chatter_user_id: z.string(),
  chatter_user_login: z.string(),
  chatter_user_name: z.string(),
  message_id: z.string(),
  message: z.looseObject({ text: z.string(), fragments: z.array(TwitchFragment).default([]) }),
  badges: z.array(z.looseObject({ set_id: z.string() })).default([]),
  // "" for a chatter who never chose a colour.
  color: z.string().optional(),
});

/** Twitch badges name the roles: broadcaster, moderator, vip, subscriber (and founder, a subscriber too). */
function twitchRoles(badges: { set_id: string }[], isBroadcaster: boolean): ChatRole[] {
  const sets = new Set(badges.map((b) => b.set_id));
  const roles: ChatRole[] = [];
  if (isBroadcaster || sets.has("broadcaster")) roles.push("broadcaster");
  if (sets.has("moderator")) roles.push("moderator");
  if (sets.has("vip")) roles.push("vip");
  if (sets.has("subscriber") || sets.has("founder")) roles.push("subscriber");
  return roles;
}

export function fromTwitchChat(raw: unknown): ChatMessage {
  const e = TwitchChatEvent.parse(raw);
  const fragments = e.message.fragments.length > 0 ? e.message.fragments : [{ type: "text", text: e.message.text }];
  return {
    platform: "twitch",
    channelId: e.broadcaster_user_id,
    messageId: e.message_id,
    user: { id: e.chatter_user_id, login: e.chatter_user_login, name: e.chatter_user_name, roles: twitchRoles(e.badges, e.chatter_user_id === e.broadcaster_user_id) },
    text: e.message.text,
    fragments: fragments.map((f) => ({ type: f.type === "emote" ? "emote" : f.type === "mention" ? "mention" : f.type === "cheermote" ? "cheermote" : "text", text: f.text })),
    colour: e.color && /^#[0-9a-fA-F]{6}$/.test(e.color) ? e.color : null,
  };
}

// ---- Kick chat.message.sent ----

const KickChatEvent = z.looseObject({
  message_id: z.string(),
  broadcaster: z.looseObject({ user_id: z.number().int() }),
  sender: z.looseObject({
    user_id: z.number().int(),
    username: z.string(),
    channel_slug: z.string().optional(),
    identity: z.looseObject({ badges: z.array(z.looseObject({ type: z.string() })).default([]) }).nullable().optional(),
  }),
  content: z.string(),
  emotes: z.array(z.looseObject({ emote_id: z.string(), positions: z.array(z.looseObject({ s: z.number().int(), e: z.number().int() })) })).nullable().optional(),
});

/** Kick writes emotes inline as `[emote:<id>:<name>]`; the webhook's `emotes` gives their positions too. */
const KICK_EMOTE_TAG = /\[emote:(\d+):([^\]]+)\]/g;

export function kickFragments(content: string): ChatFragment[] {
  const out: ChatFragment[] = [];
  let at = 0;
  for (const m of content.matchAll(KICK_EMOTE_TAG)) {
    if ((m.index ?? 0) > at) out.push({ type: "text", text: content.slice(at, m.index) });
    out.push({ type: "emote", text: m[2] as string });
    at = (m.index ?? 0) + m[0].length;
  }
  if (at < content.length) out.push({ type: "text", text: content.slice(at) });
  return out;
}

export function fromKickChat(raw: unknown): ChatMessage {
  const e = KickChatEvent.parse(raw);
  const badges = new Set((e.sender.identity?.badges ?? []).map((b) => b.type));
  const roles: ChatRole[] = [];
  if (badges.has("broadcaster") || e.sender.user_id === e.broadcaster.user_id) roles.push("broadcaster");
  if (badges.has("moderator")) roles.push("moderator");
  if (badges.has("vip")) roles.push("vip");
  if (badges.has("subscriber") || badges.has("founder") || badges.has("og")) roles.push("subscriber");
  const fragments = kickFragments(e.content);
  return {
    platform: "kick",
    channelId: String(e.broadcaster.user_id),
    messageId: e.message_id,
    user: { id: String(e.sender.user_id), login: (e.sender.channel_slug ?? e.sender.username).toLowerCase(), name: e.sender.username, roles },
    text: fragments.map((f) => f.text).join(""),
    fragments,
  };
}

// ---- YouTube liveChatMessages item (snippet.type textMessageEvent) ----

const YouTubeChatItem = z.looseObject({
  id: z.string(),
  snippet: z.looseObject({
    type: z.literal("textMessageEvent"),
    displayMessage: z.string().optional(),
    textMessageDetails: z.looseObject({ messageText: z.string() }).optional(),
  }),
  authorDetails: z.looseObject({
    channelId: z.string(),
    displayName: z.string(),
    isChatOwner: z.boolean().default(false),
    isChatModerator: z.boolean().default(false),
    isChatSponsor: z.boolean().default(false),
  }),
});

/** YouTube has no login: the display name (an @handle for most channels) stands in, as chatters type it in mentions. */
const youtubeLogin = (displayName: string) => displayName.replace(/^@/, "").replace(/\s+/g, "").toLowerCase();

/** `channelId`: the live chat owner's channel. Owner, moderator and member (sponsor) are YouTube's roles. */
export function fromYouTubeChat(channelId: string, raw: unknown): ChatMessage {
  const e = YouTubeChatItem.parse(raw);
  const a = e.authorDetails;
  const roles: ChatRole[] = [];
  if (a.isChatOwner || a.channelId === channelId) roles.push("broadcaster");
  if (a.isChatModerator) roles.push("moderator");
  if (a.isChatSponsor) roles.push("subscriber");
  // Custom emoji arrive as :shortcode: text; there is no fragment list to tell them apart.
  const text = e.snippet.textMessageDetails?.messageText ?? e.snippet.displayMessage ?? "";
  return { platform: "youtube", channelId, messageId: e.id, user: { id: a.channelId, login: youtubeLogin(a.displayName), name: a.displayName, roles }, text, fragments: [{ type: "text", text }] };
}

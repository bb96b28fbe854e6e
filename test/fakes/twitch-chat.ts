// Twitch chat in the fake Twitch: Helix Send Chat Message with Twitch's chat limits (20 messages per 30 s per sender,
// 100 where the sender is moderator or broadcaster, one per second per channel for non-moderators, the same text
// twice in 30 s refused) answered as Twitch does: 200 {data:[{message_id, is_sent:false, drop_reason:{code,message}}]};
// Delete Chat Messages; Ban User with a duration (a timeout); and a signed channel.chat.message EventSub sender.
//   POST /__control/twitch/moderators {broadcaster_id, user_id}    the user becomes a moderator there
//   POST /__control/twitch/chat-message {broadcaster_user_id, chatter_user_id, chatter_user_login?, text,
//        fragments?: [{type, text}], badges?: [set_id], messageId?, timestamp?, chat_message_id?, user_id?}  → {headers,
//        body}: messageId is the EventSub delivery's id; chat_message_id the line's own (the same line reaches us once per
//        subscription of the channel, each under its own delivery id); user_id the subscription's reading user
//   POST /__control/twitch/chat-drop {sender_id, code, times?}    the sender's next `times` (1) sends are dropped with
//        that drop_reason code (msg_ratelimit, msg_duplicate …), whatever the limits say
//   GET  /__control/twitch/chat        messages (sent and dropped, each with whose token sent it), deletions, bans
// Twitch: with a user access token the sender must be the token's user (401 otherwise); an app token may send as a bot
// that granted user:bot.
import { randomUUID } from "node:crypto";
import { type PlatformReply, type PlatformRequest, type PlatformServer, bodyOf, reply } from "./platform-server.ts";

export const CHAT_WINDOW_MS = 30_000;

export interface FakeChatMessage {
  message_id: string;
  broadcaster_id: string;
  sender_id: string;
  message: string;
  reply_parent_message_id: string | null;
  is_sent: boolean;
  drop_code: string | null;
  /** The user whose access token sent it; null: the app's token. */
  token_user_id: string | null;
  at: number;
}

export interface FakeTwitchChatState {
  messages: FakeChatMessage[];
  deletions: { broadcaster_id: string; moderator_id: string; message_id: string }[];
  bans: { broadcaster_id: string; moderator_id: string; user_id: string; duration: number | null; reason: string }[];
}

type Helix = (req: PlatformRequest, work: () => PlatformReply) => PlatformReply;

/** Whose user access token a request carries (null: not a user token, e.g. the app's). */
type TokenUser = (authorization: string | string[] | undefined) => { id: string } | null;

/** `isModerator`: for EventSub's channel.chat.message authorization (twitch.ts). */
export function installTwitchChat(server: PlatformServer, helix: Helix, sign: (secret: string, messageId: string, timestamp: string, body: string) => string, secret: string, tokenUser: TokenUser): { isModerator(broadcaster: string, user: string): boolean } {
  const state: FakeTwitchChatState = { messages: [], deletions: [], bans: [] };
  const moderators = new Set<string>();
  const forcedDrops = new Map<string, { code: string; times: number }>();
  const isMod = (broadcaster: string, user: string) => broadcaster === user || moderators.has(`${broadcaster}:${user}`);

  server.route("POST", "/helix/chat/messages", (req) =>
    helix(req, () => {
      const b = bodyOf<{ broadcaster_id?: string; sender_id?: string; message?: string; reply_parent_message_id?: string }>(req);
      if (!b.broadcaster_id || !b.sender_id || !b.message) return reply(400, { error: "Bad Request", status: 400, message: "Missing required parameter" });
      if ([...b.message].length > 500) return reply(422, { error: "Unprocessable Entity", status: 422, message: "The message is too long" });
      const user = tokenUser(req.headers.authorization);
      if (user && user.id !== b.sender_id) return reply(401, { error: "Unauthorized", status: 401, message: "The sender_id in the body must match the user ID in the user access token" });
      const now = Date.now();
      const mod = isMod(b.broadcaster_id, b.sender_id);
      const recent = state.messages.filter((m) => m.is_sent && m.sender_id === b.sender_id && now - m.at < CHAT_WINDOW_MS);
      let drop: { code: string; message: string } | null = null;
      const forced = forcedDrops.get(b.sender_id);
      if (forced && forced.times > 0) {
        forced.times -= 1;
        drop = { code: forced.code, message: `Your message was not sent (${forced.code}).` };
      } else if (recent.length >= (mod ? 100 : 20)) drop = { code: "msg_ratelimit", message: "Your message was not sent because you are sending messages too quickly." };
      else if (!mod && recent.some((m) => m.broadcaster_id === b.broadcaster_id && now - m.at < 1000)) drop = { code: "msg_ratelimit", message: "Your message was not sent because you are sending messages too quickly." };
      else if (recent.some((m) => m.broadcaster_id === b.broadcaster_id && m.message === b.message)) drop = { code: "msg_duplicate", message: "Your message was not sent because it is identical to the previous one you sent, less than 30 seconds ago." };
      const message_id = randomUUID();
      state.messages.push({ message_id, broadcaster_id: b.broadcaster_id, sender_id: b.sender_id, message: b.message, reply_parent_message_id: b.reply_parent_message_id ?? null, is_sent: !drop, drop_code: drop?.code ?? null, token_user_id: user?.id ?? null, at: now });
      return reply(200, { data: [{ message_id: drop ? "" : message_id, is_sent: !drop, drop_reason: drop }] });
    }),
  );

  server.route("DELETE", "/helix/moderation/chat", (req) =>
    helix(req, () => {
      const broadcaster_id = req.query.get("broadcaster_id") ?? "";
      const moderator_id = req.query.get("moderator_id") ?? "";
      if (!isMod(broadcaster_id, moderator_id)) return reply(403, { error: "Forbidden", status: 403, message: "The user in moderator_id is not one of the broadcaster's moderators." });
      state.deletions.push({ broadcaster_id, moderator_id, message_id: req.query.get("message_id") ?? "" });
      return { status: 204 };
    }),
  );

  server.route("POST", "/helix/moderation/bans", (req) =>
    helix(req, () => {
      const broadcaster_id = req.query.get("broadcaster_id") ?? "";
      const moderator_id = req.query.get("moderator_id") ?? "";
      if (!isMod(broadcaster_id, moderator_id)) return reply(403, { error: "Forbidden", status: 403, message: "The user in moderator_id is not one of the broadcaster's moderators." });
      const b = bodyOf<{ data?: { user_id?: string; duration?: number; reason?: string } }>(req);
      if (!b.data?.user_id) return reply(400, { error: "Bad Request", status: 400, message: "Missing user_id" });
      const duration = b.data.duration ?? null;
      if (duration !== null && (duration < 1 || duration > 1_209_600)) return reply(400, { error: "Bad Request", status: 400, message: "Invalid duration" });
      state.bans.push({ broadcaster_id, moderator_id, user_id: b.data.user_id, duration, reason: b.data.reason ?? "" });
      const created = new Date();
      return reply(200, { data: [{ broadcaster_id, moderator_id, user_id: b.data.user_id, created_at: created.toISOString(), end_time: duration ? new Date(created.getTime() + duration * 1000).toISOString() : null }] });
    }),
  );

  server.route("POST", "/__control/twitch/moderators", (req) => {
    const b = bodyOf<{ broadcaster_id: string; user_id: string }>(req);
    moderators.add(`${b.broadcaster_id}:${b.user_id}`);
    return reply(200, { ok: true });
  });

  server.route("POST", "/__control/twitch/chat-message", (req) => {
    const b = bodyOf<{ broadcaster_user_id: string; chatter_user_id: string; chatter_user_login?: string; text: string; fragments?: { type: string; text: string }[]; badges?: string[]; messageId?: string; timestamp?: string; chat_message_id?: string; user_id?: string }>(req);
    const login = b.chatter_user_login ?? `user${b.chatter_user_id}`;
    const event = {
      broadcaster_user_id: b.broadcaster_user_id,
      broadcaster_user_login: `channel${b.broadcaster_user_id}`,
      broadcaster_user_name: `Channel${b.broadcaster_user_id}`,
      chatter_user_id: b.chatter_user_id,
      chatter_user_login: login,
      chatter_user_name: login,
      message_id: b.chat_message_id ?? randomUUID(),
      message: { text: b.text, fragments: (b.fragments ?? [{ type: "text", text: b.text }]).map((f) => ({ ...f, cheermote: null, emote: f.type === "emote" ? { id: randomUUID(), emote_set_id: "0", owner_id: "0", format: ["static"] } : null, mention: null })) },
      color: "#00FF7F",
      badges: (b.badges ?? []).map((set_id) => ({ set_id, id: "1", info: "" })),
      message_type: "text",
      cheer: null,
      reply: null,
      channel_points_custom_reward_id: null,
    };
    const payload = {
      subscription: { id: randomUUID(), status: "enabled", type: "channel.chat.message", version: "1", cost: 0, condition: { broadcaster_user_id: b.broadcaster_user_id, user_id: b.user_id ?? "0" }, transport: { method: "webhook", callback: "http://localhost/webhooks/twitch" }, created_at: new Date().toISOString() },
      event,
    };
    const body = JSON.stringify(payload);
    const messageId = b.messageId ?? randomUUID();
    const timestamp = b.timestamp ?? new Date().toISOString();
    return reply(200, {
      body,
      messageId: event.message_id,
      headers: {
        "content-type": "application/json",
        "twitch-eventsub-message-id": messageId,
        "twitch-eventsub-message-retry": "0",
        "twitch-eventsub-message-type": "notification",
        "twitch-eventsub-message-signature": sign(secret, messageId, timestamp, body),
        "twitch-eventsub-message-timestamp": timestamp,
        "twitch-eventsub-subscription-type": "channel.chat.message",
        "twitch-eventsub-subscription-version": "1",
      },
    });
  });

  server.route("POST", "/__control/twitch/chat-drop", (req) => {
    const b = bodyOf<{ sender_id: string; code: string; times?: number }>(req);
    forcedDrops.set(b.sender_id, { code: b.code, times: b.times ?? 1 });
    return reply(200, { ok: true });
  });
  server.route("GET", "/__control/twitch/chat", () => reply(200, state));
  return { isModerator: isMod };
}

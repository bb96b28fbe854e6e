// Kick chat in the fake Kick: POST /public/v1/chat ({data:{is_sent, message_id}}), DELETE
// /public/v1/chat/:messageId, POST /public/v1/moderation/bans (a timeout: duration in minutes, 1..10080). Incoming
// chat is the chat.message.sent webhook, signed by /__control/kick/sign like every Kick event.
// As Kick (docs.kick.com, Chat): sending needs a user access token with chat:write (an app token is refused); type
// "bot" lands in the channel of the token's own account whatever broadcaster_user_id says, type "user" in
// broadcaster_user_id's channel, which it then requires.
//   GET /__control/kick/chat   messages (each with whose token sent it), deletions, bans
import { randomUUID } from "node:crypto";
import { type PlatformReply, type PlatformRequest, type PlatformServer, bodyOf, reply } from "./platform-server.ts";

type Authed = (req: PlatformRequest, work: () => PlatformReply) => PlatformReply;
/** The user a bearer token belongs to and the scopes they granted; null: not a user token (the app's). */
type TokenUser = (authorization: string | string[] | undefined) => { id: string; scopes: Set<string> } | null;

export interface KickChatMessage {
  message_id: string;
  broadcaster_user_id: number;
  content: string;
  type: string;
  reply_to_message_id: string | null;
  token_user_id: string;
}

export function installKickChat(server: PlatformServer, authed: Authed, tokenUser: TokenUser): void {
  const state = {
    messages: [] as KickChatMessage[],
    deletions: [] as string[],
    bans: [] as { broadcaster_user_id: number; user_id: number; duration: number | null; reason: string }[],
  };
  server.route("POST", "/public/v1/chat", (req) =>
    authed(req, () => {
      const b = bodyOf<{ broadcaster_user_id?: number; content?: string; type?: string; reply_to_message_id?: string }>(req);
      if (!b.content || [...b.content].length > 500 || (b.type !== "bot" && b.type !== "user")) return reply(400, { message: "Invalid request", data: {} });
      const user = tokenUser(req.headers.authorization);
      if (!user?.scopes.has("chat:write")) return reply(403, { message: "Forbidden: a user token with the chat:write scope is required", data: {} });
      if (b.type === "user" && !b.broadcaster_user_id) return reply(400, { message: "broadcaster_user_id is required when sending as a user", data: {} });
      const message_id = randomUUID();
      const broadcaster = b.type === "bot" ? Number(user.id) : (b.broadcaster_user_id as number);
      state.messages.push({ message_id, broadcaster_user_id: broadcaster, content: b.content, type: b.type, reply_to_message_id: b.reply_to_message_id ?? null, token_user_id: user.id });
      return reply(200, { data: { is_sent: true, message_id }, message: "OK" });
    }),
  );
  server.route("DELETE", "/public/v1/chat/:messageId", (req) =>
    authed(req, () => {
      state.deletions.push(req.params.messageId as string);
      return { status: 204 };
    }),
  );
  server.route("POST", "/public/v1/moderation/bans", (req) =>
    authed(req, () => {
      const b = bodyOf<{ broadcaster_user_id: number; user_id: number; duration?: number; reason?: string }>(req);
      if (b.duration !== undefined && (b.duration < 1 || b.duration > 10_080)) return reply(400, { message: "duration must be 1-10080 minutes", data: {} });
      state.bans.push({ broadcaster_user_id: b.broadcaster_user_id, user_id: b.user_id, duration: b.duration ?? null, reason: b.reason ?? "" });
      return reply(200, { data: {}, message: "OK" });
    }),
  );
  server.route("GET", "/__control/kick/chat", () => reply(200, state));
}

// Kick chat in the fake Kick: POST /public/v1/chat (send as the bot; {data:{is_sent, message_id}}), DELETE
// /public/v1/chat/:messageId, POST /public/v1/moderation/bans (a timeout: duration in minutes, 1..10080). Incoming
// chat is the chat.message.sent webhook, signed by /__control/kick/sign like every Kick event.
//   GET /__control/kick/chat   messages, deletions, bans
import { randomUUID } from "node:crypto";
import { type PlatformReply, type PlatformRequest, type PlatformServer, bodyOf, reply } from "./platform-server.ts";

type Authed = (req: PlatformRequest, work: () => PlatformReply) => PlatformReply;

export function installKickChat(server: PlatformServer, authed: Authed): void {
  const state = {
    messages: [] as { message_id: string; broadcaster_user_id: number; content: string; type: string; reply_to_message_id: string | null }[],
    deletions: [] as string[],
    bans: [] as { broadcaster_user_id: number; user_id: number; duration: number | null; reason: string }[],
  };
  server.route("POST", "/public/v1/chat", (req) =>
    authed(req, () => {
      const b = bodyOf<{ broadcaster_user_id?: number; content?: string; type?: string; reply_to_message_id?: string }>(req);
      if (!b.content || [...b.content].length > 500 || (b.type !== "bot" && b.type !== "user")) return reply(400, { message: "Invalid request", data: {} });
      const message_id = randomUUID();
      state.messages.push({ message_id, broadcaster_user_id: b.broadcaster_user_id ?? 0, content: b.content, type: b.type, reply_to_message_id: b.reply_to_message_id ?? null });
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

// What the chat bot asks of each platform: send a message, delete one, time a chatter out. Twitch through Helix
// (Send Chat Message answers {data:[{message_id,is_sent,drop_reason}]}; DELETE /moderation/chat; POST
// /moderation/bans with a duration), Kick through its public API (POST /public/v1/chat; bans with a duration in
// minutes), YouTube through the Data API with the channel's OAuth token from workers/src/connections
// (liveChatMessages.insert / delete and liveChatBans.insert, 50 quota units each, into the live chat the poller found).
// Each call goes through the platform client's PlatformHttp, so its rate-limit headers and 429s are shared with every
// other call with the same bucket: on Twitch the app's for app-token calls, the bot user's for its user token.
import type { StreamPlatform } from "@nebula/schema";
import { z } from "zod";
import type { Cache } from "../cache/cache.ts";
import type { Config } from "../config/config.ts";
import { type ConnectionDeps, tokenFor } from "../connections/connection-tokens.ts";
import { AppError } from "../errors/app-error.ts";
import type { PlatformClients } from "../platforms/platform-clients.ts";
import type { PlatformHttp } from "../platforms/platform-http.ts";
import type { TwitchClient } from "../platforms/twitch/twitch-client.ts";
import { type YouTubeClient, youtubeReasonOf } from "../platforms/youtube/youtube-client.ts";
import type { HeldTokens } from "./held-tokens.ts";
import { liveChatKey } from "./youtube-live-chat-state.ts";

/** Where the bot speaks: enough of a chat_channels row to call the platform. */
export interface ChatChannelRef {
  platform: StreamPlatform;
  channelId: string;
  botUserId: string;
  botIsModerator: boolean;
  connectionId: string | null;
}

/**
 * Bearer tokens to act as the bot. With a connection (the bot account's OAuth, workers/src/connections) its user token;
 * without, the app token: Twitch accepts an app token for Send Chat Message once the bot granted user:bot and the
 * broadcaster channel:bot (or made it a moderator); moderation calls need the bot's user token in production. Kick
 * has no app-token chat: a Kick channel always has a connection (chat-bot-admin.ts refuses one without).
 */
export interface ChatCredentials {
  tokenFor(channel: ChatChannelRef): Promise<string>;
  /** The platform refused the channel's user token (401): the next tokenFor reads the connection again. */
  forget(channel: ChatChannelRef): void;
  /** The user whose access token tokenFor gives (the bot's connection), or null for the app token. */
  speaksAs(channel: ChatChannelRef): string | null;
}

/** `held`: the ChatOutbox's memory of user tokens (held-tokens.ts); without it every call reads the connection. */
export function chatCredentials(clients: PlatformClients, connections: ConnectionDeps | null, held?: HeldTokens): ChatCredentials {
  return {
    async tokenFor(channel) {
      if (channel.connectionId && connections) {
        const kept = held?.get(channel.connectionId, Date.now());
        if (kept) return kept;
        const token = await tokenFor(connections, channel.connectionId);
        held?.hold(channel.connectionId, token.accessToken, token.expiresAt, Date.now());
        return token.accessToken;
      }
      if (channel.platform === "twitch") {
        if (!clients.twitch) throw new AppError("MISCONFIGURED", "Twitch is not connected (TWITCH_CLIENT_ID / TWITCH_CLIENT_SECRET are not set)");
        return clients.twitch.appToken();
      }
      // Kick: POST /public/v1/chat needs a user access token with chat:write; an app token has no account to speak as.
      if (channel.platform === "kick") throw new AppError("MISCONFIGURED", "Kick chat needs the bot account's connection (chat:write) to speak");
      throw new AppError("MISCONFIGURED", "YouTube chat needs the channel's connection (OAuth) to speak");
    },
    forget(channel) {
      if (channel.connectionId) held?.forget(channel.connectionId);
    },
    // A linked connection's account is the channel's bot (chat-bot-admin.ts keeps botUserId = its platform user id).
    speaksAs: (channel) => (channel.connectionId && connections ? channel.botUserId : null),
  };
}

const isUnauthorized = (err: unknown) => err instanceof AppError && (err.details as { status?: unknown } | null)?.status === 401;

/**
 * Runs a platform call with the channel's token; when a user token is refused with 401 (revoked, or replaced by a
 * refresh or reconnect since it was held), drops it and runs the call once more with a token read afresh.
 */
async function withToken<T>(credentials: ChatCredentials, channel: ChatChannelRef, call: (token: string) => Promise<T>, refused: (result: T) => boolean = () => false): Promise<T> {
  try {
    const result = await call(await credentials.tokenFor(channel));
    if (!refused(result) || !channel.connectionId) return result;
  } catch (err) {
    if (!isUnauthorized(err) || !channel.connectionId) throw err;
  }
  credentials.forget(channel);
  return call(await credentials.tokenFor(channel));
}

export type SendOutcome = { sent: true; messageId: string } | { sent: false; dropCode: string; dropMessage: string };

export interface ChatPlatform {
  send(channel: ChatChannelRef, text: string, replyTo: string | null): Promise<SendOutcome>;
  deleteMessage(channel: ChatChannelRef, messageId: string): Promise<void>;
  timeout(channel: ChatChannelRef, userId: string, seconds: number, reason: string): Promise<void>;
}

const HelixSent = z.object({
  data: z.array(z.looseObject({ message_id: z.string(), is_sent: z.boolean(), drop_reason: z.looseObject({ code: z.string(), message: z.string().optional().default("") }).nullable().optional() })).min(1),
});
const KickSent = z.object({ data: z.looseObject({ is_sent: z.boolean(), message_id: z.string().optional().default("") }) });

function requireOk(http: PlatformHttp, res: { status: number }, what: string): void {
  if (res.status < 200 || res.status >= 300) throw http.upstream(`${what} answered ${res.status}`, { status: res.status });
}

export class TwitchChat implements ChatPlatform {
  constructor(
    private readonly twitch: Pick<TwitchClient, "http" | "userHttp">,
    private readonly apiBase: string,
    private readonly clientId: string,
    private readonly credentials: ChatCredentials,
  ) {}

  private async call(channel: ChatChannelRef, method: "POST" | "DELETE", path: string, query: Record<string, string>, body?: unknown) {
    const url = new URL(`${this.apiBase.replace(/\/$/, "")}${path}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const send = (token: string) =>
      this.httpFor(channel).send<unknown>({
        method,
        url: url.toString(),
        headers: { "client-id": this.clientId, authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    return withToken(this.credentials, channel, send, (res) => res.status === 401);
  }

  /** Twitch: user-token calls spend the user's bucket, app-token calls the app's. */
  private httpFor(channel: ChatChannelRef): PlatformHttp {
    const user = this.credentials.speaksAs(channel);
    return user ? this.twitch.userHttp(user) : this.twitch.http;
  }

  async send(channel: ChatChannelRef, text: string, replyTo: string | null): Promise<SendOutcome> {
    const res = await this.call(channel, "POST", "/chat/messages", {}, { broadcaster_id: channel.channelId, sender_id: channel.botUserId, message: text, ...(replyTo ? { reply_parent_message_id: replyTo } : {}) });
    requireOk(this.twitch.http, res, "Send Chat Message");
    const result = HelixSent.parse(res.body).data[0] as z.infer<typeof HelixSent>["data"][number];
    if (result.is_sent) return { sent: true, messageId: result.message_id };
    return { sent: false, dropCode: result.drop_reason?.code ?? "unknown", dropMessage: result.drop_reason?.message ?? "" };
  }

  async deleteMessage(channel: ChatChannelRef, messageId: string): Promise<void> {
    const res = await this.call(channel, "DELETE", "/moderation/chat", { broadcaster_id: channel.channelId, moderator_id: channel.botUserId, message_id: messageId });
    // 404: already gone (deleted by a human moderator, or older than six hours).
    if (res.status !== 404) requireOk(this.twitch.http, res, "Delete Chat Messages");
  }

  async timeout(channel: ChatChannelRef, userId: string, seconds: number, reason: string): Promise<void> {
    // Helix: duration 1..1,209,600 seconds makes it a timeout rather than a ban.
    const duration = Math.min(1_209_600, Math.max(1, Math.round(seconds)));
    const res = await this.call(channel, "POST", "/moderation/bans", { broadcaster_id: channel.channelId, moderator_id: channel.botUserId }, { data: { user_id: userId, duration, reason: reason.slice(0, 500) } });
    requireOk(this.twitch.http, res, "Ban User (timeout)");
  }
}

export class KickChat implements ChatPlatform {
  constructor(
    private readonly http: PlatformHttp,
    private readonly apiBase: string,
    private readonly credentials: ChatCredentials,
  ) {}

  private async call(channel: ChatChannelRef, method: "POST" | "DELETE", path: string, body?: unknown) {
    const send = (token: string) =>
      this.http.send<unknown>({
        method,
        url: `${this.apiBase.replace(/\/$/, "")}${path}`,
        headers: { authorization: `Bearer ${token}`, accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    return withToken(this.credentials, channel, send, (res) => res.status === 401);
  }

  async send(channel: ChatChannelRef, text: string, replyTo: string | null): Promise<SendOutcome> {
    // Kick (docs.kick.com, Chat: POST /public/v1/chat): type "bot" always posts in the channel of the token's own account
    // and ignores broadcaster_user_id; type "user" posts in broadcaster_user_id's channel (required then). A bot persona
    // speaks in the streamer's channel, so "user" with the channel, which is also right when the account is the streamer.
    const res = await this.call(channel, "POST", "/public/v1/chat", { broadcaster_user_id: Number(channel.channelId), content: text, type: "user", ...(replyTo ? { reply_to_message_id: replyTo } : {}) });
    requireOk(this.http, res, "POST /public/v1/chat");
    const result = KickSent.parse(res.body).data;
    return result.is_sent ? { sent: true, messageId: result.message_id } : { sent: false, dropCode: "not_sent", dropMessage: "" };
  }

  async deleteMessage(channel: ChatChannelRef, messageId: string): Promise<void> {
    const res = await this.call(channel, "DELETE", `/public/v1/chat/${encodeURIComponent(messageId)}`);
    if (res.status !== 404) requireOk(this.http, res, "DELETE /public/v1/chat");
  }

  async timeout(channel: ChatChannelRef, userId: string, seconds: number, reason: string): Promise<void> {
    // Kick: duration in minutes, 1..10080.
    const duration = Math.min(10_080, Math.max(1, Math.ceil(seconds / 60)));
    const res = await this.call(channel, "POST", "/public/v1/moderation/bans", { broadcaster_user_id: Number(channel.channelId), user_id: Number(userId), duration, reason: reason.slice(0, 100) });
    requireOk(this.http, res, "POST /public/v1/moderation/bans");
  }
}

/**
 * YouTube: there is one live chat per broadcast, so every call first asks the cache for the chat the poller is reading
 * (no live broadcast: the message is dropped as "not_live", never retried). YouTube has no threaded replies.
 */
export class YouTubeChat implements ChatPlatform {
  constructor(
    private readonly youtube: YouTubeClient,
    private readonly cache: Cache,
    private readonly credentials: ChatCredentials,
  ) {}

  private liveChatOf(channel: ChatChannelRef): Promise<string | null> {
    return this.cache.get(liveChatKey(channel.channelId));
  }

  async send(channel: ChatChannelRef, text: string): Promise<SendOutcome> {
    const liveChatId = await this.liveChatOf(channel);
    if (!liveChatId) return { sent: false, dropCode: "not_live", dropMessage: "the channel has no live chat open" };
    // YouTube: a text message is at most 200 characters.
    // The poller reads this message back from the chat; the outbox remembers its id (own-messages.ts).
    const messageId = await withToken(this.credentials, channel, (accessToken) => this.youtube.insertLiveChatMessage(liveChatId, text.slice(0, 200), { accessToken }));
    return { sent: true, messageId };
  }

  async deleteMessage(channel: ChatChannelRef, messageId: string): Promise<void> {
    try {
      await withToken(this.credentials, channel, (accessToken) => this.youtube.deleteLiveChatMessage(messageId, { accessToken }));
    } catch (err) {
      // liveChatMessageNotFound: already deleted by a human moderator.
      if (youtubeReasonOf(err) !== "liveChatMessageNotFound") throw err;
    }
  }

  async timeout(channel: ChatChannelRef, userId: string, seconds: number): Promise<void> {
    const liveChatId = await this.liveChatOf(channel);
    if (!liveChatId) return;
    await withToken(this.credentials, channel, (accessToken) => this.youtube.banFromLiveChat(liveChatId, userId, Math.max(1, Math.round(seconds)), { accessToken }));
  }
}

export function chatPlatform(platform: StreamPlatform, config: Config, clients: PlatformClients, credentials: ChatCredentials, cache: Cache): ChatPlatform {
  if (platform === "twitch") {
    if (!clients.twitch) throw new AppError("MISCONFIGURED", "Twitch is not connected");
    return new TwitchChat(clients.twitch, config.TWITCH_API_BASE, config.TWITCH_CLIENT_ID ?? "", credentials);
  }
  if (platform === "kick") return new KickChat(clients.kick.http, config.KICK_API_BASE, credentials);
  if (!clients.youtube) throw new AppError("MISCONFIGURED", "YouTube is not connected (YOUTUBE_API_KEY is not set)");
  return new YouTubeChat(clients.youtube, cache, credentials);
}

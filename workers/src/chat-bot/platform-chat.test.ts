// Twitch limits app-token calls per client id and user-token calls per client id and user (Twitch API guide, "Rate
// limits"): the chat bot speaking with a bot account's user token spends that account's bucket, so an empty one holds
// back only that account's calls, and an empty app bucket holds back only app-token calls.
import { describe, expect, it } from "vitest";
import { TwitchClient } from "../platforms/twitch/twitch-client.ts";
import { type ChatChannelRef, type ChatCredentials, TwitchChat } from "./platform-chat.ts";

const API = "https://api.twitch.test/helix";
const AUTH = "https://id.twitch.test/oauth2";
const NOW = 1_800_000_000_000;

/** A Twitch that answers each bearer with that bucket's Ratelimit-* headers; `empty` buckets say 0 remaining. */
function twitchWith(empty: Set<"app" | "user">) {
  const calls: string[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    if (url.pathname.endsWith("/token")) return Response.json({ access_token: "app-token", expires_in: 3600 });
    const bucket = new Headers(init?.headers).get("authorization") === "Bearer user-token" ? "user" : "app";
    calls.push(`${bucket} ${url.pathname}`);
    const headers = { "ratelimit-limit": "800", "ratelimit-remaining": empty.has(bucket) ? "0" : "799", "ratelimit-reset": String(NOW / 1000 + 60) };
    if (url.pathname.endsWith("/chat/messages")) return Response.json({ data: [{ message_id: "m1", is_sent: true, drop_reason: null }] }, { headers });
    return Response.json({ data: [{ id: "1", login: "someone", display_name: "Someone" }] }, { headers });
  }) as typeof globalThis.fetch;
  const client = new TwitchClient({ apiBase: API, authBase: AUTH, clientId: "cid", clientSecret: "secret", fetch, now: () => NOW });
  const credentials: ChatCredentials = {
    tokenFor: async (channel) => (channel.connectionId ? "user-token" : client.appToken()),
    forget: () => {},
    speaksAs: (channel) => (channel.connectionId ? channel.botUserId : null),
  };
  return { client, chat: new TwitchChat(client, API, "cid", credentials), calls };
}

const personaChannel: ChatChannelRef = { platform: "twitch", channelId: "100", botUserId: "200", botIsModerator: true, connectionId: "pcn_0000000000000001" };
const appChannel: ChatChannelRef = { ...personaChannel, channelId: "101", connectionId: null };

describe("Twitch chat rate-limit buckets", () => {
  it("a user-token send that empties the bot's bucket does not hold back app-token calls; the bot's next send waits", async () => {
    const { client, chat, calls } = twitchWith(new Set(["user"]));
    expect(await chat.send(personaChannel, "hello", null)).toEqual({ sent: true, messageId: "m1" });

    await expect(client.getUsers({ ids: ["1"] })).resolves.toHaveLength(1);
    expect(await chat.send(appChannel, "from the app", null)).toEqual({ sent: true, messageId: "m1" });
    await expect(chat.send(personaChannel, "again", null)).rejects.toMatchObject({ code: "RATE_LIMITED" });
    expect(calls).toEqual(["user /helix/chat/messages", "app /helix/users", "app /helix/chat/messages"]);
  });

  it("an empty app bucket does not hold back the bot's user-token sends", async () => {
    const { client, chat, calls } = twitchWith(new Set(["app"]));
    await client.getUsers({ ids: ["1"] });

    await expect(chat.send(appChannel, "from the app", null)).rejects.toMatchObject({ code: "RATE_LIMITED" });
    expect(await chat.send(personaChannel, "hello", null)).toEqual({ sent: true, messageId: "m1" });
    expect(calls).toEqual(["app /helix/users", "user /helix/chat/messages"]);
  });
});

// Mentions stay quiet unless asked for: every message the one Discord REST client creates or edits (channel
// messages, webhook executes and edits, interaction @original, follow-ups and message callbacks) carries
// allowed_mentions, because Discord parses @everyone and role pings from the content of a message that names none.
// The fake Discord counts messages that would ping (content, no allowed_mentions); Nebula's must count zero.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeDiscord, type LoggedRequest, startFakeDiscord } from "../../../test/fakes/discord.ts";
import { DiscordRest, type DiscordRequest } from "./discord-rest.ts";
import { editOriginalResponse } from "./interaction-webhooks.ts";

const BOT = "mentions-test-bot-token";
const PING = "Deploy done @everyone <@&400000000000000001>";

let discord: FakeDiscord;
beforeAll(async () => {
  discord = await startFakeDiscord({ clientId: "200000000000000003", clientSecret: "s", redirectUris: [], botToken: BOT });
});
afterAll(() => discord.close());

const client = () => new DiscordRest({ baseUrl: discord.url, botToken: BOT, backoffBaseMs: 1, maxWaitMs: 1000 });

async function unquiet(path: string): Promise<number> {
  const res = await fetch(`${discord.origin}/__control/unquiet-mentions?path=${encodeURIComponent(path)}`);
  return ((await res.json()) as { count: number }).count;
}
const logged = (path: string): LoggedRequest[] => discord.requests.filter((r) => r.path === `/api/v10${path}`);

describe("allowed_mentions by default", () => {
  it("the fake counts a message sent without allowed_mentions (so a zero below means something)", async () => {
    await fetch(`${discord.url}/channels/500000000000000001/messages`, {
      method: "POST",
      headers: { authorization: `Bot ${BOT}`, "content-type": "application/json" },
      body: JSON.stringify({ content: PING }),
    });
    expect(await unquiet("/channels/500000000000000001/")).toBe(1);
  });

  it("adds {parse: []} to creates, edits, webhook executes, @original, follow-ups and message callbacks that name none", async () => {
    const rest = client();
    const app = "200000000000000003";
    const token = "aW50ZXJhY3Rpb24tdG9rZW4";
    const sends: DiscordRequest[] = [
      { method: "POST", path: "/channels/500000000000000002/messages", auth: "bot", body: { content: PING } },
      { method: "PATCH", path: "/channels/500000000000000002/messages/600000000000000001", auth: "bot", body: { content: PING } },
      { method: "POST", path: "/webhooks/500000000000000003/webhook-token-abcdefghijklmnop", auth: "none", body: { content: PING }, query: { wait: "true" } },
      { method: "PATCH", path: "/webhooks/500000000000000003/webhook-token-abcdefghijklmnop/messages/600000000000000002", auth: "none", body: { content: PING } },
      { method: "POST", path: `/webhooks/${app}/${token}`, auth: "none", body: { content: PING } },
      { method: "POST", path: `/interactions/700000000000000001/${token}/callback`, auth: "none", body: { type: 4, data: { content: PING } } },
    ];
    for (const req of sends) await rest.send(req);
    await editOriginalResponse(rest, { applicationId: app, token }, { content: PING }).catch(() => undefined);

    for (const part of ["/channels/500000000000000002/", "/webhooks/500000000000000003/", `/webhooks/${app}/`, "/interactions/700000000000000001/"]) {
      expect(await unquiet(part), part).toBe(0);
    }
    expect(logged("/channels/500000000000000002/messages")[0]?.body).toEqual({ content: PING, allowed_mentions: { parse: [] } });
    expect(logged(`/interactions/700000000000000001/${token}/callback`)[0]?.body).toEqual({ type: 4, data: { content: PING, allowed_mentions: { parse: [] } } });
    expect(logged(`/webhooks/${app}/${token}/messages/@original`)[0]?.body).toEqual({ content: PING, allowed_mentions: { parse: [] } });
  });

  it("keeps a caller's own allowed_mentions, and leaves reads, deletes and non-message callbacks alone", async () => {
    const rest = client();
    const own = { parse: [], users: ["300000000000000001"] };
    await rest.send({ method: "POST", path: "/channels/500000000000000004/messages", auth: "bot", body: { content: "<@300000000000000001> your ticket", allowed_mentions: own } });
    expect(logged("/channels/500000000000000004/messages")[0]?.body).toEqual({ content: "<@300000000000000001> your ticket", allowed_mentions: own });

    const modal = { type: 9, data: { custom_id: "m", title: "T", components: [] } };
    await rest.send({ method: "POST", path: "/interactions/700000000000000002/tok/callback", auth: "none", body: modal });
    expect(logged("/interactions/700000000000000002/tok/callback")[0]?.body).toEqual(modal);
    await rest.send({ method: "POST", path: "/channels/500000000000000004/threads", auth: "bot", body: { name: "t", type: 11 } });
    expect(logged("/channels/500000000000000004/threads")[0]?.body).toEqual({ name: "t", type: 11 });
  });
});

// Webhook URLs: Discord's own form (or the configured API base, for local fakes) only, and tokens stay out of keys.
import { describe, expect, it } from "vitest";
import { routeOf, safePath } from "../discord-rest/discord-rest.ts";
import { requestFor, targetKey, targetOf } from "./destination.ts";

const BASE = "https://discord.com/api/v10";
const TOKEN = "AbCdEfGhIjKlMnOpQrStUvWxYz_0123456789-abc";

describe("outbox destinations", () => {
  it("accepts Discord webhook URLs and keeps the token out of the delivery key", () => {
    const target = targetOf({ kind: "webhook", url: `https://discord.com/api/webhooks/123456789012345678/${TOKEN}` }, BASE);
    expect(target).toEqual({ kind: "webhook", webhookId: "123456789012345678", token: TOKEN });
    expect(targetKey(target)).toBe("webhook:123456789012345678");
    expect(safePath(requestFor(target, { content: "hi" }, "n").path)).toBe("/webhooks/123456789012345678/:token");
    expect(targetOf({ kind: "webhook", url: `https://canary.discordapp.com/api/webhooks/123456789012345678/${TOKEN}` }, BASE).kind).toBe("webhook");
  });

  it("accepts webhook URLs under the configured API base (the local fake)", () => {
    const base = "http://127.0.0.1:4567/api/v10";
    expect(targetOf({ kind: "webhook", url: `${base}/webhooks/123456789012345678/${TOKEN}` }, base)).toMatchObject({ webhookId: "123456789012345678" });
  });

  it("refuses anything else", () => {
    for (const url of [
      `https://evil.example/api/webhooks/123456789012345678/${TOKEN}`,
      `http://discord.com/api/webhooks/123456789012345678/${TOKEN}`,
      `https://discord.com.evil.example/api/webhooks/123456789012345678/${TOKEN}`,
      "https://discord.com/api/webhooks/123456789012345678/short",
      `https://discord.com/api/webhooks/abc/${TOKEN}`,
    ]) {
      expect(() => targetOf({ kind: "webhook", url }, BASE), url).toThrow(/Webhook URL/);
    }
  });

  it("sends channel messages with an enforced nonce and no pings", () => {
    const req = requestFor({ kind: "channel", channelId: "42424242424" }, { content: "hi" }, "nonce-1");
    expect(req).toMatchObject({ method: "POST", path: "/channels/42424242424/messages", auth: "bot", idempotent: true });
    expect(req.body).toEqual({ content: "hi", nonce: "nonce-1", enforce_nonce: true, allowed_mentions: { parse: [] } });
  });

  it("groups rate-limit buckets by route and major parameter", () => {
    expect(routeOf("POST", "/channels/1111111/messages")).toEqual({ route: "POST /channels/:major/messages", major: "1111111" });
    expect(routeOf("DELETE", "/channels/1111111/messages/2222222")).toEqual({ route: "DELETE /channels/:major/messages/:id", major: "1111111" });
    expect(routeOf("POST", `/webhooks/3333333/${TOKEN}`).route).toBe("POST /webhooks/:major");
  });
});

// The three webhook checks against signatures made the way each platform makes them (node:crypto), before any parsing.
import { createHmac, createSign, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { verifyKick } from "./kick/kick-signature.ts";
import { verifyEventSub } from "./twitch/eventsub-signature.ts";
import { parseFeed } from "./youtube/atom-feed.ts";
import { verifyWebSub, webSubSecret } from "./youtube/websub-signature.ts";
import { quotaDay } from "./youtube/youtube-quota.ts";

const enc = (s: string) => new Uint8Array(new TextEncoder().encode(s));
const KEYS = "v2:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=,v1:ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";

describe("Twitch EventSub", () => {
  const secret = "s3cret-eventsub-0001";
  const now = Date.parse("2026-03-01T12:00:00Z");
  const sign = (id: string, ts: string, body: string, key = secret) => `sha256=${createHmac("sha256", key).update(id + ts + body).digest("hex")}`;
  const ts = new Date(now - 30_000).toISOString();

  it("accepts its own signature and refuses tampering, another secret, staleness and garbage", async () => {
    const body = '{"event":{}}';
    expect(await verifyEventSub(secret, { messageId: "m1", timestamp: ts, signature: sign("m1", ts, body) }, enc(body), now)).toBe("ok");
    expect(await verifyEventSub(secret, { messageId: "m1", timestamp: ts, signature: sign("m1", ts, body) }, enc(`${body} `), now)).toBe("bad_signature");
    expect(await verifyEventSub(secret, { messageId: "m1", timestamp: ts, signature: sign("m1", ts, body, "another-secret-000") }, enc(body), now)).toBe("bad_signature");
    const old = new Date(now - 11 * 60_000).toISOString();
    expect(await verifyEventSub(secret, { messageId: "m1", timestamp: old, signature: sign("m1", old, body) }, enc(body), now)).toBe("stale");
    expect(await verifyEventSub(secret, { messageId: "m1", timestamp: ts, signature: "sha256=zz" }, enc(body), now)).toBe("bad_signature");
    expect(await verifyEventSub(secret, { messageId: undefined, timestamp: ts, signature: sign("m1", ts, body) }, enc(body), now)).toBe("missing");
  });
});

describe("YouTube WebSub", () => {
  it("derives a per-channel secret and still verifies pushes signed under an older key", async () => {
    const channel = "UCabcdefghijklmnopqrstuv";
    const current = await webSubSecret(KEYS, channel);
    expect(current).not.toBe(await webSubSecret(KEYS, "UCbbcdefghijklmnopqrstuv"));
    const old = await webSubSecret("v1:ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=", channel);
    const body = "<feed/>";
    const sig = (secret: string, b = body) => `sha1=${createHmac("sha1", secret).update(b).digest("hex")}`;
    expect(await verifyWebSub(KEYS, channel, sig(current), enc(body))).toBe(true);
    expect(await verifyWebSub(KEYS, channel, sig(old), enc(body))).toBe(true);
    expect(await verifyWebSub(KEYS, channel, sig(current), enc("<feed>x</feed>"))).toBe(false);
    expect(await verifyWebSub(KEYS, channel, sig("not-ours"), enc(body))).toBe(false);
    expect(await verifyWebSub(KEYS, channel, undefined, enc(body))).toBe(false);
  });

  it("reads video and channel ids from the hub's Atom", () => {
    const xml = `<feed><entry><yt:videoId>dQw4w9WgXcQ</yt:videoId><yt:channelId>UCabcdefghijklmnopqrstuv</yt:channelId><updated>2026-01-01T00:00:00+00:00</updated></entry></feed>`;
    expect(parseFeed(xml).entries).toEqual([{ videoId: "dQw4w9WgXcQ", channelId: "UCabcdefghijklmnopqrstuv", updated: "2026-01-01T00:00:00+00:00" }]);
  });

  it("counts quota days in Pacific time, as Google resets them", () => {
    expect(quotaDay(Date.parse("2026-03-01T07:59:00Z"))).toBe("2026-02-28");
    expect(quotaDay(Date.parse("2026-03-01T08:01:00Z"))).toBe("2026-03-01");
  });
});

describe("Kick webhooks", () => {
  const kick = generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } });
  const other = generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } });
  const now = Date.parse("2026-03-01T12:00:00Z");
  const sign = (key: string, id: string, ts: string, body: string) => createSign("RSA-SHA256").update(`${id}.${ts}.${body}`).sign(key, "base64");
  const headers = (signature: string, ts: string) => ({ messageId: "01HX", timestamp: ts, signature, eventType: "livestream.status.updated", eventVersion: "1" });

  it("verifies RSA-SHA256 over id.timestamp.body with Kick's key only", async () => {
    const ts = new Date(now - 5_000).toISOString();
    const body = '{"is_live":true}';
    expect(await verifyKick(kick.publicKey, headers(sign(kick.privateKey, "01HX", ts, body), ts), enc(body), now)).toBe("ok");
    expect(await verifyKick(kick.publicKey, headers(sign(kick.privateKey, "01HX", ts, body), ts), enc('{"is_live":false}'), now)).toBe("bad_signature");
    expect(await verifyKick(kick.publicKey, headers(sign(other.privateKey, "01HX", ts, body), ts), enc(body), now)).toBe("bad_signature");
    const old = new Date(now - 20 * 60_000).toISOString();
    expect(await verifyKick(kick.publicKey, headers(sign(kick.privateKey, "01HX", old, body), old), enc(body), now)).toBe("stale");
  });
});

// File uploads through the one Discord REST client, against the fake Discord reading multipart the way Discord does:
// payload_json plus files[n] linked by attachments[].id, the body rebuilt for each retry (after a 500 and a 429, in
// the same rate-limit bucket), refusals counted by the invalid-request guard, and Discord's 50035 for a bad form.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeDiscord, type FakeRequest, type UploadedFile, json, startFakeDiscord } from "../../../test/fakes/discord.ts";
import { DiscordRest, type DiscordRequest } from "./discord-rest.ts";

const BOT = "upload-test-bot-token";
const HTML = "<!doctype html><p>Ticket #7: the NAS is back ✓</p>";

let discord: FakeDiscord;
/** What the fake's channel route saw, per channel: the JSON body it was handed and the parsed files. */
const seen = new Map<string, { body: Record<string, unknown>; files: UploadedFile[] }[]>();
/** Answers to give before the real one, per channel (status, retry_after). */
const faults = new Map<string, { status: number; retryAfter?: number }[]>();

beforeAll(async () => {
  discord = await startFakeDiscord({ clientId: "200000000000000002", clientSecret: "s", redirectUris: [], botToken: BOT });
  discord.route("POST", "/api/v10/channels/:id/messages", (req: FakeRequest) => {
    const channel = req.params.id ?? "";
    const list = seen.get(channel) ?? [];
    list.push({ body: JSON.parse(req.rawBody) as Record<string, unknown>, files: req.files ?? [] });
    seen.set(channel, list);
    const fault = faults.get(channel)?.shift();
    const bucket = { "x-ratelimit-bucket": "upload-bucket", "x-ratelimit-limit": "5", "x-ratelimit-remaining": "4", "x-ratelimit-reset-after": "1" };
    if (fault?.status === 429) return json(429, { message: "You are being rate limited.", retry_after: fault.retryAfter ?? 0.05, global: false }, { ...bucket, "x-ratelimit-remaining": "0", "x-ratelimit-scope": "user" });
    if (fault) return json(fault.status, { message: "500: Internal Server Error", code: 0 });
    return json(200, { id: "900000000000000001", channel_id: channel, attachments: (req.files ?? []).map((f) => ({ id: f.id, filename: f.filename, size: f.size })) }, bucket);
  }, { first: true });
});
afterAll(() => discord.close());

const client = () => new DiscordRest({ baseUrl: discord.url, botToken: BOT, backoffBaseMs: 1, maxWaitMs: 1000 });

const upload = (channel: string, extra: Partial<DiscordRequest> = {}): DiscordRequest => ({
  method: "POST",
  path: `/channels/${channel}/messages`,
  auth: "bot",
  body: { content: "Ticket closed", nonce: "log123", enforce_nonce: true },
  files: [{ name: "transcript-7.html", contentType: "text/html; charset=utf-8", content: HTML, description: "Ticket #7 transcript" }],
  idempotent: true,
  ...extra,
});

describe("uploading files", () => {
  it("sends payload_json and files[0], linked by attachments[0].id, and Discord's answer lists the file", async () => {
    const sent = await client().request<{ attachments: { filename: string; size: number }[] }>(upload("500000000000000001"));
    expect(sent.attachments).toEqual([{ id: "0", filename: "transcript-7.html", size: new TextEncoder().encode(HTML).byteLength }]);
    const [got] = seen.get("500000000000000001") ?? [];
    expect(got?.body).toEqual({
      content: "Ticket closed",
      nonce: "log123",
      enforce_nonce: true,
      // Added by the client to every message that names none (discord-rest-mentions.test.ts).
      allowed_mentions: { parse: [] },
      attachments: [{ id: 0, filename: "transcript-7.html", description: "Ticket #7 transcript" }],
    });
    expect(got?.files).toEqual([{ id: "0", filename: "transcript-7.html", size: new TextEncoder().encode(HTML).byteLength, contentType: "text/html; charset=utf-8", content: HTML, description: "Ticket #7 transcript" }]);
  });

  it("a 500 and then a 429 are retried with the whole file each time", async () => {
    const channel = "500000000000000002";
    faults.set(channel, [{ status: 500 }, { status: 429, retryAfter: 0.05 }]);
    const rest = client();
    await rest.request(upload(channel));
    const attempts = seen.get(channel) ?? [];
    expect(attempts).toHaveLength(3);
    for (const a of attempts) expect(a.files.map((f) => f.content)).toEqual([HTML]);
    // The 429 (user scope) counts as an invalid request, as it would for a JSON body.
    expect(rest.guard.count(Date.now())).toBe(1);
  });

  it("one attempt through send() leaves the request reusable: the same object sent twice carries the file twice", async () => {
    const channel = "500000000000000003";
    const rest = client();
    const req = upload(channel);
    expect((await rest.send(req)).kind).toBe("ok");
    expect((await rest.send(JSON.parse(JSON.stringify(req)) as DiscordRequest)).kind).toBe("ok");
    expect((seen.get(channel) ?? []).map((a) => a.files[0]?.content)).toEqual([HTML, HTML]);
  });
});

describe("the fake refuses a malformed form as Discord does", () => {
  const post = (form: FormData) => fetch(`${discord.url}/channels/500000000000000004/messages`, { method: "POST", headers: { authorization: `Bot ${BOT}` }, body: form });

  it("no payload_json: 400 50035 naming the field", async () => {
    const form = new FormData();
    form.append("files[0]", new Blob([HTML], { type: "text/html" }), "t.html");
    const res = await post(form);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ message: "Invalid Form Body", code: 50035, errors: { payload_json: { _errors: [{ code: "BASE_TYPE_REQUIRED", message: "This field is required" }] } } });
  });

  it("an attachment id with no files[n] part: 400 50035 ATTACHMENT_NOT_FOUND, and nothing is stored", async () => {
    const form = new FormData();
    form.append("payload_json", JSON.stringify({ content: "x", attachments: [{ id: 0, filename: "a.html" }, { id: 3, filename: "b.html" }] }));
    form.append("files[0]", new Blob([HTML], { type: "text/html" }), "a.html");
    const res = await post(form);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ message: "Invalid Form Body", code: 50035, errors: { attachments: { 1: { _errors: [{ code: "ATTACHMENT_NOT_FOUND", message: "Attachment data not found" }] } } } });
    expect(seen.get("500000000000000004")).toBeUndefined();
  });
});

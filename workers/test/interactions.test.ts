// Discord's HTTP interactions endpoint: only requests signed with the application's key get past the door.
// The run's key pair signs (test/global-setup.ts generates it); its public half is DISCORD_PUBLIC_KEY in the bindings.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { InteractionSigner } from "../../test/fakes/interaction-signer.ts";
import { app } from "../src/index.ts";
import { signer } from "./discord/fake-discord.ts";
import { url } from "./support/seed.ts";

const PING = JSON.stringify({ id: "1180000000000000001", application_id: "1180000000000000002", type: 1, token: "aW50ZXJhY3Rpb24", version: 1 });

const timestampNow = () => String(Math.floor(Date.now() / 1000));

function post(body: string, headers: Record<string, string>): Promise<Response> {
  return exports.default.fetch(url("/interactions"), { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
}

async function signedPost(body: string, by: InteractionSigner = signer): Promise<Response> {
  const timestamp = timestampNow();
  const signature = await by.signature(timestamp, body);
  return post(body, { "x-signature-ed25519": signature, "x-signature-timestamp": timestamp });
}

/** The app under a changed environment (a binding is fixed per test project, so this is how a variant is tried). */
async function withEnv(overrides: Partial<typeof env>, request: Request): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(request, { ...env, ...overrides }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

async function signedRequest(body: string): Promise<Request> {
  const timestamp = timestampNow();
  const signature = await signer.signature(timestamp, body);
  return new Request(url("/interactions"), {
    method: "POST",
    headers: { "content-type": "application/json", "x-signature-ed25519": signature, "x-signature-timestamp": timestamp },
    body,
  });
}

async function expectUnauthorized(res: Response): Promise<void> {
  expect(res.status).toBe(401);
  expect(await res.json()).toMatchObject({ error: { code: "UNAUTHORIZED", requestId: expect.any(String) } });
}

describe("POST /interactions", () => {
  it("answers Discord's signed PING with PONG", async () => {
    const res = await signedPost(PING);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ type: 1 });
  });

  it("answers PING without touching Postgres (Neon may be asleep; Discord waits 3 s)", async () => {
    const res = await withEnv({ DB_WS_PROXY: "127.0.0.1:9/v1" }, await signedRequest(PING));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ type: 1 });
  });

  it("refuses a correctly signed but stale interaction (a replay of a captured request)", async () => {
    const stale = String(Math.floor(Date.now() / 1000) - 600);
    const signature = await signer.signature(stale, PING);
    await expectUnauthorized(await post(PING, { "x-signature-ed25519": signature, "x-signature-timestamp": stale }));
  });

  it("answers 401 while DISCORD_PUBLIC_KEY is not configured", async () => {
    await expectUnauthorized(await withEnv({ DISCORD_PUBLIC_KEY: "" }, await signedRequest(PING)));
  });

  it("rejects a body changed after signing", async () => {
    const timestamp = timestampNow();
    const signature = await signer.signature(timestamp, PING);
    await expectUnauthorized(await post(PING.replace('"type":1', '"type":2'), { "x-signature-ed25519": signature, "x-signature-timestamp": timestamp }));
  });

  it("rejects a timestamp changed after signing", async () => {
    const timestamp = timestampNow();
    const signature = await signer.signature(timestamp, PING);
    await expectUnauthorized(await post(PING, { "x-signature-ed25519": signature, "x-signature-timestamp": String(Number(timestamp) + 1) }));
  });

  it("rejects a request signed with another key", async () => {
    await expectUnauthorized(await signedPost(PING, await InteractionSigner.generate()));
  });

  it("rejects requests without the signature headers", async () => {
    const timestamp = timestampNow();
    const signature = await signer.signature(timestamp, PING);
    await expectUnauthorized(await post(PING, {}));
    await expectUnauthorized(await post(PING, { "x-signature-timestamp": timestamp }));
    await expectUnauthorized(await post(PING, { "x-signature-ed25519": signature }));
  });

  it("rejects signatures that are not 64 bytes of hex", async () => {
    const timestamp = timestampNow();
    const signature = await signer.signature(timestamp, PING);
    for (const bad of [`${signature.slice(0, -2)}zz`, signature.slice(0, -2), `${signature}00`, "not hex at all"]) {
      await expectUnauthorized(await post(PING, { "x-signature-ed25519": bad, "x-signature-timestamp": timestamp }));
    }
  });

  it("answers 400 to a validly signed body that is not JSON or not an interaction", async () => {
    const notJson = await signedPost("{ this is not json");
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ error: { code: "BAD_REQUEST" } });

    const notInteraction = await signedPost(JSON.stringify({ hello: "world" }));
    expect(notInteraction.status).toBe(400);
    expect(await notInteraction.json()).toMatchObject({ error: { code: "BAD_REQUEST", details: { issues: expect.any(Array) } } });
  });

  it("answers a command it cannot route with an ephemeral 'not available' (Discord shows a 4xx/5xx as a failure)", async () => {
    const res = await signedPost(PING.replace('"type":1', '"type":2'));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ type: 4, data: { content: "This command is not available.", flags: 64 } });
  });
});

describe("failed signatures are rate limited per client, good ones never", () => {
  it("answers 429 after 60 rejected requests from one address, while Discord's signed requests still pass", async () => {
    const ip = `198.51.100.${Math.floor(Math.random() * 200) + 1}`;
    const forged = () => post(PING, { "x-signature-ed25519": "00".repeat(64), "x-signature-timestamp": timestampNow(), "cf-connecting-ip": ip });
    for (let i = 0; i < 60; i++) expect((await forged()).status).toBe(401);
    const limited = await forged();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ error: { code: "RATE_LIMITED" } });

    // Another address is unaffected, and a correctly signed request from the limited one still gets through.
    const other = await post(PING, { "x-signature-ed25519": "00".repeat(64), "x-signature-timestamp": timestampNow(), "cf-connecting-ip": "203.0.113.9" });
    expect(other.status).toBe(401);
    const timestamp = timestampNow();
    const signature = await signer.signature(timestamp, PING);
    const good = await post(PING, { "x-signature-ed25519": signature, "x-signature-timestamp": timestamp, "cf-connecting-ip": ip });
    expect(good.status).toBe(200);
  });
});

// Kick's 429 (Too Many Requests with Retry-After, seconds) holds back the whole app (its client id), not one request:
// the next request of that app, from any caller of this isolate, is refused with RATE_LIMITED and the seconds left
// without reaching Kick; once Retry-After has passed it goes out again; another app is not held back. Through the API a
// channel lookup (adding a Kick streamer to go-live) answers 429 RATE_LIMITED in the one error model with Retry-After,
// and the same request succeeds once Kick answers again. Each test throttles a channel slug of its own in the fake,
// and the first one runs under a Kick app of its own, so no other suite feels it.
import { randomUUID } from "node:crypto";
import { describe, expect, it, vi } from "vitest";
import { createCache } from "../../src/cache/create-cache.ts";
import { loadConfig } from "../../src/config/config.ts";
import { AppError } from "../../src/errors/app-error.ts";
import { KickClient } from "../../src/platforms/kick/kick-client.ts";
import { KICK, env, fake, seedGoLiveTenant } from "../go-live/go-live-harness.ts";
import { asUser } from "../support/seed.ts";
import { callWorker } from "../support/worker-call.ts";

/** A Kick channel of this test's own that Kick will answer 429 about `times` times. */
async function throttledChannel(retryAfter: number) {
  const slug = `busy-${randomUUID().slice(0, 8)}`;
  const broadcasterUserId = 9_000_000 + Math.floor(Math.random() * 1_000_000);
  await fake(KICK, "/__control/kick/channels", [{ broadcaster_user_id: broadcasterUserId, slug, live: false }]);
  await fake(KICK, "/__control/kick/rate-limited", { slug, times: 1, retryAfter });
  const lookups = async () => (await fake<{ lookups: number }>(KICK, `/__control/kick/channel-lookups?slug=${slug}`)).lookups;
  return { slug, broadcasterUserId, lookups };
}

async function rateLimited(work: Promise<unknown>): Promise<AppError> {
  const err = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(AppError);
  expect((err as AppError).code).toBe("RATE_LIMITED");
  return err as AppError;
}

/** A Kick app of this test's own (Kick's limits are the app's), and a fresh client of it per request, on a clock the test moves. */
async function ownApp() {
  const app = { clientId: `rl-${randomUUID()}`, clientSecret: `secret-${randomUUID()}` };
  await fake(KICK, "/__control/kick/apps", app);
  const clock = { now: Math.floor(Date.now() / 1000) * 1000 };
  const cache = createCache(env, loadConfig(env));
  const request = (clientId = app.clientId, clientSecret = app.clientSecret) => new KickClient({ apiBase: KICK, authBase: KICK, clientId, clientSecret, cache, now: () => clock.now });
  return { clock, request };
}

describe("Kick 429 Too Many Requests", () => {
  it("a 429 with Retry-After → RATE_LIMITED; the app's next request within the window is refused before it reaches Kick; after it, it goes out and succeeds", async () => {
    const { slug, broadcasterUserId, lookups } = await throttledChannel(30);
    const { clock, request } = await ownApp();

    const first = await rateLimited(request().channels({ slugs: [slug] }));
    expect(first.message).toBe("kick: rate limit reached; retry in 30 s");
    expect(first.details).toEqual({ platform: "kick", retryAfterSeconds: 30 });
    expect(await lookups()).toBe(1);

    // Another request of the same app, 10 s later: Kick is not asked, and the caller learns how long to wait.
    clock.now += 10_000;
    const waiting = await rateLimited(request().channels({ slugs: [slug] }));
    expect(waiting.message).toBe("kick: rate limit reached; retry in 20 s");
    expect(waiting.details).toEqual({ platform: "kick", retryAfterSeconds: 20 });
    expect(waiting.headers).toEqual({ "Retry-After": "20" });
    expect(await lookups()).toBe(1);

    // Kick limits apps one by one: the suites' own app still gets through meanwhile.
    expect(await request(env.KICK_CLIENT_ID, env.KICK_CLIENT_SECRET).channels({ slugs: [slug] })).toEqual([expect.objectContaining({ broadcaster_user_id: broadcasterUserId })]);
    expect(await lookups()).toBe(2);

    clock.now += 20_000;
    expect(await request().channels({ slugs: [slug] })).toEqual([expect.objectContaining({ broadcaster_user_id: broadcasterUserId, slug })]);
    expect(await lookups()).toBe(3);
  });

  it("through the API: adding a Kick streamer while Kick answers 429 → 429 RATE_LIMITED with Retry-After; the same request succeeds once Kick answers again", async () => {
    const { slug, broadcasterUserId, lookups } = await throttledChannel(1);
    const tenant = await seedGoLiveTenant("Kick rate limit lab");
    const add = () =>
      callWorker(
        `/api/t/${tenant.tenantId}/go-live/streamers`,
        asUser(tenant.owner, { method: "POST", body: JSON.stringify({ platform: "kick", account: slug, guildId: tenant.guildId, channelId: tenant.channelId }) }),
      );

    const refused = await add();
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(await refused.json()).toEqual({
      error: { code: "RATE_LIMITED", message: "kick: rate limit reached; retry in 1 s", details: { platform: "kick", retryAfterSeconds: 1 }, requestId: expect.any(String) },
    });
    expect(await lookups()).toBe(1);

    // The user tries again as told (Retry-After: 1): the lookup goes out and the streamer is added.
    const added = await vi.waitFor(async () => {
      const res = await add();
      expect(res.status, await res.clone().text()).toBe(201);
      return res;
    }, { timeout: 10_000, interval: 250 });
    expect(await added.json()).toMatchObject({ platform: "kick", platformUserId: String(broadcasterUserId), login: slug });
    expect(await lookups()).toBeGreaterThanOrEqual(2);
  });
});

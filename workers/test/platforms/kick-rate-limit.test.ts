// Kick's 429 (Too Many Requests with Retry-After, seconds): the Kick client refuses further calls with RATE_LIMITED
// and the seconds left until Retry-After has passed, without asking Kick again meanwhile, and calls out again after it;
// through the API a channel lookup (adding a Kick streamer to go-live) answers 429 RATE_LIMITED in the one error model
// with Retry-After, and the same request succeeds once Kick answers again. Each test throttles a channel slug of its
// own in the fake, so no other suite feels it.
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

describe("Kick 429 Too Many Requests", () => {
  it("a 429 with Retry-After → RATE_LIMITED with the seconds left, Kick not asked until then; after the wait the lookup goes out and succeeds", async () => {
    const { slug, broadcasterUserId, lookups } = await throttledChannel(30);
    const clock = { now: Math.floor(Date.now() / 1000) * 1000 };
    const config = loadConfig(env);
    const client = new KickClient({ apiBase: KICK, authBase: KICK, clientId: env.KICK_CLIENT_ID, clientSecret: env.KICK_CLIENT_SECRET, cache: createCache(env, config), now: () => clock.now });

    const first = await rateLimited(client.channels({ slugs: [slug] }));
    expect(first.message).toBe("kick: rate limit reached; retry in 30 s");
    expect(first.details).toEqual({ platform: "kick", retryAfterSeconds: 30 });
    expect(await lookups()).toBe(1);

    clock.now += 10_000;
    const waiting = await rateLimited(client.channels({ broadcasterUserIds: [broadcasterUserId] }));
    expect(waiting.details).toEqual({ platform: "kick", retryAfterSeconds: 20 });
    expect(await lookups()).toBe(1);

    clock.now += 20_000;
    expect(await client.channels({ slugs: [slug] })).toEqual([expect.objectContaining({ broadcaster_user_id: broadcasterUserId, slug })]);
    expect(await lookups()).toBe(2);
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

// Twitch's Ratelimit-* headers (Helix: a bucket of points per minute per client id): once Twitch says the bucket is
// empty, the next Helix call is refused here with RATE_LIMITED and a retry time, before anything reaches Twitch; it
// goes out again after Ratelimit-Reset; a 429 is honoured the same way. Each test drains a Twitch app of its own in
// the fake (the bucket is per client id), so no other suite feels it.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { AppError } from "../../src/errors/app-error.ts";
import { TwitchClient } from "../../src/platforms/twitch/twitch-client.ts";
import { TWITCH, env, fake, seedGoLiveTenant } from "../go-live/go-live-harness.ts";
import { asUser } from "../support/seed.ts";
import { callWorker, envNamed } from "../support/worker-call.ts";

interface AppState {
  helixCalls: number;
}

/** A Twitch app of this test's own, and a client of it whose clock the test moves. */
async function ownApp() {
  const app = { clientId: `rl${randomUUID().replace(/-/g, "").slice(0, 20)}`, clientSecret: `secret-${randomUUID()}` };
  await fake(TWITCH, "/__control/twitch/apps", app);
  await fake(TWITCH, "/__control/twitch/users", [{ id: "4401", login: "ratelimited", display_name: "RateLimited" }]);
  // Whole seconds: Ratelimit-Reset is epoch seconds.
  const clock = { now: Math.floor(Date.now() / 1000) * 1000 };
  const client = new TwitchClient({ apiBase: `${TWITCH}/helix`, authBase: `${TWITCH}/oauth2`, ...app, now: () => clock.now });
  const helixCalls = async () => (await fake<AppState>(TWITCH, `/__control/twitch/apps/${app.clientId}`)).helixCalls;
  const bucket = (b: { limit: number; remaining: number; resetAt: number }) => fake(TWITCH, "/__control/twitch/bucket", { ...b, clientId: app.clientId });
  return { app, clock, client, helixCalls, bucket };
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

describe("Twitch Ratelimit-* headers", () => {
  it("a call that empties the bucket → the next is refused before it reaches Twitch, with the seconds until Ratelimit-Reset; after the reset it goes out", async () => {
    const { clock, client, helixCalls, bucket } = await ownApp();
    await bucket({ limit: 10, remaining: 1, resetAt: clock.now + 60_000 });

    // The last point: Twitch answers, and says Ratelimit-Remaining: 0 until the reset.
    expect(await client.getUsers({ logins: ["ratelimited"] })).toMatchObject([{ id: "4401" }]);
    expect(await helixCalls()).toBe(1);
    expect(client.http.rateLimit).toEqual({ limit: 10, remaining: 0, resetAt: clock.now + 60_000 });

    clock.now += 15_000;
    const refused = await rateLimited(client.getUsers({ logins: ["ratelimited"] }));
    expect(refused.message).toBe("twitch: rate limit reached; retry in 45 s");
    expect(refused.details).toEqual({ platform: "twitch", retryAfterSeconds: 45 });
    expect(await helixCalls()).toBe(1);

    // Ratelimit-Reset has passed: Twitch refilled the bucket (the fake's reset is set in the past so it refills).
    await bucket({ limit: 10, remaining: 0, resetAt: Date.now() - 1 });
    clock.now += 45_000;
    expect(await client.getUsers({ logins: ["ratelimited"] })).toMatchObject([{ id: "4401" }]);
    expect(await helixCalls()).toBe(2);
    expect(client.http.rateLimit.remaining).toBe(9);
  });

  it("a 429 with Ratelimit-Reset is honoured: no call until then", async () => {
    const { clock, client, helixCalls, bucket } = await ownApp();
    await bucket({ limit: 10, remaining: 0, resetAt: clock.now + 30_000 });

    const first = await rateLimited(client.getUsers({ ids: ["4401"] }));
    expect(first.details).toEqual({ platform: "twitch", retryAfterSeconds: 30 });
    expect(await helixCalls()).toBe(1);

    clock.now += 29_000;
    expect((await rateLimited(client.getStreams(["4401"]))).details).toEqual({ platform: "twitch", retryAfterSeconds: 1 });
    expect(await helixCalls()).toBe(1);

    await bucket({ limit: 10, remaining: 0, resetAt: Date.now() - 1 });
    clock.now += 1_000;
    expect(await client.getStreams(["4401"])).toEqual([]);
    expect(await helixCalls()).toBe(2);
  });

  it("through the API: 429 RATE_LIMITED in the one error model, with Retry-After, and Twitch is not asked", async () => {
    const { app, helixCalls, bucket } = await ownApp();
    const tenant = await seedGoLiveTenant("Twitch rate limit lab");
    const workerEnv = { ...envNamed(), TWITCH_CLIENT_ID: app.clientId, TWITCH_CLIENT_SECRET: app.clientSecret };
    await bucket({ limit: 10, remaining: 1, resetAt: Date.now() + 60_000 });
    const add = (account: string) =>
      callWorker(
        `/api/t/${tenant.tenantId}/go-live/streamers`,
        asUser(tenant.owner, { method: "POST", body: JSON.stringify({ platform: "twitch", account, guildId: tenant.guildId, channelId: tenant.channelId }) }),
        workerEnv,
      );

    const first = await add("ratelimited");
    expect(first.status, await first.clone().text()).toBe(201);
    const calls = await helixCalls();
    const res = await add("someone_else");
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(0);
    expect(await res.json()).toEqual({
      error: { code: "RATE_LIMITED", message: `twitch: rate limit reached; retry in ${retryAfter} s`, details: { platform: "twitch", retryAfterSeconds: retryAfter }, requestId: expect.any(String) },
    });
    expect(await helixCalls()).toBe(calls);
    expect(env.TWITCH_CLIENT_ID).not.toBe(app.clientId);
  });
});

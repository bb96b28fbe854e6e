// The rate limiter over both cache adapters, directly and as middleware on an app built by newApp().
import { describe, expect, inject, it } from "vitest";
import { newApp } from "../../src/app.ts";
import type { Cache } from "../../src/cache/cache.ts";
import { createUpstashCache } from "../../src/cache/upstash-cache.ts";
import type { ErrorBody } from "../../src/errors/app-error.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { checkRateLimit, rateLimit, slidingWindow } from "../../src/rate-limit/rate-limit.ts";
import { cacheAdapters, env, runPrefix } from "./adapters.ts";

// Ten seconds into a minute window, so a run never straddles a window boundary.
const WINDOW = 60;
const MID_WINDOW = Math.floor(Date.now() / (WINDOW * 1000)) * WINDOW * 1000 + 10_000;

describe("slidingWindow", () => {
  it("counts the previous window in proportion to how much of it is still inside", () => {
    // 30 s into the window: half of the previous window's 8 still counts, 4 + 5 = 9 of 10.
    expect(slidingWindow({ limit: 10, windowSeconds: 60, previous: 8, current: 5, elapsedSeconds: 30 })).toEqual({
      allowed: true,
      remaining: 1,
      resetSeconds: 30,
    });
  });

  it("tells a refused client when the previous window will have decayed enough", () => {
    // 4 + 6 = 10 allowed, 4 + 7 = 11 refused; one more fits once the previous share drops to 2 of 8, 15 s before the end.
    expect(slidingWindow({ limit: 10, windowSeconds: 60, previous: 8, current: 7, elapsedSeconds: 30 })).toEqual({
      allowed: false,
      remaining: 0,
      resetSeconds: 15,
    });
  });

  it("sends a client over its limit within the window to the next window", () => {
    // 11 of 10 with nothing before: the 50 s left, then until 11 * (share left) + 1 <= 10, 2/11 of the next window.
    const result = slidingWindow({ limit: 10, windowSeconds: 60, previous: 0, current: 11, elapsedSeconds: 10 });
    expect(result).toEqual({ allowed: false, remaining: 0, resetSeconds: 61 });
  });
});

describe.each(cacheAdapters)("rate limit on the $adapter cache", ({ adapter, create }) => {
  const cache = create();

  it("allows the limit, then refuses with a Retry-After inside two windows", async () => {
    const rule = { key: `${runPrefix}:${adapter}:direct`, limit: 5, windowSeconds: WINDOW };
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await checkRateLimit(cache, rule, MID_WINDOW));
    expect(results.map((r) => [r.allowed, r.remaining])).toEqual([
      [true, 4],
      [true, 3],
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
    expect(results[0]?.resetSeconds).toBe(50);
    expect(results[5]?.resetSeconds).toBeGreaterThanOrEqual(50);
    expect(results[5]?.resetSeconds).toBeLessThanOrEqual(2 * WINDOW);
  });

  it("lets exactly the limit through when requests race", async () => {
    const rule = { key: `${runPrefix}:${adapter}:race`, limit: 5, windowSeconds: WINDOW };
    const results = await Promise.all(Array.from({ length: 20 }, () => checkRateLimit(cache, rule, MID_WINDOW)));
    expect(results.filter((r) => r.allowed)).toHaveLength(5);
  });

  it("as middleware: answers 429 RATE_LIMITED with Retry-After, per client IP", async () => {
    const app = limitedApp(cache);
    const from = (ip: string) => app.request("/limited", { headers: { "cf-connecting-ip": ip } }, env);
    const ip = `${runPrefix}:${adapter}:client-a`;

    const first = await from(ip);
    expect(first.status).toBe(200);
    expect(first.headers.get("RateLimit-Limit")).toBe("2");
    expect(first.headers.get("RateLimit-Remaining")).toBe("1");
    expect(Number(first.headers.get("RateLimit-Reset"))).toBeGreaterThan(0);
    expect((await from(ip)).status).toBe(200);

    const refused = await from(ip);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("Retry-After"))).toBeGreaterThan(0);
    expect(refused.headers.get("RateLimit-Remaining")).toBe("0");
    const body = (await refused.json()) as ErrorBody;
    expect(body.error.code).toBe("RATE_LIMITED");

    expect((await from(`${runPrefix}:${adapter}:client-b`)).status).toBe(200);
  });
});

describe("rate limit when the cache is down", () => {
  // A real failure: the Upstash bridge refuses a wrong token, as Upstash does.
  const down = () => createUpstashCache({ url: inject("upstashUrl"), token: "wrong-token" });

  it("lets reads through and logs a warning", async () => {
    const logs: string[] = [];
    const res = await limitedApp(down(), logs).request("/limited", { headers: { "cf-connecting-ip": "203.0.113.9" } }, env);
    expect(res.status).toBe(200);
    expect(res.headers.get("RateLimit-Limit")).toBeNull();
    const warning = logs.map((l) => JSON.parse(l)).find((l) => l.level === "warn");
    expect(warning).toMatchObject({ msg: "rate limiter unavailable, request allowed", limiter: "test-limited", adapter: "upstash" });
  });

  it("refuses writes rather than leave them unlimited", async () => {
    const res = await limitedApp(down()).request("/limited", { method: "POST", headers: { "cf-connecting-ip": "203.0.113.9" } }, env);
    expect(res.status).toBe(502);
    expect(((await res.json()) as ErrorBody).error.code).toBe("UPSTREAM");
  });
});

/** The real app factory with this test's cache and a log sink swapped into the request's services. */
function limitedApp(cache: Cache, logs: string[] = []) {
  const app = newApp();
  app.use(async (c, next) => {
    c.var.services.cache = cache;
    c.var.services.logger = createLogger({}, "debug", (line) => logs.push(line));
    await next();
  });
  const limited = rateLimit({ name: "test-limited", limit: 2, windowSeconds: WINDOW });
  app.get("/limited", limited, (c) => c.text("ok"));
  app.post("/limited", limited, (c) => c.text("ok"));
  return app;
}

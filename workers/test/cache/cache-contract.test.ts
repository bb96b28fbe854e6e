// One contract for both cache adapters: what the rate limiter, webhook de-duplication and /healthz rely on.
import { describe, expect, it, vi } from "vitest";
import { cacheAdapters, runPrefix } from "./adapters.ts";

// Long enough for a loaded CI machine; the loop ends as soon as the value is gone.
const untilExpired = { timeout: 15_000, interval: 100 };

describe.each(cacheAdapters)("$adapter cache", ({ adapter, create }) => {
  const cache = create();
  const key = (label: string) => `${runPrefix}:${adapter}:${label}`;

  it("names its adapter", () => {
    expect(cache.adapter).toBe(adapter);
  });

  it("reads back a stored value, replaces it, and forgets it once deleted", async () => {
    const k = key("roundtrip");
    expect(await cache.get(k)).toBeNull();
    await cache.set(k, "first ✓ {\"json\": 42}");
    expect(await cache.get(k)).toBe("first ✓ {\"json\": 42}");
    await cache.set(k, "42");
    expect(await cache.get(k)).toBe("42");
    await cache.delete(k);
    expect(await cache.get(k)).toBeNull();
    await cache.delete(k);
  });

  it("forgets a value when its TTL runs out", async () => {
    const k = key("ttl");
    await cache.set(k, "short-lived", { ttlSeconds: 1 });
    await cache.set(key("ttl-none"), "kept");
    expect(await cache.get(k)).toBe("short-lived");
    await vi.waitFor(async () => expect(await cache.get(k)).toBeNull(), untilExpired);
    expect(await cache.get(key("ttl-none"))).toBe("kept");
  });

  it("counts 50 concurrent increments exactly once each", async () => {
    const k = key("incr-concurrent");
    const results = await Promise.all(Array.from({ length: 50 }, () => cache.incr(k, 60)));
    expect([...results].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(await cache.get(k)).toBe("50");
  });

  it("adds a given amount in one step (a YouTube call books its quota units at once)", async () => {
    const k = key("incr-by");
    expect(await cache.incr(k, 60, 50)).toBe(50);
    expect(await cache.incr(k, 60)).toBe(51);
    expect(await cache.incr(k, 60, 5)).toBe(56);
  });

  it("sets a counter's TTL when it is created, not on every increment", async () => {
    const k = key("incr-ttl");
    expect(await cache.incr(k, 1)).toBe(1);
    // Had this call moved the expiry to an hour, the counter would outlive the wait below.
    expect(await cache.incr(k, 3600)).toBe(2);
    await vi.waitFor(async () => expect(await cache.get(k)).toBeNull(), untilExpired);
    expect(await cache.incr(k, 60)).toBe(1);
  });

  it("refuses to increment a value that is not an integer", async () => {
    const k = key("incr-text");
    await cache.set(k, "not a number");
    await expect(cache.incr(k, 60)).rejects.toThrow(/not an integer/);
  });

  it("sets if absent only the first time, and again after the mark expires", async () => {
    const k = key("once");
    expect(await cache.setIfAbsent(k, "delivery-1", 1)).toBe(true);
    expect(await cache.setIfAbsent(k, "delivery-2", 1)).toBe(false);
    expect(await cache.get(k)).toBe("delivery-1");
    await vi.waitFor(async () => expect(await cache.get(k)).toBeNull(), untilExpired);
    expect(await cache.setIfAbsent(k, "delivery-3", 60)).toBe(true);
    expect(await cache.get(k)).toBe("delivery-3");
  });

  it("sets if absent without an expiry: later writers of the key are refused until it is deleted", async () => {
    const k = key("once-forever");
    expect(await cache.setIfAbsent(k, "material-1")).toBe(true);
    expect(await cache.setIfAbsent(k, "material-2")).toBe(false);
    expect(await cache.get(k)).toBe("material-1");
    await cache.delete(k);
    expect(await cache.setIfAbsent(k, "material-3")).toBe(true);
    expect(await cache.get(k)).toBe("material-3");
  });

  it("takes a value once: read and deleted together", async () => {
    const k = key("take");
    await cache.set(k, "single-use", { ttlSeconds: 60 });
    expect(await cache.take(k)).toBe("single-use");
    expect(await cache.get(k)).toBeNull();
    expect(await cache.take(k)).toBeNull();
  });

  it("gives a value to exactly one of 20 concurrent takers", async () => {
    const k = key("take-concurrent");
    await cache.set(k, "only-one", { ttlSeconds: 60 });
    const taken = await Promise.all(Array.from({ length: 20 }, () => cache.take(k)));
    expect(taken.filter((v) => v !== null)).toEqual(["only-one"]);
  });

  it("takes nothing once the TTL has run out", async () => {
    const k = key("take-ttl");
    await cache.set(k, "short-lived", { ttlSeconds: 1 });
    await vi.waitFor(async () => expect(await cache.get(k)).toBeNull(), untilExpired);
    expect(await cache.take(k)).toBeNull();
  });

  it("answers a ping", async () => {
    expect(await cache.ping()).toBe(true);
  });
});

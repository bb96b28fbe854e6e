// Cache adapter for Upstash Redis over its REST API (one HTTPS request per call, no socket to keep in a Worker).
import { Redis } from "@upstash/redis/cloudflare";
import type { Cache } from "./cache.ts";

// One round trip and atomic (Redis runs a script alone). The expiry is set whenever the key has none, not only on
// the first increment, so a counter can never be left without one.
const INCR_WITH_TTL = `
local n = redis.call("INCRBY", KEYS[1], ARGV[2])
if redis.call("TTL", KEYS[1]) == -1 then redis.call("EXPIRE", KEYS[1], ARGV[1]) end
return n`;

export function createUpstashCache(options: { url: string; token: string }): Cache {
  const redis = new Redis({
    url: options.url,
    token: options.token,
    // Values are opaque strings: without this the client JSON-parses them ("42" would come back as the number 42).
    automaticDeserialization: false,
    enableTelemetry: false,
    // The default (5 retries, exponential backoff) holds a request for seconds when Upstash is down;
    // callers such as the rate limiter would rather fail fast and decide for themselves.
    retry: { retries: 1, backoff: () => 50 },
  });
  return {
    adapter: "upstash",
    get: (key) => redis.get<string>(key),
    set: async (key, value, opts) => {
      await (opts?.ttlSeconds === undefined ? redis.set(key, value) : redis.set(key, value, { ex: opts.ttlSeconds }));
    },
    delete: async (key) => {
      await redis.del(key);
    },
    // GETDEL (Redis 6.2+, supported by Upstash): one command, so two takers can never both read the value.
    take: (key) => redis.getdel<string>(key),
    incr: async (key, ttlSeconds, by = 1) => Number(await redis.eval(INCR_WITH_TTL, [key], [String(ttlSeconds), String(by)])),
    setIfAbsent: async (key, value, ttlSeconds) =>
      (await (ttlSeconds === undefined ? redis.set(key, value, { nx: true }) : redis.set(key, value, { nx: true, ex: ttlSeconds }))) === "OK",
    ping: () => redis.ping().then((reply) => reply === "PONG", () => false),
  };
}

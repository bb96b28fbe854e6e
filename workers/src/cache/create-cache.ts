// Picks the cache adapter: Upstash Redis when both of its variables are set, otherwise the embedded CacheStore objects.
import type { Config } from "../config/config.ts";
import type { Env } from "../env.ts";
import type { Cache } from "./cache.ts";
import { createDurableCache } from "./durable-cache.ts";
import { createUpstashCache } from "./upstash-cache.ts";

export function createCache(env: Env, config: Config): Cache {
  if (config.UPSTASH_REDIS_REST_URL && config.UPSTASH_REDIS_REST_TOKEN) {
    return createUpstashCache({ url: config.UPSTASH_REDIS_REST_URL, token: config.UPSTASH_REDIS_REST_TOKEN });
  }
  return createDurableCache(env.CACHE_STORE);
}

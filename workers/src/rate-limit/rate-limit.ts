// Rate limiting on the shared Cache: a sliding window estimated from two fixed windows (Cloudflare's and Upstash's
// approach), so a client cannot send twice the limit across a window boundary, at the cost of two cache calls.
import type { Context, MiddlewareHandler } from "hono";
import type { Cache } from "../cache/cache.ts";
import { AppError } from "../errors/app-error.ts";
import type { AppEnv } from "../http/context.ts";

export interface RateLimitRule {
  /** Who is limited for what, e.g. "login:203.0.113.7". */
  key: string;
  limit: number;
  windowSeconds: number;
}

export interface RateLimitResult {
  allowed: boolean;
  remaining: number;
  /** Allowed: seconds until the current window ends. Denied: seconds until one more request would pass (Retry-After). */
  resetSeconds: number;
}

export interface WindowCounts {
  limit: number;
  windowSeconds: number;
  /** Requests counted in the previous fixed window. */
  previous: number;
  /** Requests counted in the current fixed window, this one included. */
  current: number;
  /** Seconds since the current fixed window began. */
  elapsedSeconds: number;
}

/** The sliding-window decision, pure: the previous window counts in proportion to how much of it is still inside. */
export function slidingWindow(w: WindowCounts): RateLimitResult {
  const untilNextWindow = w.windowSeconds - w.elapsedSeconds;
  const used = w.previous * (untilNextWindow / w.windowSeconds) + w.current;
  if (used <= w.limit) {
    return { allowed: true, remaining: Math.max(0, Math.floor(w.limit - used)), resetSeconds: Math.max(1, Math.ceil(untilNextWindow)) };
  }
  // Denied: when would previous * (share left) + current + 1 fit, if the client sends nothing meanwhile?
  let wait: number;
  if (w.current + 1 <= w.limit && w.previous > 0) {
    const share = (w.limit - w.current - 1) / w.previous;
    wait = untilNextWindow - share * w.windowSeconds;
  } else {
    // Not within this window: next window, this window's count becomes the decaying previous one.
    const share = w.current > 0 ? Math.min(1, Math.max(0, (w.limit - 1) / w.current)) : 0;
    wait = untilNextWindow + (1 - share) * w.windowSeconds;
  }
  return { allowed: false, remaining: 0, resetSeconds: Math.max(1, Math.ceil(wait)) };
}

/**
 * Counts this request and decides. The counter is incremented before deciding (one atomic incr, no read-then-write
 * race between concurrent requests), so denied requests count too: a client that keeps hammering stays limited.
 */
export async function checkRateLimit(cache: Cache, rule: RateLimitRule, now = Date.now()): Promise<RateLimitResult> {
  const windowMs = rule.windowSeconds * 1000;
  const window = Math.floor(now / windowMs);
  const [current, previous] = await Promise.all([
    // Kept for two windows: it is read as the previous window during the next one.
    cache.incr(`rl:${rule.key}:${window}`, rule.windowSeconds * 2),
    cache.get(`rl:${rule.key}:${window - 1}`),
  ]);
  return slidingWindow({
    limit: rule.limit,
    windowSeconds: rule.windowSeconds,
    previous: Number(previous ?? 0),
    current,
    elapsedSeconds: (now - window * windowMs) / 1000,
  });
}

export interface RateLimitOptions {
  /** Names the limit, so two limits on the same client count separately. */
  name: string;
  limit: number;
  windowSeconds: number;
  /** Whom to count; the client IP by default. */
  key?: (c: Context<AppEnv>) => string;
  /** Let unsafe methods through too when the cache is down (reads always go through); for limits that only shed load. */
  failOpen?: boolean;
}

/** Cloudflare sets cf-connecting-ip on every request it proxies; without it we are on a local dev server. */
export const clientIp = (c: Context<AppEnv>): string => c.req.header("cf-connecting-ip") ?? "local";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export function rateLimit(options: RateLimitOptions): MiddlewareHandler<AppEnv> {
  const keyOf = options.key ?? clientIp;
  return async (c, next) => {
    const { cache, logger, now } = c.var.services;
    let result: RateLimitResult;
    try {
      result = await checkRateLimit(
        cache,
        { key: `${options.name}:${keyOf(c)}`, limit: options.limit, windowSeconds: options.windowSeconds },
        now().getTime(),
      );
    } catch (err) {
      // Fail open for reads: a cache outage must not lock users out of the app. Writes (logins, token creation,
      // anything worth brute-forcing) fail closed unless the limit says otherwise, since an unlimited write is the risk.
      const open = options.failOpen === true || SAFE_METHODS.has(c.req.method);
      logger.warn(open ? "rate limiter unavailable, request allowed" : "rate limiter unavailable, request refused", {
        limiter: options.name,
        adapter: cache.adapter,
        err,
      });
      if (open) return next();
      throw new AppError("UPSTREAM", "Rate limiter unavailable; try again shortly", { headers: { "Retry-After": "5" } });
    }
    const headers = {
      "RateLimit-Limit": String(options.limit),
      "RateLimit-Remaining": String(result.remaining),
      "RateLimit-Reset": String(result.resetSeconds),
    };
    if (!result.allowed) {
      throw new AppError("RATE_LIMITED", `Too many requests; retry in ${result.resetSeconds} s`, {
        headers: { ...headers, "Retry-After": String(result.resetSeconds) },
      });
    }
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
    await next();
  };
}

/**
 * Counts only requests that end in 401/403, per client, and turns them into 429 past the limit: for
 * webhooks, whose legitimate sender (Discord, Twitch) shares addresses with everyone and must never be
 * throttled. A good request never touches the cache (hot path: verify and answer); only failures do.
 */
export function rateLimitFailures(options: Omit<RateLimitOptions, "failOpen">): MiddlewareHandler<AppEnv> {
  const keyOf = options.key ?? clientIp;
  return async (c, next) => {
    await next();
    if (c.res.status !== 401 && c.res.status !== 403) return;
    const { cache, logger, now } = c.var.services;
    let result: RateLimitResult;
    try {
      result = await checkRateLimit(
        cache,
        { key: `failures:${options.name}:${keyOf(c)}`, limit: options.limit, windowSeconds: options.windowSeconds },
        now().getTime(),
      );
    } catch (err) {
      logger.warn("failure limiter unavailable", { limiter: options.name, err });
      return;
    }
    if (!result.allowed) {
      throw new AppError("RATE_LIMITED", `Too many rejected requests; retry in ${result.resetSeconds} s`, {
        headers: { "Retry-After": String(result.resetSeconds) },
      });
    }
  };
}

// One way to call a streaming platform's API: base URL from config, a timeout (fetches from Workers can hang), the
// platform's rate-limit headers and 429 Retry-After remembered per app (client id) for the whole isolate, and failures
// as AppError RATE_LIMITED / UPSTREAM with the platform named and no credential in the message.
import { AppError } from "../errors/app-error.ts";

export type PlatformName = "twitch" | "youtube" | "kick" | "spotify";

export const PLATFORM_TIMEOUT_MS = 10_000;

/** What the platform last said about our budget (Twitch: Ratelimit-Limit / -Remaining / -Reset, epoch seconds). */
export interface RateLimitState {
  limit: number | null;
  remaining: number | null;
  /** Epoch ms when the bucket refills. */
  resetAt: number | null;
}

/**
 * Per platform and app: Twitch's Helix bucket and Kick's 429 Retry-After belong to the app (its client id), not to one
 * request, so every client of that app in this isolate reads and writes the same state: a request right after a 429
 * waits (RATE_LIMITED) instead of going out again.
 */
const appLimits = new Map<string, RateLimitState>();

/**
 * The rate-limit state shared by every request of this app (`app`: whatever names it uniquely, e.g. auth base + client
 * id). A platform that limits user-token calls per app and user (Twitch) names one state per user under its app key.
 */
export function appRateLimit(platform: PlatformName, app: string): RateLimitState {
  const key = `${platform}|${app}`;
  let state = appLimits.get(key);
  if (!state) {
    state = { limit: null, remaining: null, resetAt: null };
    appLimits.set(key, state);
  }
  return state;
}

export interface PlatformRequest {
  method?: "GET" | "POST" | "PATCH" | "DELETE";
  url: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface PlatformResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

export class PlatformHttp {
  /** The app's shared state when given (appRateLimit), else this client's own. */
  readonly rateLimit: RateLimitState;

  constructor(
    readonly platform: PlatformName,
    private readonly options: { fetch?: typeof fetch; now?: () => number; timeoutMs?: number; rateLimit?: RateLimitState } = {},
  ) {
    this.rateLimit = options.rateLimit ?? { limit: null, remaining: null, resetAt: null };
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** Refuses before sending when the platform said the bucket is empty until a reset still ahead. */
  private checkBudget(): void {
    const { remaining, resetAt } = this.rateLimit;
    const now = this.now();
    if (remaining !== null && remaining <= 0 && resetAt !== null && resetAt > now) throw this.rateLimited(resetAt - now);
  }

  rateLimited(waitMs: number, detail = "rate limit reached"): AppError {
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    return new AppError("RATE_LIMITED", `${this.platform}: ${detail}; retry in ${seconds} s`, { details: { platform: this.platform, retryAfterSeconds: seconds }, headers: { "Retry-After": String(seconds) } });
  }

  upstream(message: string, details: Record<string, unknown> = {}): AppError {
    return new AppError("UPSTREAM", `${this.platform}: ${message}`, { details: { platform: this.platform, ...details } });
  }

  /** Sends once; 2xx gives the parsed JSON (null for an empty body), anything else the raw status for the caller. */
  async send<T = unknown>(req: PlatformRequest): Promise<PlatformResponse<T>> {
    this.checkBudget();
    let res: Response;
    try {
      res = await (this.options.fetch ?? fetch)(req.url, {
        method: req.method ?? "GET",
        headers: req.headers,
        ...(req.body === undefined ? {} : { body: req.body }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? PLATFORM_TIMEOUT_MS),
      });
    } catch (err) {
      const timeout = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
      throw this.upstream(timeout ? "request timed out" : "request failed", { path: pathOf(req.url) });
    }
    this.learn(res.headers);
    const text = await res.text().catch(() => "");
    let body: unknown = null;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    if (res.status === 429) {
      const retryAfter = Number(res.headers.get("retry-after"));
      const wait = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : Math.max(1000, (this.rateLimit.resetAt ?? 0) - this.now());
      this.rateLimit.remaining = 0;
      this.rateLimit.resetAt = Math.max(this.rateLimit.resetAt ?? 0, this.now() + wait);
      throw this.rateLimited(wait);
    }
    return { status: res.status, body: body as T, headers: res.headers };
  }

  /** Sends and requires a 2xx; 5xx and unexpected 4xx become UPSTREAM naming the status and the platform's message. */
  async json<T>(req: PlatformRequest): Promise<T> {
    const res = await this.send<T>(req);
    if (res.status >= 200 && res.status < 300) return res.body;
    throw this.upstream(`${req.method ?? "GET"} ${pathOf(req.url)} answered ${res.status}${messageOf(res.body)}`, { status: res.status, path: pathOf(req.url) });
  }

  private learn(headers: Headers): void {
    const limit = headers.get("ratelimit-limit");
    const remaining = headers.get("ratelimit-remaining");
    const reset = headers.get("ratelimit-reset");
    if (limit !== null) this.rateLimit.limit = Number(limit);
    if (remaining !== null) this.rateLimit.remaining = Number(remaining);
    if (reset !== null) this.rateLimit.resetAt = Number(reset) * 1000;
  }
}

/** The path only: query strings can hold API keys (YouTube's `key=`). */
export function pathOf(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return "?";
  }
}

function messageOf(body: unknown): string {
  if (body && typeof body === "object") {
    const b = body as { message?: unknown; error?: unknown };
    const m = typeof b.message === "string" ? b.message : typeof b.error === "string" ? b.error : (b.error as { message?: unknown } | undefined)?.message;
    if (typeof m === "string") return `: ${m.slice(0, 200)}`;
  }
  return "";
}

export function hex(bytes: ArrayBuffer | Uint8Array): string {
  return [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function fromHex(s: string): Uint8Array<ArrayBuffer> | null {
  if (!/^(?:[0-9a-f]{2})+$/i.test(s)) return null;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(s.slice(i * 2, i * 2 + 2), 16);
  return out;
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** HMAC check through WebCrypto's verify, which compares in constant time. */
export async function hmacVerify(hash: "SHA-256" | "SHA-1", secret: string, data: Uint8Array<ArrayBuffer>, signature: Uint8Array<ArrayBuffer>): Promise<boolean> {
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), { name: "HMAC", hash }, false, ["verify"]);
  return crypto.subtle.verify("HMAC", key, signature, data);
}

/** Client-credentials app tokens, cached per isolate until shortly before they expire. */
export class AppTokenCache {
  private readonly tokens = new Map<string, { token: string; expiresAt: number }>();

  async get(key: string, now: number, mint: () => Promise<{ token: string; expiresInSeconds: number }>): Promise<string> {
    const hit = this.tokens.get(key);
    if (hit && hit.expiresAt > now) return hit.token;
    const minted = await mint();
    // A minute early: a token that expires mid-request fails with 401.
    this.tokens.set(key, { token: minted.token, expiresAt: now + Math.max(0, minted.expiresInSeconds - 60) * 1000 });
    return minted.token;
  }

  forget(key: string): void {
    this.tokens.delete(key);
  }
}

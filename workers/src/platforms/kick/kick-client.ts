// Kick's public API over fetch: an app access token (client credentials at id.kick.com, cached until expiry),
// GET /public/v1/channels (live state for fallback polling, 50 broadcasters per call), the Events Subscriptions API
// (create, list, delete the app's webhook subscriptions per broadcaster), and Kick's webhook public key
// (GET /public/v1/public-key), cached because every webhook needs it and fetched afresh when a signature fails (Kick may
// rotate it), at most once per PUBLIC_KEY_REFRESH_MS.
import { z } from "zod";
import type { Cache } from "../../cache/cache.ts";
import { AppError } from "../../errors/app-error.ts";
import { AppTokenCache, PlatformHttp, appRateLimit } from "../platform-http.ts";
import type { SignatureVerdict } from "../twitch/eventsub-signature.ts";
import { type KickHeaders, verifyKick } from "./kick-signature.ts";

export const KICK_BATCH = 50;
/** Kick rotates its key rarely; a day of caching keeps webhooks off the key endpoint. */
const PUBLIC_KEY_TTL_SECONDS = 86_400;
/**
 * A failed signature may mean Kick rotated its key, or a forgery: re-fetch at most once per 5 minutes (per isolate
 * and per cache), so anyone can make us ask Kick again only that often.
 */
export const PUBLIC_KEY_REFRESH_MS = 5 * 60_000;

export const KickChannel = z.looseObject({
  broadcaster_user_id: z.number().int(),
  slug: z.string(),
  stream_title: z.string().optional().default(""),
  category: z.looseObject({ id: z.number().optional(), name: z.string().optional().default("") }).nullable().optional(),
  stream: z
    .looseObject({
      is_live: z.boolean(),
      viewer_count: z.number().int().optional().default(0),
      start_time: z.string().optional().default(""),
      thumbnail: z.string().optional().default(""),
    })
    .nullable()
    .optional(),
});
export type KickChannel = z.infer<typeof KickChannel>;

/** One event a subscription asks for (docs.kick.com/events/event-types: name and version, all version 1 today). */
export interface KickEventName {
  name: string;
  version: number;
}

/** POST /public/v1/events/subscriptions answers per event: its new id, or why that one was refused (the rest may pass). */
const KickSubscriptionCreated = z.looseObject({
  name: z.string(),
  version: z.number().int(),
  subscription_id: z.string().nullish(),
  error: z.string().nullish(),
});
export type KickSubscriptionCreated = { name: string; version: number; subscriptionId: string | null; error: string | null };

/** GET /public/v1/events/subscriptions: the app's subscriptions. */
const KickEventSubscriptionWire = z.looseObject({
  id: z.string(),
  app_id: z.string().optional(),
  broadcaster_user_id: z.number().int(),
  event: z.string(),
  version: z.number().int(),
  method: z.string(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
});
export interface KickEventSubscription {
  id: string;
  broadcasterUserId: number;
  event: string;
  version: number;
  method: string;
}

export interface KickClientOptions {
  apiBase: string;
  authBase: string;
  clientId?: string;
  clientSecret?: string;
  cache: Cache;
  fetch?: typeof fetch;
  now?: () => number;
}

const tokens = new AppTokenCache();
const keysInMemory = new Map<string, { pem: string; until: number }>();
const refreshedAt = new Map<string, number>();

export class KickClient {
  readonly http: PlatformHttp;

  constructor(private readonly options: KickClientOptions) {
    // Kick answers a burst with 429 and Retry-After (seconds) for the app: shared per client id like Twitch's bucket, so
    // the next request of any caller in this isolate is refused with RATE_LIMITED until then instead of going out again.
    const shared = options.clientId && !options.fetch ? appRateLimit("kick", `${options.authBase}|${options.clientId}`) : undefined;
    this.http = new PlatformHttp("kick", { fetch: options.fetch, now: options.now, rateLimit: shared });
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private api(path: string): string {
    return `${this.options.apiBase.replace(/\/$/, "")}${path}`;
  }

  appToken(): Promise<string> {
    const { clientId, clientSecret } = this.options;
    if (!clientId || !clientSecret) throw new AppError("MISCONFIGURED", "Kick is not connected (KICK_CLIENT_ID / KICK_CLIENT_SECRET are not set)");
    return tokens.get(`${this.options.authBase}|${clientId}`, this.now(), async () => {
      const res = await this.http.send<{ access_token?: string; expires_in?: number }>({
        method: "POST",
        url: `${this.options.authBase.replace(/\/$/, "")}/oauth/token`,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "client_credentials", client_id: clientId, client_secret: clientSecret }).toString(),
      });
      if (res.status !== 200 || !res.body?.access_token) throw this.http.upstream(`app token refused (${res.status})`, { status: res.status });
      return { token: res.body.access_token, expiresInSeconds: res.body.expires_in ?? 3600 };
    });
  }

  private async authed<T>(method: "GET" | "POST" | "DELETE", path: string, body?: unknown): Promise<T> {
    const token = await this.appToken();
    return this.http.json<T>({
      method,
      url: this.api(path),
      headers: { authorization: `Bearer ${token}`, accept: "application/json", ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  async channels(by: { broadcasterUserIds?: readonly number[]; slugs?: readonly string[] }): Promise<KickChannel[]> {
    const params: [string, string][] = [
      ...(by.broadcasterUserIds ?? []).map((id): [string, string] => ["broadcaster_user_id", String(id)]),
      ...(by.slugs ?? []).map((s): [string, string] => ["slug", s]),
    ];
    const out: KickChannel[] = [];
    for (let i = 0; i < params.length; i += KICK_BATCH) {
      const query = new URLSearchParams(params.slice(i, i + KICK_BATCH)).toString();
      out.push(...z.object({ data: z.array(KickChannel) }).parse(await this.authed<unknown>("GET", `/public/v1/channels?${query}`)).data);
    }
    return out;
  }

  /**
   * Subscribes the app's webhook (its URL is set in the Kick app's settings) to a broadcaster's events. Kick answers
   * 200 with one entry per event; an event it refused carries `error` and no id.
   */
  async createEventSubscriptions(broadcasterUserId: number, events: readonly KickEventName[]): Promise<KickSubscriptionCreated[]> {
    const body = await this.authed<unknown>("POST", "/public/v1/events/subscriptions", { broadcaster_user_id: broadcasterUserId, events, method: "webhook" });
    const parsed = z.object({ data: z.array(KickSubscriptionCreated) }).safeParse(body);
    if (!parsed.success) throw this.http.upstream("unexpected events/subscriptions answer", { path: "/public/v1/events/subscriptions" });
    return parsed.data.data.map((d) => ({ name: d.name, version: d.version, subscriptionId: d.subscription_id || null, error: d.error || null }));
  }

  /** The app's webhook subscriptions for one broadcaster (an app token sees every broadcaster's: Kick filters by the query). */
  async listEventSubscriptions(broadcasterUserId: number): Promise<KickEventSubscription[]> {
    const body = await this.authed<unknown>("GET", `/public/v1/events/subscriptions?broadcaster_user_id=${broadcasterUserId}`);
    const parsed = z.object({ data: z.array(KickEventSubscriptionWire) }).safeParse(body);
    if (!parsed.success) throw this.http.upstream("unexpected events/subscriptions list", { path: "/public/v1/events/subscriptions" });
    return parsed.data.data
      .filter((s) => s.broadcaster_user_id === broadcasterUserId)
      .map((s) => ({ id: s.id, broadcasterUserId: s.broadcaster_user_id, event: s.event, version: s.version, method: s.method }));
  }

  /** DELETE /public/v1/events/subscriptions?id=…&id=… (204). */
  async deleteEventSubscriptions(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const query = new URLSearchParams(ids.map((id): [string, string] => ["id", id])).toString();
    await this.authed<unknown>("DELETE", `/public/v1/events/subscriptions?${query}`);
  }

  /** Kick's webhook signing key (PEM), from memory, then the cache, then Kick. */
  async publicKey(options: { refresh?: boolean } = {}): Promise<string> {
    const now = this.now();
    const memo = keysInMemory.get(this.options.apiBase);
    if (!options.refresh && memo && memo.until > now) return memo.pem;
    const cacheKey = `kick:public-key:${this.options.apiBase}`;
    let pem = options.refresh ? null : await this.options.cache.get(cacheKey);
    if (!pem) {
      const body = await this.http.json<unknown>({ url: this.api("/public/v1/public-key"), headers: { accept: "application/json" } });
      pem = z.object({ data: z.object({ public_key: z.string().min(100) }) }).parse(body).data.public_key;
      await this.options.cache.set(cacheKey, pem, { ttlSeconds: PUBLIC_KEY_TTL_SECONDS });
    }
    keysInMemory.set(this.options.apiBase, { pem, until: now + PUBLIC_KEY_TTL_SECONDS * 1000 });
    return pem;
  }

  /**
   * A key other than `failed`: one another isolate already stored, else Kick's own when no refresh ran in the last
   * PUBLIC_KEY_REFRESH_MS here or anywhere sharing the cache; null when there is none to try.
   */
  async refreshedPublicKey(failed: string): Promise<string | null> {
    const apiBase = this.options.apiBase;
    const now = this.now();
    const shared = await this.options.cache.get(`kick:public-key:${apiBase}`).catch(() => null);
    if (shared && shared !== failed) {
      keysInMemory.set(apiBase, { pem: shared, until: now + PUBLIC_KEY_TTL_SECONDS * 1000 });
      return shared;
    }
    if (now - (refreshedAt.get(apiBase) ?? Number.NEGATIVE_INFINITY) < PUBLIC_KEY_REFRESH_MS) return null;
    refreshedAt.set(apiBase, now);
    if (!(await this.options.cache.setIfAbsent(`kick:public-key-refresh:${apiBase}`, "1", PUBLIC_KEY_REFRESH_MS / 1000))) return null;
    const pem = await this.publicKey({ refresh: true });
    return pem === failed ? null : pem;
  }

  /** Verifies a webhook with the cached key; a bad signature is checked once more with a refreshed key (rotation). */
  async verifyWebhook(headers: KickHeaders, body: Uint8Array<ArrayBuffer>, now: number): Promise<SignatureVerdict> {
    const pem = await this.publicKey();
    const verdict = await verifyKick(pem, headers, body, now);
    if (verdict !== "bad_signature") return verdict;
    const fresh = await this.refreshedPublicKey(pem);
    return fresh ? verifyKick(fresh, headers, body, now) : verdict;
  }
}

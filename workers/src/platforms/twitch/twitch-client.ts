// Twitch Helix over fetch: an app access token (client credentials, cached until expiry), GET /streams and /users in
// batches of 100 (Helix's cap per call), GET /videos (a stream's VOD), and EventSub subscription management. Rate
// limits come from Twitch's Ratelimit-* headers: a bucket of points per minute per client id for app-token calls, and
// one per client id and user for user-token calls (Twitch API guide, "Rate limits"), so each has its own state.
import { z } from "zod";
import { AppError } from "../../errors/app-error.ts";
import { AppTokenCache, PlatformHttp, appRateLimit } from "../platform-http.ts";

/** Helix: at most 100 user_id / user_login values per call. */
export const HELIX_BATCH = 100;

export const TwitchStream = z.looseObject({
  id: z.string(),
  user_id: z.string(),
  user_login: z.string(),
  user_name: z.string(),
  game_id: z.string().optional().default(""),
  game_name: z.string().optional().default(""),
  type: z.string(),
  title: z.string(),
  viewer_count: z.number().int(),
  started_at: z.string(),
  /** Has {width}x{height} placeholders. */
  thumbnail_url: z.string().optional().default(""),
});
export type TwitchStream = z.infer<typeof TwitchStream>;

export const TwitchUser = z.looseObject({
  id: z.string(),
  login: z.string(),
  display_name: z.string(),
  profile_image_url: z.string().optional().default(""),
});
export type TwitchUser = z.infer<typeof TwitchUser>;

export const TwitchVideo = z.looseObject({
  id: z.string(),
  stream_id: z.string().nullable().optional(),
  user_id: z.string(),
  url: z.string(),
  title: z.string(),
  created_at: z.string(),
  duration: z.string(),
  type: z.string(),
});
export type TwitchVideo = z.infer<typeof TwitchVideo>;

export const EventSubSubscription = z.looseObject({
  id: z.string(),
  status: z.string(),
  type: z.string(),
  version: z.string(),
  condition: z.record(z.string(), z.string()),
  created_at: z.string(),
  transport: z.looseObject({ method: z.string(), callback: z.string().optional() }),
  cost: z.number().optional(),
});
export type EventSubSubscription = z.infer<typeof EventSubSubscription>;

/** Statuses Twitch lists a working subscription with (or one about to work, once our webhook answers the challenge). */
export const EVENTSUB_HEALTHY: ReadonlySet<string> = new Set(["enabled", "webhook_callback_verification_pending"]);

const page = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), pagination: z.object({ cursor: z.string().optional() }).optional() });

export interface TwitchClientOptions {
  apiBase: string;
  authBase: string;
  clientId: string;
  clientSecret: string;
  fetch?: typeof fetch;
  now?: () => number;
}

const tokens = new AppTokenCache();

export class TwitchClient {
  /** App-token calls: the app's bucket. */
  readonly http: PlatformHttp;
  private readonly tokenKey: string;
  private readonly userHttps = new Map<string, PlatformHttp>();

  constructor(private readonly options: TwitchClientOptions) {
    this.tokenKey = `${options.authBase}|${options.clientId}`;
    // Twitch: the Helix bucket is per client id, so every request of this isolate shares it (an injected fetch is a
    // test's own world and keeps its own).
    this.http = new PlatformHttp("twitch", { fetch: options.fetch, now: options.now, rateLimit: options.fetch ? undefined : appRateLimit("twitch", this.tokenKey) });
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /**
   * For calls with this user's access token: Twitch answers them with that user's bucket (per client id and user), so
   * its Ratelimit-* headers neither overwrite the app's bucket nor are held back by it.
   */
  userHttp(userId: string): PlatformHttp {
    let http = this.userHttps.get(userId);
    if (!http) {
      http = new PlatformHttp("twitch", { fetch: this.options.fetch, now: this.options.now, rateLimit: this.options.fetch ? undefined : appRateLimit("twitch", `${this.tokenKey}|user:${userId}`) });
      this.userHttps.set(userId, http);
    }
    return http;
  }

  /** Client credentials grant (POST /oauth2/token); cached until a minute before expires_in. */
  appToken(): Promise<string> {
    return tokens.get(this.tokenKey, this.now(), async () => {
      const body = new URLSearchParams({ client_id: this.options.clientId, client_secret: this.options.clientSecret, grant_type: "client_credentials" });
      const res = await this.http.send<{ access_token?: string; expires_in?: number; message?: string }>({
        method: "POST",
        url: `${this.options.authBase.replace(/\/$/, "")}/token`,
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: body.toString(),
      });
      if (res.status !== 200 || !res.body?.access_token) throw new AppError("UPSTREAM", `twitch: app token refused (${res.status})`, { details: { platform: "twitch", status: res.status } });
      return { token: res.body.access_token, expiresInSeconds: res.body.expires_in ?? 3600 };
    });
  }

  /** A Helix call with the app token; a 401 (token revoked or expired early) mints a new token once. */
  private async helix<T>(method: "GET" | "POST" | "DELETE", path: string, query: [string, string][] = [], body?: unknown): Promise<{ status: number; body: T }> {
    const url = new URL(`${this.options.apiBase.replace(/\/$/, "")}${path}`);
    for (const [k, v] of query) url.searchParams.append(k, v);
    for (let attempt = 0; ; attempt++) {
      const token = await this.appToken();
      const res = await this.http.send<T>({
        method,
        url: url.toString(),
        headers: { "client-id": this.options.clientId, authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (res.status === 401 && attempt === 0) {
        tokens.forget(this.tokenKey);
        continue;
      }
      if (res.status >= 500 || res.status === 401 || res.status === 403) throw this.http.upstream(`${method} ${path} answered ${res.status}`, { status: res.status, ...twitchMessage(res.body) });
      return res;
    }
  }

  private async helixOk<T>(method: "GET" | "POST" | "DELETE", path: string, query: [string, string][] = [], body?: unknown): Promise<T> {
    const res = await this.helix<T>(method, path, query, body);
    if (res.status < 200 || res.status >= 300) throw this.http.upstream(`${method} ${path} answered ${res.status}`, { status: res.status });
    return res.body;
  }

  /** Live streams among these users (offline users are simply absent), one call per 100 ids. */
  async getStreams(userIds: readonly string[]): Promise<TwitchStream[]> {
    const out: TwitchStream[] = [];
    for (let i = 0; i < userIds.length; i += HELIX_BATCH) {
      const batch = userIds.slice(i, i + HELIX_BATCH);
      const body = await this.helixOk<unknown>("GET", "/streams", [...batch.map((id): [string, string] => ["user_id", id]), ["first", "100"]]);
      out.push(...page(TwitchStream).parse(body).data);
    }
    return out;
  }

  async getUsers(by: { ids?: readonly string[]; logins?: readonly string[] }): Promise<TwitchUser[]> {
    const keys: [string, string][] = [...(by.ids ?? []).map((v): [string, string] => ["id", v]), ...(by.logins ?? []).map((v): [string, string] => ["login", v.toLowerCase()])];
    const out: TwitchUser[] = [];
    for (let i = 0; i < keys.length; i += HELIX_BATCH) out.push(...page(TwitchUser).parse(await this.helixOk<unknown>("GET", "/users", keys.slice(i, i + HELIX_BATCH))).data);
    return out;
  }

  /** The user's most recent archives (past broadcasts); a VOD's stream_id ties it to the stream. */
  async getArchives(userId: string, first = 5): Promise<TwitchVideo[]> {
    return page(TwitchVideo).parse(await this.helixOk<unknown>("GET", "/videos", [["user_id", userId], ["type", "archive"], ["first", String(first)]])).data;
  }

  /**
   * Creates a webhook subscription; Twitch then sends a webhook_callback_verification to `callback`. An identical
   * subscription that already exists answers 409: that is success for us (it is found by listing).
   */
  async createEventSub(input: { type: string; version?: string; condition: Record<string, string>; callback: string; secret: string }): Promise<EventSubSubscription | "exists"> {
    const res = await this.helix<unknown>("POST", "/eventsub/subscriptions", [], {
      type: input.type,
      version: input.version ?? "1",
      condition: input.condition,
      transport: { method: "webhook", callback: input.callback, secret: input.secret },
    });
    if (res.status === 409) return "exists";
    if (res.status !== 202) throw this.http.upstream(`EventSub subscription refused (${res.status})`, { status: res.status, type: input.type, ...twitchMessage(res.body) });
    const created = z.object({ data: z.array(EventSubSubscription).min(1) }).parse(res.body).data[0];
    return created as EventSubSubscription;
  }

  /** Every subscription of this app (following Helix's cursor), optionally filtered by type or broadcaster. */
  async listEventSubs(filter: { type?: string; userId?: string; status?: string } = {}): Promise<EventSubSubscription[]> {
    const out: EventSubSubscription[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const query: [string, string][] = [];
      if (filter.type) query.push(["type", filter.type]);
      if (filter.userId) query.push(["user_id", filter.userId]);
      if (filter.status) query.push(["status", filter.status]);
      if (cursor) query.push(["after", cursor]);
      const parsed = page(EventSubSubscription).parse(await this.helixOk<unknown>("GET", "/eventsub/subscriptions", query));
      out.push(...parsed.data);
      cursor = parsed.pagination?.cursor;
      if (!cursor) break;
    }
    return out;
  }

  async deleteEventSub(id: string): Promise<void> {
    const res = await this.helix<unknown>("DELETE", "/eventsub/subscriptions", [["id", id]]);
    if (res.status !== 204 && res.status !== 404) throw this.http.upstream(`EventSub delete answered ${res.status}`, { status: res.status });
  }
}

/** Helix errors say why in `message` ("subscription missing proper authorization"): kept for the user, never a credential. */
function twitchMessage(body: unknown): { twitchMessage?: string } {
  const message = (body as { message?: unknown } | null)?.message;
  return typeof message === "string" && message ? { twitchMessage: message.slice(0, 200) } : {};
}

/** Helix thumbnails carry {width}x{height}; Discord embeds show 1280x720 well. */
export function twitchThumbnail(template: string, at: number): string {
  if (!template) return "";
  // A changing query string: Discord caches embed images by URL, and the live preview changes.
  return `${template.replace("{width}", "1280").replace("{height}", "720")}?t=${Math.floor(at / 1000)}`;
}

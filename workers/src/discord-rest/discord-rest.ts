// The one Discord REST client: base URL from DISCORD_API_BASE, `Bot <token>` auth (none for webhooks), Discord's
// per-route buckets and global limit, request timeouts, and the invalid-request guard. `send` makes one attempt and
// says when to try again, for callers that schedule their own retries (the outbox's alarm); `request` waits and
// retries in place, for interactive callers. A request with `files` goes as multipart/form-data (Discord's
// "Uploading Files": `payload_json` plus one `files[n]` part per file), built afresh for every attempt.
// The global limit and the invalid-request count are the bot's, not the isolate's: with `limits` the client shares
// them through DiscordLimits; without it (or while DiscordLimits is unreachable) it keeps them alone.
import { AppError } from "../errors/app-error.ts";
import { GlobalRateLimit } from "./global-rate-limit.ts";
import { InvalidRequestGuard } from "./invalid-request-guard.ts";
import { SharedLimits, type SharedLimitsOptions } from "./shared-limits.ts";

export interface DiscordEmbed {
  title?: string;
  description?: string;
  url?: string;
  color?: number;
  timestamp?: string;
  fields?: { name: string; value: string; inline?: boolean }[];
  footer?: { text: string };
  thumbnail?: { url: string };
  image?: { url: string };
  author?: { name: string; url?: string; icon_url?: string };
}

/** The body of "Create Message" and "Execute Webhook" that Nebula sends. */
export interface DiscordMessage {
  content?: string;
  embeds?: DiscordEmbed[];
  allowed_mentions?: { parse: ("roles" | "users" | "everyone")[]; roles?: string[]; users?: string[] };
}

export type HttpMethod = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

/**
 * A file attached to a message. The content is kept as text, not a stream: a request can then be stored (a queue
 * message, an outbox row) and its body rebuilt for each retry, since a sent stream cannot be sent again.
 */
export interface DiscordFile {
  /** The attachment's filename as Discord shows it (and `attachment://<name>` in embeds). */
  name: string;
  /** e.g. "text/html; charset=utf-8". */
  contentType: string;
  content: string;
  /** Discord: at most 1024 characters; shown as alt text. */
  description?: string;
}

export interface DiscordRequest {
  method: HttpMethod;
  /** Below DISCORD_API_BASE: "/channels/123/messages", "/webhooks/123/<token>". */
  path: string;
  /** "bot" sends `Authorization: Bot <token>`; webhook URLs carry their own credential. */
  auth: "bot" | "none";
  body?: unknown;
  /** Sent as multipart/form-data with `body` as `payload_json`; Discord links files[n] to attachments[].id = n. */
  files?: DiscordFile[];
  query?: Record<string, string>;
  /** Safe to repeat after an ambiguous failure: GET/PUT/DELETE, or a create carrying `nonce` + `enforce_nonce`. */
  idempotent?: boolean;
}

export type RetryReason = "bucket" | "global" | "rate_limited" | "server" | "timeout" | "network" | "guard" | "not_configured";

export type DiscordResult =
  | { kind: "ok"; status: number; body: unknown }
  /** Try again at `at`. `maybeSent`: the request may have reached Discord (5xx, timeout, dropped connection). */
  | { kind: "retry"; at: number; reason: RetryReason; status?: number; maybeSent: boolean }
  /** Discord refused it (4xx other than 429): repeating the same request will not help. */
  | { kind: "rejected"; status: number; code: number | null; message: string };

export interface DiscordRestOptions {
  /** DISCORD_API_BASE, e.g. https://discord.com/api/v10. */
  baseUrl: string;
  botToken?: string;
  now?: () => number;
  fetch?: typeof fetch;
  /** Fetches from Workers to Discord can hang: every request is cut off after this long. */
  timeoutMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  guard?: InvalidRequestGuard;
  /** `request` gives up instead of waiting longer than this for one retry. */
  maxWaitMs?: number;
  maxAttempts?: number;
  /** The bot's DiscordLimits (sharedLimitsOf): global send slots and the invalid-request count, bot-wide. */
  limits?: SharedLimitsOptions;
}

export const DEFAULT_TIMEOUT_MS = 10_000;

interface Bucket {
  remaining: number;
  resetAt: number;
}

/**
 * Buckets are kept per major parameter, and every interaction's webhook token is one (15-minute tokens, one per
 * command run): a long-lived client would collect them forever. Past this many, buckets whose reset has passed are
 * dropped (they say nothing any more), and if all are current the oldest go: forgetting one costs at most a 429.
 */
export const MAX_TRACKED_BUCKETS = 1000;

/** Exponential backoff: base, 2x base, 4x base, ... capped. */
export function backoffMs(attempt: number, base = 1000, max = 5 * 60_000): number {
  return Math.min(max, base * 2 ** Math.max(0, attempt - 1));
}

/**
 * Discord limits per route template and "major parameter" (channel, guild, or webhook id + token): two channels'
 * message routes are separate buckets, two messages in one channel share one.
 */
export function routeOf(method: HttpMethod, path: string): { route: string; major: string } {
  const segs = path.split("?")[0]?.split("/").filter(Boolean) ?? [];
  const head = segs[0] ?? "";
  const majorCount = head === "webhooks" ? 2 : head === "channels" || head === "guilds" ? 1 : 0;
  const major = segs.slice(1, 1 + majorCount).join("/");
  const rest = segs.slice(1 + majorCount).map((s) => (/^\d+$/.test(s) ? ":id" : s));
  return { route: `${method} /${[head, ...(majorCount ? [":major"] : []), ...rest].join("/")}`, major };
}

/** A path fit for logs: webhook tokens are cut out. */
export function safePath(path: string): string {
  return path.replace(/^(\/webhooks\/\d+)\/[^/?]+/, "$1/:token");
}

export class DiscordRest {
  readonly guard: InvalidRequestGuard;
  private readonly now: () => number;
  private readonly fetcher: typeof fetch;
  /** Route template -> Discord's bucket hash, learnt from X-RateLimit-Bucket. */
  private readonly routeBuckets = new Map<string, string>();
  private readonly buckets = new Map<string, Bucket>();
  private globalUntil = 0;
  /** This client's own second, when no DiscordLimits is there to share the bot's. */
  private readonly ownGlobal = new GlobalRateLimit();
  private readonly shared: SharedLimits | null;

  constructor(private readonly options: DiscordRestOptions) {
    this.now = options.now ?? Date.now;
    this.fetcher = options.fetch ?? ((input, init) => fetch(input, init));
    this.guard = options.guard ?? new InvalidRequestGuard();
    this.shared = options.limits ? new SharedLimits(options.limits, this.guard, this.now) : null;
  }

  get hasBotToken(): boolean {
    return !!this.options.botToken;
  }

  /** Hands what this client saw (invalid requests, a global 429) to DiscordLimits now rather than with the next lease. */
  async flush(): Promise<void> {
    await this.shared?.flush();
  }

  /** One attempt. `attempt` (1-based) sets the backoff after a 5xx, timeout or network failure. */
  async send(req: DiscordRequest, attempt = 1): Promise<DiscordResult> {
    const now = this.now();
    const { route, major } = routeOf(req.method, req.path);
    if (req.auth === "bot" && !this.options.botToken) return { kind: "retry", at: now + backoffMs(attempt, 60_000, 3600_000), reason: "not_configured", maybeSent: false };
    const blocked = this.guard.blockedUntil(now);
    if (blocked !== null) return { kind: "retry", at: blocked, reason: "guard", maybeSent: false };
    const emptyAt = this.emptyBucketResetAt(route, major, now);
    if (emptyAt !== null) return { kind: "retry", at: emptyAt, reason: "bucket", maybeSent: false };
    if (req.auth === "bot") {
      if (this.globalUntil > now) return { kind: "retry", at: this.globalUntil, reason: "global", maybeSent: false };
      const globalAt = await this.takeGlobalSlot();
      if (globalAt !== null) return { kind: "retry", at: globalAt, reason: "global", maybeSent: false };
      // The lease brought the bot-wide invalid-request count: it may have closed the guard meanwhile.
      const closed = this.guard.blockedUntil(this.now());
      if (closed !== null) return { kind: "retry", at: closed, reason: "guard", maybeSent: false };
    } else {
      // Webhooks and interaction follow-ups are outside the global limit: no lease, only a fresh view of the count.
      this.shared?.refreshIfStale();
    }
    // Checked again after the lease's await, and counted before the answer, so concurrent sends do not overrun it.
    const sendAt = this.now();
    const stillEmptyAt = this.emptyBucketResetAt(route, major, sendAt);
    if (stillEmptyAt !== null) return { kind: "retry", at: stillEmptyAt, reason: "bucket", maybeSent: false };
    const bucketKey = this.bucketKey(route, major);
    const bucket = this.buckets.get(bucketKey);
    if (bucket && bucket.resetAt <= sendAt) this.buckets.delete(bucketKey);
    else if (bucket) bucket.remaining -= 1;

    let res: Response;
    try {
      res = await this.fetcher(this.urlOf(req), {
        method: req.method,
        headers: this.headersOf(req),
        ...requestBody(req),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
    } catch (err) {
      const timeout = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
      return { kind: "retry", at: this.now() + this.backoff(attempt), reason: timeout ? "timeout" : "network", maybeSent: true };
    }
    const after = this.now();
    this.learn(route, major, res.headers, after);
    // The timeout covers the body too; a body cut off counts as no body.
    const body = await readBody(res).catch(() => null);
    if (res.ok) return { kind: "ok", status: res.status, body };
    if (res.status === 429) {
      const scope = res.headers.get("x-ratelimit-scope");
      // Discord: 429s of the "shared" scope do not count toward the invalid-request limit.
      if (scope !== "shared") this.recordInvalid(after);
      const info = (body ?? {}) as { retry_after?: unknown; global?: unknown };
      const seconds = typeof info.retry_after === "number" ? info.retry_after : Number(res.headers.get("retry-after") ?? "1");
      const at = after + Math.ceil(Math.max(0, seconds) * 1000);
      const global = info.global === true || res.headers.get("x-ratelimit-global") === "true" || scope === "global";
      if (global) {
        this.globalUntil = Math.max(this.globalUntil, at);
        this.shared?.holdEveryone(at);
      } else this.rememberBucket(this.bucketKey(route, major), { remaining: 0, resetAt: at }, after);
      return { kind: "retry", at, reason: global ? "global" : "rate_limited", status: 429, maybeSent: false };
    }
    if (res.status === 401 || res.status === 403) this.recordInvalid(after);
    if (res.status >= 500) return { kind: "retry", at: after + this.backoff(attempt), reason: "server", status: res.status, maybeSent: true };
    const err = (body ?? {}) as { code?: unknown; message?: unknown };
    return {
      kind: "rejected",
      status: res.status,
      code: typeof err.code === "number" ? err.code : null,
      message: typeof err.message === "string" ? err.message.slice(0, 300) : `HTTP ${res.status}`,
    };
  }

  /** Sends, waiting out rate limits and retrying failures (ambiguous ones only when `idempotent`). */
  async request<T = unknown>(req: DiscordRequest): Promise<T> {
    const maxAttempts = this.options.maxAttempts ?? 5;
    const maxWait = this.options.maxWaitMs ?? 15_000;
    for (let attempt = 1; ; attempt++) {
      const result = await this.send(req, attempt);
      if (result.kind === "ok") return result.body as T;
      if (result.kind === "rejected") {
        throw new AppError("UPSTREAM", `Discord refused ${req.method} ${safePath(req.path)}: ${result.message}`, { details: { status: result.status, code: result.code } });
      }
      const wait = result.at - this.now();
      if ((result.maybeSent && !req.idempotent) || attempt >= maxAttempts || wait > maxWait) {
        const code = result.status === 429 || result.reason === "bucket" || result.reason === "global" ? "RATE_LIMITED" : "UPSTREAM";
        throw new AppError(code, `Discord ${req.method} ${safePath(req.path)} failed: ${result.reason}`, { details: { reason: result.reason } });
      }
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /** Null when the send may go; otherwise when to try again. */
  private async takeGlobalSlot(): Promise<number | null> {
    const decision = this.shared ? await this.shared.slot() : { kind: "alone" as const };
    if (decision.kind === "send") return null;
    if (decision.kind === "wait") return decision.at;
    const now = this.now();
    const grant = this.ownGlobal.grant(now, 1);
    return grant.granted > 0 ? null : now + grant.retryInMs;
  }

  private recordInvalid(now: number): void {
    this.guard.record(now);
    this.shared?.reportSoon();
  }

  /** When a bucket known to be empty resets, or null: checked before leasing, so no global slot goes to waste. */
  private emptyBucketResetAt(route: string, major: string, now: number): number | null {
    const bucket = this.buckets.get(this.bucketKey(route, major));
    return bucket && bucket.resetAt > now && bucket.remaining <= 0 ? bucket.resetAt : null;
  }

  private backoff(attempt: number): number {
    return backoffMs(attempt, this.options.backoffBaseMs, this.options.backoffMaxMs);
  }

  private bucketKey(route: string, major: string): string {
    return `${this.routeBuckets.get(route) ?? route}|${major}`;
  }

  private learn(route: string, major: string, headers: Headers, now: number): void {
    const hash = headers.get("x-ratelimit-bucket");
    if (hash) this.routeBuckets.set(route, hash);
    const remaining = headers.get("x-ratelimit-remaining");
    const resetAfter = headers.get("x-ratelimit-reset-after");
    if (remaining === null || resetAfter === null) return;
    this.rememberBucket(this.bucketKey(route, major), { remaining: Number(remaining), resetAt: now + Math.ceil(Number(resetAfter) * 1000) }, now);
  }

  /** Rate-limit buckets this client still remembers (bounded by MAX_TRACKED_BUCKETS). */
  get trackedBuckets(): number {
    return this.buckets.size;
  }

  private rememberBucket(key: string, bucket: Bucket, now: number): void {
    // Re-inserted, so the Map's order is least recently learnt first.
    this.buckets.delete(key);
    if (this.buckets.size >= MAX_TRACKED_BUCKETS) {
      for (const [k, b] of this.buckets) if (b.resetAt <= now) this.buckets.delete(k);
      for (const k of this.buckets.keys()) {
        if (this.buckets.size < MAX_TRACKED_BUCKETS) break;
        this.buckets.delete(k);
      }
    }
    this.buckets.set(key, bucket);
  }

  private urlOf(req: DiscordRequest): string {
    const url = new URL(`${this.options.baseUrl.replace(/\/$/, "")}${req.path}`);
    for (const [k, v] of Object.entries(req.query ?? {})) url.searchParams.set(k, v);
    return url.toString();
  }

  private headersOf(req: DiscordRequest): Record<string, string> {
    const headers: Record<string, string> = { "user-agent": "DiscordBot (https://github.com/nebula-command, 1)" };
    // Multipart: fetch writes the content-type itself, with the boundary.
    if (req.body !== undefined && !req.files?.length) headers["content-type"] = "application/json";
    if (req.auth === "bot" && this.options.botToken) headers.authorization = `Bot ${this.options.botToken}`;
    return headers;
  }
}

/**
 * JSON, or with files Discord's multipart form: `payload_json` carries the JSON body, whose `attachments` list gives
 * each file its id n, and part `files[n]` carries file n with its filename. Built per attempt from strings.
 */
export function requestBody(req: Pick<DiscordRequest, "method" | "path" | "body" | "files">): { body?: string | FormData } {
  const body = withQuietMentions(req.method, req.path, req.body);
  if (!req.files?.length) return body === undefined ? {} : { body: JSON.stringify(body) };
  const files = req.files;
  const payload = {
    ...((body ?? {}) as Record<string, unknown>),
    attachments: files.map((f, id) => ({ id, filename: f.name, ...(f.description ? { description: f.description.slice(0, 1024) } : {}) })),
  };
  const form = new FormData();
  // A plain field: a Blob would go with filename="blob", and Discord would count it as a file.
  form.append("payload_json", JSON.stringify(payload));
  for (const [id, f] of files.entries()) form.append(`files[${id}]`, new Blob([f.content], { type: f.contentType }), f.name);
  return { body: form };
}

const MESSAGE_ROUTE = /^\/(channels\/\d+\/messages(\/\d+)?|webhooks\/\d+\/[^/]+(\/messages\/(\d+|@original))?)$/;
const CALLBACK_ROUTE = /^\/interactions\/\d+\/[^/]+\/callback$/;
/** Interaction callback types that carry a message: CHANNEL_MESSAGE_WITH_SOURCE (4) and UPDATE_MESSAGE (7). */
const MESSAGE_CALLBACKS = new Set([4, 7]);
const QUIET = { parse: [] };

/**
 * Discord: "If allowed_mentions is not passed in, the mentions will be parsed via the content", so a template or a
 * user's text with @everyone or <@&role> would ping. Every message Nebula creates or edits (channel messages,
 * webhook executes and edits, interaction follow-ups and @original, callbacks 4/7) that names no allowed_mentions
 * gets `{parse: []}`; a caller that wants pings passes its own.
 */
export function withQuietMentions(method: HttpMethod, path: string, body: unknown): unknown {
  if (method !== "POST" && method !== "PATCH") return body;
  if (!body || typeof body !== "object" || Array.isArray(body)) return body;
  const route = path.split("?")[0] ?? path;
  const message = body as Record<string, unknown>;
  if (MESSAGE_ROUTE.test(route)) return "allowed_mentions" in message ? body : { ...message, allowed_mentions: QUIET };
  if (method === "POST" && CALLBACK_ROUTE.test(route) && MESSAGE_CALLBACKS.has(message.type as number)) {
    const data = (message.data ?? {}) as Record<string, unknown>;
    return "allowed_mentions" in data ? body : { ...message, data: { ...data, allowed_mentions: QUIET } };
  }
  return body;
}

async function readBody(res: Response): Promise<unknown> {
  const text = await res.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

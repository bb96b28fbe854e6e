// Configuration from the Worker's environment, validated once with a message naming every bad variable.
import { z } from "zod";
import { parseEncryptionKeys } from "../crypto/secret-box.ts";

const url = z.url({ protocol: /^https?$/ });
const optional = <T extends z.ZodType>(s: T) => z.preprocess((v) => (v === "" ? undefined : v), s.optional());
const base = (fallback: string) => z.preprocess((v) => (v === "" ? undefined : v), url.default(fallback));

/** Credentials that only work together: naming the missing half beats a confusing 401 from the platform later. */
const PAIRS = [
  ["UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"],
  ["DISCORD_CLIENT_ID", "DISCORD_CLIENT_SECRET"],
  ["TWITCH_CLIENT_ID", "TWITCH_CLIENT_SECRET"],
  ["KICK_CLIENT_ID", "KICK_CLIENT_SECRET"],
  ["YOUTUBE_CLIENT_ID", "YOUTUBE_CLIENT_SECRET"],
  ["SPOTIFY_CLIENT_ID", "SPOTIFY_CLIENT_SECRET"],
] as const;

export const ConfigSchema = z
  .object({
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL"),
    ENCRYPTION_KEYS: z.string().superRefine((raw, ctx) => {
      for (const p of parseEncryptionKeys(raw).problems) ctx.addIssue({ code: "custom", message: p });
    }),
    PUBLIC_URL: optional(url),
    DISCORD_PUBLIC_KEY: optional(z.string().regex(/^[0-9a-f]{64}$/i, "must be 64 hex characters")),
    DISCORD_APPLICATION_ID: optional(z.string().regex(/^\d{5,25}$/, "must be a Discord snowflake")),
    DISCORD_BOT_TOKEN: optional(z.string().min(10)),
    DISCORD_CLIENT_ID: optional(z.string().regex(/^\d{5,25}$/, "must be a Discord snowflake")),
    DISCORD_CLIENT_SECRET: optional(z.string().min(8)),
    DISCORD_API_BASE: z.preprocess((v) => (v === "" ? undefined : v), url.default("https://discord.com/api/v10")),
    UPSTASH_REDIS_REST_URL: optional(url),
    UPSTASH_REDIS_REST_TOKEN: optional(z.string().min(1)),
    /** Local stack only: host:port/path of the websocket bridge in front of Postgres. */
    DB_WS_PROXY: optional(z.string().regex(/^[\w.-]+:\d+\/[\w/]*$/, "must look like 127.0.0.1:PORT/v1")),
    /** First-run owner bootstrap secret, printed as a link by `npm start`. */
    BOOTSTRAP_TOKEN: optional(z.string().min(32)),
    // Streaming platforms (go-live detection, stream bot): each is "not connected" until its credentials are set.
    TWITCH_API_BASE: base("https://api.twitch.tv/helix"),
    TWITCH_AUTH_BASE: base("https://id.twitch.tv/oauth2"),
    TWITCH_CLIENT_ID: optional(z.string().regex(/^[a-z0-9]{10,64}$/i, "must be a Twitch client id")),
    TWITCH_CLIENT_SECRET: optional(z.string().min(10)),
    /** Twitch: the EventSub secret is 10 to 100 ASCII characters. */
    TWITCH_EVENTSUB_SECRET: optional(z.string().min(10).max(100).regex(/^[\x21-\x7e]+$/, "must be 10-100 printable ASCII characters")),
    YOUTUBE_API_BASE: base("https://www.googleapis.com/youtube/v3"),
    YOUTUBE_WEBSUB_HUB: base("https://pubsubhubbub.appspot.com/subscribe"),
    YOUTUBE_API_KEY: optional(z.string().min(10)),
    KICK_API_BASE: base("https://api.kick.com"),
    KICK_AUTH_BASE: base("https://id.kick.com"),
    /** Lanyard (Discord presence over REST, for /profile and the dashboard); public, no credentials. */
    LANYARD_API_BASE: base("https://api.lanyard.rest/v1"),
    KICK_CLIENT_ID: optional(z.string().min(4)),
    KICK_CLIENT_SECRET: optional(z.string().min(8)),
    /** Google OAuth client for connecting YouTube channels (stream bot connections). */
    YOUTUBE_CLIENT_ID: optional(z.string().min(10)),
    YOUTUBE_CLIENT_SECRET: optional(z.string().min(8)),
    /** Google's consent screen (…/auth) and token server (…/token, …/revoke). */
    GOOGLE_AUTH_BASE: base("https://accounts.google.com/o/oauth2/v2"),
    GOOGLE_TOKEN_BASE: base("https://oauth2.googleapis.com"),
    /** Spotify (the overlays' now-playing layer): its accounts service (…/authorize, …/api/token) and Web API (…/v1). */
    SPOTIFY_ACCOUNTS_BASE: base("https://accounts.spotify.com"),
    SPOTIFY_API_BASE: base("https://api.spotify.com"),
    /** Spotify client ids and secrets are 32 hex characters. */
    SPOTIFY_CLIENT_ID: optional(z.string().regex(/^[0-9a-f]{32}$/i, "must be a Spotify client id (32 hex characters)")),
    SPOTIFY_CLIENT_SECRET: optional(z.string().min(8)),
    LOG_LEVEL: z.preprocess((v) => (v === "" ? undefined : v), z.enum(["debug", "info", "warn", "error"]).default("info")),
  })
  .superRefine((c, ctx) => {
    for (const [a, b] of PAIRS) {
      if (!!c[a] !== !!c[b]) ctx.addIssue({ code: "custom", path: [c[a] ? b : a], message: `${a} and ${b} must be set together` });
    }
    // Run even when single variables failed, so one error names every problem.
  }, { when: (payload) => typeof payload.value === "object" && payload.value !== null });

export type Config = z.infer<typeof ConfigSchema>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

/** Names each missing or invalid variable; never echoes a value (they are secrets). */
export function parseConfig(env: Record<string, unknown>): Config {
  const result = ConfigSchema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => {
    const name = String(i.path[0] ?? "config");
    const missing = env[name] === undefined || env[name] === "";
    return missing && i.code === "invalid_type" ? `${name} is required but not set` : `${name}: ${i.message}`;
  });
  throw new ConfigError(problems);
}

const cache = new WeakMap<object, Config | ConfigError>();

/** Parsed once per isolate's env object. */
export function loadConfig(env: object): Config {
  let hit = cache.get(env);
  if (!hit) {
    try {
      hit = parseConfig(env as Record<string, unknown>);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      hit = err;
    }
    cache.set(env, hit);
  }
  if (hit instanceof ConfigError) throw hit;
  return hit;
}

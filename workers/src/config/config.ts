// Configuration from the Worker's environment, validated once with a message naming every bad variable.
import { z } from "zod";
import { parseEncryptionKeys } from "../crypto/secret-box.ts";

const url = z.url({ protocol: /^https?$/ });
const optional = <T extends z.ZodType>(s: T) => z.preprocess((v) => (v === "" ? undefined : v), s.optional());

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
    LOG_LEVEL: z.preprocess((v) => (v === "" ? undefined : v), z.enum(["debug", "info", "warn", "error"]).default("info")),
  })
  .superRefine((c, ctx) => {
    if (!!c.UPSTASH_REDIS_REST_URL !== !!c.UPSTASH_REDIS_REST_TOKEN) {
      ctx.addIssue({
        code: "custom",
        path: [c.UPSTASH_REDIS_REST_URL ? "UPSTASH_REDIS_REST_TOKEN" : "UPSTASH_REDIS_REST_URL"],
        message: "UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN must be set together",
      });
    }
    if (!!c.DISCORD_CLIENT_ID !== !!c.DISCORD_CLIENT_SECRET) {
      ctx.addIssue({
        code: "custom",
        path: [c.DISCORD_CLIENT_ID ? "DISCORD_CLIENT_SECRET" : "DISCORD_CLIENT_ID"],
        message: "DISCORD_CLIENT_ID and DISCORD_CLIENT_SECRET must be set together",
      });
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

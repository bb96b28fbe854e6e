// Configuration: one error that names every missing or invalid variable, and never repeats a value (they are secrets).
import { describe, expect, it } from "vitest";
import { generateKeyEntry } from "../crypto/secret-box.ts";
import { ConfigError, parseConfig } from "./config.ts";

const VALID = {
  DATABASE_URL: "postgres://app:pw@db.example/nebula",
  ENCRYPTION_KEYS: generateKeyEntry("v1"),
};

function problemsOf(env: Record<string, unknown>): { error: ConfigError; problems: string[] } {
  try {
    parseConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return { error: err, problems: err.problems };
    throw err;
  }
  throw new Error("expected a ConfigError");
}

describe("parseConfig", () => {
  it("accepts the two required variables and fills in defaults; empty strings count as unset", () => {
    const config = parseConfig({ ...VALID, PUBLIC_URL: "", DISCORD_API_BASE: "", LOG_LEVEL: "", UPSTASH_REDIS_REST_URL: "" });
    expect(config).toMatchObject({ ...VALID, DISCORD_API_BASE: "https://discord.com/api/v10", LOG_LEVEL: "info" });
    expect(config.PUBLIC_URL).toBeUndefined();
  });

  it("names every problem in one error without echoing any value", () => {
    const env = {
      ENCRYPTION_KEYS: "v1:c2hvcnQtYnV0LXNlY3JldA==",
      UPSTASH_REDIS_REST_URL: "https://secret-host-7f3a.upstash.io",
      PUBLIC_URL: "ftp://files.example",
      DISCORD_CLIENT_SECRET: "client-secret-9b1c",
      LOG_LEVEL: "loud",
    };
    const { error, problems } = problemsOf(env);
    expect(problems).toEqual(
      expect.arrayContaining([
        "DATABASE_URL is required but not set",
        "ENCRYPTION_KEYS: key v1 is 16 bytes; AES-256 needs 32",
        "UPSTASH_REDIS_REST_TOKEN: UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN must be set together",
        "DISCORD_CLIENT_ID: DISCORD_CLIENT_ID and DISCORD_CLIENT_SECRET must be set together",
        expect.stringMatching(/^PUBLIC_URL: /),
        expect.stringMatching(/^LOG_LEVEL: /),
      ]),
    );
    expect(problems).toHaveLength(6);
    for (const value of Object.values(env)) expect(error.message).not.toContain(value);
    expect(error.message).toMatch(/^Invalid configuration:\n {2}- /);
  });

  it("names a database URL of the wrong kind without repeating its password", () => {
    const { error, problems } = problemsOf({ ...VALID, DATABASE_URL: "mysql://admin:hunter2@db.internal/app" });
    expect(problems).toEqual(["DATABASE_URL: must be a postgres:// or postgresql:// URL"]);
    expect(error.message).not.toContain("hunter2");
  });

  it("names ENCRYPTION_KEYS problems, including base64 of an impossible length", () => {
    expect(problemsOf({ ...VALID, ENCRYPTION_KEYS: "v1:abcde" }).problems).toEqual(["ENCRYPTION_KEYS: key v1 is not valid base64"]);
    expect(problemsOf({ ...VALID, ENCRYPTION_KEYS: "" }).problems).toEqual(["ENCRYPTION_KEYS: no keys given; expected v1:<base64 of 32 bytes>"]);
    expect(problemsOf({ DATABASE_URL: VALID.DATABASE_URL }).problems).toEqual(["ENCRYPTION_KEYS is required but not set"]);
  });

  it("defaults Spotify's bases, wants its client id as 32 hex characters and its secret with it", () => {
    expect(parseConfig(VALID)).toMatchObject({ SPOTIFY_ACCOUNTS_BASE: "https://accounts.spotify.com", SPOTIFY_API_BASE: "https://api.spotify.com" });
    expect(problemsOf({ ...VALID, SPOTIFY_CLIENT_ID: "not-a-spotify-id" }).problems).toEqual(
      expect.arrayContaining(["SPOTIFY_CLIENT_ID: must be a Spotify client id (32 hex characters)", "SPOTIFY_CLIENT_SECRET: SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET must be set together"]),
    );
    expect(problemsOf({ ...VALID, SPOTIFY_API_BASE: "ftp://api.spotify.test" }).problems).toEqual([expect.stringMatching(/^SPOTIFY_API_BASE: /)]);
  });

  it("asks for the Upstash URL when only the token is set", () => {
    expect(problemsOf({ ...VALID, UPSTASH_REDIS_REST_TOKEN: "tok" }).problems).toEqual([
      "UPSTASH_REDIS_REST_URL: UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN must be set together",
    ]);
  });
});

// Vitest global setup: a fresh `core` schema in the real Postgres (database `test`) and a websocket bridge
// so code inside workerd reaches it through @neondatabase/serverless, exactly as it reaches Neon; and an Upstash
// REST bridge in front of the real Redis (REDIS_URL, default 127.0.0.1:6379) for the Upstash cache adapter.
import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import pg from "pg";
import { migratePostgres } from "../schema/src/migrate.ts";
import { startDbBridge } from "../workers/local/db-bridge.ts";
import { startUpstashBridge } from "./upstash-bridge/upstash-bridge.ts";
import { TEST_DISCORD_CLIENT_ID, TEST_DISCORD_CLIENT_SECRET, startFakeDiscord } from "./fakes/discord.ts";

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

// The provided keys are declared in test/provided-context.d.ts.

/** Held for the whole run, so two test runs on one machine take turns with the shared database. */
const RUN_LOCK = 0x6e6562;

export default async function setup(project: TestProject) {
  const lock = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await lock.connect();
  await lock.query("select pg_advisory_lock($1)", [RUN_LOCK]);
  const client = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await client.connect();
  await client.query("DROP SCHEMA IF EXISTS core CASCADE; DROP SCHEMA IF EXISTS dashboard CASCADE; DROP SCHEMA IF EXISTS discord CASCADE; DROP SCHEMA IF EXISTS stream CASCADE; DROP SCHEMA IF EXISTS drizzle CASCADE;");
  await client.end();
  await migratePostgres(TEST_DATABASE_URL);
  const url = new URL(TEST_DATABASE_URL);
  const bridge = await startDbBridge({ host: url.hostname, port: Number(url.port || 5432) });
  project.provide("databaseUrl", TEST_DATABASE_URL);
  project.provide("dbProxy", bridge.proxy);
  // Not checked here: with Redis down the Upstash cases fail on their own, and every other suite still runs.
  const upstash = await startUpstashBridge({ redisUrl: process.env.REDIS_URL, token: randomBytes(24).toString("base64url") });
  project.provide("upstashUrl", upstash.url);
  project.provide("upstashToken", upstash.token);
  // Fake Discord (test/fakes/discord.ts): tests steer it through its /__control endpoints.
  const discord = await startFakeDiscord({
    clientId: TEST_DISCORD_CLIENT_ID,
    clientSecret: TEST_DISCORD_CLIENT_SECRET,
    redirectUris: ["http://localhost/auth/discord/callback"],
  });
  project.provide("discordApiBase", discord.url);
  return async () => {
    await Promise.all([bridge.close(), upstash.close(), discord.close()]);
    await lock.end();
  };
}

// Vitest global setup: a fresh database of its own in the real Postgres (created from `test`'s server, dropped
// at the end, so runs on one machine do not wait for each other) and a websocket bridge
// so code inside workerd reaches it through @neondatabase/serverless, exactly as it reaches Neon; and an Upstash
// REST bridge in front of the real Redis (REDIS_URL, default 127.0.0.1:6379) for the Upstash cache adapter.
import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import pg from "pg";
import { migratePostgres } from "../schema/src/migrate.ts";
import { startDbBridge } from "../workers/local/db-bridge.ts";
import { startUpstashBridge } from "./upstash-bridge/upstash-bridge.ts";
import { TEST_DISCORD_BOT_TOKEN, TEST_DISCORD_CLIENT_ID, TEST_DISCORD_CLIENT_SECRET, startFakeDiscord } from "./fakes/discord.ts";
import { installFakeGuilds } from "./fakes/discord-guilds.ts";
import { startFakeGateway } from "./fakes/discord-gateway.ts";
import { generateInteractionKeyPair } from "./fakes/interaction-signer.ts";
import { startFakeKick } from "./fakes/kick.ts";
import { startFakeLanyard } from "./fakes/lanyard.ts";
import { startFakeSpotify } from "./fakes/spotify.ts";
import { startFakeTwitch } from "./fakes/twitch.ts";
import { startFakeYouTube } from "./fakes/youtube.ts";

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

// The provided keys are declared in test/provided-context.d.ts.

/** Each run migrates and uses its own database, named for it, and drops it when done; `template`: a copy of that one. */
async function createRunDatabase(serverUrl: string, template?: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `nebula_test_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${template}` : ""}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export default async function setup(project: TestProject) {
  const database = await createRunDatabase(TEST_DATABASE_URL);
  await migratePostgres(database.url);
  // A whole deployment of its own for workers/test/cron/idle-deployment.test.ts, whose cron jobs would find work in
  // every other suite's rows; copied from the migrated database before anything else connects to it.
  const idleDeployment = await createRunDatabase(TEST_DATABASE_URL, new URL(database.url).pathname.slice(1));
  project.provide("idleDeploymentDatabaseUrl", idleDeployment.url);
  const url = new URL(database.url);
  const bridge = await startDbBridge({ host: url.hostname, port: Number(url.port || 5432) });
  project.provide("databaseUrl", database.url);
  project.provide("dbProxy", bridge.proxy);
  // Not checked here: with Redis down the Upstash cases fail on their own, and every other suite still runs.
  const upstash = await startUpstashBridge({ redisUrl: process.env.REDIS_URL, token: randomBytes(24).toString("base64url") });
  project.provide("upstashUrl", upstash.url);
  project.provide("upstashToken", upstash.token);
  // Fake Discord (test/fakes/discord.ts): tests steer it through its /__control endpoints.
  const discord = await startFakeDiscord({
    clientId: TEST_DISCORD_CLIENT_ID,
    clientSecret: TEST_DISCORD_CLIENT_SECRET,
    redirectUris: ["http://localhost/auth/discord/callback", "http://localhost/auth/discord/install/callback"],
  });
  project.provide("discordApiBase", discord.url);
  // The run's interaction key pair (test/fakes/interaction-signer.ts): the workerd project's DISCORD_PUBLIC_KEY
  // binding (test/vitest.config.ts) and the tests' signer both come from here, so they always match.
  project.provide("discordInteractionKey", await generateInteractionKeyPair());
  // Guild model and interaction webhooks (test/fakes/discord-guilds.ts) on the same fake: /__control/guilds, …
  const fakeGuilds = installFakeGuilds(discord, { botToken: TEST_DISCORD_BOT_TOKEN });
  // Fake Discord Gateway (test/fakes/discord-gateway.ts): GET /gateway/bot and /__control/gateway/* on the REST fake.
  const gateway = await startFakeGateway(discord);
  // Streaming platforms (go-live, stream bot): fakes with their own control endpoints (test/fakes/twitch.ts …).
  const [twitch, youtube, kick] = await Promise.all([startFakeTwitch(), startFakeYouTube(), startFakeKick()]);
  project.provide("twitchOrigin", twitch.origin);
  project.provide("youtubeOrigin", youtube.origin);
  project.provide("kickOrigin", kick.origin);
  // Lanyard presence (test/fakes/lanyard.ts): /v1/users/:id and /__control/users/:id.
  const lanyard = await startFakeLanyard();
  project.provide("lanyardOrigin", lanyard.origin);
  // Spotify (test/fakes/spotify.ts): accounts service and Web API on one origin, /__control/spotify/*.
  const spotify = await startFakeSpotify();
  project.provide("spotifyOrigin", spotify.origin);
  return async () => {
    fakeGuilds.close();
    await Promise.all([bridge.close(), upstash.close(), discord.close(), gateway.close(), twitch.close(), youtube.close(), kick.close(), lanyard.close(), spotify.close()]);
    await Promise.all([database.drop(), idleDeployment.drop()]);
  };
}

// Test projects: `workers` runs inside workerd (routes, Durable Objects); `node` runs everything else.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { TEST_DISCORD_BOT_TOKEN, TEST_DISCORD_CLIENT_ID, TEST_DISCORD_CLIENT_SECRET } from "./fakes/discord.ts";
import { TEST_KICK_CLIENT_ID, TEST_KICK_CLIENT_SECRET } from "./fakes/kick.ts";
import { TEST_SPOTIFY_CLIENT_ID, TEST_SPOTIFY_CLIENT_SECRET } from "./fakes/spotify.ts";
import { TEST_TWITCH_CLIENT_ID, TEST_TWITCH_CLIENT_SECRET, TEST_TWITCH_EVENTSUB_SECRET } from "./fakes/twitch.ts";
import { TEST_GOOGLE_CLIENT_ID, TEST_GOOGLE_CLIENT_SECRET, TEST_YOUTUBE_API_KEY } from "./fakes/youtube.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export const TEST_ENCRYPTION_KEYS = "v1:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

/** The workerd side of the tests: the Worker from wrangler.toml, pointed at the run's Postgres and local fakes. */
const inWorkerd = () =>
  cloudflareTest(({ inject }) => ({
    wrangler: { configPath: path.join(root, "wrangler.toml") },
    miniflare: {
      assets: { directory: path.join(root, "test/fixtures/assets"), binding: "ASSETS" },
      bindings: {
        DATABASE_URL: inject("databaseUrl"),
        DB_WS_PROXY: inject("dbProxy"),
        ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
        PUBLIC_URL: "http://localhost",
        // Generated per run by test/global-setup.ts; the tests sign with its private half.
        DISCORD_PUBLIC_KEY: inject("discordInteractionKey").publicKeyHex,
        LOG_LEVEL: "error",
        DISCORD_API_BASE: inject("discordApiBase"),
        DISCORD_CLIENT_ID: TEST_DISCORD_CLIENT_ID,
        DISCORD_CLIENT_SECRET: TEST_DISCORD_CLIENT_SECRET,
        DISCORD_BOT_TOKEN: TEST_DISCORD_BOT_TOKEN,
        TWITCH_API_BASE: `${inject("twitchOrigin")}/helix`,
        TWITCH_AUTH_BASE: `${inject("twitchOrigin")}/oauth2`,
        TWITCH_CLIENT_ID: TEST_TWITCH_CLIENT_ID,
        TWITCH_CLIENT_SECRET: TEST_TWITCH_CLIENT_SECRET,
        TWITCH_EVENTSUB_SECRET: TEST_TWITCH_EVENTSUB_SECRET,
        YOUTUBE_API_BASE: `${inject("youtubeOrigin")}/youtube/v3`,
        YOUTUBE_WEBSUB_HUB: `${inject("youtubeOrigin")}/websub/subscribe`,
        YOUTUBE_API_KEY: TEST_YOUTUBE_API_KEY,
        YOUTUBE_CLIENT_ID: TEST_GOOGLE_CLIENT_ID,
        YOUTUBE_CLIENT_SECRET: TEST_GOOGLE_CLIENT_SECRET,
        GOOGLE_AUTH_BASE: `${inject("youtubeOrigin")}/o/oauth2/v2`,
        GOOGLE_TOKEN_BASE: inject("youtubeOrigin"),
        KICK_API_BASE: inject("kickOrigin"),
        KICK_AUTH_BASE: inject("kickOrigin"),
        KICK_CLIENT_ID: TEST_KICK_CLIENT_ID,
        KICK_CLIENT_SECRET: TEST_KICK_CLIENT_SECRET,
        LANYARD_API_BASE: `${inject("lanyardOrigin")}/v1`,
        SPOTIFY_ACCOUNTS_BASE: inject("spotifyOrigin"),
        SPOTIFY_API_BASE: inject("spotifyOrigin"),
        SPOTIFY_CLIENT_ID: TEST_SPOTIFY_CLIENT_ID,
        SPOTIFY_CLIENT_SECRET: TEST_SPOTIFY_CLIENT_SECRET,
      },
    },
  }));

/**
 * Test files that run the global cron jobs (go-live polling and WebSub lease renewal, YouTube live-chat discovery,
 * the five-minute schedule) or count what those jobs do: the jobs walk every tenant in the shared test database, so two such
 * files side by side see each other's calls. They run one at a time, beside the rest of the suite.
 */
const GLOBAL_CRON_FILES = [
  "workers/test/cron.test.ts",
  "workers/test/cron/idle-deployment.test.ts",
  "workers/test/discord-gateway/gateway.test.ts",
  "workers/test/go-live/go-live.test.ts",
  "workers/test/go-live/twitch-poll-batches.test.ts",
  "workers/test/go-live/websub-lease-renewal.test.ts",
  "workers/test/go-live/youtube-scheduled.test.ts",
  "workers/test/youtube-live-chat/youtube-live-chat.test.ts",
];

export default defineConfig({
  root,
  test: {
    // Vitest's default is one worker per core minus one: a single worker on these 2-core machines, while most files
    // wait on a stack, a browser or a peer. Two keep both cores busy and the whole run well inside CI's 30 minutes.
    maxWorkers: 2,
    globalSetup: [path.join(root, "test/global-setup.ts")],
    projects: [
      {
        plugins: [
          inWorkerd(),
        ],
        test: {
          name: "workers",
          root,
          include: ["workers/test/**/*.test.ts"],
          exclude: ["**/node_modules/**", ...GLOBAL_CRON_FILES],
          testTimeout: 30_000,
        },
      },
      {
        plugins: [inWorkerd()],
        test: {
          name: "workers-cron",
          root,
          include: GLOBAL_CRON_FILES,
          fileParallelism: false,
          testTimeout: 30_000,
        },
      },
      {
        test: {
          name: "node",
          root,
          include: ["schema/**/*.test.ts", "agent/**/*.test.ts", "workers/src/**/*.test.ts", "web/src/**/*.test.ts", "test/**/*.test.ts"],
          exclude: ["**/node_modules/**"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});

// The Discord section's browser stories share one world: a fake Discord with one server ("Homelab Friends") owned by
// the signed-in owner, a fake Lanyard (presence), the real local stack pointed at them, and Chromium. linkGuild walks the real "Add to server" flow.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { expect } from "vitest";
import { freePort } from "../../workers/local/free-port.ts";
import { type FakeDiscord, TEST_DISCORD_BOT_TOKEN, TEST_DISCORD_CLIENT_ID, TEST_DISCORD_CLIENT_SECRET, startFakeDiscord } from "../fakes/discord.ts";
import { installFakeGuilds } from "../fakes/discord-guilds.ts";
import { type FakeLanyard, startFakeLanyard } from "../fakes/lanyard.ts";
import { type LocalStack, startLocalStack } from "../stack.ts";
import { openBrowser } from "./browser.ts";

export const OWNER = { id: "310000000000000001", username: "labowner", global_name: "Lab Owner", avatar: null };
export const GUILD = "320000000000000001";
export const GENERAL = "320000000000000011";
export const STREAMERS_ROLE = "320000000000000021";
export const MEMBERS_ROLE = "320000000000000022";
export const SUPPORT_ROLE = "320000000000000023";

/**
 * Failed requests the browser logs that are the API's normal answers: Now Playing's settings read is a 404 until it is
 * set up (workers/src/now-playing/settings.ts), and the browser logs every 404 it fetches.
 */
const EXPECTED_CONSOLE = [/status of 404 \(Not Found\) @ \S+\/now-playing$/];

export interface DiscordWorld {
  discord: FakeDiscord;
  lanyard: FakeLanyard;
  stack: LocalStack;
  browser: Browser;
  page: Page;
  pageErrors: string[];
  /** Console errors, less the expected ones above. */
  consoleErrors: string[];
  stop(): Promise<void>;
}

/** `env`: extra stack settings (e.g. DISCORD_PUBLIC_KEY for a story that sends signed interactions). */
export async function startDiscordWorld(viewportHeight = 900, env: Record<string, string> = {}): Promise<DiscordWorld> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), "nebula-discord-"));
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const discord = await startFakeDiscord({
    clientId: TEST_DISCORD_CLIENT_ID,
    clientSecret: TEST_DISCORD_CLIENT_SECRET,
    redirectUris: [`${origin}/auth/discord/callback`, `${origin}/auth/discord/install/callback`],
    users: [OWNER],
  });
  installFakeGuilds(discord, { botToken: TEST_DISCORD_BOT_TOKEN });
  const seeded = await fetch(`${discord.origin}/__control/guilds`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      id: GUILD,
      name: "Homelab Friends",
      ownerId: OWNER.id,
      roles: [
        { id: STREAMERS_ROLE, name: "Stream pings", permissions: "0" },
        { id: MEMBERS_ROLE, name: "Members", permissions: "0" },
        { id: SUPPORT_ROLE, name: "Support", permissions: "0" },
      ],
      channels: [
        { id: "320000000000000010", name: "Community", type: 4 },
        { id: GENERAL, name: "general", type: 0, parentId: "320000000000000010" },
        { id: "320000000000000012", name: "go-live", type: 0, parentId: "320000000000000010" },
      ],
      members: [{ user: { id: OWNER.id, username: OWNER.username }, roles: [] }],
    }),
  });
  expect(seeded.status).toBe(200);
  const lanyard = await startFakeLanyard();
  const stack = await startLocalStack({
    dataDir: path.join(dataDir, "stack"),
    port,
    env: {
      DISCORD_API_BASE: discord.url,
      DISCORD_CLIENT_ID: TEST_DISCORD_CLIENT_ID,
      DISCORD_CLIENT_SECRET: TEST_DISCORD_CLIENT_SECRET,
      DISCORD_BOT_TOKEN: TEST_DISCORD_BOT_TOKEN,
      LANYARD_API_BASE: `${lanyard.origin}/v1`,
      ...env,
    },
  });
  const { browser, page, pageErrors } = await openBrowser(viewportHeight);
  const consoleErrors: string[] = [];
  page.on("console", (msg) => {
    const line = `${msg.text()} @ ${msg.location().url}`;
    if (msg.type() === "error" && !EXPECTED_CONSOLE.some((re) => re.test(line))) consoleErrors.push(line);
  });
  return {
    discord,
    lanyard,
    stack,
    browser,
    page,
    pageErrors,
    consoleErrors,
    async stop() {
      await browser.close();
      await stack.stop();
      await discord.close();
      await lanyard.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs the owner in with the bootstrap link and opens Discord, where no server is linked yet. */
export async function signInToDiscord(world: DiscordWorld): Promise<void> {
  const { page } = world;
  await page.goto(world.stack.bootstrapUrl ?? "");
  await page.getByTestId("dashboard").waitFor();
  await page.getByTestId("nav-discord").click();
  await page.getByTestId("discord-no-guild").waitFor();
}

/** Add to server → the fake Discord approves as the server's owner → back on the server's Overview. */
export async function linkGuild(page: Page): Promise<void> {
  // Discord appends the server the user picked to its redirect (the fake's consent screen has no server picker).
  await page.route("**/api/v10/oauth2/authorize?*", async (route) => {
    const answer = await route.fetch({ maxRedirects: 0 });
    const back = new URL(answer.headers().location ?? "");
    back.searchParams.set("guild_id", GUILD);
    back.searchParams.set("permissions", "0");
    await route.fulfill({ status: 302, headers: { location: back.toString() } });
  });
  await page.getByTestId("discord-add-to-server").click();
  await page.getByTestId("discord-overview").waitFor({ timeout: 30_000 });
}

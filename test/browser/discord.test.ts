// The Discord section in a real browser: the owner signs in, finds no server linked, presses "Add to server" (the
// real install flow against the fake Discord, which approves as the server's owner), lands on the server's Overview,
// visits the five tabs and the More tools pages, tracks a streamer and creates a GitHub feed through the UI.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeInBrowser, screenshot } from "./browser.ts";
import { type DiscordWorld, GUILD, linkGuild, signInToDiscord, startDiscordWorld } from "./discord-stack.ts";

describeInBrowser("the Discord section in the browser", () => {
  let world: DiscordWorld;
  let page: Page;

  beforeAll(async () => {
    world = await startDiscordWorld(900);
    page = world.page;
  }, 180_000);

  afterAll(async () => {
    await world?.stop();
  });

  it("links a server with Add to server, shows every tab, tracks a streamer and creates a GitHub feed", async () => {
    // Arrange: the owner signs in with the bootstrap link and opens Discord: no server linked yet.
    await signInToDiscord(world);
    await screenshot(page, "discord-empty");

    // Act: Add to server → the fake Discord approves as the server's owner → back on the server's Overview.
    await linkGuild(page);
    expect(new URL(page.url()).pathname).toBe(`/discord/${GUILD}/overview`);
    expect((await page.getByTestId("guild-name").textContent())?.trim()).toBe("Homelab Friends");
    expect(await page.getByTestId("bot-status").getAttribute("data-state")).toBe("present");
    await page.getByTestId("count-channels").waitFor();
    expect((await page.getByTestId("count-channels").locator(".stat-value").textContent())?.trim()).toBe("2");
    await screenshot(page, "discord-overview");

    // The core tabs each render their content or their empty state.
    for (const [tab, testId] of [
      ["tickets", "discord-tickets"],
      ["welcome", "discord-welcome"],
      ["commands", "discord-commands"],
    ] as const) {
      await page.getByTestId(`discord-tab-${tab}`).click();
      await page.getByTestId(testId).waitFor();
      expect(new URL(page.url()).pathname).toBe(`/discord/${GUILD}/${tab}`);
    }

    // Streams: track a Twitch streamer (Twitch has no credentials here, so its id is given too).
    await page.getByTestId("discord-tab-streams").click();
    await page.getByTestId("streamers-empty").waitFor();
    await page.getByTestId("stream-sessions-empty").waitFor();
    await page.getByTestId("add-streamer").click();
    await page.getByTestId("streamer-account").fill("nebula_tv");
    await page.getByTestId("streamer-platform-id").fill("4815162342");
    await page.getByTestId("streamer-channel").selectOption({ label: "#go-live" });
    await page.getByTestId("streamer-role").selectOption({ label: "@Stream pings" });
    // @everyone in the message: a hint says it pings nobody until allowed; allowing it clears the hint.
    await page.getByTestId("streamer-template").fill("{streamer} is live on {platform}: {title} {everyone}\n{url}");
    await page.getByTestId("streamer-everyone-hint").waitFor();
    await page.getByTestId("streamer-allow-everyone").check();
    await page.getByTestId("streamer-everyone-hint").waitFor({ state: "detached" });
    const preview = (await page.getByTestId("streamer-preview-text").textContent()) ?? "";
    expect(preview).toContain("@Stream pings nebula_tv is live on Twitch: Building a homelab dashboard @everyone");
    await screenshot(page, "discord-streams-dialog");
    const added = page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith("/go-live/streamers"));
    await page.getByTestId("streamer-save").click();
    expect((await added).status()).toBe(201);
    expect((await added).request().postDataJSON()).toMatchObject({ allowEveryone: true });
    const row = page.getByTestId("streamer-row").filter({ hasText: "nebula_tv" });
    await row.waitFor();
    expect(await row.textContent()).toContain("#go-live");
    expect(await row.textContent()).toContain("@Stream pings");
    await screenshot(page, "discord-streams");

    // More tools › GitHub: create a feed; its secret is shown once, and it is listed.
    await page.getByTestId("discord-more-tools").click();
    await page.getByTestId("discord-tool-github").click();
    await page.getByTestId("github-feeds-empty").waitFor();
    await page.getByTestId("create-feed").click();
    await page.getByTestId("feed-name").fill("homelab repos");
    await page.getByTestId("feed-channel").selectOption({ label: "#general" });
    const created = page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith("/github/feeds"));
    await page.getByTestId("feed-save").click();
    expect((await created).status()).toBe(201);
    expect(((await page.getByTestId("feed-secret").textContent()) ?? "").trim().length).toBeGreaterThan(20);
    const feed = page.getByTestId("feed-row").filter({ hasText: "homelab repos" });
    await feed.waitFor();
    expect(await feed.textContent()).toContain("#general");
    await page.getByTestId("github-deliveries-empty").waitFor();
    await screenshot(page, "discord-github");

    // The rest of More tools.
    for (const [tool, testId] of [
      ["now-playing", "discord-now-playing"],
      ["analytics", "discord-analytics"],
      ["settings", "discord-settings"],
    ] as const) {
      await page.getByTestId("discord-more-tools").click();
      await page.getByTestId(`discord-tool-${tool}`).click();
      await page.getByTestId(testId).waitFor();
      expect(new URL(page.url()).pathname).toBe(`/discord/${GUILD}/${tool}`);
    }
    await page.getByTestId("linked-guild").waitFor();
    await screenshot(page, "discord-settings");

    // Back on the Overview, the counts include what was just added.
    await page.getByTestId("discord-tab-overview").click();
    await page.getByTestId("count-streamers").waitFor();
    expect((await page.getByTestId("count-streamers").locator(".stat-value").textContent())?.trim()).toBe("1");
    expect((await page.getByTestId("count-github").locator(".stat-value").textContent())?.trim()).toBe("1");

    expect(world.pageErrors).toEqual([]);
    expect(world.consoleErrors).toEqual([]);
  }, 240_000);
});

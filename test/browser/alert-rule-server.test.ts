// An alert rule that posts through the bot, made in a real browser: the owner links a server through the real
// "Add to server" flow, then in the rule dialog picks the server first and one of its channels from the list; the API
// stores the channel with its server (one bot serves every tenant, so a bare channel id is refused).
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeInBrowser } from "./browser.ts";
import { type DiscordWorld, GENERAL, GUILD, linkGuild, signInToDiscord, startDiscordWorld } from "./discord-stack.ts";

describeInBrowser("alert rule channels in the browser", () => {
  let world: DiscordWorld;
  let page: Page;

  beforeAll(async () => {
    world = await startDiscordWorld(900);
    page = world.page;
    await signInToDiscord(world);
    await linkGuild(page);
  }, 180_000);

  afterAll(async () => {
    await world?.stop();
  });

  it("picks the server, then one of its channels, and saves the rule with both", async () => {
    await page.goto(`${world.stack.url}/alerts`);
    await page.getByTestId("create-alert-rule").click();
    const dialog = page.getByTestId("alert-rule-dialog");
    await dialog.locator('input[name="rule-name"]').fill("CPU hot");
    // No channel field until a server is chosen: its channels are what the list offers.
    expect(await dialog.getByTestId("rule-channel").count()).toBe(0);
    await dialog.getByTestId("rule-guild").selectOption(GUILD);
    const channel = dialog.locator('select[name="rule-channel"]');
    await channel.locator(`option[value="${GENERAL}"]`).waitFor({ state: "attached" });
    expect(await channel.locator("option").allTextContents()).toEqual(["Choose a channel…", "#general", "#go-live"]);
    await channel.selectOption(GENERAL);

    const saved = page.waitForResponse((r) => r.request().method() === "POST" && /\/alert-rules$/.test(r.url()));
    await dialog.getByTestId("save-alert-rule").click();
    const created = await saved;
    expect(created.status()).toBe(201);
    expect(((await created.json()) as { destination: unknown }).destination).toEqual({ kind: "channel", channelId: GENERAL, guildId: GUILD });
    await dialog.waitFor({ state: "detached" });
    expect(await page.getByTestId("alert-rule-needs-server").count()).toBe(0);
    expect(world.pageErrors).toEqual([]);
    expect(world.consoleErrors).toEqual([]);
  }, 120_000);
});

// The chat bot page as a streamer uses it: from the Streams tabs to the chat bot, add !discord with a response template,
// a permission and cooldowns; turn on the anti-spam link filter with an allowed domain; everything is still there after
// a reload; deleting the command asks first. Screenshots: test/browser/screenshots/stream-chat-bot*.png.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeInBrowser, screenshot } from "./browser.ts";
import { type OwnerWorld, startOwnerWorld } from "./owner-stack.ts";

describeInBrowser("the stream chat bot in the browser", () => {
  let world: OwnerWorld;
  let page: Page;

  beforeAll(async () => {
    world = await startOwnerWorld("chat-bot", 900);
    page = world.page;
  }, 180_000);

  afterAll(async () => {
    await world?.stop();
  });

  it("creates a command and a link allowlist that survive a reload, and deletes the command after confirming", async () => {
    // Arrange: the owner signs in and reaches the chat bot through the Streams section's tabs.
    await world.signIn("dashboard");
    await page.getByTestId("nav-streams").click();
    await page.getByTestId("streams-page").waitFor();
    await page.getByTestId("streams-tab-chat-bot").click();
    await page.getByTestId("chat-bot-page").waitFor();
    await page.getByTestId("commands-empty").waitFor();

    // Act: !discord for subscribers, 30 s per user and 10 s for everyone.
    await page.getByTestId("command-name").fill("!discord");
    await page.getByTestId("command-response").fill("Join our Discord, {user}: https://discord.gg/nebula");
    await page.getByTestId("command-permission").selectOption("subscriber");
    await page.getByTestId("command-user-cooldown").fill("30");
    await page.getByTestId("command-global-cooldown").fill("10");
    await page.getByTestId("command-save").click();
    await page.locator('[data-testid="command-row"][data-name="discord"]').waitFor();
    expect(await page.getByTestId("command-name").inputValue()).toBe("");

    // …and the anti-spam link filter, letting discord.gg through.
    await page.getByTestId("chat-bot-tab-moderation").click();
    await page.getByTestId("antispam-enabled").setChecked(true);
    await page.getByTestId("antispam-links").setChecked(true);
    await page.getByTestId("antispam-allowed-domains").fill("discord.gg");
    await page.getByTestId("antispam-save").click();
    await page.getByTestId("antispam-saved").waitFor();

    // Assert: after a reload both come back from the server.
    await page.reload();
    await page.getByTestId("chat-bot-page").waitFor();
    const row = page.locator('[data-testid="command-row"][data-name="discord"]');
    await row.waitFor();
    expect((await row.getByTestId("command-row-response").textContent())?.trim()).toBe("Join our Discord, {user}: https://discord.gg/nebula");
    expect(await row.textContent()).toContain("subscriber");
    expect((await row.getByTestId("command-row-cooldowns").textContent())?.trim()).toBe("user 30 s · all 10 s");
    await screenshot(page, "stream-chat-bot");

    await page.getByTestId("chat-bot-tab-moderation").click();
    await page.getByTestId("antispam-form").waitFor();
    expect(await page.getByTestId("antispam-enabled").isChecked()).toBe(true);
    expect(await page.getByTestId("antispam-links").isChecked()).toBe(true);
    expect(await page.getByTestId("antispam-allowed-domains").inputValue()).toBe("discord.gg");
    await screenshot(page, "stream-chat-bot-moderation");

    // Deleting asks first; Cancel keeps the command, confirming removes it.
    await page.getByTestId("chat-bot-tab-commands").click();
    await row.getByRole("button", { name: "Delete !discord" }).click();
    const dialog = page.getByTestId("confirm-dialog");
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain("!discord");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "hidden" });
    expect(await row.count()).toBe(1);
    await row.getByRole("button", { name: "Delete !discord" }).click();
    await page.getByTestId("confirm-button").click();
    await page.getByTestId("commands-empty").waitFor();
    await page.reload();
    await page.getByTestId("commands-empty").waitFor();
    expect(world.pageErrors).toEqual([]);
  });
});

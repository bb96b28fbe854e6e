// The chat bot's Channels tab as a streamer uses it: their bot account is connected to Twitch with the base scopes only,
// so choosing it for a new channel warns that it cannot chat yet and links to Connections; after "Enable chat bot" on
// the consent screen the channel is added with that account, listed with it after a reload, switched to the app token,
// and removed after confirming. Screenshot: test/browser/screenshots/stream-chat-channels.png.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type FakeTwitch, startFakeTwitch, twitchStackEnv } from "../fakes/twitch.ts";
import { describeInBrowser, screenshot } from "./browser.ts";
import { type OwnerWorld, startOwnerWorld } from "./owner-stack.ts";

describeInBrowser("the chat bot's channels in the browser", () => {
  let twitch: FakeTwitch;
  let world: OwnerWorld;
  let page: Page;

  beforeAll(async () => {
    twitch = await startFakeTwitch();
    world = await startOwnerWorld("chat-channels", 900, twitchStackEnv(twitch));
    page = world.page;
  }, 180_000);

  afterAll(async () => {
    await world?.stop();
    await twitch?.close();
  });

  async function openChannelsTab(): Promise<void> {
    await page.getByTestId("streams-tab-chat-bot").click();
    await page.getByTestId("chat-bot-page").waitFor();
    await page.getByTestId("chat-bot-tab-channels").click();
    await page.getByTestId("channel-form").waitFor();
  }

  async function fillChannel(): Promise<void> {
    await page.getByTestId("channel-login").fill("nebula_caster");
    await page.getByTestId("channel-id").fill("44001122");
    const account = page.getByTestId("channel-bot-account");
    const value = await account.locator("option", { hasText: "nebula_bot" }).getAttribute("value");
    await account.selectOption(value ?? "");
  }

  it("adds a channel speaking as a connected bot account, lists it, switches it to the app token and removes it", async () => {
    // Arrange: the bot account is connected with the base scopes only.
    await world.signIn("dashboard");
    await page.getByTestId("nav-streams").click();
    const card = page.getByTestId("connection-twitch");
    await card.getByTestId("connection-connect").click();
    await page.getByRole("button", { name: "Authorize" }).waitFor();
    const accountId = await page.getByLabel("Account id").inputValue();
    await page.getByLabel("Login").fill("nebula_bot");
    await page.getByLabel("Display name").fill("NebulaBot");
    await page.getByRole("button", { name: "Authorize" }).click();
    await card.getByTestId("connection-upgrade").waitFor();

    // Choosing it for a channel warns that it lacks the chat scopes and links to Connections.
    await openChannelsTab();
    await page.getByTestId("channels-empty").waitFor();
    await fillChannel();
    await page.getByTestId("channel-scope-hint").waitFor();
    expect(await page.getByTestId("channel-scope-hint").textContent()).toContain("has not granted the chat bot's scopes");
    await page.getByTestId("channel-connect-link").click();

    // Enable chat bot: the consent screen again, for the same account, with the chat scopes.
    await card.getByTestId("connection-upgrade").click();
    await page.getByRole("button", { name: "Authorize" }).waitFor();
    expect(await page.getByTestId("scopes").textContent()).toContain("user:write:chat");
    await page.getByLabel("Account id").fill(accountId);
    await page.getByLabel("Login").fill("nebula_bot");
    await page.getByLabel("Display name").fill("NebulaBot");
    await page.getByRole("button", { name: "Authorize" }).click();
    await page.getByTestId("connection-notice").waitFor();

    // Act: the channel with that account, as a moderator.
    await openChannelsTab();
    await fillChannel();
    expect(await page.getByTestId("channel-scope-hint").count()).toBe(0);
    await page.getByTestId("channel-moderator").setChecked(true);
    await page.getByTestId("channel-save").click();

    // Assert: listed with the account, and still after a reload.
    const row = page.locator('[data-testid="channel-row"][data-channel="nebula_caster"]');
    await row.waitFor();
    expect(await page.getByTestId("channel-login").inputValue()).toBe("");
    await page.reload();
    await page.getByTestId("chat-bot-page").waitFor();
    await page.getByTestId("chat-bot-tab-channels").click();
    await row.waitFor();
    expect(await row.textContent()).toContain("Twitch");
    expect((await row.getByTestId("channel-row-account").textContent())?.trim()).toBe("NebulaBot (nebula_bot)");
    expect((await row.getByTestId("channel-row-moderator").textContent())?.trim()).toBe("yes");
    await screenshot(page, "stream-chat-channels");

    // Edit: back to the app token, speaking as the same account id.
    await row.getByTestId("channel-edit").click();
    await page.getByTestId("channel-edit-form").waitFor();
    await page.getByTestId("channel-edit-bot-account").selectOption("");
    expect(await page.getByTestId("channel-edit-bot-user-id").inputValue()).toBe(accountId);
    await page.getByTestId("channel-edit-save").click();
    await page.getByTestId("channel-edit-form").waitFor({ state: "hidden" });
    await row.getByTestId("channel-row-account").filter({ hasText: /^app token$/ }).waitFor();

    // Removing asks first.
    await row.getByRole("button", { name: "Remove nebula_caster" }).click();
    const dialog = page.getByTestId("confirm-dialog");
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain("nebula_caster");
    await page.getByTestId("confirm-button").click();
    await page.getByTestId("channels-empty").waitFor();
    expect(world.pageErrors).toEqual([]);
  }, 180_000);
});

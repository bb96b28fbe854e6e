// Connecting Twitch in a real browser: the owner opens Streams, presses Connect Twitch, approves on the fake Twitch's
// consent screen, and comes back to a card that says Connected with the account's name; YouTube and Kick, whose
// credentials this stack lacks, say which variables to set. A consent without bits:read leaves channel.cheer
// unsubscribed: the card says so ("Events: 5 of 6 subscribed") and Reconnect fixes it.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { freePort } from "../../workers/local/free-port.ts";
import { type FakeTwitch, startFakeTwitch, twitchStackEnv } from "../fakes/twitch.ts";
import { type LocalStack, startLocalStack } from "../stack.ts";
import { describeInBrowser, openBrowser, screenshot } from "./browser.ts";

describeInBrowser("stream platform connections in the browser", () => {
  let dataDir: string;
  let twitch: FakeTwitch;
  let stack: LocalStack;
  let browser: Browser | undefined;
  let page: Page;
  let pageErrors: string[];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "nebula-connections-"));
    twitch = await startFakeTwitch();
    // EventSub needs a public callback origin: here, the stack's own.
    const port = await freePort();
    stack = await startLocalStack({
      dataDir,
      port,
      env: {
        ...twitchStackEnv(twitch),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
      },
    });
    ({ browser, page, pageErrors } = await openBrowser(900));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await twitch?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("connects Twitch through the consent screen and shows it Connected", async () => {
    await page.goto(stack.bootstrapUrl ?? "");
    await page.getByTestId("dashboard").waitFor();
    await page.getByTestId("nav-streams").click();
    const card = page.getByTestId("connection-twitch");
    await card.getByTestId("connection-connect").waitFor();
    expect(await card.getByTestId("connection-status").textContent()).toBe("Not connected");
    expect(await page.getByTestId("connection-youtube").getByTestId("connection-unconfigured").textContent()).toContain("YOUTUBE_CLIENT_ID and YOUTUBE_CLIENT_SECRET");

    // Off to Twitch's consent screen (the fake), which lists the base scopes.
    await card.getByTestId("connection-connect").click();
    await page.getByRole("button", { name: "Authorize" }).waitFor();
    expect(new URL(page.url()).origin).toBe(twitch.origin);
    expect(await page.getByTestId("scopes").textContent()).toContain("moderator:read:followers");
    await page.getByLabel("Login").fill("nebula_caster");
    await page.getByLabel("Display name").fill("NebulaCaster");
    await page.getByRole("button", { name: "Authorize" }).click();

    // Back on Streams.
    await page.getByTestId("connection-notice").waitFor();
    expect(await page.getByTestId("connection-notice").textContent()).toContain("Twitch is connected.");
    // Good news reads as such: the success style, not the warning banner's.
    expect(await page.getByTestId("connection-notice").getAttribute("class")).toContain("banner-success");
    await card.getByTestId("connection-status").filter({ hasText: /^Connected$/ }).waitFor();
    expect(await card.getByTestId("connection-account").textContent()).toBe("NebulaCaster");
    await card.getByTestId("connection-upgrade").waitFor();
    await card.getByTestId("eventsub-summary").filter({ hasText: "Events: 6 of 6 subscribed" }).waitFor();
    // The account's picture, or its initials when the picture does not load: never a broken-image icon.
    await expect
      .poll(() => card.evaluate((el) => [...el.querySelectorAll("img.avatar")].every((img) => img instanceof HTMLImageElement && img.complete && img.naturalWidth > 0)))
      .toBe(true);
    await screenshot(page, "stream-connections");

    // Disconnect, confirmed.
    await card.getByTestId("connection-disconnect").click();
    await page.getByTestId("confirm-button").click();
    await card.getByTestId("connection-connect").waitFor();
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it("shows the subscription Twitch refused for a missing scope, keeps it after Retry, and fixes it on Reconnect", async () => {
    const card = page.getByTestId("connection-twitch");
    await card.getByTestId("connection-connect").waitFor();

    // The consent screen is reached without bits:read (as for a token granted before the app asked for it).
    await page.route(`${twitch.origin}/oauth2/authorize?**`, (route) => {
      const url = new URL(route.request().url());
      url.searchParams.set("scope", (url.searchParams.get("scope") ?? "").split(" ").filter((s) => s !== "bits:read").join(" "));
      return route.continue({ url: url.toString() });
    });
    await card.getByTestId("connection-connect").click();
    await page.getByRole("button", { name: "Authorize" }).waitFor();
    const accountId = await page.getByLabel("Account id").inputValue();
    await page.getByLabel("Login").fill("partial_caster");
    await page.getByRole("button", { name: "Authorize" }).click();
    await page.unroute(`${twitch.origin}/oauth2/authorize?**`);

    const summary = card.getByTestId("eventsub-summary");
    await summary.filter({ hasText: "Events: 5 of 6 subscribed" }).waitFor();
    expect((await card.getByTestId("eventsub-failure").allTextContents()).map((t) => t.trim())).toEqual(["channel.cheer failed: missing scope bits:read"]);
    await card.getByTestId("eventsub-reconnect").waitFor();

    // Retry asks Twitch again; it still refuses, and the card still says why.
    await card.getByTestId("eventsub-retry").click();
    await card.getByTestId("eventsub-retry").filter({ hasText: /^Retry$/ }).waitFor();
    expect(await summary.textContent()).toContain("5 of 6");
    await screenshot(page, "stream-connections-eventsub");

    // Reconnect asks for every base scope: all six subscribed.
    await card.getByTestId("eventsub-reconnect").click();
    await page.getByRole("button", { name: "Authorize" }).waitFor();
    await page.getByLabel("Account id").fill(accountId);
    await page.getByLabel("Login").fill("partial_caster");
    await page.getByRole("button", { name: "Authorize" }).click();
    await summary.filter({ hasText: "Events: 6 of 6 subscribed" }).waitFor();
    expect(await card.getByTestId("eventsub-failure").count()).toBe(0);
    expect(pageErrors).toEqual([]);
  }, 120_000);
});

// The Discord section's feature tabs in a real browser, on a server linked through the real "Add to server" flow:
// the owner edits the welcome message and watches the live preview follow, creates a custom command, turns on
// Now Playing and sees its Plex URL once, reads the analytics charts, sets up a ticket category, and switches the
// panel's tickets to channels of their own.
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeInBrowser, screenshot } from "./browser.ts";
import { type DiscordWorld, GUILD, linkGuild, OWNER, signInToDiscord, startDiscordWorld } from "./discord-stack.ts";

const SCREENSHOTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "screenshots");

/** The failed request the browser logs that a story causes on purpose: the refused duplicate command. */
const EXPECTED_CONSOLE = [/status of 409 \(Conflict\) @ \S+\/commands$/];

describeInBrowser("the Discord feature tabs in the browser", () => {
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

  /** A core tab by its tab button, a More tools page through the menu. */
  async function openTab(tab: string, tool = false) {
    if (tool) {
      await page.getByTestId("discord-more-tools").click();
      await page.getByTestId(`discord-tool-${tab}`).click();
    } else await page.getByTestId(`discord-tab-${tab}`).click();
    await page.getByTestId(`discord-${tab}`).waitFor();
    expect(new URL(page.url()).pathname).toBe(`/discord/${GUILD}/${tab}`);
  }

  /** The whole page from its top (the shell's bars are fixed, so a scrolled page would draw them mid-image). */
  async function shot(name: string) {
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, name);
  }
  /** An open dialog as the user sees it: the viewport only (a full-page image would show the backdrop cut short). */
  async function shotDialog(name: string) {
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
  }

  const previewText = () => page.getByTestId("welcome-preview-text").textContent();

  it("edits the welcome message with a live preview, saves it, and shows template problems inline", async () => {
    await openTab("welcome");
    await page.getByTestId("welcome-events-empty").waitFor();
    await page.getByTestId("welcome-auto-roles-empty").waitFor();
    // The preview renders the saved default for the signed-in owner as the new member.
    await page.getByTestId("welcome-preview").waitFor();

    await page.getByTestId("welcome-enabled").check();
    await page.getByTestId("welcome-channel").selectOption({ label: "#general" });
    await page.getByTestId("welcome-template").fill("Hi {user.name}, welcome to ");
    await page.getByTestId("template-variables").getByRole("button", { name: "{server}", exact: true }).click();
    await expect.poll(previewText, { timeout: 10_000 }).toBe("Hi Owner, welcome to Homelab Friends");

    // An unknown placeholder is a warning under the field; an unclosed one an error.
    await page.getByTestId("welcome-template").fill("Hi {user.nmae} {server");
    await page.getByTestId("welcome-template-issue").first().waitFor();
    const issues = await page.getByTestId("welcome-template-issue").allTextContents();
    expect(issues.join(" ")).toMatch(/user\.nmae/);
    expect(issues.join(" ")).toMatch(/unclosed|close/i);

    await page.getByTestId("welcome-template").fill("Welcome {user}! You are member #{memberCount} of {server}.");
    await page.getByTestId("welcome-auto-roles").getByLabel("@Members").check();
    await expect.poll(previewText, { timeout: 10_000 }).toMatch(/^Welcome @Owner! You are member #\d+ of Homelab Friends\.$/);
    await shot("discord-welcome");

    const saved = page.waitForResponse((r) => r.request().method() === "PUT" && r.url().endsWith("/welcome"));
    await page.getByTestId("welcome-save").click();
    expect((await saved).status()).toBe(200);
    await page.getByTestId("welcome-saved").waitFor();
    expect((await page.getByTestId("welcome-state").textContent())?.trim().toLowerCase()).toBe("on");

    // The saved settings come back after a reload, and the preview draws them.
    await page.reload();
    await page.getByTestId("discord-welcome").waitFor();
    await expect.poll(previewText, { timeout: 10_000 }).toMatch(/^Welcome @Owner!/);
    expect(await page.getByTestId("welcome-auto-roles").getByLabel("@Members").isChecked()).toBe(true);

    const test = page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith("/welcome/test"));
    await page.getByTestId("welcome-test").click();
    expect((await test).status()).toBe(202);
    await page.getByTestId("welcome-test-sent").waitFor();
  }, 120_000);

  it("creates a custom command, checking Discord's naming rules as the name is typed, and lists it", async () => {
    await openTab("commands");
    await page.getByTestId("commands-empty").waitFor();
    await page.getByTestId("command-usage-empty").waitFor();

    await page.getByTestId("create-command").click();
    await page.getByTestId("command-name").fill("Server Rules");
    expect(await page.getByTestId("command-name-problem").textContent()).toMatch(/no spaces/i);
    await page.getByTestId("command-name").fill("Rules");
    expect(await page.getByTestId("command-name-problem").textContent()).toMatch(/lowercase/i);
    await page.getByTestId("command-name").fill("rules");
    await page.getByTestId("command-name-problem").waitFor({ state: "detached" });
    await page.getByTestId("command-description").fill("Where to read the server rules");
    await page.getByTestId("command-add-option").click();
    await page.getByTestId("command-option-name").fill("member");
    await page.getByTestId("command-option-description").fill("Who should read them");
    await page.getByLabel("Option 1 type").selectOption({ label: "Member" });
    await page.getByTestId("command-option").getByLabel("Required").check();
    await page.getByTestId("command-template").fill("Please read #rules, ");
    await page.getByTestId("command-dialog").getByRole("button", { name: "{option.member}", exact: true }).click();
    await page.getByTestId("command-roles").getByLabel("@Members").check();
    expect(await page.getByTestId("command-preview-text").textContent()).toBe("Please read #rules, @Ada");
    // The form is taller than the window: it scrolls, and its Cancel / Create buttons stay whole at the bottom.
    const dialog = page.getByTestId("command-dialog");
    expect(await dialog.evaluate((d) => d.scrollHeight > d.clientHeight)).toBe(true);
    const dialogBox = await dialog.boundingBox();
    const saveBox = await page.getByTestId("command-save").boundingBox();
    expect(saveBox && dialogBox && saveBox.y + saveBox.height).toBeLessThanOrEqual((dialogBox?.y ?? 0) + (dialogBox?.height ?? 0) - 8);
    await shotDialog("discord-commands-dialog");

    const created = page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith("/commands"));
    await page.getByTestId("command-save").click();
    expect((await created).status()).toBe(201);
    const row = page.getByTestId("command-row").filter({ hasText: "/rules" });
    await row.waitFor();
    expect(await row.textContent()).toContain("@Members");
    expect((await row.getByTestId("command-uses").textContent())?.trim()).toBe("0");
    // The queue registers the server's commands with the fake Discord; the list looks again until it has.
    await expect.poll(() => page.getByTestId("command-registration").getAttribute("data-status"), { timeout: 20_000 }).toBe("registered");
    await shot("discord-commands");

    // A second command with the same name is refused, and the dialog says so under the name.
    await page.getByTestId("create-command").click();
    await page.getByTestId("command-name").fill("rules");
    await page.getByTestId("command-description").fill("Again");
    await page.getByTestId("command-template").fill("Twice");
    await page.getByTestId("command-save").click();
    expect(await page.getByTestId("command-name-issue").textContent()).toMatch(/already has a \/rules command/);
    await page.getByTestId("command-dialog").getByRole("button", { name: "Cancel" }).click();
    expect(await page.getByTestId("command-row").count()).toBe(1);
  }, 60_000);

  it("turns on Now Playing and shows the Plex webhook URL once", async () => {
    // The owner's linked Discord account is listening to Spotify, as Lanyard sees it.
    const monitored = await fetch(`${world.lanyard.origin}/__control/users/${OWNER.id}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        discord_status: "online",
        activities: [{ name: "Spotify", type: 2, details: "Midnight City", state: "M83" }],
        spotify: { track_id: null, song: "Midnight City", artist: "M83", album: "Hurry Up, We're Dreaming", album_art_url: null },
      }),
    });
    expect(monitored.ok).toBe(true);
    await openTab("now-playing", true);
    await page.getByTestId("now-playing-empty").waitFor();
    expect(await page.getByTestId("presence-row").textContent()).toContain("Listening to Midnight City by M83");

    await page.getByTestId("now-playing-channel").selectOption({ label: "#general" });
    const created = page.waitForResponse((r) => r.request().method() === "PUT" && r.url().endsWith("/now-playing"));
    await page.getByTestId("now-playing-save").click();
    expect((await created).status()).toBe(201);
    const url = ((await page.getByTestId("now-playing-url").textContent()) ?? "").trim();
    expect(url).toMatch(new RegExp(`^${world.stack.url}/webhooks/plex/\\S{20,}$`));
    await page.getByTestId("plex-instructions").waitFor();
    await page.getByTestId("now-playing-idle").waitFor();
    await shot("discord-now-playing");

    // Once dismissed (or after a reload) the URL is gone for good; the settings stay.
    await page.getByTestId("now-playing-url-shown").getByRole("button", { name: "I've added it to Plex" }).click();
    await page.reload();
    await page.getByTestId("now-playing-summary").waitFor();
    expect(await page.getByTestId("now-playing-url").count()).toBe(0);
    expect(await page.getByTestId("now-playing-summary").textContent()).toContain("#general");
    expect(await page.content()).not.toContain(url);
  }, 60_000);

  it("draws the analytics charts and switches the range", async () => {
    await openTab("analytics", true);
    await page.getByTestId("chart-members").locator("canvas").waitFor();
    expect(await page.getByTestId("chart-members").getAttribute("data-days")).toBe("30");
    await page.getByTestId("analytics-empty").waitFor();
    await page.getByTestId("analytics-messages-empty").waitFor();
    await page.getByTestId("analytics-range-7d").click();
    await expect.poll(() => page.getByTestId("chart-members").getAttribute("data-days")).toBe("7");
    expect((await page.getByTestId("total-joins").locator(".stat-value").textContent())?.trim()).toBe("0");
    await shot("discord-analytics");
  }, 60_000);

  it("shows no tickets yet, creates a panel with a category, posts it, and saves the ticket settings", async () => {
    await openTab("tickets");
    await page.getByTestId("tickets-empty").waitFor();
    await page.getByTestId("ticket-panels-empty").waitFor();
    expect((await page.getByTestId("ticket-stat-count").locator(".stat-value").textContent())?.trim()).toBe("0");

    await page.getByTestId("create-ticket-panel").click();
    await page.getByTestId("ticket-panel-channel").selectOption({ label: "#general" });
    await page.getByTestId("ticket-panel-title").fill("Need a hand?");
    await page.getByTestId("ticket-category-name").fill("Billing");
    await page.getByTestId("ticket-category-staff").getByLabel("@Support").check();
    await page.getByTestId("ticket-add-question").click();
    await page.getByTestId("ticket-question-label").fill("What went wrong?");
    await shotDialog("discord-tickets-panel-dialog");
    const created = page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith("/tickets/panels"));
    await page.getByTestId("ticket-panel-save").click();
    expect((await created).status()).toBe(201);
    const panel = page.getByTestId("ticket-panel-row").filter({ hasText: "Need a hand?" });
    await panel.waitFor();
    expect(await panel.getByTestId("ticket-category-chip").textContent()).toMatch(/Billing.*@Support.*1 question/);

    // Post it: the fake Discord receives the panel message; the panel says so.
    await panel.getByTestId("ticket-panel-post").click();
    await page.getByTestId("ticket-panel-posted").waitFor();
    expect(await panel.textContent()).toMatch(/posted/i);
    expect(await panel.getByTestId("ticket-panel-post").textContent()).toBe("Re-post");

    // The new category is a filter; nothing matches a search yet.
    await page.getByTestId("tickets-category").selectOption({ label: "Billing" });
    await page.getByTestId("tickets-search").fill("printer");
    await page.getByTestId("tickets-no-match").waitFor();

    await page.getByTestId("ticket-limit").fill("2");
    await page.getByTestId("ticket-auto-close").fill("48");
    await page.getByTestId("ticket-support-hours").check();
    const saved = page.waitForResponse((r) => r.request().method() === "PATCH" && r.url().endsWith("/tickets/settings"));
    await page.getByTestId("ticket-settings-save").click();
    expect((await saved).status()).toBe(200);
    await page.getByTestId("ticket-settings-saved").waitFor();
    await shot("discord-tickets");
  }, 60_000);

  it("switches the panel's tickets to channels of their own under a Discord category", async () => {
    const panel = page.getByTestId("ticket-panel-row").filter({ hasText: "Need a hand?" });
    expect(await panel.getByTestId("ticket-panel-kind-label").textContent()).toBe("Private threads");
    await panel.getByRole("button", { name: "Edit Need a hand?" }).click();
    expect(await page.getByTestId("ticket-panel-discord-category").count()).toBe(0);
    await page.getByTestId("ticket-panel-kind").selectOption("channel");
    await page.getByTestId("ticket-panel-discord-category").selectOption({ label: "Community" });
    const saved = page.waitForResponse((r) => r.request().method() === "PUT" && /\/tickets\/panels\/tkp_\w+$/.test(r.url()));
    await page.getByTestId("ticket-panel-save").click();
    const response = await saved;
    expect(response.status()).toBe(200);
    expect(await response.json()).toMatchObject({ ticketKind: "channel", discordCategoryId: "320000000000000010" });
    await expect.poll(() => panel.getByTestId("ticket-panel-kind-label").textContent()).toBe("Channels in Community");
  }, 60_000);

  it("names who linked the server in Settings, never their user id", async () => {
    await openTab("settings", true);
    const linked = page.getByTestId("linked-guild");
    await expect.poll(() => linked.textContent()).toContain("by you");
    expect(await linked.textContent()).not.toContain("usr_");
  }, 60_000);

  it("renders every tab without errors", () => {
    expect(world.pageErrors).toEqual([]);
    expect(world.consoleErrors.filter((e) => !EXPECTED_CONSOLE.some((re) => re.test(e)))).toEqual([]);
  });
});

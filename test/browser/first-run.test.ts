
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeInBrowser, screenshot } from "./browser.ts";
import { type OwnerWorld, startOwnerWorld } from "./owner-stack.ts";

describeInBrowser("first run in the browser", () => {
  let world: OwnerWorld;
  let page: Page;

  beforeAll(async () => {
    world = await startOwnerWorld("browser", 860);
    page = world.page;
  }, 180_000);

  afterAll(async () => {
    await world?.stop();
  });

  it("signs the owner in with the bootstrap link, creates an API token and shows it in the audit log", async () => {
    // Arrange: the one-time link printed on first start.
    expect(world.stack.bootstrapUrl, world.stack.output()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/auth\/bootstrap\?token=/);

    // Act: open it. The Worker sets the session cookie and redirects to the dashboard.
    await world.signIn("dashboard");
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Settings" }).waitFor();
    const navLabels = (await nav.getByRole("link").allTextContents()).map((t) => t.trim());
    expect(navLabels).toEqual(["Dashboard", "Discord", "Streams", "Overlays", "Settings"]);
    await expectVisible(page.getByTestId("role-badge"), "owner");
    // Health is real: the embedded database answers; Discord is honestly "not connected".
    await page.getByTestId("status-database").waitFor();
    expect(await page.getByTestId("status-database").getAttribute("data-state")).toBe("ok");
    expect(await page.getByTestId("status-cache").textContent()).toContain("Built-in store (Durable Objects)");
    await expectVisible(page.getByTestId("status-discord-bot"), "Not connected — set DISCORD_BOT_TOKEN to enable.");
    await page.getByTestId("getting-started").waitFor();
    await screenshot(page, "dashboard");

    // Settings > API tokens: create "ci-token".
    await page.getByTestId("nav-settings").click();
    await page.getByTestId("tab-tokens").click();
    await page.getByLabel("Token name").fill("ci-token");
    const created = page.waitForResponse((r) => r.request().method() === "POST" && /\/api\/t\/[^/]+\/tokens$/.test(r.url()));
    await page.getByTestId("create-token").click();
    expect((await created).status()).toBe(201);

    // The secret is shown, once.
    const secret = (await page.getByTestId("token-secret").textContent())?.trim() ?? "";
    expect(secret).toMatch(/^nc_[A-Za-z0-9_-]{43}$/);
    const row = page.getByTestId("token-list").getByRole("row").filter({ hasText: "ci-token" });
    await row.waitFor();
    expect(await row.textContent()).toContain(secret.slice(0, 8));

    // Audit log: the creation is recorded.
    await page.getByTestId("tab-audit").click();
    const entry = page.getByTestId("audit-table").getByRole("row").filter({ hasText: "api_token.create" });
    await entry.first().waitFor();
    expect(await entry.first().textContent()).toContain("success");
    // What it touched reads as words, not the table's name.
    expect(await entry.first().locator("td").nth(3).textContent()).toMatch(/^API token tok_/);
    await screenshot(page, "settings");

    // Back on the tokens tab the secret is gone for good; the token stays listed.
    await page.getByTestId("tab-tokens").click();
    await page.getByTestId("token-list").getByRole("row").filter({ hasText: "ci-token" }).waitFor();
    expect(await page.getByTestId("token-secret").count()).toBe(0);

    expect(world.pageErrors).toEqual([]);
  }, 120_000);
});

async function expectVisible(locator: ReturnType<Page["getByTestId"]>, text: string) {
  await locator.waitFor();
  expect((await locator.textContent())?.replace(/\s+/g, " ")).toContain(text);
}

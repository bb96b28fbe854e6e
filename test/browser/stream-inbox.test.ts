
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeInBrowser, screenshot } from "./browser.ts";
import { type OwnerWorld, startOwnerWorld } from "./owner-stack.ts";

describeInBrowser("the stream inbox in the browser", () => {
  let world: OwnerWorld;
  let page: Page;

  beforeAll(async () => {
    world = await startOwnerWorld("inbox", 860);
    page = world.page;
  }, 180_000);

  afterAll(async () => {
    await world?.stop();
  });

  it("shows a donation arriving live, as text, and marks it read", async () => {
    // Arrange: the owner signs in and opens the inbox; a custom tool's webhook exists (made through the API).
    await world.signIn("dashboard");
    const origin = new URL(page.url()).origin;
    await page.goto(`${origin}/streams/inbox`);
    await page.getByTestId("inbox-empty").waitFor();
    const hook = await page.evaluate(async () => {
      const me = (await (await fetch("/api/me")).json()) as { activeTenantId: string };
      const res = await fetch(`/api/t/${me.activeTenantId}/streams/inbox/webhooks`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: "Tip jar" }) });
      return (await res.json()) as { url: string; secret: string };
    });
    expect(hook.url).toMatch(/\/webhooks\/inbox\/ibw_/);

    // Act: the tool posts a donation while the page is open.
    await page.locator('[data-testid="inbox-page"][data-live="open"]').waitFor();
    const res = await fetch(`${origin}${new URL(hook.url).pathname}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${hook.secret}` },
      body: JSON.stringify({ id: "tip-browser-1", type: "donation", actor: { name: "Browser Fan" }, amount: 25, currency: "USD", message: "<b>keep going</b>" }),
    });
    expect(res.status).toBe(202);

    // Assert: it appears at the top, unread, with its message as literal text.
    const item = page.getByTestId("inbox-item").first();
    await item.getByTestId("inbox-actor").filter({ hasText: "Browser Fan" }).waitFor();
    expect(await item.getAttribute("data-unread")).toBe("true");
    expect((await item.getByTestId("inbox-summary").textContent())?.trim()).toBe("donated 25.00 USD");
    expect((await item.getByTestId("inbox-message").textContent())?.trim()).toBe("<b>keep going</b>");
    expect(await item.locator("b").count()).toBe(0);
    await page.getByTestId("inbox-unread").filter({ hasText: "1 unread" }).waitFor();
    await screenshot(page, "stream-inbox");

    await item.getByTestId("inbox-toggle-read").click();
    await page.locator('[data-testid="inbox-item"][data-unread="false"]').waitFor();
    expect(world.pageErrors).toEqual([]);
  });

  it("adds a source whose secret is shown once; a post with it lands live; rotating retires the old secret; delete asks first", async () => {
    // Arrange: the inbox as the owner left it.
    const origin = new URL(page.url()).origin;
    const sources = page.getByTestId("inbox-sources");
    await sources.scrollIntoViewIfNeeded();

    // Act: a donation service's source.
    await page.getByTestId("inbox-source-name").fill("Ko-fi bridge");
    await page.getByTestId("inbox-source-kind").selectOption("donations");
    await page.getByTestId("inbox-source-create").click();
    const created = page.getByTestId("inbox-source-created");
    await created.waitFor();
    const secret = ((await page.getByTestId("inbox-source-secret").textContent()) ?? "").trim();
    const hookUrl = ((await page.getByTestId("inbox-source-url").textContent()) ?? "").trim();
    expect(secret).toMatch(/^nis_/);
    expect(hookUrl).toMatch(new RegExp(`^${origin}/webhooks/inbox/ibw_[0-9a-z]{16}$`));
    const row = page.locator('[data-testid="inbox-source-row"]').filter({ hasText: "Ko-fi bridge" });
    await row.waitFor();
    expect(await row.textContent()).toContain("Donation service");
    await screenshot(page, "stream-inbox-source-created");

    // The secret is shown this once: gone after dismissing, and not in the list after a reload either.
    await created.getByRole("button", { name: "I've copied it" }).click();
    await created.waitFor({ state: "hidden" });
    expect(await page.content()).not.toContain(secret);
    await page.reload();
    await row.waitFor();
    expect(await page.content()).not.toContain(secret);

    // A post with the secret appears at the top of the open page, live.
    await page.locator('[data-testid="inbox-page"][data-live="open"]').waitFor();
    await page.evaluate(() => window.scrollTo(0, 0));
    const post = (key: string, id: string) =>
      fetch(`${origin}${new URL(hookUrl).pathname}`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
        body: JSON.stringify({ id, type: "donation", actor: { name: `Kofi Supporter ${id}` }, amount: 3, currency: "EUR" }),
      });
    expect((await post(secret, "kofi-1")).status).toBe(202);
    const first = page.getByTestId("inbox-item").first();
    await first.getByTestId("inbox-actor").filter({ hasText: "Kofi Supporter kofi-1" }).waitFor();
    expect((await first.getByTestId("inbox-summary").textContent())?.trim()).toBe("donated 3.00 EUR");

    // Rotating asks first, shows the new secret once, and the old one stops working.
    await sources.scrollIntoViewIfNeeded();
    await row.getByTestId("inbox-source-rotate").click();
    await page.getByRole("dialog", { name: "Rotate the secret?" }).getByTestId("confirm-button").click();
    await created.waitFor();
    const rotated = ((await page.getByTestId("inbox-source-secret").textContent()) ?? "").trim();
    expect(rotated).toMatch(/^nis_/);
    expect(rotated).not.toBe(secret);
    expect((await post(secret, "kofi-2")).status).toBe(401);
    expect((await post(rotated, "kofi-3")).status).toBe(202);

    // Deleting asks first; afterwards the URL is unknown.
    await row.getByRole("button", { name: "Delete Ko-fi bridge" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete source?" });
    expect(await dialog.textContent()).toContain("Ko-fi bridge");
    await dialog.getByTestId("confirm-button").click();
    await row.waitFor({ state: "detached" });
    await created.waitFor({ state: "hidden" });
    expect((await post(rotated, "kofi-4")).status).toBe(404);
    expect(world.pageErrors).toEqual([]);
  });
});

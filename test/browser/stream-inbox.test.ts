
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
});

// Service probes and alert rule timing in a real browser: the owner runs the REAL agent with NEBULA_PROBES naming a
// (fake) Plex and a service that is down, sees both on the host's Probes tab with their state and latency, then makes
// a "service failing" rule from its template with repeats and quiet hours, and finds them kept when editing it again.
// The rule notifies a webhook under a Discord API base nothing listens on: this story is about timing, not delivery,
// and nothing leaves the machine.
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type FakeService, startFakeService } from "../fakes/homelab-services.ts";
import { type AgentProcess, startAgentProcess } from "../soak/agent-process.ts";
import { describeInBrowser, screenshot } from "./browser.ts";
import { type OwnerWorld, startOwnerWorld } from "./owner-stack.ts";

/** A URL nothing listens on: a port that was free a moment ago. */
async function deadUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

describeInBrowser("service probes and alert timing in the browser", () => {
  let world: OwnerWorld;
  let page: Page;
  let plex: FakeService;
  let agent: AgentProcess | undefined;
  let discordApi: string;

  beforeAll(async () => {
    plex = await startFakeService({ kind: "plex", machineIdentifier: "c0ffee", version: "1.41.3" });
    discordApi = `${await deadUrl()}/api/v10`;
    world = await startOwnerWorld("probes", 900, { DISCORD_API_BASE: discordApi });
    page = world.page;
  }, 180_000);

  afterAll(async () => {
    await agent?.stop();
    await world?.stop();
    await plex?.close();
  });

  it("shows each configured probe up or down with its latency, and keeps a rule's repeats and quiet hours", async () => {
    await world.signIn("fleet-card");

    // A host added the manual way; its token starts the real agent with two probes.
    await page.getByTestId("add-host").click();
    await page.getByTestId("add-host-mode-manual").click();
    await page.getByLabel("Host name").fill("media");
    await page.getByTestId("create-host").click();
    const token = (await page.getByTestId("agent-token").textContent())?.trim() ?? "";
    await page.getByRole("button", { name: "I've copied it" }).click();
    agent = startAgentProcess({
      edgeUrl: world.stack.url,
      token,
      spoolDir: path.join(world.dataDir, "spool"),
      dockerSocket: path.join(world.dataDir, "no-docker.sock"),
      env: { NEBULA_PROBES: `plex=plex:${plex.url},cams=http:${await deadUrl()}`, NEBULA_PROBE_TIMEOUT_MS: "1000" },
    });
    const row = page.getByTestId("fleet-table").getByTestId("host-row").filter({ hasText: "media" });
    await row.locator('[data-testid="host-status"][data-status="online"]').waitFor({ timeout: 45_000 });

    // The Probes tab: Plex up with a latency, the dead service down with none (the tab refreshes every 10 s).
    await row.getByTestId("host-link").click();
    await page.getByTestId("tab-probes").click();
    const probeRow = (name: string) => page.getByTestId("probes-table").locator(`[data-testid="probe-row"][data-name="${name}"]`);
    await probeRow("plex").and(page.locator('[data-state="up"]')).waitFor({ timeout: 60_000 });
    await probeRow("cams").and(page.locator('[data-state="down"]')).waitFor({ timeout: 30_000 });
    expect(await probeRow("plex").textContent()).toContain("Plex");
    expect((await probeRow("plex").getByTestId("probe-latency").textContent())?.trim()).toMatch(/^\d+ ms$/);
    expect((await probeRow("cams").getByTestId("probe-latency").textContent())?.trim()).toBe("—");
    expect((await probeRow("cams").getByTestId("probe-uptime").textContent())?.trim()).toBe("0%");
    expect(plex.requests.every((r) => r === "/identity")).toBe(true);
    await screenshot(page, "host-probes");

    // A rule from the "service failing" template, reminding every 30 min at most twice, quiet 23:00-06:30 in Berlin.
    await page.getByTestId("host-alerts-link").click();
    await page.getByTestId("create-alert-rule").click();
    const dialog = page.getByTestId("alert-rule-dialog");
    await dialog.getByTestId("alert-template").selectOption("probe-failing");
    expect(await dialog.locator('input[name="rule-metric"]').inputValue()).toBe("probe.*.up");
    expect(await dialog.getByTestId("rule-max-repeats").isDisabled()).toBe(true);
    await dialog.locator('select[name="rule-destination"]').selectOption("webhook");
    await dialog.locator('input[name="rule-webhook"]').fill(`${discordApi}/webhooks/123456789012345678/${"t".repeat(40)}`);
    await dialog.getByTestId("rule-repeat").fill("30");
    await dialog.getByTestId("rule-max-repeats").fill("2");
    await dialog.getByTestId("rule-quiet").check();
    await dialog.locator('input[name="rule-quiet-start"]').fill("23:00");
    await dialog.locator('input[name="rule-quiet-end"]').fill("06:30");
    await dialog.locator('input[name="rule-quiet-zone"]').fill("Europe/Berlin");
    const saved = page.waitForResponse((r) => r.request().method() === "POST" && /\/alert-rules$/.test(r.url()));
    await dialog.getByTestId("save-alert-rule").click();
    const created = await saved;
    expect(created.status()).toBe(201);
    expect(((await created.json()) as { rule: unknown }).rule).toMatchObject({
      metric: "probe.*.up",
      repeatIntervalSeconds: 1800,
      maxRepeats: 2,
      quietHours: { start: "23:00", end: "06:30", timeZone: "Europe/Berlin" },
    });
    await dialog.waitFor({ state: "detached" });

    // Editing it again shows what was saved.
    await page.getByRole("button", { name: "Edit Service any failing" }).click();
    const again = page.getByTestId("alert-rule-dialog");
    expect(await again.getByTestId("rule-repeat").inputValue()).toBe("30");
    expect(await again.getByTestId("rule-max-repeats").inputValue()).toBe("2");
    expect(await again.getByTestId("rule-quiet").isChecked()).toBe(true);
    expect(await again.locator('input[name="rule-quiet-start"]').inputValue()).toBe("23:00");
    expect(await again.locator('input[name="rule-quiet-zone"]').inputValue()).toBe("Europe/Berlin");

    // An impossible time zone is named in the dialog before anything is sent.
    await again.locator('input[name="rule-quiet-zone"]').fill("Mars/Olympus");
    let patches = 0;
    page.on("request", (r) => {
      if (r.method() === "PATCH") patches++;
    });
    await again.getByTestId("save-alert-rule").click();
    expect(await again.getByTestId("rule-quiet-zone-error").textContent()).toMatch(/Unknown time zone/);
    expect(patches).toBe(0);
    await again.getByRole("button", { name: "Cancel" }).click();

    expect(world.pageErrors).toEqual([]);
  }, 240_000);
});

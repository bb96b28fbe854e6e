// Alerts and job history in a real browser, on a host whose scripted agent speaks the real wire protocol. The owner
// drafts a CPU rule (its metric named in words, "CPU total", with the key cpu.total as a tooltip), previews when it
// would have fired over the host's last hour, saves it with a Discord channel
// (listed by its #name; a rule whose channel was deleted in Discord shows the id as unknown), watches it fire and resolve in the alert history (the bot posts to the fake Discord), then wakes a machine from
// the host page and finds that job in the host's job history with who asked and how it ended.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { agentWire } from "@nebula/schema";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeInBrowser, pageApi, screenshot, topBarWhileDialogOpen } from "./browser.ts";
import { TEST_DISCORD_BOT_TOKEN } from "../fakes/discord.ts";
import { type DiscordWorld, GENERAL, GUILD, linkGuild, signInToDiscord, startDiscordWorld } from "./discord-stack.ts";
import { type ScriptedAgent, connectScriptedAgent } from "./scripted-agent.ts";

const SCREENSHOTS = path.join(path.dirname(fileURLToPath(import.meta.url)), "screenshots");
/** A channel of the seeded server (discord-stack.ts) that the first story deletes from Discord. */
const GO_LIVE = "320000000000000012";
const STEP_MS = agentWire.DEFAULT_METRICS_INTERVAL_SECONDS * 1000;
/**
 * The scripted agent ends a job at once, so the page's job stream is refused with 410 (job finished) and the page
 * reads the stored record instead (web/src/pages/fleet/sockets.ts); Chromium logs every refused handshake.
 */
const EXPECTED_CONSOLE = [/^WebSocket connection to '\S+\/jobs\/job_\w+\/stream' failed: .*Unexpected response code: 410 @ /];

/** CPU samples every collection interval from `from` to `to` (inclusive), valued by `cpu(at)`. */
function cpuSamples(from: number, to: number, cpu: (at: number) => number): agentWire.Sample[] {
  const samples: agentWire.Sample[] = [];
  for (let at = from; at <= to; at += STEP_MS) samples.push({ at, values: { "cpu.total": cpu(at), "mem.used_pct": 40 } });
  return samples;
}

describeInBrowser("alerts and job history in the browser", () => {
  let world: DiscordWorld;
  let page: Page;
  let tenantId: string;
  let ownerName: string;
  let agentId: string;
  let agent: ScriptedAgent;
  let seq = 0;

  /** One metrics batch from the scripted agent, stored (and evaluated) once the edge acknowledges it. */
  async function report(samples: agentWire.Sample[]): Promise<void> {
    seq += 1;
    const acked = agent.next<agentWire.MetricsAck>("metrics_ack");
    agent.send({ type: "metrics", seq, samples });
    expect((await acked).seq).toBe(seq);
  }

  const generalMessages = async () => {
    const res = await fetch(`${world.discord.origin}/__control/guilds/${GUILD}`);
    const guild = (await res.json()) as { channels: { id: string; messages: { embeds?: { title?: string }[] }[] }[] };
    return (guild.channels.find((c) => c.id === GENERAL)?.messages ?? []).flatMap((m) => (m.embeds ?? []).map((e) => e.title ?? ""));
  };

  beforeAll(async () => {
    world = await startDiscordWorld(1000);
    page = world.page;
    await signInToDiscord(world);
    await linkGuild(page);
    const me = await pageApi(page)<{ activeTenantId: string; user: { name: string } }>("GET", "/api/me");
    tenantId = me.body.activeTenantId;
    ownerName = me.body.user.name;
    const created = await pageApi(page)<{ agent: { id: string }; token: string }>("POST", `/api/t/${tenantId}/agents`, { name: "nas" });
    expect(created.status).toBe(201);
    agentId = created.body.agent.id;
    agent = await connectScriptedAgent(world.stack.url, created.body.token, (job, scripted) => {
      scripted.send({ type: "job_progress", id: job.id, step: job.kind, status: "ok", message: "done", at: Date.now() });
      const results: Record<string, unknown> = { "docker.list": [], "host.wol": { mac: (job.params as { mac: string }).mac, address: "255.255.255.255", port: 9, bytes: 102 } };
      const result = results[job.kind] ?? null;
      scripted.send({ type: "job_result", id: job.id, ok: true, result, durationMs: 3 });
    });
    const acked = agent.next<agentWire.HelloAck>("hello_ack");
    agent.send({ type: "hello", protocol: agentWire.PROTOCOL_VERSION, agentVersion: "0.1.0", hostname: "nas", os: "linux", arch: "x64", capabilities: ["docker.list", "host.wol"], cpuCount: 2 });
    await acked;
    // The last 40 minutes, 10 minutes ago: idle at 20 % but for a six-minute spike to 95 % half an hour ago.
    const now = Date.now();
    const spike = (at: number) => (at >= now - 30 * 60_000 && at < now - 24 * 60_000 ? 95 : 20);
    await report(cpuSamples(now - 40 * 60_000, now - 10 * 60_000, spike));
  }, 180_000);

  afterAll(async () => {
    agent?.close();
    await world?.stop();
  });

  it("shows a rule's channel id as unknown once Discord no longer has that channel", async () => {
    const created = await pageApi(page)<unknown>("POST", `/api/t/${tenantId}/alert-rules`, {
      name: "Memory full",
      agentId,
      rule: { metric: "mem.used_pct", comparison: ">", threshold: 99, severity: "warning" },
      destination: { kind: "channel", guildId: GUILD, channelId: GO_LIVE },
    });
    expect(created.status).toBe(201);
    // A server admin deletes #go-live in Discord; the rule still names its id.
    const deleted = await fetch(`${world.discord.url}/channels/${GO_LIVE}`, { method: "DELETE", headers: { authorization: `Bot ${TEST_DISCORD_BOT_TOKEN}` } });
    expect(deleted.status).toBe(200);

    await page.goto(`${world.stack.url}/alerts`);
    const row = page.getByTestId("alert-rule-row").filter({ hasText: "Memory full" });
    await row.waitFor();
    // The metric in words, its key a hover away.
    const condition = row.getByTestId("alert-rule-condition");
    expect(await condition.textContent()).toBe("Memory used > 99%");
    expect(await condition.getAttribute("title")).toBe("mem.used_pct");
    expect(await row.getByTestId("alert-rule-destination").textContent()).toBe(`Channel ${GO_LIVE}`);
    expect(await row.getByTestId("alert-rule-unknown-channel").textContent()).toBe("unknown channel");
  }, 60_000);

  it("previews when a CPU rule would have fired, saves it, and sees it fire and resolve in the history", async () => {
    await page.goto(`${world.stack.url}/alerts`);
    await page.getByTestId("alert-history-empty").waitFor();
    await page.getByTestId("create-alert-rule").click();
    const dialog = page.getByTestId("alert-rule-dialog");
    await dialog.locator('input[name="rule-name"]').fill("NAS CPU hot");
    await dialog.locator('select[name="rule-host"]').selectOption(agentId);
    await dialog.locator('input[name="rule-metric"]').fill("cpu.total");
    expect(await dialog.getByTestId("rule-metric-label").textContent()).toBe("CPU total");
    await dialog.locator('select[name="rule-comparison"]').selectOption(">");
    await dialog.locator('input[name="rule-threshold"]').fill("90");
    await dialog.locator('input[name="rule-for"]').fill("2");
    await dialog.locator('input[name="rule-clear"]').fill("80");
    await dialog.locator('select[name="rule-severity"]').selectOption("critical");
    await dialog.getByTestId("rule-guild").selectOption(GUILD);
    const channel = dialog.locator('select[name="rule-channel"]');
    await channel.locator(`option[value="${GENERAL}"]`).waitFor({ state: "attached" });
    await channel.selectOption(GENERAL);
    // Loading the server's channels suspended the page behind the dialog; the dialog still covers the top bar.
    expect(await topBarWhileDialogOpen(dialog)).toEqual({ dialogTop: "dialog", brand: "dialog" });

    // The preview replays the last hour: the spike held past two minutes, so the rule fires once and resolves.
    await dialog.locator('select[name="preview-range"]').selectOption("1h");
    await dialog.getByTestId("alert-preview-run").click();
    const preview = dialog.getByTestId("alert-preview");
    await preview.waitFor();
    expect(await preview.getAttribute("data-fired")).toBe("1");
    expect(await preview.textContent()).toContain("CPU total > 90% for 2 min, clears at 80% would have fired once");
    const marks = dialog.getByTestId("alert-preview-notification");
    expect(await marks.evaluateAll((els) => els.map((el) => el.getAttribute("data-transition")))).toEqual(["firing", "resolved"]);
    expect(await marks.first().textContent()).toMatch(/value 95%/);
    await dialog.getByTestId("alert-preview-panel").scrollIntoViewIfNeeded();
    // Scrolled into view, the last mark stops above the dialog's Cancel / Create buttons, which stay in view.
    await marks.last().scrollIntoViewIfNeeded();
    const lastMark = await marks.last().boundingBox();
    const saveButton = await dialog.getByTestId("save-alert-rule").boundingBox();
    expect(lastMark && lastMark.y + lastMark.height).toBeLessThanOrEqual(saveButton?.y ?? 0);
    await page.screenshot({ path: path.join(SCREENSHOTS, "alerts-rule-preview.png") });

    const saved = page.waitForResponse((r) => r.request().method() === "POST" && /\/alert-rules$/.test(r.url()));
    await dialog.getByTestId("save-alert-rule").click();
    expect((await saved).status()).toBe(201);
    await dialog.waitFor({ state: "detached" });
    const row = page.getByTestId("alert-rule-row").filter({ hasText: "NAS CPU hot" });
    await row.waitFor();
    expect(await row.getByTestId("alert-rule-condition").textContent()).toBe("CPU total > 90% for 2 min, clears at 80%");
    // The channel by the name people know it by in Discord, not its id.
    expect(await row.getByTestId("alert-rule-destination").textContent()).toBe("#general");
    expect(await row.getByTestId("alert-rule-unknown-channel").count()).toBe(0);

    // The host runs hot for three minutes: past the rule's two, it fires and the bot posts to #general.
    const hotFrom = Date.now() - 3 * 60_000;
    const hot = cpuSamples(hotFrom, hotFrom + 3 * 60_000, () => 95);
    await report(hot);
    const firing = page.locator('[data-testid="alert-event-row"][data-transition="firing"]');
    await firing.waitFor({ timeout: 30_000 });
    expect(await firing.textContent()).toMatch(/NAS CPU hot[\s\S]*nas[\s\S]*CPU total[\s\S]*95%/);
    expect(await firing.getByTestId("alert-event-subject").getAttribute("title")).toBe("cpu.total");
    await expect.poll(generalMessages, { timeout: 20_000 }).toEqual([expect.stringMatching(/NAS CPU hot/)]);

    // It cools down below "clears at": the alert resolves, in the history and in Discord.
    const lastHot = hot.at(-1)?.at ?? 0;
    await report(cpuSamples(Math.max(Date.now(), lastHot + STEP_MS), Math.max(Date.now(), lastHot + STEP_MS), () => 20));
    await page.locator('[data-testid="alert-event-row"][data-transition="resolved"]').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId("alert-event-row").evaluateAll((els) => els.map((el) => el.getAttribute("data-transition")))).toEqual(["resolved", "firing"]);
    await expect.poll(generalMessages, { timeout: 20_000 }).toHaveLength(2);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, "alerts-history");
    expect(world.pageErrors).toEqual([]);
  }, 120_000);

  it("wakes a machine from the host page and finds the job in the host's job history, with who asked and how it ended", async () => {
    await page.goto(`${world.stack.url}/hosts/${agentId}`);
    await page.getByTestId("host-page").waitFor();
    await page.getByTestId("host-wol").click();
    const confirm = page.locator('[data-testid="confirm-dialog"][open]');
    await confirm.locator('input[name="wol-mac"]').fill("aa:bb:cc:dd:ee:ff");
    expect(await topBarWhileDialogOpen(confirm)).toEqual({ dialogTop: "dialog", brand: "dialog" });
    await confirm.getByTestId("confirm-button").click();
    await page.locator('[data-testid="power-job"][data-status="succeeded"]').waitFor();

    await page.getByTestId("tab-jobs").click();
    const job = page.locator('[data-testid="job-row"][data-kind="host.wol"]');
    await job.waitFor();
    const cells = await job.locator("td").allTextContents();
    expect(cells[0]?.trim()).toBe("Wake-on-LAN");
    expect(cells[1]?.trim().toLowerCase()).toBe("succeeded");
    expect(cells[2]?.trim()).toBe(ownerName);
    // The quick read the host page made (docker.list) is not kept: only the wake-up is history.
    expect(await page.getByTestId("job-row").count()).toBe(1);
    await job.getByRole("button", { name: "Wake-on-LAN" }).click();
    expect(await page.getByTestId("job-result").textContent()).toContain("aa:bb:cc:dd:ee:ff");
    await page.getByTestId("job-details").getByRole("button", { name: "Close" }).click();
    await page.getByTestId("job-details").waitFor({ state: "detached" });
    // From the top: the shell's bars are fixed, so a scrolled page would draw them mid-image.
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, "host-job-history");
    expect(world.pageErrors).toEqual([]);
    expect(world.consoleErrors.filter((e) => !EXPECTED_CONSOLE.some((re) => re.test(e)))).toEqual([]);
  }, 120_000);
});

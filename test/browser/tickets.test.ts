// Tickets in the dashboard, on tickets opened the real way: members submit the panel's form as signed interactions
// to the stack, talk in their ticket threads on the fake Discord, and a staff member's reply reaches the stack over
// the fake Gateway. The owner finds tickets by text, status and category, closes one from its page, reads its stored
// transcript, downloads it as HTML, and sees the first-response and resolution times in the stats.
import type { Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type FakeGateway, startFakeGateway } from "../fakes/discord-gateway.ts";
import { type InvokingMember, InteractionSigner, snowflake } from "../fakes/interaction-signer.ts";
import { describeInBrowser, pageApi, screenshot } from "./browser.ts";
import { type DiscordWorld, GENERAL, GUILD, linkGuild, SUPPORT_ROLE, signInToDiscord, startDiscordWorld } from "./discord-stack.ts";

const ALICE: InvokingMember = { user: { id: "330000000000000001", username: "alice" }, roles: [], permissions: "0" };
const BOB: InvokingMember = { user: { id: "330000000000000002", username: "bob" }, roles: [], permissions: "0" };
const DAVE: InvokingMember = { user: { id: "330000000000000004", username: "dave" }, roles: [], permissions: "0" };
const CAROL_STAFF: InvokingMember = { user: { id: "330000000000000003", username: "carol" }, roles: [SUPPORT_ROLE], permissions: "0" };

interface TicketSummary {
  id: string;
  number: number;
  subject: string;
  threadId: string | null;
  status: string;
}

describeInBrowser("tickets in the browser", () => {
  let world: DiscordWorld;
  let page: Page;
  let gateway: FakeGateway;
  let signer: InteractionSigner;
  let tenantId: string;
  let categoryIds: Record<string, string>;

  const control = async (method: string, controlPath: string, body?: unknown) => {
    const res = await fetch(`${world.discord.origin}/__control${controlPath}`, {
      method,
      ...(body === undefined ? {} : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    return res.json() as Promise<unknown>;
  };
  const ticketsApi = (rest = "") => `/api/t/${tenantId}/discord/guilds/${GUILD}/tickets${rest}`;

  /** A member clicks the category's button and submits its form: Discord posts the signed submit to the stack. */
  async function openTicket(member: InvokingMember, category: string, answer: string): Promise<void> {
    const payload = signer.modalSubmit(`tk.form:${categoryIds[category]}`, { q0: answer }, { guildId: GUILD, channelId: GENERAL, member });
    const signed = await signer.sign(payload);
    const res = await fetch(`${world.stack.url}/interactions`, { method: "POST", headers: signed.headers, body: signed.body });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { type: number }).type).toBe(5);
    // The queue opens the thread and edits the deferred reply ("your ticket is open").
    await control("GET", `/interactions/${signed.id}/wait?edits=1`);
  }

  beforeAll(async () => {
    signer = await InteractionSigner.generate();
    world = await startDiscordWorld(1000, { DISCORD_PUBLIC_KEY: signer.publicKeyHex });
    page = world.page;
    gateway = await startFakeGateway(world.discord);
    await signInToDiscord(world);
    await linkGuild(page);
    tenantId = (await pageApi(page)<{ activeTenantId: string }>("GET", "/api/me")).body.activeTenantId;
    for (const member of [ALICE, BOB, DAVE, CAROL_STAFF]) await control("POST", `/guilds/${GUILD}/members`, { user: member.user, roles: member.roles });

    const panel = await pageApi(page)<{ id: string; categories: { id: string; name: string }[] }>("POST", ticketsApi("/panels"), {
      channelId: GENERAL,
      title: "Need a hand?",
      categories: [
        { name: "Hardware", staffRoleIds: [SUPPORT_ROLE], questions: [{ label: "What is broken?", style: "short" }] },
        { name: "Billing", staffRoleIds: [SUPPORT_ROLE], questions: [{ label: "What is it about?", style: "short" }] },
      ],
    });
    expect(panel.status).toBe(201);
    categoryIds = Object.fromEntries(panel.body.categories.map((c) => [c.name, c.id]));
    expect((await pageApi(page)("POST", ticketsApi(`/panels/${panel.body.id}/post`))).status).toBe(200);

    // The bot's Gateway connection, as the five-minute watchdog cron opens it.
    const cron = await fetch(`${world.stack.url}/cdn-cgi/local/scheduled?cron=${encodeURIComponent("*/5 * * * *")}&format=json`);
    expect(cron.status).toBe(200);
    await control("GET", "/gateway/default/wait?identifies=1");
  }, 180_000);

  afterAll(async () => {
    await gateway?.close();
    await world?.stop();
  });

  it("lists tickets members opened, narrows them by search, status and category, and closes one with its transcript", async () => {
    await openTicket(ALICE, "Hardware", "NAS will not boot");
    await openTicket(BOB, "Hardware", "Printer jams on every page");
    await openTicket(DAVE, "Billing", "Charged twice in March");
    const listed = await pageApi(page)<{ items: TicketSummary[] }>("GET", ticketsApi());
    const nas = listed.body.items.find((t) => t.subject === "NAS will not boot");
    const threadId = nas?.threadId ?? "";
    expect(threadId).not.toBe("");

    // In the thread: the opener explains, a staff member answers (the stack hears it over the Gateway).
    await control("POST", `/channels/${threadId}/messages`, { author: ALICE.user, content: "The power light blinks orange" });
    const reply = (await control("POST", `/channels/${threadId}/messages`, { author: CAROL_STAFF.user, content: "Try reseating the boot drive" })) as { ids: string[] };
    await control("POST", "/gateway/default/dispatch", {
      events: [
        {
          t: "MESSAGE_CREATE",
          d: { id: reply.ids[0] ?? snowflake(), channel_id: threadId, guild_id: GUILD, author: { id: CAROL_STAFF.user.id, username: "carol" }, content: "Try reseating the boot drive", timestamp: new Date().toISOString() },
        },
      ],
    });
    await expect
      .poll(async () => (await pageApi(page)<{ firstStaffResponseAt: string | null }>("GET", ticketsApi(`/${nas?.id}`))).body.firstStaffResponseAt, { timeout: 20_000 })
      .not.toBeNull();

    await page.getByTestId("discord-tab-tickets").click();
    await page.getByTestId("discord-tickets").waitFor();
    const rows = page.getByTestId("ticket-row");
    await expect.poll(() => rows.count()).toBe(3);
    // Newest first.
    expect((await rows.allTextContents()).map((r) => /NAS|Printer|Charged/.exec(r)?.[0])).toEqual(["Charged", "Printer", "NAS"]);

    // Search narrows by text, then clears back to all three.
    await page.getByTestId("tickets-search").fill("printer");
    await expect.poll(() => rows.allTextContents()).toEqual([expect.stringContaining("Printer jams on every page")]);
    await page.getByTestId("tickets-search").fill("");
    await expect.poll(() => rows.count()).toBe(3);

    // Close the NAS ticket from its page: the thread's messages are stored as its transcript.
    await rows.filter({ hasText: "NAS will not boot" }).getByTestId("ticket-link").click();
    await page.getByTestId("discord-ticket").waitFor();
    await page.getByTestId("ticket-transcript-empty").waitFor();
    await page.getByTestId("ticket-close").click();
    await page.getByTestId("ticket-close-reason").fill("Drive reseated, boots again");
    const closed = page.waitForResponse((r) => r.request().method() === "POST" && r.url().endsWith("/close"));
    await page.getByRole("button", { name: "Close ticket", exact: true }).last().click();
    expect((await closed).status()).toBe(200);
    await expect.poll(() => page.getByTestId("ticket-status").textContent()).toBe("closed");
    await expect.poll(() => page.getByTestId("transcript-text").allTextContents()).toEqual(expect.arrayContaining(["The power light blinks orange", "Try reseating the boot drive"]));
    // The bot's greeting pings the opener and the staff role: read as names, as in Discord, never as raw ids.
    await expect.poll(() => page.getByTestId("transcript-text").allTextContents()).toContain("@alice @Support");
    expect(await page.getByTestId("ticket-transcript").textContent()).not.toMatch(/<@|\d{17,}/);
    expect(await page.getByTestId("ticket-detail").textContent()).not.toMatch(/\d{17,}/);
    await screenshot(page, "discord-ticket-transcript");

    // The HTML download is the same transcript, served as a page.
    const href = (await page.getByTestId("ticket-download").getAttribute("href")) ?? "";
    const download = await page.evaluate(async (url) => {
      const res = await fetch(url);
      return { status: res.status, type: res.headers.get("content-type") ?? "", text: await res.text() };
    }, href);
    expect(download.status).toBe(200);
    expect(download.type).toMatch(/^text\/html/);
    expect(download.text).toContain("The power light blinks orange");
    expect(download.text).toContain("Try reseating the boot drive");

    // Back on the list: status and category filters.
    await page.getByTestId("ticket-back").click();
    await page.getByTestId("tickets-card").waitFor();
    await page.getByTestId("tickets-status").selectOption("closed");
    await expect.poll(() => rows.allTextContents()).toEqual([expect.stringContaining("NAS will not boot")]);
    await page.getByTestId("tickets-status").selectOption("open");
    await expect.poll(() => rows.count()).toBe(2);
    await page.getByTestId("tickets-category").selectOption({ label: "Billing" });
    await expect.poll(() => rows.allTextContents()).toEqual([expect.stringContaining("Charged twice in March")]);
    await page.getByTestId("tickets-status").selectOption("");
    await page.getByTestId("tickets-category").selectOption("");
    await expect.poll(() => rows.count()).toBe(3);

    // The stats count all three and time the one answered and closed ticket.
    const stat = (id: string) => page.getByTestId(id).locator(".stat-value").textContent();
    await expect.poll(() => stat("ticket-stat-closed")).toBe("1");
    expect((await stat("ticket-stat-count"))?.trim()).toBe("3");
    expect((await stat("ticket-stat-open"))?.trim()).toBe("2");
    expect((await stat("ticket-stat-first-response"))?.trim()).toMatch(/^\d+ (s|min)$/);
    expect((await stat("ticket-stat-resolution"))?.trim()).toMatch(/^\d+ (s|min)$/);
    await page.evaluate(() => window.scrollTo(0, 0));
    await screenshot(page, "discord-tickets-list");

    expect(world.pageErrors).toEqual([]);
    expect(world.consoleErrors).toEqual([]);
  }, 180_000);
});

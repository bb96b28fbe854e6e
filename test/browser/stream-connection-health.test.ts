// A YouTube connection's health as the streamer sees it on Streams, in a real browser: the token nears its expiry and
// Google's token endpoint fails once (503) when the refresh cron runs → the card says Expiring with the error; the
// user then removes the app at Google, so the next refresh gets invalid_grant → Needs re-authorization with Reconnect,
// which goes through the consent screen and comes back Connected. Then the chat bot reads a live chat flooded with
// shouting lines and deletes and times them out (50 units each at YouTube), so the card's quota line climbs past 80%
// of the day's 10,000 units and warns. The refresh cron runs as Cloudflare fires it (miniflare's scheduled trigger),
// with its scheduled time set 55 minutes ahead so the hour-long token is inside the 15-minute refresh window.
// Screenshots: stream-connection-expiring.png, stream-connection-reauth.png, stream-connection-quota.png.
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { freePort } from "../../workers/local/free-port.ts";
import { type FakeYouTube, TEST_GOOGLE_CLIENT_ID, TEST_GOOGLE_CLIENT_SECRET, TEST_YOUTUBE_API_KEY, startFakeYouTube } from "../fakes/youtube.ts";
import { type LocalStack, startLocalStack } from "../stack.ts";
import { describeInBrowser, openBrowser, pageApi, screenshot } from "./browser.ts";

describeInBrowser("stream connection health in the browser", () => {
  let dataDir: string;
  let youtube: FakeYouTube;
  let stack: LocalStack;
  let browser: Browser | undefined;
  let page: Page;
  let pageErrors: string[];
  let channelId = "";

  const control = async (route: string, body: unknown) => {
    const res = await fetch(`${youtube.origin}${route}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    expect(res.status, await res.clone().text()).toBe(200);
    return res.json();
  };
  /** Fires the 5-minute schedule (connections.refresh, youtube.live-chat-discovery, …) as Cloudflare would, at `at`. */
  const fireFiveMinuteCron = async (at: number) => {
    const res = await fetch(`${stack.url}/cdn-cgi/local/scheduled?cron=${encodeURIComponent("*/5 * * * *")}&time=${at}&format=json`);
    expect(await res.json()).toMatchObject({ outcome: "ok" });
  };
  const card = () => page.getByTestId("connection-youtube");
  /** The "YouTube is connected." banner after a consent, so a reload shows the card alone. */
  const dismissNotice = async () => {
    await page.getByTestId("connection-notice").getByRole("button", { name: "Dismiss" }).click();
    await page.getByTestId("connection-notice").waitFor({ state: "detached" });
  };

  async function consent(accountId?: string): Promise<string> {
    await page.getByRole("button", { name: "Authorize" }).waitFor();
    expect(new URL(page.url()).origin).toBe(youtube.origin);
    if (accountId) await page.getByLabel("Account id").fill(accountId);
    const id = await page.getByLabel("Account id").inputValue();
    await page.getByLabel("Login").fill("nova_tube");
    await page.getByLabel("Display name").fill("Nova Tube");
    await page.getByRole("button", { name: "Authorize" }).click();
    return id;
  }

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), "nebula-connection-health-"));
    youtube = await startFakeYouTube();
    const port = await freePort();
    stack = await startLocalStack({
      dataDir,
      port,
      env: {
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        YOUTUBE_API_BASE: youtube.apiBase,
        YOUTUBE_WEBSUB_HUB: youtube.hubUrl,
        YOUTUBE_API_KEY: TEST_YOUTUBE_API_KEY,
        YOUTUBE_CLIENT_ID: TEST_GOOGLE_CLIENT_ID,
        YOUTUBE_CLIENT_SECRET: TEST_GOOGLE_CLIENT_SECRET,
        GOOGLE_AUTH_BASE: `${youtube.origin}/o/oauth2/v2`,
        GOOGLE_TOKEN_BASE: youtube.origin,
      },
    });
    ({ browser, page, pageErrors } = await openBrowser(1000));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await youtube?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("a refresh that fails near expiry shows Expiring; Google refusing the grant shows Needs re-authorization; Reconnect fixes it", async () => {
    await page.goto(stack.bootstrapUrl ?? "");
    await page.getByTestId("dashboard").waitFor();
    await page.getByTestId("nav-streams").click();
    await card().getByTestId("connection-connect").click();
    channelId = await consent();
    await card().getByTestId("connection-status").filter({ hasText: /^Connected$/ }).waitFor();
    await dismissNotice();

    // 55 minutes on, the hour-long token is due; Google's token endpoint is briefly down.
    await control("/__control/youtube/oauth/fail-next", { status: 503 });
    await fireFiveMinuteCron(Date.now() + 55 * 60_000);
    await page.reload();
    await card().getByTestId("connection-status").filter({ hasText: /^Expiring$/ }).waitFor();
    expect(await card().textContent()).toContain("The token expires soon and could not be renewed yet");
    await card().getByRole("button", { name: "Reconnect" }).waitFor();
    expect(await card().getByTestId("connection-reauth").count()).toBe(0);
    await screenshot(page, "stream-connection-expiring");

    // The streamer removed the app in their Google account: the next refresh gets invalid_grant.
    await control("/__control/youtube/oauth/revoke-grants", { accountId: channelId });
    await fireFiveMinuteCron(Date.now() + 55 * 60_000);
    await page.reload();
    await card().getByTestId("connection-status").filter({ hasText: /^Needs re-authorization$/ }).waitFor();
    expect(await card().getByTestId("connection-reauth").textContent()).toBe(
      "YouTube no longer accepts this connection's sign-in (it was revoked or expired): connect again. Reconnect to keep the inbox and chat bot working.",
    );
    await screenshot(page, "stream-connection-reauth");

    // Reconnect: the consent screen again, and back to Connected.
    await card().getByRole("button", { name: "Reconnect" }).click();
    await consent(channelId);
    await card().getByTestId("connection-status").filter({ hasText: /^Connected$/ }).waitFor();
    await dismissNotice();
    expect(await card().getByTestId("connection-reauth").count()).toBe(0);
    expect(pageErrors).toEqual([]);
  }, 120_000);

  it("moderating a flooded live chat spends YouTube units: the quota line shows them and warns past 80%", async () => {
    const api = pageApi(page);
    const tenant = (await api<{ activeTenantId: string }>("GET", "/api/me")).body.activeTenantId;
    await card().getByTestId("youtube-quota-used").waitFor();
    expect(await card().getByTestId("youtube-quota").getAttribute("data-warn")).toBe("false");

    // Moderating a live chat needs the chat bot's scopes (youtube.force-ssl): granted on the consent screen.
    await card().getByTestId("connection-upgrade").click();
    await consent(channelId);
    await card().getByTestId("connection-status").filter({ hasText: /^Connected$/ }).waitFor();
    await dismissNotice();
    expect(await card().getByTestId("connection-upgrade").count()).toBe(0);

    // The chat bot joins the channel's chat; the broadcast goes live with an open chat, found by the discovery job.
    const liveChatId = `KicKGFVDY2hhdCflood${Date.now().toString(36)}`;
    expect((await api("POST", `/api/t/${tenant}/streams/chat-bot/channels`, { platform: "youtube", channelId, channelLogin: "nova_tube", botUserId: channelId, botIsModerator: true })).status).toBe(201);
    await control("/__control/youtube/live-chats", { liveChatId, ownerChannelId: channelId, pollingIntervalMillis: 1_000 });
    await control("/__control/youtube/videos", [{ id: "floodLive01", channelId, title: "Live now", live: "live", startedAt: new Date(Date.now() - 60_000).toISOString(), liveChatId }]);
    await fireFiveMinuteCron(Date.now());
    const chat = async () => (await fetch(`${youtube.origin}/__control/youtube/live-chats/${liveChatId}`)).json() as Promise<{ listCalls: unknown[]; deletions: string[]; bans: unknown[] }>;
    await expect.poll(async () => (await chat()).listCalls.length, { timeout: 30_000 }).toBeGreaterThan(0);

    // 81 shouting lines: each is deleted (50 units), and from the second strike the chatter is timed out (50 more).
    const lines = Array.from({ length: 81 }, (_, i) => ({ type: "textMessageEvent", author: { channelId: "UCshoutyviewer00000000001", displayName: "@shouty" }, text: `WHY IS NOBODY ANSWERING ME ${i}` }));
    await control(`/__control/youtube/live-chats/${liveChatId}/messages`, lines);
    await expect.poll(async () => (await chat()).deletions.length, { timeout: 60_000 }).toBe(81);
    // Each line's timeout follows its deletion.
    await expect.poll(async () => (await chat()).bans.length, { timeout: 30_000 }).toBe(80);

    await page.reload();
    const quota = card().getByTestId("youtube-quota");
    await card().getByTestId("youtube-quota-warning").waitFor();
    expect(await quota.getAttribute("data-warn")).toBe("true");
    const used = Number(/API quota: ([\d,]+) \/ 10,000 units today/.exec((await card().getByTestId("youtube-quota-used").textContent()) ?? "")?.[1]?.replace(/,/g, ""));
    // 81 deletes + 80 bans at 50 units each, plus the reads and the warning reply.
    expect(used).toBeGreaterThanOrEqual(81 * 50 + 80 * 50);
    expect(used).toBeLessThan(10_000);
    expect(await card().getByTestId("youtube-quota-warning").textContent()).toBe("80% used");
    await card().scrollIntoViewIfNeeded();
    await screenshot(page, "stream-connection-quota");
    expect(pageErrors).toEqual([]);
  }, 180_000);
});

// Server analytics end to end: gateway events (with the duplicates at-least-once delivery brings), slash commands,
// tickets opened and closed in Discord, and go-live notices posted in, exact daily counts out of
// GET …/discord/guilds/:guildId/analytics; ranges validated; RBAC and tenancy.
import { exports } from "cloudflare:workers";
import { api, tickets } from "@nebula/schema";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { commandUsageKind } from "../../src/analytics/command-usage.ts";
import { loadConfig } from "../../src/config/config.ts";
import { type GatewayEvent, handleGatewayEvent } from "../../src/discord-gateway/gateway-events.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createServices } from "../../src/services/services.ts";
import { signer, snowflake } from "../discord/fake-discord.ts";
import { KICK, type Signed, deliver, fake, seedGoLiveTenant, trackStreamer } from "../go-live/go-live-harness.ts";
import { type NowPlayingLab, call, env, seedNowPlayingLab } from "../now-playing/now-playing-harness.ts";
import { discordSide } from "../outbox/outbox-harness.ts";
import { type SeededMember, url, withDb } from "../support/seed.ts";
import { api as ticketsApi, createPanel, json, seedTicketGuild, sendDeferred } from "../tickets/tickets-harness.ts";

const DAY = 24 * 3600_000;
const today = new Date().toISOString().slice(0, 10);
const yesterday = new Date(Date.now() - DAY).toISOString().slice(0, 10);
const at = (day: string) => `${day}T12:00:00.000000+00:00`;

let lab: NowPlayingLab;
let other: NowPlayingLab;
const general = snowflake();
const memes = snowflake();

let serial = 0;
const eventId = () => `test:${Date.now()}:${++serial}`;
const user = (bot = false) => ({ id: snowflake(), username: "someone", global_name: null, avatar: null, bot });
const joined = (guildId: string, day = today): GatewayEvent => ({ kind: "member.joined", id: eventId(), guildId, user: user(), joinedAt: at(day) });
const left = (guildId: string): GatewayEvent => ({ kind: "member.left", id: eventId(), guildId, user: user() });
const message = (guildId: string, channelId: string, day = today, bot = false): GatewayEvent => ({
  kind: "message.created",
  id: eventId(),
  guildId,
  channelId,
  authorId: snowflake(),
  bot,
  at: at(day),
});

/** A guild whose analytics are read by `members.admin`, who holds Manage Server there. */
type AnalyticsGuild = Pick<NowPlayingLab, "tenantId" | "guildId"> & { members: { admin: SeededMember } };

const analyticsPath = (l: AnalyticsGuild, query = "") => `/api/t/${l.tenantId}/discord/guilds/${l.guildId}/analytics${query}`;

async function analytics(l: AnalyticsGuild, query = "?range=7d"): Promise<api.GuildAnalytics> {
  const res = await call(l.members.admin, analyticsPath(l, query));
  expect(res.status, await res.clone().text()).toBe(200);
  return api.GuildAnalytics.parse(await res.json());
}

const last = <T>(list: readonly T[]) => list[list.length - 1];

beforeAll(async () => {
  lab = await seedNowPlayingLab("Analytics lab");
  other = await seedNowPlayingLab("Other analytics lab");
});

describe("counting gateway events", () => {
  it("joins, leaves and messages per channel per day are exact, however often an event is delivered", async () => {
    const events: GatewayEvent[] = [
      joined(lab.guildId),
      joined(lab.guildId),
      joined(lab.guildId, yesterday),
      left(lab.guildId),
      ...Array.from({ length: 5 }, () => message(lab.guildId, general)),
      ...Array.from({ length: 2 }, () => message(lab.guildId, memes)),
      message(lab.guildId, general, yesterday),
      // Bots' messages are not counted.
      ...Array.from({ length: 3 }, () => message(lab.guildId, general, today, true)),
      // Another tenant's guild counts for that guild only.
      message(other.guildId, general),
      joined(other.guildId),
    ];
    for (const event of events) await handleGatewayEvent(env, event);
    // Redelivery: the queue delivers at least once, and a handler failing next to ours retries the whole event.
    for (const event of [events[0], events[4], events[9], events[3]]) if (event) await handleGatewayEvent(env, event);

    const report = await analytics(lab);
    expect(report.days).toHaveLength(7);
    expect(last(report.days)).toBe(today);
    expect(report.granularity).toBe("day");
    expect(last(report.joins)).toBe(2);
    expect(report.joins.at(-2)).toBe(1);
    expect(last(report.leaves)).toBe(1);
    expect(last(report.net)).toBe(1);
    expect(report.messages.channels.map((c) => [c.key, c.total, last(c.series)])).toEqual([
      [general, 6, 5],
      [memes, 2, 2],
    ]);
    expect(last(report.messages.total)).toBe(7);
    expect(report.messages.total.at(-2)).toBe(1);
    expect(report.messages.other.every((n) => n === 0)).toBe(true);
    expect(report.goLive.every((n) => n === 0)).toBe(true);
    expect(report.tickets?.opened.every((n) => n === 0)).toBe(true);

    const theirs = await analytics(other);
    expect(last(theirs.joins)).toBe(1);
    expect(theirs.messages.channels.map((c) => c.total)).toEqual([1]);
  });

  it("the busiest 10 channels are listed and the rest summed into other", async () => {
    const busy = await seedNowPlayingLab("Busy lab");
    const channels = Array.from({ length: 12 }, () => snowflake());
    for (const [i, channel] of channels.entries()) {
      for (let n = 0; n <= i; n++) await handleGatewayEvent(env, message(busy.guildId, channel));
    }
    const report = await analytics(busy);
    expect(report.messages.channels.map((c) => c.total)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3]);
    expect(last(report.messages.other)).toBe(1 + 2);
    expect(last(report.messages.total)).toBe((12 * 13) / 2);
  });
});

describe("command usage", () => {
  it("each slash command used in the server is counted once per interaction", async () => {
    const config = loadConfig(env);
    const scope = createServices(env, config, createLogger({ test: "analytics" }, "error"));
    try {
      const usage = { interactionId: snowflake(), guildId: lab.guildId, name: "profile", day: today };
      const q = { env, services: scope.services, logger: scope.services.logger, attempts: 1, requestId: null };
      await commandUsageKind.handle(usage, q);
      await commandUsageKind.handle(usage, { ...q, attempts: 2 });
      await commandUsageKind.handle({ ...usage, interactionId: snowflake() }, q);
    } finally {
      await scope.dispose();
    }
    expect((await analytics(lab)).commands.find((c) => c.key === "profile")?.total).toBe(2);

    // Through Discord: /nowplaying in the server, counted by the queue consumer after the answer went out.
    for (let i = 0; i < 2; i++) {
      const { request } = await signer.request(url("/interactions"), signer.slashCommand("nowplaying", { guildId: lab.guildId }));
      expect((await exports.default.fetch(request)).status).toBe(200);
    }
    await vi.waitFor(async () => expect((await analytics(lab)).commands.find((c) => c.key === "nowplaying")?.total).toBe(2), { timeout: 15_000, interval: 100 });
  });
});

describe("tickets and go-live notifications", () => {
  it("tickets opened in Discord and closed from the dashboard today are counted per day", async () => {
    const t = await seedTicketGuild("Analytics tickets");
    const { categoryIds } = await createPanel(t);
    const opened: string[] = [];
    for (const member of [t.alice, t.bob, t.carol]) {
      const payload = signer.modalSubmit(`tk.form:${categoryIds[0]}`, { q0: `${member.user.username}'s NAS is down`, q1: "" }, { guildId: t.guildId, channelId: t.supportChannelId, member });
      await sendDeferred(payload, 5, 64);
      const [row] = await withDb((db) => db.select({ id: tickets.id }).from(tickets).where(eq(tickets.openInteractionId, String(payload.id))));
      opened.push(row?.id ?? "");
    }
    const close = await ticketsApi(t, `/${opened[0]}/close`, t.lab.owner, json({ reason: "Fixed" }));
    expect(close.status, await close.clone().text()).toBe(200);

    const report = await analytics({ tenantId: t.lab.tenantId, guildId: t.guildId, members: { admin: t.lab.owner } });
    expect(report.tickets?.opened).toEqual([0, 0, 0, 0, 0, 0, 3]);
    expect(report.tickets?.closed).toEqual([0, 0, 0, 0, 0, 0, 1]);
    // Another guild's tickets are not this one's.
    expect((await analytics(lab)).tickets?.opened.every((n) => n === 0)).toBe(true);
  });

  it("each stream session announced counts once, however many times its platform says it is live", async () => {
    const tenant = await seedGoLiveTenant("Analytics go-live");
    const kickIds = [Number(snowflake().slice(-8)), Number(snowflake().slice(-8)) + 1];
    const streamers = await Promise.all(
      kickIds.map((id, i) => trackStreamer(tenant, { platform: "kick", platformUserId: String(id), login: `streamer${i}`, displayName: `Streamer ${i}` })),
    );
    const startedAt = new Date().toISOString();
    const goesLive = async (kickId: number) => {
      const broadcaster = { is_anonymous: false, user_id: kickId, username: `kick${kickId}`, is_verified: false, profile_picture: "", channel_slug: `kick${kickId}` };
      const signed = await fake<Signed>(KICK, "/__control/kick/sign", { eventType: "livestream.status.updated", event: { broadcaster, is_live: true, title: "Live", started_at: startedAt, ended_at: null } });
      expect((await deliver("/webhooks/kick", signed)).status).toBe(204);
    };
    // The first stream is reported twice (a second event with its own message id, as a retry by Kick would be).
    await goesLive(kickIds[0] ?? 0);
    await goesLive(kickIds[0] ?? 0);
    await goesLive(kickIds[1] ?? 0);
    for (const streamer of streamers) {
      await vi.waitFor(async () => expect((await discordSide(`channel:${streamer.channelId}`)).messages).toHaveLength(1), { timeout: 20_000, interval: 50 });
    }

    const report = await analytics(tenant);
    expect(report.goLive).toEqual([0, 0, 0, 0, 0, 0, 2]);
    expect((await analytics(lab)).goLive.every((n) => n === 0)).toBe(true);
  });
});

describe("ranges", () => {
  it("7d, 30d and 90d give that many days ending today; from/to any span up to 90 days", async () => {
    for (const [range, days] of [["7d", 7], ["30d", 30], ["90d", 90]] as const) {
      const report = await analytics(lab, `?range=${range}`);
      expect(report.days).toHaveLength(days);
      expect(report.joins).toHaveLength(days);
      expect(report.messages.total).toHaveLength(days);
      expect(last(report.days)).toBe(today);
    }
    const span = await analytics(lab, `?from=${yesterday}&to=${today}&granularity=day`);
    expect(span.days).toEqual([yesterday, today]);
    expect(span.joins).toEqual([1, 2]);
  });

  it("bad ranges are a 400 with the issues, never a 500", async () => {
    const from = new Date(Date.now() - 90 * DAY).toISOString().slice(0, 10);
    for (const query of [`?from=${from}&to=${today}`, `?from=${today}&to=${yesterday}`, "?range=1y", "?range=7d&from=2026-01-01", "?granularity=hour", "?from=yesterday", "?extra=1"]) {
      const res = await call(lab.members.admin, analyticsPath(lab, query));
      expect(res.status, query).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: "BAD_REQUEST" } });
    }
  });
});

describe("access", () => {
  it("needs Manage Server in the guild; another tenant's guild is a 404", async () => {
    const viewer = await call(lab.members.viewer, analyticsPath(lab));
    expect(viewer.status).toBe(403);
    expect((await call(other.members.admin, analyticsPath(lab))).status).toBe(404);
    expect((await call(other.members.admin, `/api/t/${other.tenantId}/discord/guilds/${lab.guildId}/analytics`)).status).toBe(404);
  });
});

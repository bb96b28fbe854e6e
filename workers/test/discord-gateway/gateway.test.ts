// The DiscordGateway object against the fake Gateway (test/fakes/discord-gateway.ts) over a real websocket: the
// handshake, heartbeats from the alarm, resuming after cuts, restarts and zombies, re-identifying only when Discord
// dropped the session and within its budget, stopping for good on 4004, and dispatches becoming internal events.
// Time is the object's own (a clock offset in its storage, a day ahead): alarms never fire by themselves, the test
// moves the clock to each alarm and runs it, so nothing here waits for real time.
import { abortAllDurableObjects, createExecutionContext, createScheduledController, runDurableObjectAlarm, runInDurableObject, waitOnExecutionContext } from "cloudflare:test";
import { env as bindings } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { GatewayCounters, GatewayScenarioOptions, GatewayScenarioState } from "../../../test/fakes/discord-gateway.ts";
import { type DiscordGateway, GATEWAY_TEST_KEYS, WATCHDOG_MS, type GatewayStatus, getDiscordGatewayByName } from "../../src/discord-gateway/discord-gateway.ts";
import { type GatewayEvent, onGatewayEvent } from "../../src/discord-gateway/gateway-events.ts";
import type { Env } from "../../src/env.ts";
import worker from "../../src/index.ts";

const env = bindings as Env;
const ORIGIN = (env.DISCORD_API_BASE ?? "").replace(/\/api\/v10$/, "");
const DAY = 24 * 3600_000;

let serial = 0;
const snowflake = () => `${Date.now()}${String(++serial).padStart(4, "0")}`;

async function control(path: string, body: unknown = {}): Promise<unknown> {
  const res = await fetch(`${ORIGIN}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
  return res.json();
}

/** Waits (long-poll, no sleeping) until the fake counted at least this much, and returns its state. */
async function fakeReached(id: string, counters: Partial<GatewayCounters>): Promise<GatewayScenarioState> {
  const query = new URLSearchParams(Object.entries(counters).map(([k, v]) => [k, String(v)]));
  const res = await fetch(`${ORIGIN}/__control/gateway/${id}/wait?${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}

const fakeState = (id: string) => fakeReached(id, {});

type Stub = DurableObjectStub<DiscordGateway>;

/** A gateway object of its own, on its own fake scenario, with its clock a day ahead. */
async function openGateway(options: Partial<GatewayScenarioOptions> = {}): Promise<{ id: string; stub: Stub }> {
  const id = `gw${snowflake()}`;
  await control(`/__control/gateway/${id}`, options);
  const stub = getDiscordGatewayByName(env.DISCORD_GATEWAY, id);
  await runInDurableObject(stub, (_gw: DiscordGateway, state) => {
    state.storage.kv.put(GATEWAY_TEST_KEYS.clockOffsetMs, DAY);
    state.storage.kv.put(GATEWAY_TEST_KEYS.apiBase, `${ORIGIN}/scenarios/${id}/api/v10`);
  });
  return { id, stub };
}

/** Waits for the object's state to satisfy `ok`, woken by each change it makes (frames, closes, reconnects). */
function until(stub: Stub, ok: (s: GatewayStatus) => boolean): Promise<GatewayStatus> {
  return runInDurableObject(stub, async (gw: DiscordGateway) => {
    for (;;) {
      const status = gw.statusNow();
      if (ok(status)) return status;
      await gw.nextChange();
    }
  });
}

const connected = (stub: Stub) => until(stub, (s) => s.connected);

/** Lets the object through its waits (Discord's 1–5 s after INVALID_SESSION, 5 s between identifies) until it is back. */
async function reconnectThroughWaits(stub: Stub): Promise<GatewayStatus> {
  for (let i = 0; i < 5; i++) {
    const status = await until(stub, (s) => s.connected || s.state === "waiting");
    if (status.connected) return status;
    await fireAlarm(stub);
  }
  throw new Error("the gateway did not reconnect");
}

/** Moves the object's clock to its alarm and runs it, as the runtime would once that time came. */
async function fireAlarm(stub: Stub): Promise<number> {
  const at = await runInDurableObject(stub, async (_gw: DiscordGateway, state) => {
    const alarm = await state.storage.getAlarm();
    if (alarm === null) return null;
    const offset = state.storage.kv.get<number>(GATEWAY_TEST_KEYS.clockOffsetMs) ?? 0;
    state.storage.kv.put(GATEWAY_TEST_KEYS.clockOffsetMs, Math.max(offset, alarm - Date.now()));
    return alarm;
  });
  expect(at, "an alarm is scheduled").not.toBeNull();
  expect(await runDurableObjectAlarm(stub)).toBe(true);
  return at as number;
}

const alarmOf = (stub: Stub) => runInDurableObject(stub, (_gw: DiscordGateway, state) => state.storage.getAlarm());
const clockOf = (stub: Stub) => runInDurableObject(stub, (_gw: DiscordGateway, state) => Date.now() + (state.storage.kv.get<number>(GATEWAY_TEST_KEYS.clockOffsetMs) ?? 0));

// ---- Internal events, as a feature registered on the bus sees them ----

const received: GatewayEvent[] = [];
/** Which scenario a test guild belongs to, so the handler can tell that scenario's fake it saw an event. */
const scenarioOfGuild = new Map<string, string>();

beforeAll(() => {
  for (const kind of ["member.joined", "member.screened", "member.left", "presence.streaming", "presence.stopped", "message.created", "guild.available"] as const) {
    onGatewayEvent(kind, async (event) => {
      received.push(event);
      const scenario = scenarioOfGuild.get(event.guildId);
      // Handlers run in the queue consumer's request: the signal goes through the fake, where the test waits for it.
      if (scenario) await fetch(`${ORIGIN}/__control/gateway/${scenario}/noted`, { method: "POST", body: JSON.stringify({ eventId: event.id }) });
    });
  }
});

function guildOf(scenario: string): string {
  const guild = snowflake();
  scenarioOfGuild.set(guild, scenario);
  return guild;
}

/**
 * A guild's events in dispatch order (the queue may hand them over in any order), distinct by id as every consumer
 * de-duplicates (the queue is at-least-once); ids end in session:seq[:member].
 */
async function eventsOf(guildId: string, count: number): Promise<GatewayEvent[]> {
  const scenario = scenarioOfGuild.get(guildId) ?? "";
  const distinct = () => new Map(received.filter((e) => e.guildId === guildId).map((e) => [e.id, e]));
  // One guild per scenario in these tests, so the scenario's count is the guild's.
  await fakeReached(scenario, { notedEvents: count });
  const seqOf = (e: GatewayEvent) => Number(e.id.split(":")[3]);
  return [...distinct().values()].sort((a, b) => seqOf(a) - seqOf(b) || a.id.localeCompare(b.id));
}

const memberAdd = (guildId: string, userId: string, username = `user${userId.slice(-4)}`) => ({
  t: "GUILD_MEMBER_ADD",
  d: { guild_id: guildId, joined_at: "2026-11-20T18:00:00.000000+00:00", roles: [], deaf: false, mute: false, user: { id: userId, username, global_name: null, avatar: null, discriminator: "0" } },
});

describe("DiscordGateway: session", () => {
  it("identifies once with Nebula's intents, stores the session from READY, and heartbeats from its alarm", async () => {
    const { id, stub } = await openGateway({ heartbeatInterval: 41_250 });

    await stub.start();
    const status = await connected(stub);

    const fake = await fakeState(id);
    expect(fake.counters).toMatchObject({ connections: 1, identifies: 1, resumes: 0 });
    // GUILDS | GUILD_MEMBERS | GUILD_PRESENCES | GUILD_MESSAGES, and no MESSAGE_CONTENT (1 << 15).
    expect(fake.lastIdentify).toMatchObject({ tokenOk: true, intents: 771, path: `/gateway/${id}` });
    expect(status).toMatchObject({ state: "connected", sessionId: fake.session?.id, seq: 1, identifies: 1, heartbeatIntervalMs: 41_250, error: null });
    expect(status.resumeUrl).toMatch(new RegExp(`/resume/${id}$`));
    expect(status.identifyBudget).toMatchObject({ total: 1000, remaining: 999 });
    const stored = await runInDurableObject(stub, (_gw: DiscordGateway, state) => state.storage.kv.get<{ sessionId: string }>("session"));
    expect(stored).toMatchObject({ sessionId: fake.session?.id, seq: 1 });

    // Discord: the first heartbeat within heartbeat_interval * jitter.
    const now = await clockOf(stub);
    const first = await alarmOf(stub);
    expect(first).not.toBeNull();
    expect(first as number).toBeLessThanOrEqual(now + 41_250);

    await fireAlarm(stub);
    await fakeReached(id, { heartbeats: 1 });
    const acked = await until(stub, (s) => s.lastHeartbeatAckAt !== null);
    expect(acked.connected).toBe(true);

    const second = await fireAlarm(stub);
    const after = await fakeReached(id, { heartbeats: 2 });
    expect(after.heartbeatSeqs).toEqual([1, 1]);
    // The next heartbeat is one interval after the last.
    const next = (await alarmOf(stub)) as number;
    expect(next).toBeGreaterThanOrEqual(second + 41_250);
    expect(next).toBeLessThan(second + WATCHDOG_MS);
    await stub.stop();
  });

  it("after a cut, RESUMEs at the resume URL with the stored seq; missed dispatches are replayed and delivered once", async () => {
    const { id, stub } = await openGateway();
    const guild = guildOf(id);
    await stub.start();
    await connected(stub);
    await control(`/__control/gateway/${id}/dispatch`, { events: [memberAdd(guild, "300000000000000001")] });
    await eventsOf(guild, 1);
    const before = await until(stub, (s) => s.seq === 2);

    // Two members join while the connection is down; Discord also replays one dispatch the bot already had.
    await control(`/__control/gateway/${id}/cut`, { missed: [memberAdd(guild, "300000000000000002"), memberAdd(guild, "300000000000000003")], replayOverlap: 1 });

    await reconnectThroughWaits(stub);
    const fake = await fakeReached(id, { resumes: 1, resumed: 1 });
    const after = await until(stub, (s) => s.connected && s.seq === 5);
    expect(fake.lastResume).toEqual({ tokenOk: true, session_id: before.sessionId, seq: 2, path: `/resume/${id}` });
    expect(fake.counters.identifies).toBe(1);
    expect(after).toMatchObject({ sessionId: before.sessionId, identifies: 1, resumes: 1 });
    expect(after.lastClose?.code).toBe(1006);
    const events = await eventsOf(guild, 3);
    expect(events.map((e) => (e.kind === "member.joined" ? e.user.id : e.kind))).toEqual(["300000000000000001", "300000000000000002", "300000000000000003"]);
    // Stays three: the replayed dispatch carries a seq the object already handled, so it raised no second event.
    await control(`/__control/gateway/${id}/dispatch`, { events: [{ t: "GUILD_MEMBER_REMOVE", d: { guild_id: guild, user: { id: "300000000000000009", username: "x", avatar: null } } }] });
    const all = await eventsOf(guild, 4);
    expect(all.map((e) => e.kind)).toEqual(["member.joined", "member.joined", "member.joined", "member.left"]);
    await stub.stop();
  });

  it("RESUMEs after the object restarts (a deploy or a crash resets it), not IDENTIFY", async () => {
    const { id, stub } = await openGateway();
    await stub.start();
    const first = await connected(stub);
    await control(`/__control/gateway/${id}/dispatch`, { events: [memberAdd(guildOf(id), "300000000000000011")] });
    await until(stub, (s) => s.seq === 2);

    // Every instance is reset (memory and socket gone, storage kept), as on a deploy.
    await abortAllDurableObjects();
    const restarted = getDiscordGatewayByName(env.DISCORD_GATEWAY, id);
    // A fresh instance knows nothing in memory; the cron (or its watchdog alarm) asks it to run.
    await restarted.ensureRunning();

    const fake = await fakeReached(id, { resumed: 1 });
    expect(fake.counters.identifies).toBe(1);
    expect(fake.lastResume).toMatchObject({ session_id: first.sessionId, seq: 2, path: `/resume/${id}` });
    expect(await connected(restarted)).toMatchObject({ sessionId: first.sessionId, identifies: 1 });
    await restarted.stop();
  });

  it("RESUMEs after Discord asks for a reconnect (op 7)", async () => {
    const { id, stub } = await openGateway();
    await stub.start();
    const first = await connected(stub);

    await control(`/__control/gateway/${id}/reconnect`);
    await reconnectThroughWaits(stub);

    const fake = await fakeReached(id, { resumed: 1 });
    expect(fake.counters).toMatchObject({ identifies: 1, connections: 2 });
    expect(await connected(stub)).toMatchObject({ sessionId: first.sessionId });
    await stub.stop();
  });

  it("reconnects and RESUMEs when heartbeats go unacknowledged (a zombie connection)", async () => {
    const { id, stub } = await openGateway();
    await stub.start();
    const first = await connected(stub);
    await control(`/__control/gateway/${id}/options`, { ack: false });

    await fireAlarm(stub);
    await fakeReached(id, { heartbeats: 1 });
    await fireAlarm(stub);
    await reconnectThroughWaits(stub);

    const fake = await fakeReached(id, { resumed: 1 });
    expect(fake.counters).toMatchObject({ identifies: 1, heartbeats: 1, connections: 2 });
    const status = await connected(stub);
    expect(status).toMatchObject({ sessionId: first.sessionId, lastClose: { code: 4900, reason: "zombie connection (no heartbeat ack)" } });
    await stub.stop();
  });

  it("IDENTIFYs again after INVALID_SESSION (d=false), once Discord's 1–5 s wait is over", async () => {
    const { id, stub } = await openGateway();
    await stub.start();
    const first = await connected(stub);

    await control(`/__control/gateway/${id}/invalid-session`, { resumable: false });
    const waiting = await until(stub, (s) => s.state === "waiting");
    expect(waiting).toMatchObject({ sessionId: null, waiting: { reason: "invalid-session" } });
    expect((await fakeState(id)).counters.identifies).toBe(1);

    // The wait, then (if still within 5 s of the last IDENTIFY) Discord's identify spacing.
    const second = await reconnectThroughWaits(stub);

    const fake = await fakeReached(id, { identifies: 2, readies: 2 });
    expect(fake.counters.resumes).toBe(0);
    expect(second.sessionId).not.toBe(first.sessionId);
    expect(second.identifies).toBe(2);
    await stub.stop();
  });

  it("RESUMEs (not IDENTIFYs) after INVALID_SESSION (d=true), once Discord's 1–5 s wait is over", async () => {
    const { id, stub } = await openGateway();
    await stub.start();
    const first = await connected(stub);

    // Discord: d=true means the session may be resumed; IDENTIFY here would spend the daily budget for nothing.
    await control(`/__control/gateway/${id}/invalid-session`, { resumable: true });
    const waiting = await until(stub, (s) => s.state === "waiting");
    expect(waiting).toMatchObject({ sessionId: first.sessionId, waiting: { reason: "invalid-session" } });
    await reconnectThroughWaits(stub);

    const fake = await fakeReached(id, { resumed: 1 });
    expect(fake.counters).toMatchObject({ identifies: 1, resumes: 1, readies: 1 });
    expect(fake.lastResume).toMatchObject({ session_id: first.sessionId, path: `/resume/${id}` });
    expect(await connected(stub)).toMatchObject({ sessionId: first.sessionId, identifies: 1, resumes: 1 });
    await stub.stop();
  });

  it("IDENTIFYs (not RESUMEs) after close 4009 session timed out", async () => {
    const { id, stub } = await openGateway();
    await stub.start();
    const first = await connected(stub);

    await control(`/__control/gateway/${id}/close`, { code: 4009, reason: "Session timed out." });
    await until(stub, (s) => s.sessionId === null);
    const second = await reconnectThroughWaits(stub);

    const fake = await fakeReached(id, { identifies: 2, readies: 2 });
    expect(fake.counters.resumes).toBe(0);
    expect(second.sessionId).not.toBe(first.sessionId);
    expect(second.lastClose?.code).toBe(4009);
    await stub.stop();
  });

  it("never reconnects after 4004 authentication failed, and says why", async () => {
    const { id, stub } = await openGateway({ identifyCloseCode: 4004 });
    await stub.start();

    const failed = await until(stub, (s) => s.state === "failed");
    expect(failed).toMatchObject({ connected: false, lastClose: { code: 4004 } });
    expect(failed.error).toMatch(/authentication failed.*4004/);
    expect(await alarmOf(stub)).toBeNull();

    // The cron's nudge does not retry a token Discord refused.
    expect((await stub.ensureRunning()).state).toBe("failed");
    expect((await fakeState(id)).counters).toMatchObject({ connections: 1, identifies: 1 });
  });

  it("waits for Discord's reset when the daily IDENTIFY budget is spent, then identifies", async () => {
    const { id, stub } = await openGateway({ sessionStartLimit: { total: 1000, remaining: 0, reset_after: 3600_000, max_concurrency: 1 } });
    const now = await clockOf(stub);

    const status = await stub.start();

    expect(status.state).toBe("waiting");
    expect(status.waiting?.reason).toBe("identify-budget");
    const until = Date.parse(status.waiting?.until ?? "");
    expect(until).toBeGreaterThanOrEqual(now + 3600_000);
    expect(await alarmOf(stub)).toBe(until);
    expect((await fakeState(id)).counters.connections).toBe(0);

    // Discord's reset: the budget is back.
    await control(`/__control/gateway/${id}/options`, { sessionStartLimit: { remaining: 1000, reset_after: DAY } });
    expect(await fireAlarm(stub)).toBe(until);

    await fakeReached(id, { identifies: 1, readies: 1 });
    expect(await connected(stub)).toMatchObject({ identifies: 1, identifyBudget: { remaining: 999 } });
    await stub.stop();
  });
});

describe("DiscordGateway: dispatches become internal events", () => {
  it("turns guild, member, presence and message dispatches into events with stable ids", async () => {
    const { id, stub } = await openGateway();
    const guild = guildOf(id);
    await stub.start();
    const { sessionId } = await connected(stub);
    const streamer = "400000000000000001";
    const viewer = "400000000000000002";
    const streaming = (url: string, details: string) => [{ type: 1, name: "Twitch", url, details, state: "Just Chatting" }];

    await control(`/__control/gateway/${id}/dispatch`, {
      events: [
        {
          t: "GUILD_CREATE",
          d: { id: guild, name: "Nebula Lab", member_count: 42, channels: [], roles: [], presences: [{ user: { id: streamer }, status: "online", activities: streaming("https://www.twitch.tv/nebula", "Building a homelab") }] },
        },
        memberAdd(guild, viewer, "viewer"),
        { t: "TYPING_START", d: { channel_id: "1", user_id: viewer } },
        // Same stream again (a status flip): nothing new.
        { t: "PRESENCE_UPDATE", d: { guild_id: guild, user: { id: streamer }, status: "idle", activities: streaming("https://www.twitch.tv/nebula", "Building a homelab") } },
        { t: "PRESENCE_UPDATE", d: { guild_id: guild, user: { id: viewer }, status: "online", activities: [{ type: 1, name: "YouTube", url: "https://youtube.com/live/abc", details: "Speedrun" }] } },
        { t: "PRESENCE_UPDATE", d: { guild_id: guild, user: { id: streamer }, status: "online", activities: [{ type: 0, name: "Factorio" }] } },
        { t: "MESSAGE_CREATE", d: { id: "500000000000000001", guild_id: guild, channel_id: "600000000000000001", author: { id: viewer, username: "viewer" }, content: "", timestamp: "2026-11-20T18:01:00.000000+00:00" } },
        { t: "GUILD_MEMBER_REMOVE", d: { guild_id: guild, user: { id: viewer, username: "viewer", avatar: null } } },
      ],
    });

    const events = await eventsOf(guild, 7);
    const at = (seq: number, kind: string, member?: string) => [kind, guild, sessionId, seq, ...(member ? [member] : [])].join(":");
    expect(events).toEqual([
      { kind: "guild.available", id: at(2, "guild.available"), guildId: guild, name: "Nebula Lab", memberCount: 42 },
      { kind: "presence.streaming", id: at(2, "presence.streaming", streamer), guildId: guild, userId: streamer, platform: "twitch", url: "https://www.twitch.tv/nebula", title: "Building a homelab" },
      { kind: "member.joined", id: at(3, "member.joined"), guildId: guild, user: { id: viewer, username: "viewer", global_name: null, avatar: null, bot: false }, joinedAt: "2026-11-20T18:00:00.000000+00:00" },
      { kind: "presence.streaming", id: at(6, "presence.streaming", viewer), guildId: guild, userId: viewer, platform: "youtube", url: "https://youtube.com/live/abc", title: "Speedrun" },
      { kind: "presence.stopped", id: at(7, "presence.stopped", streamer), guildId: guild, userId: streamer },
      { kind: "message.created", id: at(8, "message.created"), guildId: guild, channelId: "600000000000000001", authorId: viewer, bot: false, at: "2026-11-20T18:01:00.000000+00:00" },
      { kind: "member.left", id: at(9, "member.left"), guildId: guild, user: { id: viewer, username: "viewer", global_name: null, avatar: null, bot: false } },
    ]);
    expect((await until(stub, (s) => s.seq === 9)).malformed).toBe(0);
    await stub.stop();
  });

  it("a member who joins pending Membership Screening: member.joined says so, and only the update that clears it raises member.screened", async () => {
    const { id, stub } = await openGateway();
    const guild = guildOf(id);
    await stub.start();
    const { sessionId } = await connected(stub);
    const reader = "400000000000000003";
    const user = { id: reader, username: "reader", global_name: null, avatar: null, discriminator: "0" };
    const join = memberAdd(guild, reader, "reader");
    const update = (pending: boolean, extra: Record<string, unknown> = {}) => ({ t: "GUILD_MEMBER_UPDATE", d: { guild_id: guild, user, roles: [], joined_at: join.d.joined_at, pending, ...extra } });

    await control(`/__control/gateway/${id}/dispatch`, {
      events: [
        { t: join.t, d: { ...join.d, pending: true } },
        // Reading the rules: a nickname change, still pending.
        update(true, { nick: "rules reader" }),
        update(false),
        // Roles given afterwards: an update like any other, no second event.
        update(false, { roles: ["500000000000000009"] }),
      ],
    });

    const events = await eventsOf(guild, 2);
    const at = (seq: number, kind: string, member?: string) => [kind, guild, sessionId, seq, ...(member ? [member] : [])].join(":");
    expect(events).toEqual([
      { kind: "member.joined", id: at(2, "member.joined"), guildId: guild, user: { id: reader, username: "reader", global_name: null, avatar: null, bot: false }, joinedAt: join.d.joined_at, pending: true },
      { kind: "member.screened", id: at(4, "member.screened", reader), guildId: guild, user: { id: reader, username: "reader", global_name: null, avatar: null, bot: false } },
    ]);
    expect((await until(stub, (s) => s.seq === 5)).malformed).toBe(0);
    await stub.stop();
  });

  it("counts malformed frames and ignores them, and keeps going", async () => {
    const { id, stub } = await openGateway();
    const guild = guildOf(id);
    await stub.start();
    await connected(stub);

    await control(`/__control/gateway/${id}/raw`, { frames: ["not json", JSON.stringify({ op: "zero" }), JSON.stringify({ op: 99, d: null }), JSON.stringify({ op: 0, t: "GUILD_MEMBER_ADD", d: {} }), "[]"] });
    await control(`/__control/gateway/${id}/dispatch`, {
      events: [
        { t: "GUILD_MEMBER_ADD", d: { guild_id: guild, joined_at: "x" } },
        { t: "PRESENCE_UPDATE", d: { guild_id: "not a snowflake", user: {} } },
        memberAdd(guild, "700000000000000001"),
      ],
    });

    const events = await eventsOf(guild, 1);
    expect(events.map((e) => e.kind)).toEqual(["member.joined"]);
    const status = await until(stub, (s) => s.seq === 4);
    expect(status).toMatchObject({ connected: true, malformed: 7 });
    await stub.stop();
  });
});

describe("discord.gateway cron job", () => {
  it("opens the bot's gateway on the */5 schedule when a bot token is set", async () => {
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "*/5 * * * *", scheduledTime: Date.now() }), env, ctx);
    await waitOnExecutionContext(ctx);

    const bot = getDiscordGatewayByName(env.DISCORD_GATEWAY);
    const status = await connected(bot);
    expect(status.sessionId).not.toBeNull();
    const fake = await fakeState("default");
    expect(fake.counters.identifies).toBeGreaterThanOrEqual(1);
    expect(fake.paths[0]).toBe("/gateway/default");
    await bot.stop();
  });
});

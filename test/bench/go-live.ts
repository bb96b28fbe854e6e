// The go-live section of `npm run bench`: 500 tracked Twitch streamers go live at once (500 signed EventSub
// notifications posted to the running stack in parallel) → the fake Discord receives all 500 notices; reports the
// time from the first webhook to the last notice stored, under the fake's rate limits (real per-channel buckets,
// Discord's global 50/s enforced by the outbox's client). Runs on a stack of its own with the fakes as its APIs.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { readStackState } from "../../workers/local/stack-state.ts";
import { type BotStats, TEST_DISCORD_BOT_TOKEN, TEST_DISCORD_CLIENT_ID, TEST_DISCORD_CLIENT_SECRET, startFakeDiscord } from "../fakes/discord.ts";
import { startFakeTwitch, twitchStackEnv } from "../fakes/twitch.ts";
import { signInOwner } from "../soak/edge-session.ts";
import { type LocalStack, startLocalStack } from "../stack.ts";
import { percentile } from "./latency.ts";
import { type Goal, goal, ms } from "./report.ts";

const STREAMERS = 500;
const SEND_CONCURRENCY = 50;
/** Generous: 500 notices at Discord's 50 per second is 10 s; past this the run counts as failed. */
const DEADLINE_MS = 180_000;

export interface GoLiveResults {
  goals: Goal[];
  details: Record<string, [string, string][]>;
  notes: string[];
  json: Record<string, unknown>;
}

/** Runs `work` over `items` with at most `concurrency` in flight. */
export async function pool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < items.length) await work(items[next++] as T);
  }));
}

export async function measureGoLive(progress: (msg: string) => void): Promise<GoLiveResults> {
  const notes: string[] = [];
  const discord = await startFakeDiscord({ clientId: TEST_DISCORD_CLIENT_ID, clientSecret: TEST_DISCORD_CLIENT_SECRET, redirectUris: [] });
  const twitch = await startFakeTwitch();
  // When each message create reached the fake (it runs in this process): the send rate Discord would have seen.
  const creates: number[] = [];
  discord.route("POST", "/api/v10/channels/:id/messages", () => {
    creates.push(performance.now());
    return null;
  }, { first: true });
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "nebula-bench-golive-"));
  let stack: LocalStack | null = null;
  try {
    progress(`go-live: npm start against fake Discord and Twitch (${STREAMERS} streamers)`);
    stack = await startLocalStack({
      dataDir,
      env: {
        DISCORD_API_BASE: discord.url,
        DISCORD_BOT_TOKEN: TEST_DISCORD_BOT_TOKEN,
        ...twitchStackEnv(twitch),
        LOG_LEVEL: "error",
      },
    });
    const owner = await signInOwner(stack.url, stack.bootstrapUrl);
    const state = readStackState(dataDir);
    if (!state) throw new Error("no stack.json: cannot reach the stack's database");

    // Arrange straight in Postgres: a linked guild and 500 streamers, each notifying its own channel.
    const db = new pg.Client({ connectionString: state.databaseUrl });
    await db.connect();
    const guildId = "900000000000000001";
    const streamers = Array.from({ length: STREAMERS }, (_, i) => ({ id: `str_bench${String(i).padStart(11, "0")}`, userId: String(70_000_000 + i), login: `bench${i}`, channelId: String(910_000_000_000_000_000n + BigInt(i)) }));
    try {
      await db.query("insert into discord.guilds (guild_id, tenant_id, name) values ($1, $2, 'Bench server')", [guildId, owner.tenantId]);
      for (let i = 0; i < streamers.length; i += 100) {
        const chunk = streamers.slice(i, i + 100);
        const values = chunk.map((_, j) => `($${j * 5 + 1}, $${j * 5 + 2}, '${guildId}', 'twitch', $${j * 5 + 3}, $${j * 5 + 4}, $${j * 5 + 4}, $${j * 5 + 5})`).join(", ");
        await db.query(
          `insert into discord.tracked_streamers (id, tenant_id, guild_id, platform, platform_user_id, login, display_name, channel_id) values ${values}`,
          chunk.flatMap((s) => [s.id, owner.tenantId, s.userId, s.login, s.channelId]),
        );
      }
    } finally {
      await db.end();
    }
    const post = (p: string, body: unknown) => fetch(`${twitch.origin}${p}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    await post("/__control/twitch/users", streamers.map((s) => ({ id: s.userId, login: s.login, display_name: s.login })));
    const signed = [];
    for (const s of streamers) {
      await post("/__control/twitch/live", { user_id: s.userId, id: `bench-${s.userId}`, title: `Bench stream ${s.login}` });
      const res = await post("/__control/twitch/sign", { messageType: "notification", subscriptionType: "stream.online", event: { id: `bench-${s.userId}`, broadcaster_user_id: s.userId, broadcaster_user_login: s.login, broadcaster_user_name: s.login, type: "live", started_at: new Date().toISOString() } });
      signed.push({ ...(await res.json() as { headers: Record<string, string>; body: string }), channelId: s.channelId });
    }

    progress(`go-live: ${STREAMERS} EventSub notifications, ${SEND_CONCURRENCY} in flight`);
    const started = performance.now();
    const ackMs: number[] = [];
    let refused = 0;
    await pool(signed, SEND_CONCURRENCY, async (s) => {
      const t0 = performance.now();
      const res = await fetch(`${stack?.url}/webhooks/twitch`, { method: "POST", headers: s.headers, body: s.body });
      ackMs.push(performance.now() - t0);
      if (res.status !== 204) refused += 1;
      await res.arrayBuffer();
    });
    const sentMs = performance.now() - started;

    const pending = new Set(signed.map((s) => s.channelId));
    const statsOf = new Map<string, BotStats>();
    const deliveredAt: number[] = [];
    while (pending.size > 0 && performance.now() - started < DEADLINE_MS) {
      await pool([...pending], 20, async (channelId) => {
        const res = await fetch(`${discord.origin}/__control/bot?key=channel:${channelId}`);
        const { messages, stats } = (await res.json()) as { messages: unknown[]; stats: BotStats };
        statsOf.set(channelId, stats);
        if (messages.length > 0 && pending.delete(channelId)) deliveredAt.push(performance.now() - started);
        if (messages.length > 1) notes.push(`channel ${channelId} got ${messages.length} notices`);
      });
      if (pending.size > 0) await new Promise((r) => setTimeout(r, 100));
    }
    const delivered = deliveredAt.length;
    const sum = (key: keyof BotStats) => [...statsOf.values()].reduce((n, st) => n + (st[key] ?? 0), 0);
    // Discord's global limit is 50 requests per second per bot; the client counts it in fixed 1 s windows, so a
    // sliding 1 s window may see up to twice that. The check: is there a grid of 1 s windows (any phase, 10 ms steps)
    // in which no window holds more than 50 creates?
    const times = creates.map((t) => t - started).sort((a, b) => a - b);
    let slidingPeak = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while ((times[i] as number) - (times[j] as number) >= 1000) j++;
      slidingPeak = Math.max(slidingPeak, i - j + 1);
    }
    let fixedPeak = Number.POSITIVE_INFINITY;
    for (let phase = 0; phase < 1000; phase += 10) {
      const perWindow = new Map<number, number>();
      for (const t of times) {
        const w = Math.floor((t + phase) / 1000);
        perWindow.set(w, (perWindow.get(w) ?? 0) + 1);
      }
      fixedPeak = Math.min(fixedPeak, Math.max(0, ...perWindow.values()));
    }
    const lastCreate = times.length ? (times[times.length - 1] as number) : Number.NaN;
    if (fixedPeak > 50) notes.push(`go-live: no grid of 1 s windows keeps the message creates at ≤ 50 each (best: ${fixedPeak}); Discord's global limit is 50/s`);
    const last = delivered ? Math.max(...deliveredAt) : Number.NaN;
    if (refused) notes.push(`${refused} webhook(s) were not answered 204`);
    if (pending.size) notes.push(`${pending.size} notice(s) not delivered within ${DEADLINE_MS / 1000} s`);
    return {
      goals: [goal(`go-live fan-out: ${STREAMERS} streamers live at once, all delivered (time to last)`, delivered === STREAMERS ? last : Number.POSITIVE_INFINITY, "ms", DEADLINE_MS, "all delivered")],
      details: {
        "Go-live fan-out": [
          ["webhooks sent", `${STREAMERS} in ${ms(sentMs)} · ack p50 ${ms(percentile(ackMs, 50))} · p99 ${ms(percentile(ackMs, 99))}`],
          ["notices delivered", `${delivered} of ${STREAMERS}`],
          ["first → last notice", delivered ? `${ms(Math.min(...deliveredAt))} → ${ms(last)} after the first webhook (seen by polling the fake every ~100 ms)` : "none"],
          ["message creates at the fake Discord", `${creates.length} · last at ${ms(lastCreate)} · peak ${fixedPeak} per 1 s window, ${slidingPeak} in any sliding 1 s (global limit 50/s) · mean ${times.length > 1 ? ((times.length - 1) / (((times.at(-1) as number) - (times[0] as number)) / 1000)).toFixed(1) : "–"}/s`],
          ["fake's rate-limit answers", `${sum("enforced429")} bucket 429s · ${sum("violations")} requests while told to wait · ${sum("nonceHits")} nonce hits`],
        ],
      },
      notes,
      json: {
        streamers: STREAMERS,
        delivered,
        sentMs,
        timeToLastMs: last,
        lastCreateMs: lastCreate,
        creates: creates.length,
        peakCreatesPerFixedSecond: fixedPeak,
        peakCreatesPerSlidingSecond: slidingPeak,
        enforced429: sum("enforced429"),
        violations: sum("violations"),
        ackP50Ms: percentile(ackMs, 50),
        ackP99Ms: percentile(ackMs, 99),
      },
    };
  } finally {
    await stack?.stop();
    await Promise.all([discord.close(), twitch.close()]);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

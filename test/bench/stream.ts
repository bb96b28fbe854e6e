// The stream bot's live paths in `npm run bench`, on a stack of its own pointed at the fake Twitch: (a) one alert
// fanned out to 1,000 OBS renderer sockets (time from the trigger to the last socket's receipt), (b) a signed EventSub
// channel.follow → the follow alert on a connected renderer, (c) a signed channel.chat.message "!ping" → the reply at
// the fake's Helix POST /chat/messages. Every time is read on this process's clock: the sockets and the fake run here.
import type { OverlayDocument } from "@nebula/schema/wire/overlay";
import { newLayer } from "../../web/src/pages/overlays/layer-defaults.ts";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import WebSocket from "ws";
import type { FakeTwitchChatState } from "../fakes/twitch-chat.ts";
import { startFakeTwitch, twitchStackEnv } from "../fakes/twitch.ts";
import { type OwnerSession, signInOwner } from "../soak/edge-session.ts";
import { type LocalStack, startLocalStack } from "../stack.ts";
import { pool } from "./go-live.ts";
import { type LatencySummary, summarize } from "./latency.ts";
import { type Goal, goal, ms } from "./report.ts";

const SOCKETS = 1_000;
const CONNECT_CONCURRENCY = 50;
const FANOUT_ROUNDS = 20;
const SAMPLES = 200;
const WARMUP = 10;
/** Twitch counts a moderator bot's 100 messages per 30 s per account: four bots keep 200 replies inside it. */
const BOTS = 4;
/** Each path stops handing out work after this long, so a slow path (a queue hop) still ends the bench in time. */
const PATH_BUDGET_MS = 25_000;
const WAIT_MS = 10_000;
const GOALS = { fanoutMs: 100, followP99Ms: 50, chatP99Ms: 50 };

export interface StreamResults {
  goals: Goal[];
  details: Record<string, [string, string][]>;
  notes: string[];
  json: Record<string, unknown>;
}

interface Frame {
  type: string;
  seq?: number;
  event?: { type: string; user?: string };
}

/** Resolves when `check` holds, checked on every `poke` (an arriving frame, a fake call), or rejects after WAIT_MS. */
function waiter() {
  const pending = new Set<() => void>();
  return {
    poke: () => {
      for (const p of [...pending]) p();
    },
    until(what: string, check: () => boolean): Promise<void> {
      if (check()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(test);
          reject(new Error(`timed out after ${WAIT_MS / 1000} s waiting for ${what}`));
        }, WAIT_MS);
        const test = () => {
          if (!check()) return;
          clearTimeout(timer);
          pending.delete(test);
          resolve();
        };
        pending.add(test);
      });
    },
  };
}

async function api<T>(s: OwnerSession, method: string, route: string, body?: unknown): Promise<T> {
  const res = await fetch(`${s.url}/api/t/${s.tenantId}${route}`, {
    method,
    headers: { cookie: s.cookie, origin: s.url, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${route} answered ${res.status}: ${text.slice(0, 300)}`);
  return (text ? JSON.parse(text) : null) as T;
}

/** A renderer as OBS opens it: the socket, ready once hello and the document arrived; every frame timed on arrival. */
function openRenderer(wsUrl: string, onFrame: (frame: Frame, at: number) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl);
    let seen = 0;
    ws.on("message", (data) => {
      const at = performance.now();
      const frame = JSON.parse(String(data)) as Frame;
      if (++seen === 2) resolve(ws);
      onFrame(frame, at);
    });
    ws.once("error", reject);
    ws.once("close", (code) => reject(new Error(`renderer socket closed (${code}) before its document`)));
  });
}

/** Runs `send(i)` for the warm-up and then the samples, one at a time, within PATH_BUDGET_MS; answers the samples. */
async function sequential(send: (i: number) => Promise<number>): Promise<{ samples: number[]; budgetHit: boolean }> {
  const samples: number[] = [];
  const started = performance.now();
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    if (performance.now() - started > PATH_BUDGET_MS) return { samples, budgetHit: true };
    const took = await send(i);
    if (i >= WARMUP) samples.push(took);
  }
  return { samples, budgetHit: false };
}

const line = (s: LatencySummary | null) => (s ? `p50 ${ms(s.p50)} · p90 ${ms(s.p90)} · p99 ${ms(s.p99)} · max ${ms(s.max)} (${s.count} samples)` : "no samples");

export async function measureStream(progress: (msg: string) => void): Promise<StreamResults> {
  const notes: string[] = [];
  // Every figure here is wall time on loopback: on a shared machine it moves with the load, so the load is reported.
  const loadAtStart = os.loadavg()[0] as number;
  const twitch = await startFakeTwitch();
  const post = (p: string, body: unknown) => fetch(`${twitch.origin}${p}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  // When each Send Chat Message reached the fake, by the chat message it answers (reply_parent_message_id).
  const replies = new Map<string, number>();
  const replyArrived = waiter();
  twitch.route("POST", "/helix/chat/messages", (req) => {
    const parent = (JSON.parse(req.rawBody || "{}") as { reply_parent_message_id?: string }).reply_parent_message_id;
    if (parent) replies.set(parent, performance.now());
    replyArrived.poke();
    return null;
  }, { first: true });

  const dataDir = mkdtempSync(path.join(os.tmpdir(), "nebula-bench-stream-"));
  let stack: LocalStack | null = null;
  const sockets: WebSocket[] = [];
  try {
    progress("stream: npm start against the fake Twitch");
    stack = await startLocalStack({
      dataDir,
      env: {
        ...twitchStackEnv(twitch),
        LOG_LEVEL: process.env.BENCH_STREAM_LOG_LEVEL ?? "error",
      },
    });
    const edge = stack.url;
    const owner = await signInOwner(edge, stack.bootstrapUrl);
    // An alert box, as a streamer's alert overlay has: follow alerts go only to overlays that can show them.
    const empty: OverlayDocument = { version: 1, canvas: { width: 1920, height: 1080 }, layers: [] };
    const document: OverlayDocument = { ...empty, layers: [newLayer(empty, "alert-box")] };
    const overlay = await api<{ id: string; publicId: string }>(owner, "POST", "/overlays", { name: "Bench overlay", document });
    const wsUrl = `${edge.replace(/^http/, "ws")}/overlay/${overlay.publicId}/ws`;

    // ---- (a) fan-out to 1,000 renderers ----
    progress(`stream: ${SOCKETS} renderer sockets, ${CONNECT_CONCURRENCY} connecting at a time`);
    const receipts = new Map<number, number[]>();
    const follows = new Map<string, number>();
    const frameArrived = waiter();
    const onFrame = (frame: Frame, at: number) => {
      if (frame.type !== "event" || frame.seq === undefined) return;
      const list = receipts.get(frame.seq) ?? [];
      list.push(at);
      receipts.set(frame.seq, list);
      if (frame.event?.user && !follows.has(frame.event.user)) follows.set(frame.event.user, at);
      frameArrived.poke();
    };
    const connectStarted = performance.now();
    await pool(Array.from({ length: SOCKETS }, (_, i) => i), CONNECT_CONCURRENCY, async () => {
      sockets.push(await openRenderer(wsUrl, onFrame));
    });
    const connectMs = performance.now() - connectStarted;
    const connected = sockets.length;
    // `ws` offers permessage-deflate as OBS's Chromium does; what the room agreed to is what every alert pays per socket.
    const compressed = sockets.filter((ws) => ws.extensions.includes("permessage-deflate")).length;

    progress(`stream: ${FANOUT_ROUNDS} test alerts to ${SOCKETS} sockets`);
    const toFirst: number[] = [];
    const toLast: number[] = [];
    const spread: number[] = [];
    const answered: number[] = [];
    const receivedCounts: number[] = [];
    for (let round = 0; round < FANOUT_ROUNDS; round++) {
      const t0 = performance.now();
      const { seq } = await api<{ seq: number; delivered: number }>(owner, "POST", `/overlays/${overlay.id}/test-alert`, { kind: "follow" });
      answered.push(performance.now() - t0);
      const got = () => receipts.get(seq) ?? [];
      await frameArrived.until(`alert ${seq} on all ${SOCKETS} sockets`, () => got().length >= SOCKETS).catch((err: Error) => notes.push(`fan-out: ${err.message} (${got().length} received)`));
      const times = got();
      receivedCounts.push(times.length);
      if (times.length) {
        toFirst.push(Math.min(...times) - t0);
        toLast.push(Math.max(...times) - t0);
        spread.push(Math.max(...times) - Math.min(...times));
      }
    }
    const fullRounds = receivedCounts.filter((n) => n === SOCKETS).length;
    progress(`stream: connected in ${ms(connectMs)}; trigger → last ${line(toLast.length ? summarize(toLast) : null)}; ${fullRounds}/${FANOUT_ROUNDS} reached all`);
    // One renderer stays: the next two paths end at a streamer's OBS source, not at a thousand of them.
    for (const ws of sockets.splice(1)) ws.close();

    // ---- (b) webhook (channel.follow) → alert on the renderer ----
    const broadcasterId = "41000001";
    await api(owner, "POST", "/streams/inbox/sources", { platform: "twitch", broadcasterId });
    progress(`stream: ${WARMUP} + ${SAMPLES} signed channel.follow webhooks → alert, one at a time`);
    const followAck: number[] = [];
    const follow = await sequential(async (i) => {
      const user = `benchfan${i}`;
      const signed = (await (await post("/__control/twitch/sign", {
        messageType: "notification",
        subscriptionType: "channel.follow",
        event: { user_id: String(51_000_000 + i), user_login: user, user_name: user, broadcaster_user_id: broadcasterId, broadcaster_user_login: "benchcaster", broadcaster_user_name: "BenchCaster", followed_at: new Date().toISOString() },
      })).json()) as { headers: Record<string, string>; body: string };
      const t0 = performance.now();
      const res = await fetch(`${edge}/webhooks/twitch`, { method: "POST", headers: signed.headers, body: signed.body });
      await res.arrayBuffer();
      if (res.status !== 204) throw new Error(`webhook answered ${res.status}`);
      if (i >= WARMUP) followAck.push(performance.now() - t0);
      await frameArrived.until(`the follow alert of ${user}`, () => follows.has(user));
      return (follows.get(user) as number) - t0;
    });
    if (follow.budgetHit) notes.push(`follow → alert stopped after ${PATH_BUDGET_MS / 1000} s with ${follow.samples.length} of ${SAMPLES} samples`);

    // ---- (c) chat command → reply at Helix ----
    const bots = Array.from({ length: BOTS }, (_, b) => ({ channelId: String(42_000_001 + b), botUserId: String(43_000_001 + b) }));
    for (const bot of bots) {
      await api(owner, "POST", "/streams/chat-bot/channels", { platform: "twitch", channelId: bot.channelId, channelLogin: `benchchat${bot.channelId}`, botUserId: bot.botUserId, botIsModerator: true });
      await post("/__control/twitch/moderators", { broadcaster_id: bot.channelId, user_id: bot.botUserId });
    }
    await api(owner, "POST", "/streams/chat-bot/commands", { name: "ping", response: "@{user} pong", globalCooldownSeconds: 0, userCooldownSeconds: 0 });
    progress(`stream: ${WARMUP} + ${SAMPLES} signed "!ping" chat messages → reply at Helix, one at a time over ${BOTS} channels`);
    const chatAck: number[] = [];
    const chat = await sequential(async (i) => {
      const bot = bots[i % BOTS] as (typeof bots)[number];
      const signed = (await (await post("/__control/twitch/chat-message", { broadcaster_user_id: bot.channelId, chatter_user_id: String(52_000_000 + i), chatter_user_login: `benchviewer${i}`, text: "!ping" })).json()) as { headers: Record<string, string>; body: string; messageId: string };
      const t0 = performance.now();
      const res = await fetch(`${edge}/webhooks/twitch`, { method: "POST", headers: signed.headers, body: signed.body });
      await res.arrayBuffer();
      if (res.status !== 204) throw new Error(`webhook answered ${res.status}`);
      if (i >= WARMUP) chatAck.push(performance.now() - t0);
      await replyArrived.until(`the reply to chat message ${i}`, () => replies.has(signed.messageId));
      return (replies.get(signed.messageId) as number) - t0;
    });
    if (chat.budgetHit) notes.push(`chat → reply stopped after ${PATH_BUDGET_MS / 1000} s with ${chat.samples.length} of ${SAMPLES} samples`);
    const chatState = (await (await fetch(`${twitch.origin}/__control/twitch/chat`)).json()) as FakeTwitchChatState;
    const dropped = chatState.messages.filter((m) => !m.is_sent);
    if (dropped.length) notes.push(`the fake Twitch dropped ${dropped.length} chat replies (${[...new Set(dropped.map((m) => m.drop_code))].join(", ")})`);

    const errors = stack.output().split("\n").filter((l) => /"level":"error"|✘|\[ERROR\]/.test(l));
    if (errors.length) notes.push(`the stream stack logged ${errors.length} error line(s), first: ${errors[0]?.slice(0, 300)}`);

    // Each sample is the answer plus what ran after it; the second half is the work this path does after the 204.
    const afterAnswer = (total: number[], ack: number[]) => (total.length ? summarize(total.map((t, i) => t - (ack[i] ?? 0))) : null);
    const fanout = toLast.length ? summarize(toLast) : null;
    const followSummary = follow.samples.length ? summarize(follow.samples) : null;
    const chatSummary = chat.samples.length ? summarize(chat.samples) : null;
    const worstFanout = fullRounds === FANOUT_ROUNDS && fanout ? fanout.max : Number.POSITIVE_INFINITY;
    return {
      goals: [
        goal(`overlay fan-out: 1 alert → last of ${SOCKETS} renderer sockets (worst of ${FANOUT_ROUNDS}; ${fullRounds}/${FANOUT_ROUNDS} reached all)`, worstFanout, "ms", GOALS.fanoutMs, "≤ 100 ms"),
        goal("Twitch follow webhook → alert on the renderer, p99", followSummary?.p99 ?? Number.POSITIVE_INFINITY, "ms", GOALS.followP99Ms, "≤ 50 ms"),
        goal("Twitch chat !command → reply at Helix POST /chat/messages, p99", chatSummary?.p99 ?? Number.POSITIVE_INFINITY, "ms", GOALS.chatP99Ms, "≤ 50 ms"),
      ],
      details: {
        [`Overlay fan-out (${SOCKETS} renderer sockets on one overlay, ${FANOUT_ROUNDS} test alerts, goal ≤ 100 ms to the last)`]: [
          ["machine load average (1 min) at this section's start → end", `${loadAtStart.toFixed(1)} → ${(os.loadavg()[0] as number).toFixed(1)} on ${os.cpus().length} cores`],
          ["sockets connected", `${connected} in ${ms(connectMs)} (${CONNECT_CONCURRENCY} at a time, each until hello + document), all in this one Node process, which parses and timestamps every frame in turn`],
          ["sockets with permessage-deflate (offered by every client, as OBS's Chromium does)", `${compressed}/${connected}`],
          ["received per alert", `${receivedCounts.map((n) => `${n}/${SOCKETS}`).join(" · ")}`],
          ["trigger → last socket", line(fanout)],
          ["trigger → first socket (the API call up to the room's first send)", line(toFirst.length ? summarize(toFirst) : null)],
          ["first → last socket (the fan-out itself)", line(spread.length ? summarize(spread) : null)],
          ["test-alert API answer (session, role and the room's public id from caches, the room's broadcast)", line(answered.length ? summarize(answered) : null)],
        ],
        [`Follow webhook → alert (signed channel.follow, ${SAMPLES} after ${WARMUP} warm-up, one at a time, goal p99 ≤ 50 ms)`]: [
          ["webhook → alert frame on the renderer", line(followSummary)],
          ["webhook answered (204): verify, de-duplicate in the cache, enqueue", line(followAck.length ? summarize(followAck) : null)],
          ["after the answer: inbox row, inbox page push and overlay room, side by side", line(afterAnswer(follow.samples, followAck))],
        ],
        [`Chat command → reply (signed channel.chat.message "!ping", ${SAMPLES} after ${WARMUP} warm-up over ${BOTS} channels, goal p99 ≤ 50 ms)`]: [
          ["webhook → POST /helix/chat/messages at the fake", line(chatSummary)],
          ["webhook answered (204): verify, de-duplicate in the cache, enqueue", line(chatAck.length ? summarize(chatAck) : null)],
          ["after the answer: cached channel and commands, anti-spam, ChatOutbox, Helix", line(afterAnswer(chat.samples, chatAck))],
          ["replies sent / dropped by the fake", `${chatState.messages.length - dropped.length} / ${dropped.length}`],
        ],
      },
      notes,
      json: {
        sockets: SOCKETS,
        connectMs,
        compressedSockets: compressed,
        fanoutRounds: FANOUT_ROUNDS,
        fanoutReceived: receivedCounts,
        fanoutToFirstMs: toFirst.length ? summarize(toFirst) : null,
        fanoutToLastMs: fanout,
        fanoutSpreadMs: spread.length ? summarize(spread) : null,
        followToAlertMs: followSummary,
        followAckMs: followAck.length ? summarize(followAck) : null,
        chatToReplyMs: chatSummary,
        chatAckMs: chatAck.length ? summarize(chatAck) : null,
        chatDropped: dropped.length,
      },
    };
  } catch (err) {
    const lines = stack?.output().split("\n").filter((l) => /"level":"(warn|error)"|✘|\[ERROR\]/.test(l)) ?? [];
    throw new Error(`${err instanceof Error ? err.message : String(err)}; the stack's last warnings: ${lines.slice(-5).join("\n").slice(0, 2000)}`);
  } finally {
    for (const ws of sockets) ws.terminate();
    await stack?.stop();
    await twitch.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

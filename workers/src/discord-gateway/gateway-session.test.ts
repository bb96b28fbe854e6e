// The Gateway's decisions: which closes end in RESUME, IDENTIFY or a stop, and when an IDENTIFY must wait.
import { describe, expect, it } from "vitest";
import {
  BUDGET_MAX_AGE_MS,
  type IdentifyBudget,
  connectUrl,
  firstHeartbeatDelay,
  invalidSessionDelay,
  planConnect,
  reconnectDelay,
  spendIdentify,
  verdictOfClose,
} from "./gateway-session.ts";

const NOW = 1_800_000_000_000;
const session = { sessionId: "abc", seq: 42, resumeUrl: "wss://gateway-us-east1-b.discord.gg" };
const budget = (changes: Partial<IdentifyBudget> = {}): IdentifyBudget => ({
  url: "wss://gateway.discord.gg",
  total: 1000,
  remaining: 998,
  resetAt: NOW + 3600_000,
  maxConcurrency: 1,
  fetchedAt: NOW,
  ...changes,
});

describe("verdictOfClose", () => {
  it("never reconnects on authentication failure or bad intents", () => {
    for (const code of [4004, 4010, 4011, 4012, 4013, 4014]) expect(verdictOfClose(code).kind, String(code)).toBe("fatal");
    expect(verdictOfClose(4014)).toMatchObject({ reason: expect.stringMatching(/Developer Portal/) });
  });

  it("identifies anew when Discord dropped the session", () => {
    for (const code of [4007, 4009, 4003, 1000]) expect(verdictOfClose(code).kind, String(code)).toBe("identify");
  });

  it("resumes after cuts, server errors and rate limits", () => {
    for (const code of [1001, 1006, 4000, 4001, 4002, 4005, 4008, 4900]) expect(verdictOfClose(code).kind, String(code)).toBe("resume");
  });
});

describe("planConnect", () => {
  it("resumes at the resume URL whenever a session exists, whatever the budget", () => {
    expect(planConnect({ session, budget: budget({ remaining: 0 }), lastIdentifyAt: NOW, now: NOW })).toEqual({ kind: "resume", url: session.resumeUrl });
  });

  it("fetches the budget before a first identify, and again once it is old", () => {
    expect(planConnect({ session: null, budget: null, lastIdentifyAt: null, now: NOW })).toEqual({ kind: "fetch-budget" });
    expect(planConnect({ session: null, budget: budget(), lastIdentifyAt: null, now: NOW + BUDGET_MAX_AGE_MS + 1 })).toEqual({ kind: "fetch-budget" });
    expect(planConnect({ session: null, budget: budget(), lastIdentifyAt: null, now: NOW })).toEqual({ kind: "identify", url: "wss://gateway.discord.gg" });
  });

  it("waits for Discord's reset when no identify is left, then checks again", () => {
    const spent = budget({ remaining: 0 });
    expect(planConnect({ session: null, budget: spent, lastIdentifyAt: null, now: NOW })).toEqual({ kind: "wait", until: NOW + 3600_000, reason: "identify-budget" });
    expect(planConnect({ session: null, budget: spent, lastIdentifyAt: null, now: NOW + 3600_000 })).toEqual({ kind: "fetch-budget" });
  });

  it("spaces identifies 5 s apart per max_concurrency", () => {
    expect(planConnect({ session: null, budget: budget(), lastIdentifyAt: NOW - 1_000, now: NOW })).toEqual({ kind: "wait", until: NOW + 4_000, reason: "identify-spacing" });
    expect(planConnect({ session: null, budget: budget(), lastIdentifyAt: NOW - 5_000, now: NOW }).kind).toBe("identify");
    expect(planConnect({ session: null, budget: budget({ maxConcurrency: 16 }), lastIdentifyAt: NOW - 1_000, now: NOW }).kind).toBe("identify");
  });

  it("counts identifies locally between fetches", () => {
    let b = budget({ remaining: 2 });
    b = spendIdentify(spendIdentify(spendIdentify(b)));
    expect(b.remaining).toBe(0);
    expect(planConnect({ session: null, budget: b, lastIdentifyAt: null, now: NOW }).kind).toBe("wait");
  });
});

describe("timing rules", () => {
  it("jitters the first heartbeat within one interval", () => {
    expect(firstHeartbeatDelay(41_250, 0)).toBe(0);
    expect(firstHeartbeatDelay(41_250, 0.5)).toBe(20_625);
    expect(firstHeartbeatDelay(41_250, 0.999999)).toBeLessThan(41_250);
  });

  it("waits 1–5 s after INVALID_SESSION", () => {
    expect(invalidSessionDelay(0)).toBe(1_000);
    expect(invalidSessionDelay(0.999999)).toBeLessThan(5_000);
  });

  it("reconnects at once after a drop, then backs off exponentially up to 5 minutes", () => {
    expect(reconnectDelay(0, 0.7)).toBe(0);
    expect(reconnectDelay(1, 0)).toBe(500);
    expect(reconnectDelay(1, 1)).toBe(1_000);
    expect(reconnectDelay(4, 1)).toBe(8_000);
    expect(reconnectDelay(30, 1)).toBe(300_000);
  });

  it("connects with v=10 and JSON encoding, over http(s) for fetch's upgrade", () => {
    expect(connectUrl("wss://gateway.discord.gg")).toBe("https://gateway.discord.gg/?v=10&encoding=json");
    expect(connectUrl("ws://127.0.0.1:9000/resume/x")).toBe("http://127.0.0.1:9000/resume/x?v=10&encoding=json");
  });
});

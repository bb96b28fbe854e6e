// Two isolates' clients sharing one DiscordLimits (its pure ledger, on one clock the test moves): together they never
// take more than Discord's 50 sends a second, they lease in batches rather than per send, a global 429 one of them
// met holds the other, and when DiscordLimits is unreachable each goes on alone and says so once.
import { describe, expect, it } from "vitest";
import { DiscordLimitsLedger, type LeaseAnswer, type LeaseRequest } from "./discord-limits-ledger.ts";
import { GLOBAL_PER_SECOND } from "./global-rate-limit.ts";
import { InvalidRequestGuard } from "./invalid-request-guard.ts";
import { type DiscordLimitsPeer, SharedLimits, type SlotDecision, UNREACHABLE_RETRY_MS, discordLimitsName } from "./shared-limits.ts";

const T = 1_800_000_000_000;

/** DiscordLimits in memory: the ledger on the shared clock, and how many exchanges reached it. */
function limitsOnClock(clock: { now: number }) {
  const ledger = new DiscordLimitsLedger();
  const seen: LeaseRequest[] = [];
  const peer: DiscordLimitsPeer = {
    lease: async (req: LeaseRequest): Promise<LeaseAnswer> => {
      seen.push(structuredClone(req));
      return ledger.lease(req, clock.now);
    },
  };
  return { ledger, seen, peer };
}

function isolate(peer: DiscordLimitsPeer, clock: { now: number }, budget = 8000) {
  const guard = new InvalidRequestGuard(budget);
  return { guard, limits: new SharedLimits({ peer: () => peer }, guard, () => clock.now) };
}

async function sendsGranted(limits: SharedLimits, tries: number): Promise<SlotDecision[]> {
  const out: SlotDecision[] = [];
  for (let i = 0; i < tries; i++) out.push(await limits.slot());
  return out;
}

describe("SharedLimits", () => {
  it("two isolates together get 50 sends in a second, then the next second's", async () => {
    const clock = { now: T + 100 };
    const dl = limitsOnClock(clock);
    const a = isolate(dl.peer, clock);
    const b = isolate(dl.peer, clock);

    const [fromA, fromB] = await Promise.all([sendsGranted(a.limits, 40), sendsGranted(b.limits, 40)]);
    const sent = [...fromA, ...fromB].filter((d) => d.kind === "send").length;
    expect(sent).toBe(GLOBAL_PER_SECOND);
    expect(fromA.some((d) => d.kind === "send") && fromB.some((d) => d.kind === "send")).toBe(true);
    for (const d of [...fromA, ...fromB]) if (d.kind === "wait") expect(d.at).toBe(T + 1000);

    clock.now = T + 1000;
    const next = await Promise.all([sendsGranted(a.limits, 30), sendsGranted(b.limits, 30)]);
    expect(next.flat().filter((d) => d.kind === "send").length).toBe(GLOBAL_PER_SECOND);
  });

  it("leases in batches: a steady sender asks DiscordLimits far less often than it sends", async () => {
    const clock = { now: T };
    const dl = limitsOnClock(clock);
    const { limits } = isolate(dl.peer, clock);
    const decisions = await sendsGranted(limits, 45);
    expect(decisions.every((d) => d.kind === "send")).toBe(true);
    expect(dl.seen.length).toBeLessThanOrEqual(8);
    expect(Math.max(...dl.seen.map((r) => r.slots))).toBeLessThanOrEqual(10);
  });

  it("a global 429 one isolate met holds the other until its retry_after", async () => {
    const clock = { now: T };
    const dl = limitsOnClock(clock);
    const a = isolate(dl.peer, clock);
    const b = isolate(dl.peer, clock);
    a.limits.holdEveryone(T + 3000);
    await a.limits.flush();
    expect(await b.limits.slot()).toEqual({ kind: "wait", at: T + 3000 });
    clock.now = T + 3000;
    expect(await b.limits.slot()).toEqual({ kind: "send" });
  });

  it("invalid requests one isolate reports close the other's guard at the budget", async () => {
    const clock = { now: T };
    const dl = limitsOnClock(clock);
    const a = isolate(dl.peer, clock, 4);
    const b = isolate(dl.peer, clock, 4);
    for (let i = 0; i < 3; i++) a.guard.record(clock.now);
    a.limits.reportSoon();
    a.guard.record(clock.now);
    a.limits.reportSoon();
    await a.limits.flush();
    expect(dl.ledger.invalid.count(clock.now)).toBe(4);

    expect(b.guard.blockedUntil(clock.now)).toBeNull();
    await b.limits.slot();
    expect(b.guard.blockedUntil(clock.now)).not.toBeNull();
  });

  it("goes on alone when DiscordLimits is unreachable, says so once, and tries it again later", async () => {
    const clock = { now: T };
    const dl = limitsOnClock(clock);
    let reachable = false;
    const told: unknown[] = [];
    const guard = new InvalidRequestGuard();
    const limits = new SharedLimits(
      {
        peer: () => {
          if (!reachable) throw new Error("Network connection lost.");
          return dl.peer;
        },
        onUnavailable: (err) => told.push(err),
      },
      guard,
      () => clock.now,
    );
    expect(await limits.slot()).toEqual({ kind: "alone" });
    clock.now += 10;
    expect(await limits.slot()).toEqual({ kind: "alone" });
    expect(told).toHaveLength(1);

    reachable = true;
    clock.now += UNREACHABLE_RETRY_MS;
    expect(await limits.slot()).toEqual({ kind: "send" });
    expect(told).toHaveLength(1);
  });

  it("names DiscordLimits from the token without containing it", async () => {
    const name = await discordLimitsName("MTIz.secret-bot-token");
    expect(name).toMatch(/^bot-[0-9a-f]{32}$/);
    expect(name).not.toContain("secret");
    expect(await discordLimitsName("MTIz.secret-bot-token")).toBe(name);
    expect(await discordLimitsName("another-token")).not.toBe(name);
  });
});

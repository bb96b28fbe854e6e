// The invalid-request guard: it refuses before Discord's 10-minute ban, counting what this client saw and what
// DiscordLimits says the whole bot saw, without counting one refusal twice.
import { describe, expect, it } from "vitest";
import { DiscordLimitsLedger } from "./discord-limits-ledger.ts";
import { INVALID_REQUEST_WINDOW_MS, InvalidRequestGuard } from "./invalid-request-guard.ts";

const T = 1_800_000_000_000;

describe("InvalidRequestGuard alone", () => {
  it("closes at the budget and opens once the oldest refusals leave the window", () => {
    const guard = new InvalidRequestGuard(3);
    guard.record(T);
    guard.record(T + 1000);
    expect(guard.blockedUntil(T + 1000)).toBeNull();
    guard.record(T + 2000);
    const until = guard.blockedUntil(T + 2000);
    expect(until).toBeGreaterThanOrEqual(T + INVALID_REQUEST_WINDOW_MS);
    expect(guard.blockedUntil(until ?? 0)).toBeNull();
    expect(guard.count(until ?? 0)).toBeLessThan(3);
  });

  it("keeps its window across a restart as plain JSON", () => {
    const guard = new InvalidRequestGuard(2);
    guard.record(T);
    guard.record(T);
    const again = new InvalidRequestGuard(2, JSON.parse(JSON.stringify(guard.toJSON())));
    expect(again.count(T)).toBe(2);
    expect(again.blockedUntil(T)).not.toBeNull();
  });
});

describe("InvalidRequestGuard with the bot-wide count", () => {
  it("closes when the bot has spent the budget though this client saw none of it", () => {
    const ledger = new DiscordLimitsLedger();
    const other = new InvalidRequestGuard(5);
    for (let i = 0; i < 5; i++) other.record(T);
    const report = other.report(T);
    ledger.lease({ slots: 0, invalid: report?.ages ?? [] }, T);

    const mine = new InvalidRequestGuard(5);
    expect(mine.blockedUntil(T)).toBeNull();
    mine.adopt(null, ledger.lease({ slots: 1, invalid: [] }, T).invalid, T);
    expect(mine.count(T)).toBe(5);
    expect(mine.blockedUntil(T)).toBeGreaterThanOrEqual(T + INVALID_REQUEST_WINDOW_MS);
  });

  it("counts a reported refusal once, and one seen during the report still", () => {
    const ledger = new DiscordLimitsLedger();
    const guard = new InvalidRequestGuard(100);
    guard.record(T);
    guard.record(T);
    const report = guard.report(T);
    guard.record(T + 10); // while the report is on its way
    guard.adopt(report, ledger.lease({ slots: 0, invalid: report?.ages ?? [] }, T + 5).invalid, T + 20);
    expect(guard.count(T + 20)).toBe(3);
    expect(guard.report(T + 20)?.ages.map((a) => a.count)).toEqual([1]);
    expect(guard.report(T + 20)?.slots).toHaveLength(1);
  });

  it("reads the bot's window in its own clock, whatever the other side's", () => {
    const ledger = new DiscordLimitsLedger();
    const skew = 24 * 3600_000 + 12_345; // the client runs a day and a bit ahead of DiscordLimits
    const guard = new InvalidRequestGuard(2);
    guard.record(T + skew);
    guard.record(T + skew);
    const report = guard.report(T + skew);
    guard.adopt(report, ledger.lease({ slots: 0, invalid: report?.ages ?? [] }, T).invalid, T + skew);
    const fresh = new InvalidRequestGuard(2);
    fresh.adopt(null, ledger.lease({ slots: 0, invalid: [] }, T).invalid, T + skew);
    expect(fresh.count(T + skew)).toBe(2);
    // Ten minutes and a slot later, in the client's clock, both have aged out.
    expect(fresh.count(T + skew + INVALID_REQUEST_WINDOW_MS + 60_000)).toBe(0);
  });
});

// Support hours in a real time zone: inside a window, before it, after the last window of the week, and across DST.
import { describe, expect, it } from "vitest";
import { supportStatus } from "./support-hours.ts";

const berlin = { timeZone: "Europe/Berlin", windows: [1, 2, 3, 4, 5].map((day) => ({ day, start: "09:00", end: "17:00" })) };

describe("supportStatus", () => {
  it("is open inside a window (local time, not UTC)", () => {
    // Monday 2026-03-02 08:30 UTC is 09:30 in Berlin (UTC+1).
    expect(supportStatus(berlin, new Date("2026-03-02T08:30:00Z"))).toEqual({ open: true, backAt: null });
  });

  it("before the day's window, staff are back when it starts", () => {
    // Monday 07:00 UTC = 08:00 Berlin: back at 09:00 Berlin = 08:00 UTC.
    expect(supportStatus(berlin, new Date("2026-03-02T07:00:00Z"))).toEqual({ open: false, backAt: new Date("2026-03-02T08:00:00Z") });
  });

  it("on Friday evening, staff are back on Monday morning", () => {
    expect(supportStatus(berlin, new Date("2026-03-06T18:00:00Z")).backAt).toEqual(new Date("2026-03-09T08:00:00Z"));
  });

  it("resolves the offset on the day it applies: after the spring DST change Berlin is UTC+2", () => {
    // Saturday 2026-03-28 (UTC+1); DST starts Sunday 2026-03-29; Monday 09:00 Berlin is 07:00 UTC.
    expect(supportStatus(berlin, new Date("2026-03-28T12:00:00Z")).backAt).toEqual(new Date("2026-03-30T07:00:00Z"));
  });

  it("without support hours staff are always around", () => {
    expect(supportStatus(null, new Date())).toEqual({ open: true, backAt: null });
  });
});

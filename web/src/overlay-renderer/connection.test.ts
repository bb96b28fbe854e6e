// `?heartbeat=<ms>` on the renderer's URL: a faster (or slower) ping within sane bounds, the default otherwise.
import { OVERLAY_PING_INTERVAL_MS, OVERLAY_PONG_TIMEOUT_MS } from "@nebula/schema/wire/overlay-constants";
import { describe, expect, it } from "vitest";
import { DEFAULT_HEARTBEAT, heartbeatOf } from "./connection.ts";

describe("heartbeatOf", () => {
  it("without the parameter (what OBS loads) the room's defaults hold", () => {
    expect(heartbeatOf("")).toEqual({ intervalMs: OVERLAY_PING_INTERVAL_MS, timeoutMs: OVERLAY_PONG_TIMEOUT_MS });
    expect(heartbeatOf("?heartbeat=soon")).toBe(DEFAULT_HEARTBEAT);
    expect(heartbeatOf("?heartbeat=-5")).toBe(DEFAULT_HEARTBEAT);
  });
  it("sets the ping interval with a timeout of three intervals, clamped to 100 ms–60 s", () => {
    expect(heartbeatOf("?heartbeat=250")).toEqual({ intervalMs: 250, timeoutMs: 750 });
    expect(heartbeatOf("?heartbeat=1")).toEqual({ intervalMs: 100, timeoutMs: 300 });
    expect(heartbeatOf("?heartbeat=999999")).toEqual({ intervalMs: 60_000, timeoutMs: 180_000 });
  });
});

// How an agent's job_result becomes the job's final status.
import { describe, expect, it } from "vitest";
import { outcomeOfResult, resultFrameOf } from "./job-outcome.ts";

const id = "job_0123456789abcdef";

describe("outcomeOfResult", () => {
  it("maps ok to succeeded and error codes to timeout, cancelled or failed", () => {
    expect(outcomeOfResult({ type: "job_result", id, ok: true, result: { n: 1 }, durationMs: 5 }, 10)).toEqual({
      status: "succeeded",
      result: { n: 1 },
      error: null,
      finishedAt: 10,
    });
    const failed = (code: "timeout" | "cancelled" | "not_found") =>
      outcomeOfResult({ type: "job_result", id, ok: false, error: { code, message: "m" }, durationMs: 1 }, 10).status;
    expect([failed("timeout"), failed("cancelled"), failed("not_found")]).toEqual(["timeout", "cancelled", "failed"]);
  });

  it("turns an edge-side ending back into the same wire frame", () => {
    const job = { id, tenantId: "t", agentId: "a", kind: "docker.list", params: {}, createdAt: 0, deadline: 100, requestedBy: { id: "u", name: "U" } };
    expect(resultFrameOf(job, { status: "timeout", result: null, error: { code: "timeout", message: "late" }, finishedAt: 150 }, 50)).toEqual({
      type: "job_result",
      id,
      ok: false,
      error: { code: "timeout", message: "late" },
      durationMs: 100,
    });
  });
});

// How the hub reads agent frames: valid hellos pass, everything else becomes a wire error or a too-big verdict.
import { agentWire } from "@nebula/schema";
import { describe, expect, it } from "vitest";
import { agentHello } from "../../test/support/agents.ts";
import { helloAck, plainMetricsBatch, readAgentFrame, utf8Length } from "./hub-protocol.ts";

const hello = agentHello();

describe("readAgentFrame", () => {
  it("turns a valid hello into a typed message", () => {
    expect(readAgentFrame(JSON.stringify(hello))).toEqual({ kind: "message", message: hello });
  });

  it("drops fields it does not know, so newer agents still talk to an older edge", () => {
    const result = readAgentFrame(JSON.stringify({ ...hello, gpu: "rtx" }));
    expect(result).toEqual({ kind: "message", message: hello });
  });

  it.each([
    ["not JSON", "{", "malformed"],
    ["JSON without a type", "[1,2]", "malformed"],
    ["a non-string type", JSON.stringify({ type: 5 }), "malformed"],
    ["an unknown type", JSON.stringify({ type: "shell", cmd: "rm -rf /" }), "unknown_type"],
    ["a hello missing fields", JSON.stringify({ type: "hello", protocol: 1 }), "malformed"],
    ["a hello with an empty hostname", JSON.stringify({ ...hello, hostname: " " }), "malformed"],
  ])("rejects %s", (_what, frame, code) => {
    const result = readAgentFrame(frame);
    expect(result).toMatchObject({ kind: "rejected", error: { type: "error", code } });
    if (result.kind === "rejected") expect(agentWire.WireError.safeParse(result.error).success).toBe(true);
  });

  it("rejects binary frames and flags oversized ones", () => {
    expect(readAgentFrame(new ArrayBuffer(8))).toMatchObject({ kind: "rejected", error: { code: "malformed" } });
    expect(readAgentFrame(new ArrayBuffer(agentWire.MAX_MESSAGE_BYTES + 1))).toEqual({ kind: "too_big", bytes: agentWire.MAX_MESSAGE_BYTES + 1 });
  });

  it("measures text in UTF-8 bytes, not characters", () => {
    const limit = agentWire.MAX_MESSAGE_BYTES;
    // 100k characters of "é" are 200k bytes: under the limit; 150k are 300k bytes: over it.
    expect(readAgentFrame(JSON.stringify({ ...hello, hostname: "é".repeat(100_000) })).kind).toBe("rejected");
    expect(readAgentFrame(JSON.stringify({ ...hello, hostname: "é".repeat(150_000) }))).toMatchObject({ kind: "too_big" });
    expect(utf8Length("é".repeat(150_000), limit)).toBe(300_000);
    expect(utf8Length("abc", limit)).toBeLessThanOrEqual(limit);
  });
});

describe("metrics batches", () => {
  const batch = (samples: unknown, extra: Record<string, unknown> = {}) => ({ type: "metrics", seq: 7, samples, ...extra });
  const at = 1_795_600_000_000;
  const ok = { at, values: { "cpu.total": 12.5, "disk./.used_pct": 40, "container.plex:web@1.cpu": 0 } };
  // Each case is judged by the fast path and by zod; they must agree on the verdict and on the message.
  const cases: [string, unknown][] = [
    ["a valid batch", batch([ok, { at: at + 1, values: {} }])],
    ["extra fields on the batch and its samples (a newer agent)", batch([{ ...ok, host: "nas" }], { compressed: false })],
    ["seq 0", { ...batch([ok]), seq: 0 }],
    ["a fractional seq", { ...batch([ok]), seq: 1.5 }],
    ["a seq past the safe integers", { ...batch([ok]), seq: 2 ** 53 }],
    ["a string seq", { ...batch([ok]), seq: "7" }],
    ["no samples", batch([])],
    ["720 samples", batch(Array.from({ length: 720 }, (_, i) => ({ at: at + i, values: { "cpu.total": i } })))],
    ["721 samples", batch(Array.from({ length: 721 }, (_, i) => ({ at: at + i, values: { "cpu.total": i } })))],
    ["samples that are not an array", batch({ 0: ok })],
    ["a sample that is an array", batch([[at, {}]])],
    ["a null sample", batch([null])],
    ["a sample at 0", batch([{ ...ok, at: 0 }])],
    ["a fractional time", batch([{ ...ok, at: at + 0.5 }])],
    ["values that are an array", batch([{ at, values: [1, 2] }])],
    ["values that are null", batch([{ at, values: null }])],
    ["a string value", batch([{ at, values: { "cpu.total": "12" } }])],
    ["a null value", batch([{ at, values: { "cpu.total": null } }])],
    ["a name outside the pattern", batch([{ at, values: { "CPU total": 1 } }])],
    ["a name with a quote", batch([{ at, values: { 'cpu."x"': 1 } }])],
    ["a name over 200 characters", batch([{ at, values: { [`cpu.${"a".repeat(80)}.${"b".repeat(80)}.${"c".repeat(40)}`]: 1 } }])],
    ["a name of five parts", batch([{ at, values: { "a.b.c.d.e.f": 1 } }])],
  ];

  it.each(cases)("reads %s exactly as the wire schema does", (_what, value) => {
    const zod = agentWire.MetricsBatch.safeParse(value);
    const fast = plainMetricsBatch(value as Record<string, unknown>);
    if (fast) expect(zod).toEqual({ success: true, data: fast });
    const read = readAgentFrame(JSON.stringify(value));
    if (zod.success) expect(read).toEqual({ kind: "message", message: zod.data });
    else expect(read).toMatchObject({ kind: "rejected", error: { code: "malformed" } });
  });

  it("takes the fast path for batches an agent sends", () => {
    expect(plainMetricsBatch(batch([ok]))).toEqual(batch([ok]));
    expect(plainMetricsBatch(batch([{ ...ok, host: "nas" }], { compressed: false }))).toEqual(batch([ok]));
  });
});

describe("helloAck", () => {
  it("is a valid hello_ack carrying the server time and heartbeat interval", () => {
    const ack = helloAck(new Date("2026-11-25T12:00:00Z"));
    expect(agentWire.HelloAck.parse(ack)).toEqual({
      type: "hello_ack",
      protocol: agentWire.PROTOCOL_VERSION,
      serverTime: "2026-11-25T12:00:00.000Z",
      heartbeatSeconds: agentWire.HEARTBEAT_INTERVAL_SECONDS,
    });
  });
});

// How the hub reads agent frames: valid hellos pass, everything else becomes a wire error or a too-big verdict.
import { agentWire } from "@nebula/schema";
import { describe, expect, it } from "vitest";
import { agentHello } from "../../test/support/agents.ts";
import { helloAck, readAgentFrame, utf8Length } from "./hub-protocol.ts";

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

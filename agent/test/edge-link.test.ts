// The agent's edge link against a real websocket server playing the edge: hello and ack, reconnecting when
// the edge drops it, backing off while refused, heartbeats, and a clean stop. Every wait is on an event.
import { once } from "node:events";
import os from "node:os";
import { CLOSE_CODES } from "@nebula/schema/wire/agent";
import { afterEach, describe, expect, it } from "vitest";
import { backoffDelay } from "../src/connection/backoff.ts";
import { EdgeLink, type EdgeLinkOptions, connectUrl } from "../src/connection/edge-link.ts";
import { readHostFacts } from "../src/host/host-facts.ts";
import { FakeEdge } from "./support/fake-edge.ts";

const TOKEN = `nca_${"t".repeat(43)}`;
const cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function setup(options: Partial<EdgeLinkOptions> = {}, token = TOKEN) {
  const edge = await FakeEdge.start(token);
  // Tiny backoff windows keep reconnects immediate; the test observes the delays the link chose.
  const link = new EdgeLink({ edgeUrl: edge.url, token: TOKEN, hostFacts: readHostFacts, backoff: { baseMs: 1, capMs: 8 }, random: () => 0.999, ...options });
  cleanup.push(() => edge.close(), () => link.stop());
  return { edge, link };
}

/** Collects every `retry` the link announces. */
function retries(link: EdgeLink) {
  const seen: { attempt: number; delayMs: number }[] = [];
  link.on("retry", (info) => seen.push(info));
  return seen;
}

describe("connectUrl", () => {
  it("turns the edge's web address into its agent websocket endpoint", () => {
    expect(connectUrl("https://nebula.example.com")).toBe("wss://nebula.example.com/agent/connect");
    expect(connectUrl("https://example.com/nebula/")).toBe("wss://example.com/nebula/agent/connect");
    expect(connectUrl("http://127.0.0.1:8787")).toBe("ws://127.0.0.1:8787/agent/connect");
  });
});

describe("EdgeLink", () => {
  it("dials out with its token, says hello with this host's facts, and is ready on hello_ack", async () => {
    const { edge, link } = await setup();
    const hello = once(edge, "hello");
    const ready = once(link, "ready");
    link.start();

    const [received] = await hello;
    expect(received).toMatchObject({ type: "hello", protocol: 1, hostname: os.hostname(), os: os.platform(), arch: os.arch(), agentVersion: "0.1.0" });
    const [ack] = await ready;
    expect(ack).toMatchObject({ type: "hello_ack", heartbeatSeconds: 30 });
    expect(link.connected).toBe(true);
  });

  it("reconnects and says hello again when the edge closes the link", async () => {
    const { edge, link } = await setup();
    const seen = retries(link);
    link.start();
    const [, firstSocket] = await once(edge, "hello");

    const closed = once(link, "closed");
    const secondHello = once(edge, "hello");
    firstSocket.close(1012, "service restart");
    expect((await closed)[0]).toEqual({ code: 1012, reason: "service restart" });
    await secondHello;
    await once(link, "ready");

    expect(seen).toEqual([{ attempt: 1, delayMs: 0 }]);
    expect(edge.hellos).toHaveLength(2);
  });

  it("backs off with growing delays while the edge refuses its token, then connects once it is accepted", async () => {
    const { edge, link } = await setup({}, "nca_some-other-token");
    const seen = retries(link);
    const rejected: number[] = [];
    link.on("rejected", ({ status }) => rejected.push(status));
    link.start();

    // Four refusals: the window doubles 1, 2, 4, 8 ms and then stays at the cap.
    while (seen.length < 5) await once(link, "retry");
    expect(rejected.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(seen.slice(0, 5)).toEqual([1, 2, 3, 4, 5].map((attempt) => ({ attempt, delayMs: backoffDelay(attempt, { baseMs: 1, capMs: 8 }, () => 0.999) })));
    expect(seen.slice(0, 5).map((r) => r.delayMs)).toEqual([0, 1, 3, 7, 7]);

    edge.token = TOKEN;
    await once(link, "ready");
    expect(link.connected).toBe(true);
  });

  it("starts over from the first backoff step after a stable connection", async () => {
    const { edge, link } = await setup({ stableAfterMs: 0 }, "nca_some-other-token");
    const seen = retries(link);
    link.start();
    while (seen.length < 3) await once(link, "retry");

    edge.token = TOKEN;
    const [, socket] = await once(edge, "hello");
    await once(link, "ready");
    const before = seen.length;
    socket.close(1012, "service restart");
    await once(link, "retry");
    expect(seen[before]).toEqual({ attempt: 1, delayMs: 0 });
  });

  // Heartbeats every 50 ms (a link is dead after 125 ms without a pong): quick, and still far above the event-loop lag
  // of a busy CI machine, which 5 ms was not.
  it("sends heartbeat pings the edge answers with pong", async () => {
    const { edge, link } = await setup({ heartbeatMs: 50 });
    link.start();
    const [socket] = await once(edge, "ping");
    expect(socket).toBeDefined();
    await once(link, "pong");
  });

  it("drops a link whose heartbeats go unanswered and dials again", async () => {
    const { edge, link } = await setup({ heartbeatMs: 50 });
    link.start();
    await once(link, "ready");
    edge.mute = true;
    const [closed] = await once(link, "closed");
    expect(closed.code).toBe(1006); // terminated locally, no closing handshake
    edge.mute = false;
    await once(link, "ready");
    expect(edge.hellos).toHaveLength(2);
  });

  it("stops cleanly with 1000 and does not reconnect", async () => {
    const { edge, link } = await setup();
    const seen = retries(link);
    link.start();
    await once(link, "ready");

    const edgeSaw = once(edge, "closed");
    await link.stop();
    expect((await edgeSaw)[0]).toEqual({ code: CLOSE_CODES.normal, reason: "agent stopping" });
    expect(seen).toEqual([]);
    expect(link.connected).toBe(false);
  });

  it("ignores malformed and unknown messages from the edge and stays connected", async () => {
    const { edge, link } = await setup({ heartbeatMs: 50 });
    link.start();
    const [, socket] = await once(edge, "hello");
    await once(link, "ready");
    socket.send("{ not json");
    socket.send(JSON.stringify({ type: "format_disk" }));
    socket.send(Buffer.from([1, 2, 3]));
    // Still the same link: the next heartbeat goes out on it and is answered.
    const [pinged] = await once(edge, "ping");
    expect(pinged).toBe(socket);
    await once(link, "pong");
    expect(link.connected).toBe(true);
    expect(edge.hellos).toHaveLength(1);
  });

  it("counts what it could not use from the edge and reports it: the first at once, the rest after the report interval", async () => {
    const { edge, link } = await setup({ rejectedReportMs: 50 });
    const reports: { malformed: number; unknown: number }[] = [];
    const reported = () => reports.reduce((n, r) => n + r.malformed + r.unknown, 0);
    const arrived = new Promise<void>((resolve) =>
      edge.on("agentMessage", (message) => {
        if (message.type !== "rejected_report") return;
        reports.push({ malformed: message.malformed, unknown: message.unknown });
        if (reported() >= 3) resolve();
      }),
    );
    link.start();
    const [, socket] = await once(edge, "hello");
    await once(link, "ready");
    socket.send("{ not json");
    socket.send(JSON.stringify({ type: "format_disk" }));
    socket.send(Buffer.from([1, 2, 3]));
    await arrived;
    expect(reports[0]).toEqual({ malformed: 1, unknown: 0 });
    expect(reports.length).toBeGreaterThan(1);
    expect(link.rejectedMessages).toEqual({ malformed: 2, unknown: 1 });
    expect(link.connected).toBe(true);
  });
});

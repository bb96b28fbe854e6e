// The Postgres websocket bridge: real connections through it to the embedded database, closed when the
// client says Terminate (PGlite's socket server would keep them open forever).
import { PGlite } from "@electric-sql/pglite";
import { Client, neonConfig } from "@neondatabase/serverless";
import { afterAll, beforeAll, expect, it } from "vitest";
import ws from "ws";
import { startDbBridge, terminateWatcher, type DbBridge } from "../workers/local/db-bridge.ts";
import { type EmbeddedDb, serveEmbeddedDb } from "../workers/local/embedded-db.ts";

let embedded: EmbeddedDb;
let bridge: DbBridge;

beforeAll(async () => {
  embedded = await serveEmbeddedDb(new PGlite());
  bridge = await startDbBridge({ host: "127.0.0.1", port: embedded.port });
  neonConfig.webSocketConstructor = ws as unknown as typeof WebSocket;
  neonConfig.wsProxy = () => bridge.proxy;
  neonConfig.useSecureWebSocket = false;
  neonConfig.pipelineTLS = false;
  neonConfig.pipelineConnect = false;
});
afterAll(async () => {
  await bridge.close();
  await embedded.stop();
});

it("spots Terminate across chunk boundaries, after the startup message", () => {
  const startup = Buffer.alloc(8);
  startup.writeInt32BE(8, 0);
  startup.writeInt32BE(196608, 4);
  const query = Buffer.concat([Buffer.from("Q"), Buffer.from([0, 0, 0, 13]), Buffer.from("select 1\0")]);
  const terminate = Buffer.from([0x58, 0, 0, 0, 4]);
  const watch = terminateWatcher();
  const all = Buffer.concat([startup, query, terminate]);
  const seen: boolean[] = [];
  for (let i = 0; i < all.length; i += 3) seen.push(watch(all.subarray(i, i + 3)));
  expect(seen.indexOf(true)).toBe(seen.length - 1);
  // An 'X' byte inside a query is not a Terminate.
  const other = terminateWatcher();
  expect(other(startup)).toBe(false);
  expect(other(Buffer.concat([Buffer.from("Q"), Buffer.from([0, 0, 0, 6]), Buffer.from("X\0")]))).toBe(false);
});

it("serves 300 sequential connections without leaking one", async () => {
  for (let i = 0; i < 300; i++) {
    const client = new Client({ connectionString: embedded.url });
    await client.connect();
    const { rows } = await client.query("select $1::int as n", [i]);
    expect(rows[0].n).toBe(i);
    await client.end();
  }
  // pglite-socket's default limit is far below 300 open connections' worth; every one was released.
  await expect.poll(() => embedded.stats().activeConnections).toBe(0);
});

// Splits /healthz's database time into its hops, measured from Node against the running stack: Postgres (PGlite
// behind pglite-socket) straight over TCP, then through the websocket bridge the Worker uses. Each sample is
// what the Worker does per request: open a connection, `select 1`, close it.
import { Duplex } from "node:stream";
import pg from "pg";
import WebSocket from "ws";
import { type LatencySummary, summarize } from "./latency.ts";

/** A pg socket that is one websocket to the bridge, the way @neondatabase/serverless reaches it from workerd. */
function bridgeSocket(proxy: string): Duplex {
  let ws: WebSocket | undefined;
  const socket = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, done) {
      ws?.send(chunk, done);
    },
    final(done) {
      ws?.close();
      done();
    },
    destroy(err, done) {
      ws?.terminate();
      done(err);
    },
  });
  // The parts of net.Socket that pg's Connection calls.
  return Object.assign(socket, {
    setNoDelay: () => socket,
    setKeepAlive: () => socket,
    ref: () => socket,
    unref: () => socket,
    connect() {
      ws = new WebSocket(`ws://${proxy}`);
      ws.binaryType = "nodebuffer";
      ws.on("open", () => socket.emit("connect"));
      ws.on("message", (data: Buffer) => socket.push(data));
      ws.on("close", () => socket.push(null));
      ws.on("error", (err) => socket.destroy(err));
      return socket;
    },
  });
}

async function connectQueryClose(config: pg.ClientConfig): Promise<number> {
  const started = performance.now();
  const client = new pg.Client(config);
  await client.connect();
  await client.query("select 1");
  await client.end();
  return performance.now() - started;
}

export interface PostgresProbe {
  /** New TCP connection to pglite-socket, `select 1`, close. */
  direct: LatencySummary;
  /** The same through the websocket bridge. */
  viaBridge: LatencySummary;
  /** `select 1` on one connection kept open: the query alone. */
  queryOnly: LatencySummary;
}

export async function probePostgres(options: { databaseUrl: string; bridgeProxy: string; samples: number }): Promise<PostgresProbe> {
  const { databaseUrl, bridgeProxy, samples } = options;
  const direct: number[] = [];
  const viaBridge: number[] = [];
  for (let i = 0; i < samples; i++) {
    direct.push(await connectQueryClose({ connectionString: databaseUrl }));
    viaBridge.push(await connectQueryClose({ connectionString: databaseUrl, stream: () => bridgeSocket(bridgeProxy) }));
  }
  const queryOnly: number[] = [];
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    for (let i = 0; i < samples; i++) {
      const started = performance.now();
      await client.query("select 1");
      queryOnly.push(performance.now() - started);
    }
  } finally {
    await client.end();
  }
  return { direct: summarize(direct), viaBridge: summarize(viaBridge), queryOnly: summarize(queryOnly) };
}

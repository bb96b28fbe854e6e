// A websocket -> TCP bridge in front of Postgres, speaking what @neondatabase/serverless expects of Neon's proxy:
// each websocket carries one raw Postgres wire-protocol connection. Used by `npm start` and the tests, which
// read per-application_name query counts from GET /__stats?app=<name> (how the AgentHub's idle Postgres budget is
// checked), and every connection's, named or not, from GET /__stats (the bench's idle deployment hour).
import http from "node:http";
import net from "node:net";
import { WebSocketServer } from "ws";

export interface DbBridge {
  port: number;
  /** Value for DB_WS_PROXY. */
  proxy: string;
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const TERMINATE = 0x58; // 'X'
const QUERY = 0x51; // 'Q': simple query
const EXECUTE = 0x45; // 'E': extended-protocol execute

export interface FrontendEvents {
  /** Set from the startup message; how tests tell one caller's connections from another's. */
  applicationName: string | null;
  /** Simple queries plus extended-protocol executes seen so far. */
  queries: number;
  terminated: boolean;
}

/**
 * Follows the client's side of the Postgres protocol: the startup message (for application_name), each
 * query or execute, and Terminate ('X'). A real server closes the connection on Terminate; PGlite's socket
 * server does not, so the bridge does, or every finished Worker request would leave a connection open.
 */
export function frontendWatcher(): (chunk: Buffer) => FrontendEvents {
  let buffer: Buffer = Buffer.alloc(0);
  let startup = true;
  const events: FrontendEvents = { applicationName: null, queries: 0, terminated: false };
  return (chunk) => {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    for (;;) {
      if (events.terminated) return events;
      if (startup) {
        if (buffer.length < 8) return events;
        const length = buffer.readInt32BE(0);
        if (buffer.length < length) return events;
        const code = buffer.readInt32BE(4);
        if (code !== SSL_REQUEST && code !== GSSENC_REQUEST) {
          startup = false;
          const pairs = buffer.subarray(8, length).toString("utf8").split("\0");
          for (let i = 0; i + 1 < pairs.length; i += 2) if (pairs[i] === "application_name") events.applicationName = pairs[i + 1] ?? null;
        }
        buffer = buffer.subarray(length);
        continue;
      }
      if (buffer.length < 5) return events;
      if (buffer[0] === TERMINATE) {
        events.terminated = true;
        return events;
      }
      const length = 1 + buffer.readInt32BE(1);
      if (buffer.length < length) return events;
      if (buffer[0] === QUERY || buffer[0] === EXECUTE) events.queries += 1;
      buffer = buffer.subarray(length);
    }
  };
}

/** True once the client has sent Terminate. */
export function terminateWatcher(): (chunk: Buffer) => boolean {
  const watch = frontendWatcher();
  return (chunk) => watch(chunk).terminated;
}

/** Connections and queries per application_name, served at GET /__stats?app=<name> on the bridge's port; all of them at GET /__stats. */
export interface BridgeStats {
  connections: number;
  queries: number;
}

export async function startDbBridge(target: { host: string; port: number }, port = 0): Promise<DbBridge> {
  const stats = new Map<string, BridgeStats>();
  const total: BridgeStats = { connections: 0, queries: 0 };
  const statsOf = (app: string): BridgeStats => {
    const entry = stats.get(app) ?? { connections: 0, queries: 0 };
    stats.set(app, entry);
    return entry;
  };
  // Plain HTTP on the same port answers the stats probe; websocket upgrades are the bridge itself.
  const server = http.createServer((req, res) => {
    const u = new URL(req.url ?? "/", "http://bridge");
    if (req.method === "GET" && u.pathname === "/__stats") {
      const app = u.searchParams.get("app");
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(app === null ? total : (stats.get(app) ?? { connections: 0, queries: 0 })));
      return;
    }
    res.writeHead(426, { "content-type": "text/plain" }).end("websocket upgrade required");
  });
  const wss = new WebSocketServer({ server });
  wss.on("connection", (ws) => {
    total.connections += 1;
    const tcp = net.connect(target.port, target.host);
    tcp.setNoDelay(true);
    const pending: Buffer[] = [];
    let open = false;
    tcp.on("connect", () => {
      open = true;
      for (const chunk of pending) tcp.write(chunk);
      pending.length = 0;
    });
    const watch = frontendWatcher();
    let counted: BridgeStats | null = null;
    let queries = 0;
    ws.on("message", (data: Buffer) => {
      if (open) tcp.write(data);
      else pending.push(data);
      const events = watch(data);
      if (!counted && events.applicationName !== null) {
        counted = statsOf(events.applicationName);
        counted.connections += 1;
      }
      const fresh = events.queries - queries;
      queries = events.queries;
      total.queries += fresh;
      if (counted) counted.queries += fresh;
      if (events.terminated) {
        tcp.end();
        ws.close();
      }
    });
    tcp.on("data", (chunk) => ws.readyState === ws.OPEN && ws.send(chunk));
    tcp.on("close", () => ws.close());
    tcp.on("error", () => ws.close());
    ws.on("close", () => tcp.destroy());
    ws.on("error", () => tcp.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once("listening", resolve);
    server.once("error", reject);
    server.listen(port, "127.0.0.1");
  });
  const address = server.address();
  const actual = typeof address === "object" && address ? address.port : port;
  return {
    port: actual,
    proxy: `127.0.0.1:${actual}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        server.closeAllConnections();
        wss.close(() => server.close(() => resolve()));
      }),
  };
}

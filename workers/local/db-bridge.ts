// A websocket -> TCP bridge in front of Postgres, speaking what @neondatabase/serverless expects of Neon's proxy:
// each websocket carries one raw Postgres wire-protocol connection. Used by `npm start` and the tests.
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

/**
 * Follows the client's side of the Postgres protocol just far enough to see Terminate ('X').
 * A real server closes the connection on it; PGlite's socket server does not, so the bridge does,
 * or every finished Worker request would leave a connection open until the server's limit is reached.
 */
export function terminateWatcher(): (chunk: Buffer) => boolean {
  let buffer: Buffer = Buffer.alloc(0);
  let startup = true;
  return (chunk) => {
    buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
    for (;;) {
      if (startup) {
        if (buffer.length < 8) return false;
        const length = buffer.readInt32BE(0);
        if (buffer.length < length) return false;
        const code = buffer.readInt32BE(4);
        if (code !== SSL_REQUEST && code !== GSSENC_REQUEST) startup = false;
        buffer = buffer.subarray(length);
        continue;
      }
      if (buffer.length < 5) return false;
      if (buffer[0] === TERMINATE) return true;
      const length = 1 + buffer.readInt32BE(1);
      if (buffer.length < length) return false;
      buffer = buffer.subarray(length);
    }
  };
}

export async function startDbBridge(target: { host: string; port: number }, port = 0): Promise<DbBridge> {
  const wss = new WebSocketServer({ host: "127.0.0.1", port });
  wss.on("connection", (ws) => {
    const tcp = net.connect(target.port, target.host);
    tcp.setNoDelay(true);
    const pending: Buffer[] = [];
    let open = false;
    tcp.on("connect", () => {
      open = true;
      for (const chunk of pending) tcp.write(chunk);
      pending.length = 0;
    });
    const terminated = terminateWatcher();
    ws.on("message", (data: Buffer) => {
      if (open) tcp.write(data);
      else pending.push(data);
      if (terminated(data)) {
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
    wss.once("listening", resolve);
    wss.once("error", reject);
  });
  const address = wss.address();
  const actual = typeof address === "object" && address ? address.port : port;
  return {
    port: actual,
    proxy: `127.0.0.1:${actual}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}

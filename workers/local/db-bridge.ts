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
    ws.on("message", (data: Buffer) => (open ? tcp.write(data) : pending.push(data)));
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

// A TCP proxy between the agent and the edge, so a soak can cut the link at any moment without touching either
// side: `cut()` destroys every open pair, as a flaky home uplink or a NAT timeout would.
import net from "node:net";

export interface TcpProxy {
  port: number;
  /** http://127.0.0.1:<port>, for NEBULA_EDGE_URL. */
  url: string;
  /** Connections currently open through the proxy. */
  readonly open: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Destroys every open connection on both sides; returns how many there were. */
  cut(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  let accepted = 0;
  const server = net.createServer((client) => {
    accepted++;
    const upstream = net.connect(target.port, target.host);
    const pair = { client, upstream };
    pairs.add(pair);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.pipe(upstream);
    upstream.pipe(client);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    // The edge refusing (mid-restart) looks to the agent like the network dropping: both end the same way.
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    get open() {
      return pairs.size;
    },
    get accepted() {
      return accepted;
    },
    cut() {
      const n = pairs.size;
      for (const { client, upstream } of [...pairs]) {
        // resetAndDestroy sends RST: neither side gets a closing handshake, as when a path dies.
        client.resetAndDestroy();
        upstream.resetAndDestroy();
      }
      pairs.clear();
      return n;
    },
    close() {
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      pairs.clear();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

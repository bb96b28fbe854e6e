// A tiny HTTP router for the streaming-platform fakes (Twitch, YouTube, Kick): real port, raw bodies, JSON helpers.
// Each fake also answers /__control/… so tests in workerd (another process) can steer it and ask it to sign.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface PlatformRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  rawBody: string;
  params: Record<string, string>;
}

export interface PlatformReply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** null passes the request on to the next matching route (an extension registered `first` that is not its own). */
export type PlatformHandler = (req: PlatformRequest) => PlatformReply | null | Promise<PlatformReply | null>;

export const reply = (status: number, body?: unknown, headers: Record<string, string> = {}): PlatformReply =>
  body === undefined ? { status, headers } : { status, headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) };

export const text = (status: number, body: string, type = "text/plain"): PlatformReply => ({ status, headers: { "content-type": type }, body });

export interface PlatformServer {
  origin: string;
  /** `first`: tried before the routes already registered (a bench's probe that watches a call and returns null). */
  route(method: string, path: string, handler: PlatformHandler, options?: { first?: boolean }): void;
  close(): Promise<void>;
}

export async function startPlatformServer(name: string): Promise<PlatformServer> {
  const routes: { method: string; pattern: RegExp; names: string[]; handler: PlatformHandler }[] = [];
  const server = http.createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (c: Buffer) => chunks.push(c));
    incoming.on("end", async () => {
      let res: PlatformReply = reply(404, { error: "Not Found", status: 404, message: "" });
      try {
        const url = new URL(incoming.url ?? "/", "http://fake");
        for (const r of routes) {
          const m = r.pattern.exec(url.pathname);
          if (!m || r.method !== incoming.method) continue;
          const params: Record<string, string> = {};
          r.names.forEach((n, i) => {
            params[n] = decodeURIComponent(m[i + 1] ?? "");
          });
          const answer = await r.handler({ method: incoming.method, path: url.pathname, query: url.searchParams, headers: incoming.headers, rawBody: Buffer.concat(chunks).toString("utf8"), params });
          if (answer === null) continue;
          res = answer;
          break;
        }
      } catch (err) {
        res = reply(500, { error: `fake ${name}: ${(err as Error).message}` });
      }
      outgoing.writeHead(res.status, res.headers ?? {});
      outgoing.end(res.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    route(method, path, handler, options = {}) {
      const names: string[] = [];
      const source = path
        .split("/")
        .map((seg) => {
          if (!seg.startsWith(":")) return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
          names.push(seg.slice(1));
          return "([^/]+)";
        })
        .join("/");
      const entry = { method, pattern: new RegExp(`^${source}$`), names, handler };
      if (options.first) routes.unshift(entry);
      else routes.push(entry);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

export const bodyOf = <T>(req: PlatformRequest): T => JSON.parse(req.rawBody || "{}") as T;

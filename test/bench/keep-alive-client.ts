// A minimal HTTP/1.1 client over node:http with keep-alive sockets: less client overhead per request than fetch,
// so on a 2-core machine more of each measured millisecond belongs to the stack under test.
import http from "node:http";

export interface BenchResponse {
  status: number;
  body: string;
}

export interface KeepAliveClient {
  request(method: string, path: string, init?: { headers?: Record<string, string>; body?: string }): Promise<BenchResponse>;
  close(): void;
}

export function keepAliveClient(baseUrl: string, maxSockets: number): KeepAliveClient {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  const base = new URL(baseUrl);
  return {
    request: (method, path, init = {}) =>
      new Promise((resolve, reject) => {
        const headers: Record<string, string | number> = { ...init.headers };
        if (init.body !== undefined) headers["content-length"] = Buffer.byteLength(init.body);
        const req = http.request({ agent, host: base.hostname, port: base.port, method, path, headers }, (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
          res.on("error", reject);
        });
        req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: no answer within 30 s`)));
        req.on("error", reject);
        req.end(init.body);
      }),
    close: () => agent.destroy(),
  };
}

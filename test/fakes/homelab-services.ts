// Small HTTP servers speaking the real formats of the homelab services the agent probes: Plex (/identity XML),
// Home Assistant (/api/ JSON, 401 without a token), MinIO (/minio/health/live) and a server that never answers.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeService {
  url: string;
  /** Paths requested so far, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

export type FakeServiceSpec =
  | { kind: "plex"; machineIdentifier: string; version: string }
  /** With `token`, requests without `Authorization: Bearer <token>` get 401 like a real instance. */
  | { kind: "home-assistant"; token?: string }
  | { kind: "minio"; healthy: boolean }
  /** Accepts connections and never answers: a hung service. */
  | { kind: "silent" };

function respond(spec: FakeServiceSpec, req: http.IncomingMessage, res: http.ServerResponse): void {
  const path = new URL(req.url ?? "/", "http://fake").pathname;
  switch (spec.kind) {
    case "plex":
      if (path !== "/identity") break;
      res.writeHead(200, { "content-type": "text/xml;charset=utf-8" });
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?>\n<MediaContainer size="0" apiVersion="1.1.1" claimed="1" machineIdentifier="${spec.machineIdentifier}" version="${spec.version}">\n</MediaContainer>\n`,
      );
      return;
    case "home-assistant":
      if (path !== "/api/") break;
      if (spec.token && req.headers.authorization !== `Bearer ${spec.token}`) {
        res.writeHead(401, { "content-type": "text/plain; charset=utf-8" }).end("401: Unauthorized");
        return;
      }
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ message: "API running." }));
      return;
    case "minio":
      if (path !== "/minio/health/live") break;
      res.writeHead(spec.healthy ? 200 : 503, { "x-minio-server-status": spec.healthy ? "online" : "offline" }).end();
      return;
    case "silent":
      return; // the request is read and never answered
  }
  res.writeHead(404, { "content-type": "text/plain" }).end("404 page not found");
}

export async function startFakeService(spec: FakeServiceSpec): Promise<FakeService> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? "/");
    respond(spec, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

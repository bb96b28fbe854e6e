// Local HTTP probes of homelab services (Plex, Home Assistant, MinIO, any URL), each read in that service's
// own format, answering up/down with the status, latency and what the service said about itself.
import type { agentWire } from "@nebula/schema";

export type ProbeKind = agentWire.JobParams<"host.probe_url">["kind"];

export interface ProbeResult {
  up: boolean;
  /** HTTP status, or null when nothing answered. */
  status: number | null;
  latencyMs: number;
  detail: string;
  /** What the service reported about itself (Plex identity, ...), when it did. */
  info?: Record<string, string>;
}

/** Appends a path to a base URL that may itself carry a path (Plex behind a reverse proxy at /plex). */
function endpoint(base: string, path: string): string {
  const url = new URL(base);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}${path}`;
  return url.toString();
}

const PATHS: Record<ProbeKind, string> = { plex: "/identity", "home-assistant": "/api/", minio: "/minio/health/live", http: "" };

/** Attributes of the root <MediaContainer> of Plex's /identity answer. */
function plexIdentity(xml: string): Record<string, string> | null {
  const tag = /<MediaContainer\b([^>]*)>/.exec(xml)?.[1];
  if (tag === undefined) return null;
  const attrs: Record<string, string> = {};
  for (const m of tag.matchAll(/([A-Za-z_:][\w:.-]*)="([^"]*)"/g)) attrs[m[1] as string] = m[2] as string;
  return attrs;
}

function judge(kind: ProbeKind, status: number, body: string): Omit<ProbeResult, "latencyMs" | "status"> {
  switch (kind) {
    case "plex": {
      if (status !== 200) return { up: false, detail: `Plex answered HTTP ${status}` };
      const identity = plexIdentity(body);
      if (!identity?.machineIdentifier) return { up: false, detail: "answered, but not with a Plex identity document" };
      const info = { machineIdentifier: identity.machineIdentifier, version: identity.version ?? "" };
      return { up: true, detail: `Plex ${info.version}`.trim(), info };
    }
    case "home-assistant": {
      // Home Assistant's REST API: GET /api/ answers {"message":"API running."}; without a token it is 401.
      if (status === 401) return { up: true, detail: "Home Assistant is up; the API needs a long-lived access token" };
      if (status !== 200) return { up: false, detail: `Home Assistant answered HTTP ${status}` };
      try {
        const parsed = JSON.parse(body) as { message?: unknown };
        if (parsed.message === "API running.") return { up: true, detail: "API running." };
      } catch {}
      return { up: false, detail: "answered 200, but not with Home Assistant's API message" };
    }
    case "minio":
      // MinIO's liveness probe: 200 when the server process is serving, no body.
      return status === 200 ? { up: true, detail: "MinIO is live" } : { up: false, detail: `MinIO liveness answered HTTP ${status}` };
    case "http":
      // Any answer below 500 is a server that is up (401/404 still prove it is serving).
      return { up: status < 500, detail: `HTTP ${status}` };
  }
}

const MAX_BODY = 64 * 1024;

export async function probeService(
  kind: ProbeKind,
  url: string,
  options: { timeoutMs: number; signal: AbortSignal; now?: () => number },
): Promise<ProbeResult> {
  // Monotonic, like performance.now(), without loading perf_hooks into the resting agent (metrics/collect.ts).
  const now = options.now ?? (() => process.uptime() * 1000);
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal = AbortSignal.any([options.signal, timeout]);
  const started = now();
  try {
    const { status, body } = await httpGet(new URL(endpoint(url, PATHS[kind])), signal);
    const latencyMs = Math.round(now() - started);
    return { ...judge(kind, status, body), status, latencyMs };
  } catch (err) {
    const latencyMs = Math.round(now() - started);
    if (options.signal.aborted) throw err;
    const detail = timeout.aborted ? `no answer within ${options.timeoutMs} ms` : `unreachable: ${describeError(err)}`;
    return { up: false, status: null, latencyMs, detail };
  }
}

/**
 * One GET on node:http(s), not fetch: the unit runs Node with --lite-mode, which leaves out WebAssembly, and Node's
 * fetch (undici) needs it for its HTTP parser ("WebAssembly is not defined" on every probe). Like the fetch it
 * replaces: redirects are answers (never followed), certificates are verified, the body is read up to MAX_BODY.
 */
function httpGet(target: URL, signal: AbortSignal): Promise<{ status: number; body: string }> {
  // Loaded on use, as in gaming/sunshine-health.ts: https (with tls) would otherwise stay in every resting agent.
  const client = process.getBuiltinModule(target.protocol === "https:" ? "node:https" : "node:http");
  return new Promise((resolve, reject) => {
    // agent: false: a connection per probe, closed after it, so nothing stays open between rounds.
    const req = client.request(
      target,
      { method: "GET", signal, agent: false, headers: { accept: "application/json, application/xml;q=0.9, */*;q=0.5" } },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          body += chunk;
          // Enough to judge any of the services; the rest is not read (a misdirected probe may hit a large file).
          if (body.length >= MAX_BODY) {
            resolve({ status: res.statusCode ?? 0, body: body.slice(0, MAX_BODY) });
            req.destroy();
          }
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        res.on("error", reject);
        res.on("close", () => {
          if (!res.complete) reject(new Error("the connection closed before the answer was complete"));
        });
      },
    );
    req.on("error", reject);
    req.end();
  });
}

function describeError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return code ?? (err instanceof Error ? err.message : String(err));
}

// Local HTTP probes of homelab services (Plex, Home Assistant, MinIO, any URL), each read in that service's
// own format, answering up/down with the status, latency and what the service said about itself.
import type { agentWire } from "@nebula/schema";

export type ProbeKind = agentWire.JobParams<"host.probe">["kind"];

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
    const res = await fetch(endpoint(url, PATHS[kind]), { signal, redirect: "manual", headers: { accept: "application/json, application/xml;q=0.9, */*;q=0.5" } });
    const body = (await res.text()).slice(0, MAX_BODY);
    const latencyMs = Math.round(now() - started);
    return { ...judge(kind, res.status, body), status: res.status, latencyMs };
  } catch (err) {
    const latencyMs = Math.round(now() - started);
    if (options.signal.aborted) throw err;
    const detail = timeout.aborted ? `no answer within ${options.timeoutMs} ms` : `unreachable: ${describeFetchError(err)}`;
    return { up: false, status: null, latencyMs, detail };
  }
}

function describeFetchError(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}

// The edge as a signed-in owner uses it over HTTP: sign in through the bootstrap link, create an agent (its token is
// shown once), run jobs, read stored metrics, and watch a host live (which switches its agent to the 2 s interval).
import WebSocket from "ws";

export interface OwnerSession {
  /** The edge's origin; also the Origin header that CSRF checks want on unsafe requests. */
  url: string;
  cookie: string;
  tenantId: string;
}

async function json<T>(res: Response, what: string): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what} answered ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

export async function signInOwner(url: string, bootstrapUrl: string | null): Promise<OwnerSession> {
  if (!bootstrapUrl) throw new Error("the stack printed no bootstrap link (not a fresh data dir?)");
  const res = await fetch(bootstrapUrl, { redirect: "manual" });
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  if (res.status !== 302 || !cookie.startsWith("nc_session=")) throw new Error(`bootstrap answered ${res.status} without a session`);
  const me = await json<{ tenants: { id: string }[] }>(await fetch(`${url}/api/me`, { headers: { cookie } }), "GET /api/me");
  const tenantId = me.tenants[0]?.id;
  if (!tenantId) throw new Error("the owner has no tenant");
  return { url, cookie, tenantId };
}

const api = (s: OwnerSession, path: string) => `${s.url}/api/t/${s.tenantId}${path}`;
const unsafe = (s: OwnerSession) => ({ cookie: s.cookie, origin: s.url, "content-type": "application/json" });

export async function createAgent(s: OwnerSession, name: string): Promise<{ agentId: string; token: string }> {
  const body = await json<{ agent: { id: string }; token: string }>(
    await fetch(api(s, "/agents"), { method: "POST", headers: unsafe(s), body: JSON.stringify({ name }) }),
    "POST /agents",
  );
  return { agentId: body.agent.id, token: body.token };
}

export interface JobAnswer {
  httpStatus: number;
  id: string | null;
  status: string | null;
  error: { code: string; message: string } | null;
  result: unknown;
}

/** POST /agents/:id/jobs?wait=true: the job as the API answered it (200 finished, 202 still running, or an error). */
export async function runJob(s: OwnerSession, agentId: string, request: { kind: string; params?: unknown; timeoutMs?: number }): Promise<JobAnswer> {
  const res = await fetch(api(s, `/agents/${agentId}/jobs?wait=true`), { method: "POST", headers: unsafe(s), body: JSON.stringify(request) });
  const body = (await res.json().catch(() => null)) as { id?: string; status?: string; error?: { code: string; message: string } | null; result?: unknown } | null;
  return { httpStatus: res.status, id: body?.id ?? null, status: body?.status ?? null, error: body?.error ?? null, result: body?.result ?? null };
}

export async function readJob(s: OwnerSession, jobId: string): Promise<{ id: string; status: string }> {
  return json(await fetch(api(s, `/jobs/${jobId}`), { headers: { cookie: s.cookie } }), `GET /jobs/${jobId}`);
}

export interface SeriesPoint {
  t: number;
  avg: number;
  count: number;
}

/** Raw points of one metric over the last hour, as the dashboard's chart reads them. */
export async function readRawSeries(s: OwnerSession, agentId: string, name: string): Promise<SeriesPoint[]> {
  const body = await json<{ resolution: string; series: { name: string; points: SeriesPoint[] }[] }>(
    await fetch(api(s, `/agents/${agentId}/metrics?range=1h&names=${encodeURIComponent(name)}`), { headers: { cookie: s.cookie } }),
    "GET /metrics",
  );
  if (body.resolution !== "raw") throw new Error(`expected raw points for range=1h, got ${body.resolution}`);
  return body.series.find((x) => x.name === name)?.points ?? [];
}

export interface LiveViewer {
  /** Metrics batches forwarded to this viewer so far. */
  readonly batches: number;
  /** The edge closed the socket (the stack restarted). */
  readonly closed: boolean;
  close(): Promise<void>;
}

/** A browser watching the host live: while it is open the hub asks the agent for a sample every 2 s. */
export async function openLiveViewer(s: OwnerSession, agentId: string): Promise<LiveViewer> {
  const ws = new WebSocket(api(s, `/agents/${agentId}/live`).replace(/^http/, "ws"), { headers: { cookie: s.cookie, origin: s.url } });
  let batches = 0;
  ws.on("message", (data) => {
    if (String(data).startsWith('{"type":"metrics"')) batches++;
  });
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) => reject(new Error(`live view answered ${res.statusCode}`)));
  });
  // A closed edge takes the socket with it; nothing to do but be reopened.
  ws.on("error", () => {});
  return {
    get batches() {
      return batches;
    },
    get closed() {
      return ws.readyState === WebSocket.CLOSED || ws.readyState === WebSocket.CLOSING;
    },
    close: () =>
      new Promise((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once("close", () => resolve());
        ws.close();
      }),
  };
}

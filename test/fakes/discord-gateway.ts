// A fake Discord Gateway for tests: a `ws` server speaking Gateway v10 with JSON encoding (HELLO, IDENTIFY → READY,
// HEARTBEAT → ACK, RESUME → replay + RESUMED, INVALID_SESSION, RECONNECT, close codes), plus GET /gateway/bot on the
// fake REST server (test/fakes/discord.ts) pointing at it. Tests run inside workerd, in another process, so they steer
// it over HTTP on the REST fake's origin. Each test uses its own scenario id, so suites never see each other's
// sockets: the DiscordGateway under test is pointed at `/scenarios/<id>/api/v10` as its REST base.
//
//   POST /__control/gateway/:id            {heartbeatInterval?, ack?, sessionStartLimit?, identifyCloseCode?}
//                                          creates or replaces the scenario (its sockets are dropped)
//   POST /__control/gateway/:id/options    merges options into the scenario (e.g. {ack: false} for a zombie)
//   POST /__control/gateway/:id/dispatch   {events: [{t, d}]} → {s: [...]}: dispatched on the scenario's current
//                                          session with increasing `s`, sent at once when it has a live socket
//   POST /__control/gateway/:id/cut        {missed?: [{t, d}], replayOverlap?} drops the socket without a close
//                                          frame; `missed` dispatches are logged as sent while it was down, and the
//                                          next RESUME replays them (plus `replayOverlap` already-sent ones)
//   POST /__control/gateway/:id/close      {code, reason?} closes the socket with that code
//   POST /__control/gateway/:id/reconnect  sends op 7 RECONNECT
//   POST /__control/gateway/:id/invalid-session {resumable} sends op 9
//   POST /__control/gateway/:id/raw        {frames: string[]} sends text frames as they are (malformed input)
//   POST /__control/gateway/:id/noted      {eventId} the test's event handler saw an internal event (counted once per
//                                          id as `notedEvents`): handlers run in the queue consumer's request, so a
//                                          test waits for them here rather than on a promise they resolve
//   GET  /__control/gateway/:id            counters, last IDENTIFY / RESUME, heartbeats' `d`, the live socket
//   GET  /__control/gateway/:id/wait?identifies=1&resumes=1&heartbeats=2&connections=…
//                                          answers once every named counter reached its value (408 after 10 s)
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import { API_PREFIX, type FakeDiscord, type FakeResponse, TEST_DISCORD_BOT_TOKEN, json } from "./discord.ts";

export interface SessionStartLimit {
  total: number;
  remaining: number;
  reset_after: number;
  max_concurrency: number;
}

export interface GatewayScenarioOptions {
  /** HELLO's heartbeat_interval (ms); Discord sends 41250. */
  heartbeatInterval: number;
  /** Answer heartbeats with HEARTBEAT_ACK; false makes the connection a zombie. */
  ack: boolean;
  sessionStartLimit: SessionStartLimit;
  /** Close with this code instead of READY when an IDENTIFY arrives (4004, 4013, 4014 …). */
  identifyCloseCode: number | null;
}

export interface GatewayCounters {
  connections: number;
  identifies: number;
  resumes: number;
  heartbeats: number;
  readies: number;
  resumed: number;
  /** Dispatch frames sent, replays included. */
  dispatchesSent: number;
  closes: number;
  /** Distinct ids noted by the test's event handlers (POST …/noted): tests wait on it in their own request. */
  notedEvents: number;
}

export interface GatewayScenarioState {
  counters: GatewayCounters;
  lastIdentify: { tokenOk: boolean; intents: unknown; properties: unknown; path: string } | null;
  lastResume: { tokenOk: boolean; session_id: unknown; seq: unknown; path: string } | null;
  /** `d` of each heartbeat received, in order. */
  heartbeatSeqs: (number | null)[];
  sessionStartLimit: SessionStartLimit;
  /** The current session and whether a socket is bound to it. */
  session: { id: string; seq: number; valid: boolean } | null;
  live: boolean;
  /** Paths the client connected to, in order (/gateway/<id> from /gateway/bot, /resume/<id> from READY). */
  paths: string[];
  lastClose: { code: number; reason: string } | null;
}

export interface FakeGateway {
  /** ws://127.0.0.1:PORT */
  url: string;
  close(): Promise<void>;
}

interface Dispatch {
  s: number;
  t: string;
  d: unknown;
}

interface Session {
  id: string;
  seq: number;
  log: Dispatch[];
  valid: boolean;
}

interface Connection {
  ws: WebSocket;
  path: string;
  session: Session | null;
}

interface Scenario {
  options: GatewayScenarioOptions;
  state: GatewayScenarioState;
  sessions: Map<string, Session>;
  current: Session | null;
  live: Connection | null;
  replayOverlap: number;
  waiters: (() => void)[];
  noted: Set<string>;
}

const DEFAULTS: GatewayScenarioOptions = {
  heartbeatInterval: 41_250,
  ack: true,
  sessionStartLimit: { total: 1000, remaining: 1000, reset_after: 24 * 3600_000, max_concurrency: 1 },
  identifyCloseCode: null,
};

const OP = { DISPATCH: 0, HEARTBEAT: 1, IDENTIFY: 2, RESUME: 6, RECONNECT: 7, INVALID_SESSION: 9, HELLO: 10, HEARTBEAT_ACK: 11 } as const;

function fresh(options: Partial<GatewayScenarioOptions>): Scenario {
  const merged = { ...DEFAULTS, ...options, sessionStartLimit: { ...DEFAULTS.sessionStartLimit, ...options.sessionStartLimit } };
  return {
    options: merged,
    state: {
      counters: { connections: 0, identifies: 0, resumes: 0, heartbeats: 0, readies: 0, resumed: 0, dispatchesSent: 0, closes: 0, notedEvents: 0 },
      lastIdentify: null,
      lastResume: null,
      heartbeatSeqs: [],
      sessionStartLimit: merged.sessionStartLimit,
      session: null,
      live: false,
      paths: [],
      lastClose: null,
    },
    sessions: new Map(),
    current: null,
    live: null,
    replayOverlap: 0,
    waiters: [],
    noted: new Set(),
  };
}

/** Starts the gateway's websocket server and adds GET /gateway/bot and /__control/gateway/* to the REST fake. */
export async function startFakeGateway(rest: FakeDiscord, botToken = TEST_DISCORD_BOT_TOKEN): Promise<FakeGateway> {
  const scenarios = new Map<string, Scenario>();
  const server = http.createServer((_req, res) => {
    res.writeHead(426, { "content-type": "text/plain" }).end("websocket only");
  });
  const wss = new WebSocketServer({ server });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const scenarioOf = (id: string) => {
    let s = scenarios.get(id);
    if (!s) {
      s = fresh({});
      scenarios.set(id, s);
    }
    return s;
  };
  const notify = (s: Scenario) => {
    s.state.session = s.current ? { id: s.current.id, seq: s.current.seq, valid: s.current.valid } : null;
    s.state.live = !!s.live;
    const waiters = s.waiters;
    s.waiters = [];
    for (const w of waiters) w();
  };
  const sendFrame = (s: Scenario, conn: Connection, frame: unknown) => {
    if (conn.ws.readyState !== WebSocket.OPEN) return;
    conn.ws.send(JSON.stringify(frame));
    if ((frame as { op: number }).op === OP.DISPATCH) s.state.counters.dispatchesSent += 1;
  };
  const dispatch = (session: Session, t: string, d: unknown): Dispatch => {
    session.seq += 1;
    const entry = { s: session.seq, t, d };
    session.log.push(entry);
    return entry;
  };
  const sendDispatch = (s: Scenario, conn: Connection, entry: Dispatch) => sendFrame(s, conn, { op: OP.DISPATCH, s: entry.s, t: entry.t, d: entry.d });

  wss.on("connection", (ws, req) => {
    const reqUrl = new URL(req.url ?? "/", "http://fake");
    const match = /^\/(gateway|resume)\/([\w-]+)$/.exec(reqUrl.pathname);
    if (!match?.[2] || reqUrl.searchParams.get("v") !== "10" || reqUrl.searchParams.get("encoding") !== "json") {
      // Discord: 4012 for an invalid API version; the same for anything we do not speak.
      ws.close(4012, "Invalid API version");
      return;
    }
    const s = scenarioOf(match[2]);
    const conn: Connection = { ws, path: reqUrl.pathname, session: null };
    s.state.counters.connections += 1;
    s.state.paths.push(conn.path);
    // One live socket per scenario, as one bot with one shard.
    if (s.live && s.live.ws !== ws) s.live.ws.terminate();
    s.live = conn;
    sendFrame(s, conn, { op: OP.HELLO, d: { heartbeat_interval: s.options.heartbeatInterval, _trace: ["fake-gateway"] }, s: null, t: null });
    notify(s);

    ws.on("message", (raw, isBinary) => {
      let frame: { op?: unknown; d?: unknown };
      try {
        if (isBinary) throw new Error("binary");
        frame = JSON.parse(String(raw)) as { op?: unknown; d?: unknown };
      } catch {
        ws.close(4002, "Error while decoding payload.");
        return;
      }
      const d = (frame.d ?? {}) as Record<string, unknown>;
      switch (frame.op) {
        case OP.HEARTBEAT:
          s.state.counters.heartbeats += 1;
          s.state.heartbeatSeqs.push(typeof frame.d === "number" ? frame.d : null);
          if (s.options.ack) sendFrame(s, conn, { op: OP.HEARTBEAT_ACK, d: null, s: null, t: null });
          break;
        case OP.IDENTIFY: {
          s.state.counters.identifies += 1;
          const tokenOk = d.token === botToken;
          s.state.lastIdentify = { tokenOk, intents: d.intents, properties: d.properties, path: conn.path };
          if (conn.session) {
            ws.close(4005, "Already authenticated.");
            break;
          }
          if (!tokenOk) {
            ws.close(4004, "Authentication failed.");
            break;
          }
          if (s.options.identifyCloseCode !== null) {
            ws.close(s.options.identifyCloseCode, "Refused by the test scenario.");
            break;
          }
          const limit = s.options.sessionStartLimit;
          limit.remaining = Math.max(0, limit.remaining - 1);
          const session: Session = { id: randomBytes(16).toString("hex"), seq: 0, log: [], valid: true };
          s.sessions.set(session.id, session);
          s.current = session;
          conn.session = session;
          const ready = dispatch(session, "READY", {
            v: 10,
            session_id: session.id,
            resume_gateway_url: `${url}/resume/${match[2]}`,
            user: { id: "200000000000000001", username: "nebula", global_name: null, avatar: null, bot: true },
            guilds: [],
            application: { id: "200000000000000001", flags: 0 },
          });
          sendDispatch(s, conn, ready);
          s.state.counters.readies += 1;
          break;
        }
        case OP.RESUME: {
          s.state.counters.resumes += 1;
          const tokenOk = d.token === botToken;
          s.state.lastResume = { tokenOk, session_id: d.session_id, seq: d.seq, path: conn.path };
          if (!tokenOk) {
            ws.close(4004, "Authentication failed.");
            break;
          }
          const session = typeof d.session_id === "string" ? s.sessions.get(d.session_id) : undefined;
          if (!session?.valid) {
            sendFrame(s, conn, { op: OP.INVALID_SESSION, d: false, s: null, t: null });
            break;
          }
          const from = typeof d.seq === "number" ? d.seq : 0;
          if (from > session.seq) {
            ws.close(4007, "Invalid seq.");
            break;
          }
          conn.session = session;
          s.current = session;
          // Discord replays what the client missed, in order, then sends RESUMED.
          const overlap = s.replayOverlap;
          s.replayOverlap = 0;
          for (const entry of session.log) if (entry.s > from - overlap) sendDispatch(s, conn, entry);
          sendDispatch(s, conn, dispatch(session, "RESUMED", { _trace: ["fake-gateway"] }));
          s.state.counters.resumed += 1;
          break;
        }
        default:
          ws.close(4001, "Unknown opcode.");
      }
      notify(s);
    });

    ws.on("close", (code, reason) => {
      if (s.live === conn) s.live = null;
      s.state.counters.closes += 1;
      s.state.lastClose = { code, reason: String(reason) };
      // Discord: a client closing with 1000 or 1001 ends its session; any other code keeps it resumable.
      if ((code === 1000 || code === 1001) && conn.session) conn.session.valid = false;
      notify(s);
    });
    ws.on("error", () => {});
  });

  // ---- REST: GET /gateway/bot ----

  const gatewayBot = (id: string) => (req: { headers: http.IncomingHttpHeaders }): FakeResponse => {
    const auth = /^Bot\s+(\S+)$/.exec(req.headers.authorization ?? "");
    if (auth?.[1] !== botToken) return json(401, { message: "401: Unauthorized", code: 0 });
    const s = scenarioOf(id);
    return json(200, { url: `${url}/gateway/${id}`, shards: 1, session_start_limit: { ...s.options.sessionStartLimit } });
  };
  rest.route("GET", `${API_PREFIX}/gateway/bot`, gatewayBot("default"));
  rest.route("GET", `/scenarios/:id${API_PREFIX}/gateway/bot`, (req) => gatewayBot(req.params.id ?? "default")(req));

  // ---- Control ----

  const body = (raw: string) => JSON.parse(raw || "{}") as Record<string, unknown>;
  const withLive = (id: string, act: (s: Scenario, conn: Connection) => void): FakeResponse => {
    const s = scenarioOf(id);
    if (!s.live) return json(409, { error: "no live socket in this scenario" });
    act(s, s.live);
    notify(s);
    return json(200, { ok: true });
  };

  rest.route("POST", "/__control/gateway/:id", (req) => {
    const id = req.params.id ?? "";
    const old = scenarios.get(id);
    old?.live?.ws.terminate();
    scenarios.set(id, fresh(body(req.rawBody) as Partial<GatewayScenarioOptions>));
    return json(200, { id, gatewayBot: `/scenarios/${id}${API_PREFIX}` });
  });

  rest.route("POST", "/__control/gateway/:id/options", (req) => {
    const s = scenarioOf(req.params.id ?? "");
    const changes = body(req.rawBody) as Partial<GatewayScenarioOptions>;
    s.options = { ...s.options, ...changes, sessionStartLimit: { ...s.options.sessionStartLimit, ...changes.sessionStartLimit } };
    s.state.sessionStartLimit = s.options.sessionStartLimit;
    return json(200, s.options);
  });

  rest.route("POST", "/__control/gateway/:id/dispatch", (req) => {
    const s = scenarioOf(req.params.id ?? "");
    const session = s.current;
    if (!session?.valid) return json(409, { error: "no session in this scenario" });
    const events = (body(req.rawBody).events ?? []) as { t: string; d: unknown }[];
    const sent = events.map((e) => {
      const entry = dispatch(session, e.t, e.d);
      if (s.live?.session === session) sendDispatch(s, s.live, entry);
      return entry.s;
    });
    notify(s);
    return json(200, { s: sent });
  });

  rest.route("POST", "/__control/gateway/:id/cut", (req) =>
    withLive(req.params.id ?? "", (s, conn) => {
      const b = body(req.rawBody) as { missed?: { t: string; d: unknown }[]; replayOverlap?: number };
      if (conn.session) for (const e of b.missed ?? []) dispatch(conn.session, e.t, e.d);
      s.replayOverlap = b.replayOverlap ?? 0;
      // No close frame: the TCP connection just ends, as when a network path dies.
      conn.ws.terminate();
      s.live = null;
    }),
  );

  rest.route("POST", "/__control/gateway/:id/close", (req) =>
    withLive(req.params.id ?? "", (s, conn) => {
      const b = body(req.rawBody) as { code?: number; reason?: string };
      const code = b.code ?? 4000;
      if ((code === 4007 || code === 4009) && conn.session) conn.session.valid = false;
      conn.ws.close(code, b.reason ?? "closed by the test scenario");
      s.live = null;
    }),
  );

  rest.route("POST", "/__control/gateway/:id/reconnect", (req) => withLive(req.params.id ?? "", (s, conn) => sendFrame(s, conn, { op: OP.RECONNECT, d: null, s: null, t: null })));

  rest.route("POST", "/__control/gateway/:id/invalid-session", (req) =>
    withLive(req.params.id ?? "", (s, conn) => {
      const resumable = body(req.rawBody).resumable === true;
      if (!resumable && conn.session) conn.session.valid = false;
      sendFrame(s, conn, { op: OP.INVALID_SESSION, d: resumable, s: null, t: null });
    }),
  );

  rest.route("POST", "/__control/gateway/:id/raw", (req) =>
    withLive(req.params.id ?? "", (_s, conn) => {
      for (const frame of (body(req.rawBody).frames ?? []) as string[]) conn.ws.send(frame);
    }),
  );

  rest.route("POST", "/__control/gateway/:id/noted", (req) => {
    const s = scenarioOf(req.params.id ?? "");
    const eventId = body(req.rawBody).eventId;
    if (typeof eventId !== "string") return json(400, { error: "eventId is required" });
    s.noted.add(eventId);
    s.state.counters.notedEvents = s.noted.size;
    notify(s);
    return json(200, { noted: s.noted.size });
  });

  rest.route("GET", "/__control/gateway/:id", (req) => json(200, snapshot(scenarioOf(req.params.id ?? ""))));

  rest.route("GET", "/__control/gateway/:id/wait", async (req) => {
    const s = scenarioOf(req.params.id ?? "");
    const wanted = [...req.query.entries()].map(([k, v]) => [k as keyof GatewayCounters, Number(v)] as const);
    const reached = () => wanted.every(([k, v]) => (s.state.counters[k] ?? 0) >= v);
    const deadline = Date.now() + 10_000;
    while (!reached()) {
      const left = deadline - Date.now();
      if (left <= 0) return json(408, { error: "timed out", state: snapshot(s) });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        s.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return json(200, snapshot(s));
  });

  function snapshot(s: Scenario): GatewayScenarioState {
    notify(s);
    return s.state;
  }

  return {
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}

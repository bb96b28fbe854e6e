// A small HTTP server speaking Upstash's REST protocol in front of a real Redis (RESP2 over node:net), so the
// Upstash cache adapter is tested against Redis itself. Shapes follow @upstash/redis 1.x (pkg/http.ts) and
// Upstash's REST docs: POST / with one command, POST /pipeline and /multi-exec with a list of them.
import { timingSafeEqual } from "node:crypto";
import http from "node:http";
import net from "node:net";

export interface UpstashBridge {
  /** Value for UPSTASH_REDIS_REST_URL. */
  url: string;
  token: string;
  close(): Promise<void>;
}

class ReplyError extends Error {}

/** RESP2 replies: simple strings stay strings, bulk strings are Buffers (values may be binary). */
type Reply = string | Buffer | number | null | ReplyError | Reply[];

type Command = string[];

export function encodeCommand(command: Command): Buffer {
  const parts: Buffer[] = [Buffer.from(`*${command.length}\r\n`)];
  for (const arg of command) {
    const bytes = Buffer.from(arg, "utf8");
    parts.push(Buffer.from(`$${bytes.length}\r\n`), bytes, Buffer.from("\r\n"));
  }
  return Buffer.concat(parts);
}

/** Parses one reply at `offset`; undefined when the buffer does not hold all of it yet. */
export function parseReply(buf: Buffer, offset = 0): { reply: Reply; next: number } | undefined {
  const lineEnd = buf.indexOf("\r\n", offset);
  if (lineEnd === -1) return undefined;
  const type = String.fromCharCode(buf[offset] ?? 0);
  const line = buf.toString("utf8", offset + 1, lineEnd);
  const afterLine = lineEnd + 2;
  switch (type) {
    case "+":
      return { reply: line, next: afterLine };
    case "-":
      return { reply: new ReplyError(line), next: afterLine };
    case ":":
      return { reply: Number(line), next: afterLine };
    case "$": {
      const length = Number(line);
      if (length < 0) return { reply: null, next: afterLine };
      if (buf.length < afterLine + length + 2) return undefined;
      return { reply: buf.subarray(afterLine, afterLine + length), next: afterLine + length + 2 };
    }
    case "*": {
      const count = Number(line);
      if (count < 0) return { reply: null, next: afterLine };
      const items: Reply[] = [];
      let next = afterLine;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buf, next);
        if (!item) return undefined;
        items.push(item.reply);
        next = item.next;
      }
      return { reply: items, next };
    }
    default:
      throw new Error(`RESP: unexpected type byte ${JSON.stringify(type)}`);
  }
}

interface Pending {
  replies: Reply[];
  expected: number;
  resolve(replies: Reply[]): void;
  reject(err: Error): void;
}

/**
 * One shared connection. RESP answers in order, so a FIFO of waiters suffices; a batch (a pipeline, or
 * MULTI..EXEC) is written with one write() so no other request's commands can land inside it.
 */
class RedisConnection {
  private socket: net.Socket | undefined;
  private buffer: Buffer = Buffer.alloc(0);
  private pending: Pending[] = [];

  constructor(private readonly target: URL) {}

  send(commands: Command[]): Promise<Reply[]> {
    const socket = this.socket ?? this.connect();
    return new Promise((resolve, reject) => {
      this.pending.push({ replies: [], expected: commands.length, resolve, reject });
      socket.write(Buffer.concat(commands.map(encodeCommand)));
    });
  }

  close(): void {
    this.socket?.destroy();
  }

  private connect(): net.Socket {
    const socket = net.connect({ host: this.target.hostname, port: Number(this.target.port || 6379) });
    socket.setNoDelay(true);
    this.socket = socket;
    this.buffer = Buffer.alloc(0);
    socket.on("data", (chunk: Buffer) => this.receive(chunk));
    let failed = false;
    const fail = (err: Error) => {
      // "error" is followed by "close": fail once, while this socket is still the current one.
      if (failed) return;
      failed = true;
      this.socket = undefined;
      const waiting = this.pending;
      this.pending = [];
      const reason = new Error(`Redis at ${this.target.host} unreachable: ${err.message}`);
      for (const p of waiting) p.reject(reason);
    };
    socket.on("error", fail);
    socket.on("close", () => fail(new Error("connection closed")));
    // redis://:password@host:port/db
    const db = this.target.pathname.slice(1);
    const handshake: Command[] = [];
    if (this.target.password) handshake.push(["AUTH", ...(this.target.username ? [decodeURIComponent(this.target.username)] : []), decodeURIComponent(this.target.password)]);
    if (db) handshake.push(["SELECT", db]);
    if (handshake.length) {
      this.pending.push({ replies: [], expected: handshake.length, resolve: () => {}, reject: () => {} });
      socket.write(Buffer.concat(handshake.map(encodeCommand)));
    }
    return socket;
  }

  private receive(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    let offset = 0;
    for (;;) {
      const parsed = parseReply(this.buffer, offset);
      if (!parsed) break;
      offset = parsed.next;
      const head = this.pending[0];
      if (!head) continue;
      head.replies.push(parsed.reply);
      if (head.replies.length === head.expected) {
        this.pending.shift();
        head.resolve(head.replies);
      }
    }
    // Copy the unread tail so parsed bulk values do not pin the whole receive buffer.
    this.buffer = Buffer.from(this.buffer.subarray(offset));
  }
}

/** Upstash-Encoding: base64 means every string in a result is base64, except a plain "OK" (Upstash REST docs). */
function toJson(reply: Reply, base64: boolean): unknown {
  if (reply === null || typeof reply === "number") return reply;
  if (Array.isArray(reply)) return reply.map((r) => toJson(r, base64));
  if (reply instanceof ReplyError) return reply.message;
  if (Buffer.isBuffer(reply)) return base64 ? reply.toString("base64") : reply.toString("utf8");
  return base64 && reply !== "OK" ? Buffer.from(reply, "utf8").toString("base64") : reply;
}

function resultOrError(reply: Reply, base64: boolean): { result: unknown } | { error: string } {
  return reply instanceof ReplyError ? { error: reply.message } : { result: toJson(reply, base64) };
}

class BadRequest extends Error {}

// These change the connection's state, which is shared by every request here (Upstash's REST API refuses them too).
const CONNECTION_COMMANDS = new Set(["multi", "exec", "discard", "watch", "unwatch", "select", "auth", "hello", "reset", "quit", "subscribe", "psubscribe", "ssubscribe", "monitor", "client"]);

function toCommand(value: unknown): Command {
  if (!Array.isArray(value) || value.length === 0) throw new BadRequest("ERR command must be a non-empty JSON array");
  const command = value.map((arg) => {
    if (typeof arg === "string") return arg;
    if (typeof arg === "number" || typeof arg === "boolean") return String(arg);
    throw new BadRequest("ERR command arguments must be strings or numbers");
  });
  if (CONNECTION_COMMANDS.has(command[0]!.toLowerCase())) throw new BadRequest(`ERR command not supported over REST: ${command[0]}`);
  return command;
}

function toCommands(value: unknown): Command[] {
  if (!Array.isArray(value) || value.length === 0) throw new BadRequest("ERR body must be a non-empty JSON array of commands");
  return value.map(toCommand);
}

async function readBody(req: http.IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    throw new BadRequest("ERR body is not valid JSON");
  }
}

function send(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function authorized(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.match(/^Bearer (.+)$/)?.[1] ?? "");
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export async function startUpstashBridge(options: { redisUrl?: string; token: string; port?: number }): Promise<UpstashBridge> {
  const redis = new RedisConnection(new URL(options.redisUrl ?? "redis://127.0.0.1:6379"));

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (!authorized(req.headers.authorization, options.token)) return send(res, 401, { error: "Unauthorized" });
    if (req.method !== "POST") return send(res, 405, { error: "Method not allowed" });
    const base64 = req.headers["upstash-encoding"] === "base64";
    const path = new URL(req.url ?? "/", "http://bridge").pathname;
    const body = await readBody(req);
    if (path === "/") {
      const [reply] = await redis.send([toCommand(body)]);
      if (reply instanceof ReplyError) return send(res, 400, { error: reply.message });
      return send(res, 200, { result: toJson(reply ?? null, base64) });
    }
    if (path === "/pipeline") {
      const replies = await redis.send(toCommands(body));
      return send(res, 200, replies.map((r) => resultOrError(r, base64)));
    }
    if (path === "/multi-exec") {
      const commands = toCommands(body);
      const replies = await redis.send([["MULTI"], ...commands, ["EXEC"]]);
      const exec = replies.at(-1) ?? null;
      // EXECABORT: a command was refused while queueing, so none ran.
      if (exec instanceof ReplyError) return send(res, 400, { error: exec.message });
      if (!Array.isArray(exec)) return send(res, 400, { error: "ERR transaction aborted" });
      return send(res, 200, exec.map((r) => resultOrError(r, base64)));
    }
    return send(res, 404, { error: `Not found: ${path}` });
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: Error) => send(res, err instanceof BadRequest ? 400 : 500, { error: err.message }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const address = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    token: options.token,
    close: () =>
      new Promise<void>((resolve) => {
        redis.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

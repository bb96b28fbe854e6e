// A websocket client for tests inside workerd: opens through the Worker's own fetch and lets a test await the
// next message or the close, so no test sleeps or polls.
import { exports } from "cloudflare:workers";
import { url } from "./seed.ts";

export interface Closed {
  code: number;
  reason: string;
}

export class TestSocket {
  private readonly inbox: string[] = [];
  private readonly waiting: ((message: string) => void)[] = [];
  readonly closed: Promise<Closed>;

  constructor(readonly ws: WebSocket) {
    ws.accept();
    ws.addEventListener("message", (event) => {
      const data = typeof event.data === "string" ? event.data : new TextDecoder().decode(event.data as ArrayBuffer);
      const waiter = this.waiting.shift();
      if (waiter) waiter(data);
      else this.inbox.push(data);
    });
    this.closed = new Promise((resolve) => {
      ws.addEventListener("close", (event) => {
        resolve({ code: event.code, reason: event.reason });
        try {
          ws.close(1000, "bye");
        } catch {
          // Already closed.
        }
      });
    });
  }

  /** The next text frame, whether it already arrived or is still on its way. */
  next(): Promise<string> {
    const queued = this.inbox.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  async nextJson<T = Record<string, unknown>>(): Promise<T> {
    return JSON.parse(await this.next()) as T;
  }

  send(data: string | ArrayBuffer): void {
    this.ws.send(data);
  }

  sendJson(value: unknown): void {
    this.ws.send(JSON.stringify(value));
  }

  close(): void {
    try {
      this.ws.close(1000, "done");
    } catch {
      // Already closed.
    }
  }
}

/** Requests a websocket upgrade; returns the socket, or the refusal response when the Worker did not upgrade. */
export async function connect(path: string, headers: Record<string, string> = {}): Promise<{ socket: TestSocket | null; response: Response }> {
  const response = await exports.default.fetch(url(path), { headers: { upgrade: "websocket", ...headers } });
  return { socket: response.webSocket ? new TestSocket(response.webSocket) : null, response };
}

export async function mustConnect(path: string, headers: Record<string, string> = {}): Promise<TestSocket> {
  const { socket, response } = await connect(path, headers);
  if (!socket) throw new Error(`expected a websocket from ${path}, got ${response.status}: ${await response.text()}`);
  return socket;
}

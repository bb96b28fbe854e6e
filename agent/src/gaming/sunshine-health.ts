// Is Sunshine up inside the VM? Any HTTP answer from its web UI (even 401: it wants a login) means the streaming
// host is running. Its certificate is self-signed by Sunshine on first start, so verification is optional.
import { backoffDelay } from "../connection/backoff.ts";
import type { Clock } from "./clock.ts";

/** Resolves with the HTTP status, rejects when nothing answered. */
export function pingSunshine(url: string, options: { insecureTls: boolean; signal: AbortSignal }): Promise<number> {
  const target = new URL(url);
  // Loaded on use: https (with tls) would otherwise stay in every resting agent, gaming host or not (~3 MB).
  const client = process.getBuiltinModule(target.protocol === "https:" ? "node:https" : "node:http");
  return new Promise((resolve, reject) => {
    const req = client.request(target, { method: "GET", signal: options.signal, rejectUnauthorized: !options.insecureTls }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}

/** 0.5 s, 1 s, 2 s, ... capped at 10 s: Windows takes tens of seconds to boot, then Sunshine starts in seconds. */
const POLL_BACKOFF = { baseMs: 500, capMs: 10_000 };
/** One poll may not eat the whole step: a VM that drops packets would hang a request until TCP gives up. */
const POLL_TIMEOUT_MS = 5_000;

/** Polls until Sunshine answers; runs until `signal` aborts (the step timeout or a cancel). */
export async function waitForSunshine(
  url: string,
  options: { insecureTls: boolean; clock: Clock; signal: AbortSignal; onPoll(poll: number, error: string): void },
): Promise<{ status: number; polls: number }> {
  for (let poll = 1; ; poll++) {
    options.signal.throwIfAborted();
    try {
      const status = await pingSunshine(url, { insecureTls: options.insecureTls, signal: AbortSignal.any([options.signal, options.clock.timeout(POLL_TIMEOUT_MS)]) });
      return { status, polls: poll };
    } catch (err) {
      options.signal.throwIfAborted();
      const code = (err as NodeJS.ErrnoException).code;
      options.onPoll(poll, code ?? (err instanceof Error ? err.message : String(err)));
    }
    await options.clock.sleep(backoffDelay(poll, POLL_BACKOFF, () => 1), options.signal);
  }
}

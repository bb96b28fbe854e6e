// Time as gaming mode sees it: now, a cancellable sleep and a timeout signal. Injected so tests run the
// real backoff and step-timeout logic on virtual time instead of waiting.
import { setTimeout as sleepFor } from "node:timers/promises";

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** A signal that aborts with a TimeoutError after `ms`. */
  timeout(ms: number): AbortSignal;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    await sleepFor(ms, undefined, { signal });
  },
  timeout: (ms) => AbortSignal.timeout(ms),
};

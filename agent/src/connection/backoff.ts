// Reconnect delays: exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"),
// so a fleet of agents that lost the edge at the same moment does not reconnect in lockstep.

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1_000, capMs: 60_000 };

/**
 * Delay before reconnect attempt `attempt` (1 for the first retry): uniform in [0, min(cap, base * 2^(attempt-1))).
 * `random` is injectable so tests choose where in the window a delay falls.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 30)); // 2^30 * base is far past any cap; avoids Infinity
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  return Math.floor(random() * ceiling);
}

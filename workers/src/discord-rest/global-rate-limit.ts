// Discord's global rate limit, pure: at most 50 requests per second per bot across all routes, and after a 429 of
// global scope nothing until its retry_after. DiscordLimits keeps one for the whole bot; a DiscordRest without
// DiscordLimits (or while it is unreachable) keeps its own.

/** Discord: 50 requests per second per bot across all routes (webhooks and interaction follow-ups excepted). */
export const GLOBAL_PER_SECOND = 50;

export interface Grant {
  granted: number;
  /** How long the granted sends stay good: the rest of the current second. */
  validForMs: number;
  /** With nothing granted: how long until asking again can succeed. */
  retryInMs: number;
}

export class GlobalRateLimit {
  private second = Number.NEGATIVE_INFINITY;
  private granted = 0;
  private heldUntil = 0;

  constructor(readonly perSecond = GLOBAL_PER_SECOND) {}

  /** Up to `wanted` sends for the current second. */
  grant(now: number, wanted: number): Grant {
    if (now < this.heldUntil) return { granted: 0, validForMs: 0, retryInMs: this.heldUntil - now };
    const second = now - (now % 1000);
    // Only forward: a caller whose clock lags must not reopen a second already spent.
    if (second > this.second) {
      this.second = second;
      this.granted = 0;
    }
    const end = this.second + 1000;
    const n = Math.max(0, Math.min(wanted, this.perSecond - this.granted));
    this.granted += n;
    return n > 0 ? { granted: n, validForMs: end - now, retryInMs: 0 } : { granted: 0, validForMs: 0, retryInMs: Math.max(1, end - now) };
  }

  /** A 429 of global scope: nobody sends before `until`. */
  hold(until: number): void {
    this.heldUntil = Math.max(this.heldUntil, until);
  }

  heldUntilAt(now: number): number | null {
    return this.heldUntil > now ? this.heldUntil : null;
  }
}

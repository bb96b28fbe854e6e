// Counts Discord "invalid requests" (401, 403, and 429 outside the shared scope) over a sliding 10-minute window and
// refuses to send before the count nears Discord's ban: 10,000 per 10 minutes gets the IP blocked for an hour.
// State is plain JSON so a Durable Object can keep it across evictions.

/** Discord: 10,000 invalid requests per 10 minutes. */
export const DISCORD_INVALID_REQUEST_LIMIT = 10_000;
export const INVALID_REQUEST_WINDOW_MS = 10 * 60_000;
/** Stop at 80% of the limit: other isolates of this account share the IP's count and we cannot see theirs. */
export const DEFAULT_INVALID_REQUEST_BUDGET = 8_000;

const SLOT_MS = 60_000;

export interface InvalidRequestGuardState {
  /** [minute slot start, count] pairs inside the window. */
  slots: [number, number][];
}

export class InvalidRequestGuard {
  private slots: [number, number][];

  constructor(
    readonly budget = DEFAULT_INVALID_REQUEST_BUDGET,
    state: InvalidRequestGuardState = { slots: [] },
  ) {
    this.slots = state.slots.map(([at, n]) => [at, n]);
  }

  record(now: number): void {
    this.prune(now);
    const slot = now - (now % SLOT_MS);
    const last = this.slots.at(-1);
    if (last && last[0] === slot) last[1] += 1;
    else this.slots.push([slot, 1]);
  }

  count(now: number): number {
    this.prune(now);
    return this.slots.reduce((sum, [, n]) => sum + n, 0);
  }

  /** When sending may resume, or null when it may go on now. */
  blockedUntil(now: number): number | null {
    let over = this.count(now) - this.budget + 1;
    if (over <= 0) return null;
    // Sending resumes once enough of the oldest slots have aged out of the window.
    for (const [at, n] of this.slots) {
      over -= n;
      if (over <= 0) return at + SLOT_MS + INVALID_REQUEST_WINDOW_MS;
    }
    return now + INVALID_REQUEST_WINDOW_MS;
  }

  toJSON(): InvalidRequestGuardState {
    return { slots: this.slots.map(([at, n]) => [at, n]) };
  }

  private prune(now: number): void {
    const cutoff = now - INVALID_REQUEST_WINDOW_MS;
    while (this.slots.length > 0 && (this.slots[0]?.[0] ?? now) + SLOT_MS <= cutoff) this.slots.shift();
  }
}

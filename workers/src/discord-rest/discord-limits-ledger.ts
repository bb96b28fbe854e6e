// What DiscordLimits knows, pure: the bot's global send window and its invalid-request window, and the one exchange
// every client makes with it. A client asks for send slots for the current second and hands in what it saw (invalid
// requests, a global 429); the answer grants slots and carries the bot-wide invalid-request window.
import { GlobalRateLimit } from "./global-rate-limit.ts";
import { type InvalidAges, InvalidRequestGuard, type InvalidRequestGuardState } from "./invalid-request-guard.ts";

/** Send slots a client may take in one lease: small, so an idle isolate does not sit on the bot's second. */
export const MAX_LEASE = 10;

export interface LeaseRequest {
  /** Send slots wanted for the current second; 0 when only reporting. */
  slots: number;
  /** Invalid requests seen since the last acknowledged report. */
  invalid: InvalidAges;
  /** Discord answered a 429 of global scope: nobody sends for this many ms. */
  globalHoldMs?: number;
}

export interface LeaseAnswer {
  granted: number;
  /** How long the granted slots stay good, from when the lease was asked. */
  validForMs: number;
  /** With nothing granted: ask again after this long. */
  retryInMs: number;
  /** The bot-wide invalid-request window. */
  invalid: InvalidAges;
}

export class DiscordLimitsLedger {
  readonly global: GlobalRateLimit;
  readonly invalid: InvalidRequestGuard;

  constructor(state: InvalidRequestGuardState = { slots: [] }, perSecond?: number) {
    this.global = new GlobalRateLimit(perSecond);
    this.invalid = new InvalidRequestGuard(undefined, state);
  }

  lease(req: LeaseRequest, now: number): LeaseAnswer {
    // The guard prunes what is older than its window; a clock that runs ahead cannot report from the future.
    for (const { agoMs, count } of req.invalid) if (count > 0) this.invalid.add(now - Math.max(0, agoMs), count);
    if (req.globalHoldMs && req.globalHoldMs > 0) this.global.hold(now + req.globalHoldMs);
    const wanted = Math.max(0, Math.min(MAX_LEASE, Math.floor(req.slots)));
    const grant = wanted > 0 ? this.global.grant(now, wanted) : { granted: 0, validForMs: 0, retryInMs: 0 };
    return { ...grant, invalid: this.invalid.ages(now) };
  }
}

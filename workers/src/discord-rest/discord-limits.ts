// DiscordLimits: one Durable Object per bot (named from a hash of its token) that holds the limits Discord counts for
// the whole bot rather than per isolate: the global 50 requests per second, a global 429's hold, and the
// invalid-request window behind the hour-long IP ban. Every DiscordRest with an env leases send slots from it and
// reports to it (shared-limits.ts); the logic itself is the pure ledger.
import { DurableObject } from "cloudflare:workers";
import type { Env } from "../env.ts";
import { DiscordLimitsLedger, type LeaseAnswer, type LeaseRequest } from "./discord-limits-ledger.ts";
import type { InvalidRequestGuardState } from "./invalid-request-guard.ts";

const INVALID_KEY = "invalid";

export interface DiscordLimitsTuning {
  now: () => number;
}

export class DiscordLimits extends DurableObject<Env> {
  private ledger = new DiscordLimitsLedger();
  private tuning: DiscordLimitsTuning = { now: Date.now };

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.blockConcurrencyWhile(async () => {
      // The send window lasts a second and is not worth keeping; the invalid-request window lasts ten minutes.
      this.ledger = new DiscordLimitsLedger(ctx.storage.kv.get<InvalidRequestGuardState>(INVALID_KEY));
    });
  }

  /** Grants up to `req.slots` sends for the current second and takes in what the client saw. */
  async lease(req: LeaseRequest): Promise<LeaseAnswer> {
    const answer = this.ledger.lease(req, this.tuning.now());
    if (req.invalid.length > 0) this.ctx.storage.kv.put(INVALID_KEY, this.ledger.invalid.toJSON());
    return answer;
  }

  /** Replaces the clock (tests drive it with the clients' virtual clock). */
  tune(changes: Partial<DiscordLimitsTuning>): void {
    this.tuning = { ...this.tuning, ...changes };
  }
}

/** The bot's DiscordLimits; `name` comes from discordLimitsName(botToken). */
export function getDiscordLimits(ns: DurableObjectNamespace<DiscordLimits>, name: string): DurableObjectStub<DiscordLimits> {
  return ns.getByName(name);
}

// A DiscordRest's side of DiscordLimits: it leases global send slots a few at a time (so most sends cost no extra
// round trip), hands in the invalid requests and global 429s it saw, and keeps the bot-wide invalid-request window in
// its guard. When DiscordLimits cannot be reached it says so once and the client limits itself alone for a while:
// a limiter that is down never fails a send.
import { type LeaseAnswer, type LeaseRequest, MAX_LEASE } from "./discord-limits-ledger.ts";
import type { InvalidReport, InvalidRequestGuard } from "./invalid-request-guard.ts";

/** DiscordLimits as a client calls it (its Durable Object stub, or the ledger itself in pure tests). */
export interface DiscordLimitsPeer {
  lease(req: LeaseRequest): Promise<LeaseAnswer>;
}

/** env.DISCORD_LIMITS, as far as a client needs it (typed structurally, so Node code needs no Workers types). */
export interface DiscordLimitsNamespace {
  getByName(name: string): DiscordLimitsPeer;
}

export interface SharedLimitsOptions {
  /** The bot's DiscordLimits; called per exchange, since a stub belongs to the request that made it. */
  peer: () => DiscordLimitsPeer | Promise<DiscordLimitsPeer>;
  /** Keeps a background report alive past the current request (a Durable Object's ctx.waitUntil). */
  waitUntil?: (work: Promise<unknown>) => void;
  /** Told once when DiscordLimits cannot be reached; the client then limits itself alone. */
  onUnavailable?: (err: unknown) => void;
  /** An exchange slower than this counts as unreachable. */
  timeoutMs?: number;
}

export type SlotDecision = { kind: "send" } | { kind: "wait"; at: number } | { kind: "alone" };

const DEFAULT_TIMEOUT_MS = 2_000;
/** After a failed exchange, the client limits itself alone this long before trying DiscordLimits again. */
export const UNREACHABLE_RETRY_MS = 30_000;
/** A client that only sends webhooks (no leases) still refreshes the bot-wide window this often. */
const VIEW_MAX_AGE_MS = 10_000;

export class SharedLimits {
  private left = 0;
  private validUntil = 0;
  private heldUntil = 0;
  private lastGranted = 0;
  private waiting = 0;
  /** A global 429 not yet told to DiscordLimits (epoch ms it lasts until). */
  private untoldHold = 0;
  /** When the report in flight left; one at a time, so the same invalid requests are never counted twice. */
  private reportingSince: number | null = null;
  private reportAgain = false;
  private reporting: Promise<void> | null = null;
  private unreachableUntil = 0;
  private warned = false;
  private viewAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly options: SharedLimitsOptions,
    private readonly guard: InvalidRequestGuard,
    private readonly now: () => number,
  ) {}

  /** One global send slot: send now, wait until `at`, or limit alone (DiscordLimits unreachable). */
  async slot(): Promise<SlotDecision> {
    this.waiting += 1;
    try {
      for (let round = 0; round < 3; round++) {
        const now = this.now();
        if (now < this.unreachableUntil) return { kind: "alone" };
        if (this.left > 0 && now < this.validUntil) {
          this.left -= 1;
          return { kind: "send" };
        }
        if (this.heldUntil > now) return { kind: "wait", at: this.heldUntil };
        if (!(await this.exchange(this.nextAsk()))) return { kind: "alone" };
      }
      // Other sends of this isolate took every slot leased meanwhile: the second is busy.
      return { kind: "wait", at: Math.max(this.heldUntil, this.validUntil, this.now() + 1) };
    } finally {
      this.waiting -= 1;
    }
  }

  /** Discord answered a 429 of global scope: every client of the bot holds off until `until`. */
  holdEveryone(until: number): void {
    this.heldUntil = Math.max(this.heldUntil, until);
    this.untoldHold = Math.max(this.untoldHold, until);
    this.left = 0;
    this.reportSoon();
  }

  /** An invalid request was recorded in the guard: tell DiscordLimits soon, batched with any others. */
  reportSoon(): void {
    const now = this.now();
    if (now < this.unreachableUntil) return;
    if (this.reportingSince !== null && now - this.reportingSince < 2 * this.timeoutMs()) {
      this.reportAgain = true;
      return;
    }
    const work = this.exchange(0).then(() => {
      if (this.reporting === work) this.reporting = null;
      if (!this.reportAgain) return;
      this.reportAgain = false;
      this.reportSoon();
    });
    this.reporting = work;
    this.options.waitUntil?.(work);
  }

  /** Hands in everything seen so far and takes the bot-wide count back: settled once DiscordLimits has it. */
  async flush(): Promise<void> {
    while (this.reporting) await this.reporting;
    if (this.now() >= this.unreachableUntil) await this.exchange(0);
  }

  /** Sends that take no slot (webhooks) still keep the bot-wide invalid-request window fresh. */
  refreshIfStale(): void {
    if (this.now() - this.viewAt > VIEW_MAX_AGE_MS) this.reportSoon();
  }

  private nextAsk(): number {
    // A lease used up grows the next one; one left over shrinks it to what was used.
    const used = this.lastGranted - this.left;
    const ask = this.left === 0 && this.lastGranted > 0 ? this.lastGranted * 2 : Math.max(1, used);
    return Math.min(MAX_LEASE, Math.max(ask, this.waiting));
  }

  /** One exchange with DiscordLimits; false when it could not be reached. */
  private async exchange(slots: number): Promise<boolean> {
    const askedAt = this.now();
    // A report lost with its request (never answered) stops blocking the next one after a while.
    const reports = this.reportingSince === null || askedAt - this.reportingSince >= 2 * this.timeoutMs();
    const report: InvalidReport | null = reports ? this.guard.report(askedAt) : null;
    if (reports) this.reportingSince = askedAt;
    const hold = this.untoldHold;
    const req: LeaseRequest = { slots, invalid: report?.ages ?? [], ...(hold > askedAt ? { globalHoldMs: hold - askedAt } : {}) };
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const peer = await this.options.peer();
      const answer = await Promise.race([
        peer.lease(req),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error("DiscordLimits did not answer in time")), this.timeoutMs());
        }),
      ]);
      const at = this.now();
      this.guard.adopt(report, answer.invalid, at);
      this.viewAt = at;
      if (this.untoldHold === hold) this.untoldHold = 0;
      if (slots > 0) {
        this.left = answer.granted;
        this.lastGranted = answer.granted;
        // From when it was asked: the slots end no later than DiscordLimits' second does.
        this.validUntil = askedAt + answer.validForMs;
        if (answer.granted === 0) this.heldUntil = Math.max(this.heldUntil, at + answer.retryInMs);
      }
      return true;
    } catch (err) {
      this.unreachableUntil = this.now() + UNREACHABLE_RETRY_MS;
      if (!this.warned) {
        this.warned = true;
        this.options.onUnavailable?.(err);
      }
      return false;
    } finally {
      clearTimeout(timer);
      if (reports && this.reportingSince === askedAt) this.reportingSince = null;
    }
  }

  private timeoutMs(): number {
    return this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }
}

/** DiscordLimits is named from a hash of the bot token: one per bot, and the token itself is never a name. */
export async function discordLimitsName(botToken: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`discord-limits:${botToken}`));
  return `bot-${[...new Uint8Array(digest).slice(0, 16)].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/** DiscordRest options that tie it to its bot's DiscordLimits (none without a bot token); `name` overrides the token's. */
export function sharedLimitsOf(
  ns: DiscordLimitsNamespace,
  botToken: string | undefined,
  extra: Omit<SharedLimitsOptions, "peer"> & { name?: string | undefined } = {},
): { limits?: SharedLimitsOptions } {
  if (!botToken) return {};
  const { name, ...rest } = extra;
  let resolved: Promise<string> | null = null;
  return {
    limits: {
      ...rest,
      peer: async () => {
        resolved ??= name ? Promise.resolve(name) : discordLimitsName(botToken);
        return ns.getByName(await resolved);
      },
    },
  };
}

// Counts Discord "invalid requests" (401, 403, and 429 outside the shared scope) over a sliding 10-minute window and
// refuses to send before the count nears Discord's ban: 10,000 per 10 minutes gets the IP blocked for an hour.
// Discord counts them for the whole bot, so besides what this client saw, the guard holds the bot-wide window that
// DiscordLimits last reported, and refuses once either reaches the budget. Windows cross the wire as ages
// (ms ago, count), so each side reads them in its own clock. State is plain JSON so a Durable Object can keep it.

/** Discord: 10,000 invalid requests per 10 minutes. */
export const DISCORD_INVALID_REQUEST_LIMIT = 10_000;
export const INVALID_REQUEST_WINDOW_MS = 10 * 60_000;
/** Stop at 80% of the limit: a margin for what other isolates saw but have not reported yet. */
export const DEFAULT_INVALID_REQUEST_BUDGET = 8_000;

const SLOT_MS = 60_000;

/** [slot start (epoch ms), count] pairs, oldest first. */
export type InvalidSlots = [number, number][];
/** A window as it crosses between clocks: each slot by how long ago it started. */
export type InvalidAges = { agoMs: number; count: number }[];

export interface InvalidRequestGuardState {
  /** [minute slot start, count] pairs inside the window. */
  slots: InvalidSlots;
}

/** What a report carried, so its answer can take exactly that out of the unreported count. */
export interface InvalidReport {
  ages: InvalidAges;
  slots: InvalidSlots;
}

export class InvalidRequestGuard {
  /** Everything this client saw: alone, the per-isolate view. */
  private slots: InvalidSlots;
  /** Seen here and not yet acknowledged by DiscordLimits. */
  private unreported: InvalidSlots = [];
  /** The bot-wide window as DiscordLimits last told it, in this client's clock; null before it ever answered. */
  private shared: InvalidSlots | null = null;

  constructor(
    readonly budget = DEFAULT_INVALID_REQUEST_BUDGET,
    state: InvalidRequestGuardState = { slots: [] },
  ) {
    this.slots = copy(state.slots);
  }

  record(now: number): void {
    addTo(this.slots, now, 1);
    addTo(this.unreported, now, 1);
  }

  /** Adds `n` invalid requests seen at `at` (DiscordLimits adds what clients report). */
  add(at: number, n: number): void {
    addTo(this.slots, at, n);
  }

  /** The larger of this client's count and the bot-wide one. */
  count(now: number): number {
    return Math.max(countOf(prune(this.slots, now)), this.shared === null ? 0 : countOf(this.botWide(now)));
  }

  /** When sending may resume, or null when it may go on now. */
  blockedUntil(now: number): number | null {
    const local = blockedUntilOf(prune(this.slots, now), this.budget, now);
    const bot = this.shared === null ? null : blockedUntilOf(this.botWide(now), this.budget, now);
    if (local === null) return bot;
    return bot === null ? local : Math.max(local, bot);
  }

  /** This client's window as ages, for DiscordLimits' answer. */
  ages(now: number): InvalidAges {
    return prune(this.slots, now).map(([at, n]) => ({ agoMs: now - at, count: n }));
  }

  /** The unreported invalid requests, to send to DiscordLimits; null when there are none. */
  report(now: number): InvalidReport | null {
    const slots = copy(prune(this.unreported, now));
    return slots.length === 0 ? null : { slots, ages: slots.map(([at, n]) => ({ agoMs: now - at, count: n })) };
  }

  /** DiscordLimits answered: `report` (if any) is now in its window, and `botWide` is that window. */
  adopt(report: InvalidReport | null, botWide: InvalidAges, now: number): void {
    for (const [at, n] of report?.slots ?? []) addTo(this.unreported, at, -n);
    this.unreported = this.unreported.filter(([, n]) => n > 0);
    this.shared = botWide.map(({ agoMs, count }) => [now - agoMs, count] as [number, number]).sort((a, b) => a[0] - b[0]);
  }

  toJSON(): InvalidRequestGuardState {
    return { slots: copy(this.slots) };
  }

  private botWide(now: number): InvalidSlots {
    this.shared = prune(this.shared ?? [], now);
    this.unreported = prune(this.unreported, now);
    const merged = copy(this.shared);
    for (const [at, n] of this.unreported) merged.push([at, n]);
    return merged.sort((a, b) => a[0] - b[0]);
  }
}

function copy(slots: InvalidSlots): InvalidSlots {
  return slots.map(([at, n]) => [at, n]);
}

/** Adds into the minute slot of `at`, keeping slots in order (reports may carry times older than the last slot). */
function addTo(slots: InvalidSlots, at: number, n: number): void {
  const slot = at - (at % SLOT_MS);
  let i = slots.length;
  while (i > 0 && (slots[i - 1]?.[0] ?? 0) > slot) i--;
  const prev = slots[i - 1];
  if (prev && prev[0] === slot) prev[1] += n;
  else slots.splice(i, 0, [slot, n]);
}

function prune(slots: InvalidSlots, now: number): InvalidSlots {
  const cutoff = now - INVALID_REQUEST_WINDOW_MS;
  while (slots.length > 0 && (slots[0]?.[0] ?? now) + SLOT_MS <= cutoff) slots.shift();
  return slots;
}

function countOf(slots: InvalidSlots): number {
  return slots.reduce((sum, [, n]) => sum + n, 0);
}

function blockedUntilOf(slots: InvalidSlots, budget: number, now: number): number | null {
  let over = countOf(slots) - budget + 1;
  if (over <= 0) return null;
  // Sending resumes once enough of the oldest slots have aged out of the window.
  for (const [at, n] of slots) {
    over -= n;
    if (over <= 0) return at + SLOT_MS + INVALID_REQUEST_WINDOW_MS;
  }
  return now + INVALID_REQUEST_WINDOW_MS;
}

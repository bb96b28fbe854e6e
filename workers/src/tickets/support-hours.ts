// Support hours: weekly windows in the guild's time zone. Outside them a ticket still opens, and the opener is told
// when staff are back. Pure, so it is unit-tested in Node with fixed instants (DST included).
import type { SupportHours } from "@nebula/schema";

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

interface LocalTime {
  day: number;
  minutes: number;
  /** Local calendar date at UTC midnight, for day arithmetic. */
  dateMs: number;
}

function localTime(instant: Date, timeZone: string): LocalTime {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", weekday: "short", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" }).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const hour = Number(get("hour")) % 24;
  return { day: DAYS.indexOf(get("weekday")), minutes: hour * 60 + Number(get("minute")), dateMs: Date.UTC(Number(get("year")), Number(get("month")) - 1, Number(get("day"))) };
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The instant of local wall time `minutes` on local date `dateMs` in `timeZone` (offset resolved at that instant). */
function instantOf(dateMs: number, minutes: number, timeZone: string): Date {
  const wall = dateMs + minutes * 60_000;
  let guess = wall;
  // Two passes settle the offset, including across a DST change between the guess and the answer.
  for (let i = 0; i < 2; i++) {
    const local = localTime(new Date(guess), timeZone);
    const offset = local.dateMs + local.minutes * 60_000 - guess;
    guess = wall - offset;
  }
  return new Date(guess);
}

export interface SupportStatus {
  open: boolean;
  /** When the next window starts (null when open, or when no window exists). */
  backAt: Date | null;
}

export function supportStatus(hours: SupportHours | null, now: Date): SupportStatus {
  if (!hours || hours.windows.length === 0) return { open: true, backAt: null };
  const local = localTime(now, hours.timeZone);
  for (const w of hours.windows) {
    if (w.day === local.day && local.minutes >= toMinutes(w.start) && local.minutes < toMinutes(w.end)) return { open: true, backAt: null };
  }
  let best: Date | null = null;
  for (let ahead = 0; ahead <= 7; ahead++) {
    const day = (local.day + ahead) % 7;
    for (const w of hours.windows) {
      if (w.day !== day) continue;
      const start = toMinutes(w.start);
      if (ahead === 0 && start <= local.minutes) continue;
      const at = instantOf(local.dateMs + ahead * 86_400_000, start, hours.timeZone);
      if (at.getTime() > now.getTime() && (!best || at < best)) best = at;
    }
    if (best) break;
  }
  return { open: false, backAt: best };
}

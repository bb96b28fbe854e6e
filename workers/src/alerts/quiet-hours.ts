// Whether an instant falls inside a rule's quiet hours, in the rule's own time zone (fixed offset or IANA).
import type { QuietHours } from "./rules.ts";

const formatters = new Map<string, Intl.DateTimeFormat>();

function minutesOf(clock: string): number {
  return Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));
}

/** Minutes since local midnight at `at` (epoch ms) in `timeZone`. */
export function localMinutes(at: number, timeZone: string): number {
  const offset = /^([+-])(\d{2}):(\d{2})$/.exec(timeZone);
  if (offset) {
    const shift = (offset[1] === "-" ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3]));
    const utc = Math.floor(at / 60_000) % 1440;
    return (((utc + shift) % 1440) + 1440) % 1440;
  }
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    formatters.set(timeZone, f);
  }
  let hour = 0;
  let minute = 0;
  for (const part of f.formatToParts(at)) {
    if (part.type === "hour") hour = Number(part.value);
    else if (part.type === "minute") minute = Number(part.value);
  }
  return hour * 60 + minute;
}

/** [start, end) in local time; a window whose end is before its start runs over midnight ("23:00"–"07:00"). */
export function inQuietHours(quiet: QuietHours | undefined, at: number): boolean {
  if (!quiet) return false;
  const now = localMinutes(at, quiet.timeZone);
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  return start < end ? now >= start && now < end : now >= start || now < end;
}

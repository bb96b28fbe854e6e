// Dates as people read them: "3 minutes ago" in lists, the full local time on hover.
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
const full = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
const day = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

export function timeAgo(iso: string, now = Date.now()): string {
  const seconds = (new Date(iso).getTime() - now) / 1000;
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return Math.abs(seconds) < 45 ? (seconds <= 0 ? "just now" : "in a moment") : relative.format(Math.round(seconds), "second");
}

export const fullTime = (iso: string) => full.format(new Date(iso));
export const dayOf = (iso: string) => day.format(new Date(iso));

export function TimeAgo(props: { iso: string }) {
  return (
    <time datetime={props.iso} title={fullTime(props.iso)}>
      {timeAgo(props.iso)}
    </time>
  );
}

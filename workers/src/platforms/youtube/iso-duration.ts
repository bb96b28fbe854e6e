// YouTube reports a video's length as an ISO 8601 duration (contentDetails.duration): "PT4M13S", "PT1H2M", "P1DT3M";
// a live stream or premiere that has not ended says "P0D".

const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:\.\d+)?S)?)?$/;

/** Whole seconds, or null for anything that is not such a duration. */
export function isoDurationSeconds(value: string): number | null {
  const m = DURATION.exec(value);
  if (!m || value === "P" || value.endsWith("T")) return null;
  const [weeks, days, hours, minutes, seconds] = m.slice(1).map((part) => Number(part ?? 0)) as [number, number, number, number, number];
  return (((weeks * 7 + days) * 24 + hours) * 60 + minutes) * 60 + seconds;
}

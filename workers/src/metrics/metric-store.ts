// An agent's metrics inside its AgentHub's SQLite: raw samples for 24 h (a row per sample), 1-minute rollups for 7 days,
// and the hours that changed since they were last pushed to Postgres. All synchronous, no network: the hot path of a batch.
import type { agentWire, api } from "@nebula/schema";

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const RAW_RETENTION_MS = 24 * HOUR_MS;
export const ROLLUP_RETENTION_MS = 7 * 24 * HOUR_MS;
/** A raw-resolution read looks at most at this many samples, so at most this many points per metric (1 h at 2 s is 1,800). */
const MAX_RAW_POINTS = 10_000;
/** Durable Object SQLite binds at most 100 parameters per statement. */

export interface HourlyRollup {
  metric: string;
  hour: number;
  min: number;
  max: number;
  avg: number;
  count: number;
}

export interface DirtyHour {
  hour: number;
  version: number;
}

interface MinuteBucket {
  name: string;
  minute: number;
  min: number;
  max: number;
  sum: number;
  count: number;
}

/**
 * Folds samples into per-name, per-minute buckets, so each minute costs one upsert however many samples it has.
 * Samples before `from` are left out (past the rollup retention).
 */
export function minuteBuckets(samples: readonly agentWire.Sample[], from = Number.NEGATIVE_INFINITY): MinuteBucket[] {
  const buckets = new Map<string, MinuteBucket>();
  for (const { at, values } of samples) {
    if (at < from) continue;
    const minute = Math.floor(at / MINUTE_MS) * MINUTE_MS;
    for (const name in values) {
      const value = values[name] as number;
      const key = `${minute}\u0000${name}`;
      const b = buckets.get(key);
      if (b) {
        if (value < b.min) b.min = value;
        if (value > b.max) b.max = value;
        b.sum += value;
        b.count += 1;
      } else buckets.set(key, { name, minute, min: value, max: value, sum: value, count: 1 });
    }
  }
  return [...buckets.values()];
}

/** How a metric's name appears in a stored sample: `"cpu.total":`. */
export const storedKey = (name: string) => `${JSON.stringify(name)}:`;

/**
 * One metric's value from a stored sample's JSON text, without parsing the rest. Sound because of what is stored:
 * an object of numbers whose keys match METRIC_NAME_PATTERN (no quote, no escape), so `"name":` can only be that
 * key, and a JSON number holds no `,` or `}`. Anything else falls back to JSON.parse.
 */
export function storedValue(json: string, key: string): number | undefined {
  const at = json.indexOf(key);
  if (at < 0) return undefined;
  const from = at + key.length;
  let to = json.indexOf(",", from);
  if (to < 0) to = json.indexOf("}", from);
  const value = Number(json.slice(from, to));
  if (Number.isFinite(value) && to > from) return value;
  const parsed: unknown = (JSON.parse(json) as Record<string, unknown>)[JSON.parse(key.slice(0, -1)) as string];
  return typeof parsed === "number" ? parsed : undefined;
}

/** The bucket width (a whole number of minutes) that keeps a span at or under `maxPoints` buckets. */
export function bucketWidth(fromMs: number, toMs: number, maxPoints: number): number {
  const span = Math.max(0, toMs - fromMs);
  const minutes = Math.max(1, Math.ceil(span / Math.max(1, maxPoints - 2) / MINUTE_MS));
  return minutes * MINUTE_MS;
}

export class MetricStore {
  constructor(private readonly sql: SqlStorage) {}

  migrate(): void {
    this.sql.exec(`
      CREATE TABLE IF NOT EXISTS raw_sample_values (at INTEGER NOT NULL, vals TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS raw_sample_values_at ON raw_sample_values (at);
      CREATE TABLE IF NOT EXISTS rollups_1m (
        name TEXT NOT NULL, minute INTEGER NOT NULL, min REAL NOT NULL, max REAL NOT NULL, sum REAL NOT NULL, count INTEGER NOT NULL,
        PRIMARY KEY (name, minute)
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS rollups_1m_minute ON rollups_1m (minute);
      CREATE TABLE IF NOT EXISTS dirty_hours (hour INTEGER PRIMARY KEY, version INTEGER NOT NULL DEFAULT 1);
    `);
    // Hubs from before one row per sample kept one row per value (raw_samples): folded into the new table once.
    const legacy = this.sql.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'raw_samples'").toArray().length > 0;
    if (legacy) {
      this.sql.exec(`
        INSERT INTO raw_sample_values (at, vals) SELECT at, json_group_object(name, value) FROM raw_samples GROUP BY at;
        DROP TABLE raw_samples;
      `);
    }
  }

  /**
   * Stores one batch's samples; samples older than the rollup retention are skipped. Returns how many values were stored.
   * Raw samples are one row per sample, its values as the JSON object the agent sent: a row per value cost a row and
   * two index entries each (20 values a sample, 2,000 a batch), which was most of a batch's time in the hub.
   */
  ingest(samples: readonly agentWire.Sample[], now: number): { stored: number; skipped: number } {
    const rawFrom = now - RAW_RETENTION_MS;
    const rollupFrom = now - ROLLUP_RETENTION_MS;
    const raw: [number, string][] = [];
    let stored = 0;
    let skipped = 0;
    for (const sample of samples) {
      const count = Object.keys(sample.values).length;
      if (sample.at < rollupFrom) skipped += count;
      else stored += count;
      if (sample.at >= rawFrom && count > 0) raw.push([sample.at, JSON.stringify(sample.values)]);
    }
    // One statement per table per batch, rows passed as one JSON array: statements are the hub's main CPU cost, and
    // a statement per row (or per 33 rows, SQLite's 100-parameter limit) made ingest cost grow with the batch.
    if (raw.length > 0) {
      this.sql.exec(
        "INSERT INTO raw_sample_values (at, vals) SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') FROM json_each(?)",
        JSON.stringify(raw),
      );
    }
    const hours = new Set<number>();
    const buckets = minuteBuckets(samples, rollupFrom);
    if (buckets.length > 0) {
      // "WHERE true" keeps SQLite from reading ON CONFLICT as part of the SELECT's join (sqlite.org/lang_upsert.html).
      this.sql.exec(
        `INSERT INTO rollups_1m (name, minute, min, max, sum, count)
         SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]'),
                json_extract(value, '$[3]'), json_extract(value, '$[4]'), json_extract(value, '$[5]')
         FROM json_each(?) WHERE true
         ON CONFLICT (name, minute) DO UPDATE SET min = MIN(min, excluded.min), max = MAX(max, excluded.max),
           sum = sum + excluded.sum, count = count + excluded.count`,
        JSON.stringify(buckets.map((b) => [b.name, b.minute, b.min, b.max, b.sum, b.count])),
      );
      for (const b of buckets) hours.add(Math.floor(b.minute / HOUR_MS) * HOUR_MS);
    }
    for (const hour of hours) this.sql.exec("INSERT INTO dirty_hours (hour) VALUES (?) ON CONFLICT (hour) DO UPDATE SET version = version + 1", hour);
    return { stored, skipped };
  }

  /** Raw samples as points (min = max = avg, count 1), or minute rollups merged into buckets of `bucketMs`. */
  series(names: readonly string[], fromMs: number, toMs: number, resolution: "raw" | "1m", bucketMs = MINUTE_MS): api.MetricSeries[] {
    if (resolution === "raw") return this.rawSeries(names, fromMs, toMs);
    return names.map((name) => {
      const width = Math.max(MINUTE_MS, Math.floor(bucketMs / MINUTE_MS) * MINUTE_MS);
      const rows = this.sql.exec<{ t: number; min: number; max: number; sum: number; count: number }>(
        `SELECT minute - (minute % ?) AS t, MIN(min) AS min, MAX(max) AS max, SUM(sum) AS sum, SUM(count) AS count
         FROM rollups_1m WHERE name = ? AND minute >= ? AND minute <= ? GROUP BY t ORDER BY t`,
        width,
        name,
        Math.floor(fromMs / MINUTE_MS) * MINUTE_MS,
        toMs,
      );
      return { name, points: [...rows].map((r) => ({ t: r.t, min: r.min, max: r.max, avg: r.sum / r.count, count: r.count })) };
    });
  }

  /**
   * Every requested metric from one pass over the range's samples. Asking SQLite for one metric at a time parsed each
   * sample's whole JSON once per metric (5× slower than one pass for a 10-metric chart); reading a value out of the
   * text (storedValue) is ~10× cheaper again than JSON.parse of a sample carrying 70 metrics.
   * Samples without a metric (a container that was not running yet) are not points of its series.
   */
  private rawSeries(names: readonly string[], fromMs: number, toMs: number): api.MetricSeries[] {
    const wanted = names.map((name) => ({ name, key: storedKey(name), points: [] as api.MetricSeries["points"] }));
    const rows = this.sql.exec<{ at: number; vals: string }>(
      "SELECT at, vals FROM raw_sample_values WHERE at >= ? AND at <= ? ORDER BY at LIMIT ?",
      fromMs,
      toMs,
      MAX_RAW_POINTS,
    );
    for (const { at, vals } of rows) {
      for (const { key, points } of wanted) {
        const value = storedValue(vals, key);
        if (value !== undefined) points.push({ t: at, min: value, max: value, avg: value, count: 1 });
      }
    }
    return wanted.map(({ name, points }) => ({ name, points }));
  }

  /** Drops what is past retention; run from the hub's alarm, not per batch. */
  prune(now: number): void {
    this.sql.exec("DELETE FROM raw_sample_values WHERE at < ?", now - RAW_RETENTION_MS);
    this.sql.exec("DELETE FROM rollups_1m WHERE minute < ?", now - ROLLUP_RETENTION_MS);
    this.sql.exec("DELETE FROM dirty_hours WHERE hour < ?", now - ROLLUP_RETENTION_MS - HOUR_MS);
  }

  /**
   * Hours that received samples since their last push and are over (by the hub's clock), with the version each
   * had when read: a sample that lands while the push is in flight bumps it, and the hour stays dirty.
   */
  completedDirtyHours(now: number, limit: number): DirtyHour[] {
    const currentHour = Math.floor(now / HOUR_MS) * HOUR_MS;
    return [...this.sql.exec<{ hour: number; version: number }>("SELECT hour, version FROM dirty_hours WHERE hour < ? ORDER BY hour LIMIT ?", currentHour, limit)];
  }

  /** The earliest hour still waiting to be pushed, or null. */
  firstDirtyHour(): number | null {
    return this.sql.exec<{ hour: number | null }>("SELECT MIN(hour) AS hour FROM dirty_hours").one().hour;
  }

  /** The whole of each hour, recomputed from its minute rollups, so a late sample re-pushes a correct hour. */
  hourlyRollups(hours: readonly number[]): HourlyRollup[] {
    const out: HourlyRollup[] = [];
    for (const hour of hours) {
      const rows = this.sql.exec<{ name: string; min: number; max: number; sum: number; count: number }>(
        "SELECT name, MIN(min) AS min, MAX(max) AS max, SUM(sum) AS sum, SUM(count) AS count FROM rollups_1m WHERE minute >= ? AND minute < ? GROUP BY name ORDER BY name",
        hour,
        hour + HOUR_MS,
      );
      for (const r of rows) out.push({ metric: r.name, hour, min: r.min, max: r.max, avg: r.sum / r.count, count: r.count });
    }
    return out;
  }

  markPushed(hours: readonly DirtyHour[]): void {
    for (const { hour, version } of hours) this.sql.exec("DELETE FROM dirty_hours WHERE hour = ? AND version = ?", hour, version);
  }
}

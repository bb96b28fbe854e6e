// An agent's metrics inside its AgentHub's SQLite: raw samples for 24 h, 1-minute rollups for 7 days, and the
// hours that changed since they were last pushed to Postgres. All synchronous, no network: the hot path of a batch.
import type { agentWire, api } from "@nebula/schema";

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const RAW_RETENTION_MS = 24 * HOUR_MS;
export const ROLLUP_RETENTION_MS = 7 * 24 * HOUR_MS;
/** A raw-resolution read returns at most this many points per metric (1 h at 2 s is 1,800). */
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

/** Folds samples into per-name, per-minute buckets, so each minute costs one upsert however many samples it has. */
export function minuteBuckets(samples: readonly { at: number; name: string; value: number }[]): MinuteBucket[] {
  const buckets = new Map<string, MinuteBucket>();
  for (const { at, name, value } of samples) {
    const minute = Math.floor(at / MINUTE_MS) * MINUTE_MS;
    const key = `${minute}\u0000${name}`;
    const b = buckets.get(key);
    if (b) {
      b.min = Math.min(b.min, value);
      b.max = Math.max(b.max, value);
      b.sum += value;
      b.count += 1;
    } else buckets.set(key, { name, minute, min: value, max: value, sum: value, count: 1 });
  }
  return [...buckets.values()];
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
      CREATE TABLE IF NOT EXISTS raw_samples (at INTEGER NOT NULL, name TEXT NOT NULL, value REAL NOT NULL);
      CREATE INDEX IF NOT EXISTS raw_samples_name_at ON raw_samples (name, at);
      CREATE INDEX IF NOT EXISTS raw_samples_at ON raw_samples (at);
      CREATE TABLE IF NOT EXISTS rollups_1m (
        name TEXT NOT NULL, minute INTEGER NOT NULL, min REAL NOT NULL, max REAL NOT NULL, sum REAL NOT NULL, count INTEGER NOT NULL,
        PRIMARY KEY (name, minute)
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS rollups_1m_minute ON rollups_1m (minute);
      CREATE TABLE IF NOT EXISTS dirty_hours (hour INTEGER PRIMARY KEY, version INTEGER NOT NULL DEFAULT 1);
    `);
  }

  /** Stores one batch's samples; samples older than the rollup retention are skipped. Returns how many values were stored. */
  ingest(samples: readonly agentWire.Sample[], now: number): { stored: number; skipped: number } {
    const rawFrom = now - RAW_RETENTION_MS;
    const rollupFrom = now - ROLLUP_RETENTION_MS;
    const values: { at: number; name: string; value: number }[] = [];
    let skipped = 0;
    for (const sample of samples) {
      for (const [name, value] of Object.entries(sample.values)) {
        if (sample.at < rollupFrom) skipped += 1;
        else values.push({ at: sample.at, name, value });
      }
    }
    // One statement per table per batch, rows passed as one JSON array: a statement per row (or per 33 rows,
    // SQLite's 100-parameter limit) made ingest cost grow with the batch, and statements are the hub's main CPU cost.
    const raw = values.filter((v) => v.at >= rawFrom);
    if (raw.length > 0) {
      this.sql.exec(
        `INSERT INTO raw_samples (at, name, value)
         SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]'), json_extract(value, '$[2]') FROM json_each(?)`,
        JSON.stringify(raw.map((v) => [v.at, v.name, v.value])),
      );
    }
    const hours = new Set<number>();
    const buckets = minuteBuckets(values);
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
    return { stored: values.length, skipped };
  }

  /** Raw samples as points (min = max = avg, count 1), or minute rollups merged into buckets of `bucketMs`. */
  series(names: readonly string[], fromMs: number, toMs: number, resolution: "raw" | "1m", bucketMs = MINUTE_MS): api.MetricSeries[] {
    return names.map((name) => {
      if (resolution === "raw") {
        const rows = this.sql.exec<{ at: number; value: number }>(
          "SELECT at, value FROM raw_samples WHERE name = ? AND at >= ? AND at <= ? ORDER BY at LIMIT ?",
          name,
          fromMs,
          toMs,
          MAX_RAW_POINTS,
        );
        return { name, points: [...rows].map((r) => ({ t: r.at, min: r.value, max: r.value, avg: r.value, count: 1 })) };
      }
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

  /** Drops what is past retention; run from the hub's alarm, not per batch. */
  prune(now: number): void {
    this.sql.exec("DELETE FROM raw_samples WHERE at < ?", now - RAW_RETENTION_MS);
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

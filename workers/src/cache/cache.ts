// One cache interface for hot-path state (rate limits, de-duplication, short-lived values).
// Two adapters: Upstash Redis over REST when configured, otherwise the embedded CacheStore Durable Object.
export interface Cache {
  readonly adapter: "upstash" | "durable-object";
  get(key: string): Promise<string | null>;
  /** Stores a value; with ttlSeconds it expires. */
  set(key: string, value: string, options?: { ttlSeconds?: number }): Promise<void>;
  delete(key: string): Promise<void>;
  /** Reads and deletes in one atomic step (Redis GETDEL): of concurrent takers of one key, exactly one gets the value. */
  take(key: string): Promise<string | null>;
  /** Atomically adds `by` (default 1) and returns the new value; the key's TTL is set when it is created. */
  incr(key: string, ttlSeconds: number, by?: number): Promise<number>;
  /** Sets only if absent; true when this call set it (used to de-duplicate webhook ids). Without ttlSeconds it never expires. */
  setIfAbsent(key: string, value: string, ttlSeconds?: number): Promise<boolean>;
  /** Round-trips to the backing store; used by /healthz. */
  ping(): Promise<boolean>;
}

// Postgres through @neondatabase/serverless (websocket) and drizzle: the same code reaches Neon,
// a plain Postgres behind the local bridge, or the embedded PGlite that `npm start` runs.
import { Pool, neonConfig } from "@neondatabase/serverless";
import { type NeonDatabase, drizzle } from "drizzle-orm/neon-serverless";
import type { Config } from "../config/config.ts";

/**
 * Without a relational schema: nothing uses `db.query`, and handing drizzle the tables made it rebuild their
 * relational config on every openDb (~0.3 ms of CPU per request, more than the rest of a warm API call).
 */
export type Db = NeonDatabase;

export interface DbHandle {
  db: Db;
  close(): Promise<void>;
}

let configuredProxy: string | undefined;

function configureDriver(proxy: string | undefined): void {
  if (proxy === configuredProxy) return;
  configuredProxy = proxy;
  if (proxy) {
    // Local bridge: plain ws, no TLS inside, one target; Neon itself needs none of this.
    neonConfig.wsProxy = () => proxy;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
  }
}

/** One pool per request: Workers cannot share sockets across requests. */
export function openDb(config: Config): DbHandle {
  configureDriver(config.DB_WS_PROXY);
  const pool = new Pool({ connectionString: config.DATABASE_URL, max: 1 });
  // An idle client whose socket the runtime closes after the response (Workers end a request's I/O)
  // emits an error nobody awaits; the next request opens a new pool anyway.
  pool.on("error", () => {});
  return { db: drizzle(pool), close: () => pool.end() };
}

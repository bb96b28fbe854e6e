// The embedded default database: PGlite (Postgres compiled to WASM) persisted under the data dir,
// served on a loopback port by pglite-socket so the Worker reaches it over the real wire protocol.
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { migrateEmbedded } from "../../schema/src/migrate.ts";

export interface EmbeddedDb {
  db: PGlite;
  port: number;
  url: string;
  stats(): { activeConnections: number };
  stop(): Promise<void>;
}

export async function openEmbeddedDb(dataDir: string): Promise<PGlite> {
  const db = await PGlite.create({ dataDir });
  await migrateEmbedded(db);
  return db;
}

export async function serveEmbeddedDb(db: PGlite, port = 0): Promise<EmbeddedDb> {
  // Each Worker request opens its own connection; PGlite runs one query at a time behind the queue.
  const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port, maxConnections: 256 });
  await server.start();
  const conn = server.getServerConn();
  const actual = Number(conn.split(":").pop());
  return {
    db,
    port: actual,
    url: `postgres://postgres@127.0.0.1:${actual}/postgres`,
    stats: () => ({ activeConnections: server.getStats().activeConnections }),
    stop: async () => {
      await server.stop();
      await db.close();
    },
  };
}

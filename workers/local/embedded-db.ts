// The embedded default database: PGlite (Postgres compiled to WASM) persisted under the data dir,
// served on a loopback port by pglite-socket so the Worker reaches it over the real wire protocol.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { MIGRATIONS_DIR, migrateEmbedded } from "../../schema/src/migrate.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const TEMPLATE_DIR = path.join(root, "node_modules/.cache/nebula-pg-template");

export interface EmbeddedDb {
  db: PGlite;
  port: number;
  url: string;
  stats(): { activeConnections: number };
  stop(): Promise<void>;
}

/** The committed migrations and the PGlite build: a template made from other ones would not match this checkout. */
function templateKey(): string {
  const hash = createHash("sha256");
  hash.update(JSON.parse(readFileSync(path.join(root, "node_modules/@electric-sql/pglite/package.json"), "utf8")).version);
  for (const entry of readdirSync(MIGRATIONS_DIR, { recursive: true, withFileTypes: true }).sort((a, b) => path.join(a.parentPath, a.name).localeCompare(path.join(b.parentPath, b.name)))) {
    if (!entry.isFile()) continue;
    const abs = path.join(entry.parentPath, entry.name);
    hash.update(path.relative(MIGRATIONS_DIR, abs));
    hash.update(readFileSync(abs));
  }
  return hash.digest("hex").slice(0, 16);
}

/**
 * Opens (or creates) the database and applies the migrations. A new database starts from a copy of an empty, migrated
 * one kept in node_modules/.cache: initdb in WASM plus every migration takes 5-10 s, restoring the copy about 1 s, and
 * tests and the bench make many new data dirs. The copy is taken right after migrating, before any row is written.
 */
export async function openEmbeddedDb(dataDir: string): Promise<PGlite> {
  const isNew = !existsSync(path.join(dataDir, "PG_VERSION"));
  const template = path.join(TEMPLATE_DIR, `${templateKey()}.tar.gz`);
  if (isNew && existsSync(template)) {
    try {
      const db = await PGlite.create({ dataDir, loadDataDir: new Blob([readFileSync(template)]) });
      await migrateEmbedded(db);
      return db;
    } catch {
      // A damaged copy: build this database from scratch below, and the copy again with it.
    }
  }
  const db = await PGlite.create({ dataDir });
  await migrateEmbedded(db);
  if (isNew) await saveTemplate(db, template);
  return db;
}

async function saveTemplate(db: PGlite, template: string): Promise<void> {
  try {
    const dump = await db.dumpDataDir("gzip");
    mkdirSync(TEMPLATE_DIR, { recursive: true });
    // Several stacks may start at once: each writes its own file and the rename makes the copy appear whole.
    const partial = `${template}.${process.pid}.${Date.now()}.partial`;
    writeFileSync(partial, Buffer.from(await dump.arrayBuffer()));
    renameSync(partial, template);
    // Copies for older migrations are never read again.
    for (const name of readdirSync(TEMPLATE_DIR)) if (name.endsWith(".tar.gz") && path.join(TEMPLATE_DIR, name) !== template) rmSync(path.join(TEMPLATE_DIR, name), { force: true });
  } catch {
    // Only a cache: the next new database is built from scratch again.
  }
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

// Applies the committed SQL migrations: to any Postgres through node-postgres, or to an embedded PGlite.
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { migrate as migratePg } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../migrations");

const options = { migrationsFolder: MIGRATIONS_DIR, migrationsSchema: "drizzle", migrationsTable: "__migrations" };

export async function migratePostgres(databaseUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await migratePg(drizzlePg(client), options);
  } finally {
    await client.end();
  }
}

export async function migrateEmbedded(db: PGlite): Promise<void> {
  await migratePglite(drizzlePglite(db), options);
}

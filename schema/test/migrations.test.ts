// The committed migrations are the schema: drizzle-kit finds nothing left to generate, and they apply cleanly (and
// a second time as a no-op) to the embedded PGlite and to a real Postgres.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cp, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { PGlite } from "@electric-sql/pglite";
import { is } from "drizzle-orm";
import { PgTable, getTableConfig } from "drizzle-orm/pg-core";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as core from "../src/core/index.ts";
import { MIGRATIONS_DIR, migrateEmbedded, migratePostgres } from "../src/migrate.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const ADMIN_URL = process.env.TEST_POSTGRES_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** Every table the schema declares, as `schema.table`. */
const declaredTables = (Object.values(core) as unknown[])
  .filter((v): v is PgTable => is(v, PgTable))
  .map((t) => {
    const { schema, name } = getTableConfig(t);
    return `${schema ?? "public"}.${name}`;
  })
  .sort();

/** Where drizzle keeps its record of applied migrations (a schema migrate.ts chooses). */
const APPLIED_SQL = `SELECT table_schema AS s FROM information_schema.tables WHERE table_name = '__migrations'`;

async function journalLength(): Promise<number> {
  const journal = JSON.parse(await readFile(path.join(MIGRATIONS_DIR, "meta/_journal.json"), "utf8")) as { entries: unknown[] };
  return journal.entries.length;
}

/** `npx drizzle-kit generate` with its output folder moved to `outDir`, on the Node running the tests. */
async function drizzleKitGenerate(outDir: string): Promise<string> {
  const { stdout, stderr } = await promisify(execFile)("npx", ["drizzle-kit", "generate", "--config", "schema/drizzle.config.ts"], {
    cwd: root,
    // drizzle-kit prefixes "./" to `out`, so it must be relative to the repo root.
    env: { ...process.env, DRIZZLE_OUT: path.relative(root, outDir), PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}` },
    timeout: 60_000,
  });
  return stdout + stderr;
}

const sqlFiles = async (dir: string) => (await readdir(dir)).filter((f) => f.endsWith(".sql")).sort();

describe("committed migrations", () => {
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), "nebula-migrations-"));
  });
  afterAll(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it("match the schema: drizzle-kit generate has nothing new to write", async () => {
    const copy = path.join(tmp, "committed");
    await cp(MIGRATIONS_DIR, copy, { recursive: true });
    const output = await drizzleKitGenerate(copy);
    expect(output).toContain("No schema changes");
    expect(await sqlFiles(copy)).toEqual(await sqlFiles(MIGRATIONS_DIR));
    expect(await readFile(path.join(copy, "meta/_journal.json"), "utf8")).toBe(await readFile(path.join(MIGRATIONS_DIR, "meta/_journal.json"), "utf8"));

    // The same command does write a migration when one is due (here: from nothing), so "nothing new" means something.
    const empty = path.join(tmp, "empty");
    await drizzleKitGenerate(empty);
    expect(await sqlFiles(empty)).toHaveLength(1);
  });

  it("declare the core tables this suite checks for", () => {
    expect(declaredTables).toEqual(expect.arrayContaining(["core.tenants", "core.users", "core.memberships", "core.sessions", "core.secrets"]));
  });

  describe("on the embedded PGlite", () => {
    it("apply to a fresh database, and a second time as a no-op", async () => {
      const db = new PGlite();
      try {
        await migrateEmbedded(db);
        await migrateEmbedded(db);
        const { rows } = await db.query<{ t: string }>(
          "SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_schema = 'core' AND table_name <> '__migrations' ORDER BY 1",
        );
        expect(rows.map((r) => r.t)).toEqual(declaredTables);
        const [where] = (await db.query<{ s: string }>(APPLIED_SQL)).rows;
        const applied = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${where?.s}".__migrations`);
        expect(applied.rows[0]?.n).toBe(await journalLength());
      } finally {
        await db.close();
      }
    });
  });

  describe("on a real Postgres", () => {
    const name = `nebula_migrate_${randomBytes(6).toString("hex")}`;
    const url = new URL(ADMIN_URL);
    url.pathname = `/${name}`;
    const admin = new pg.Client({ connectionString: ADMIN_URL });

    beforeAll(async () => {
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
    });
    afterAll(async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    });

    it("apply to a fresh database, and a second time as a no-op", async () => {
      await migratePostgres(url.toString());
      await migratePostgres(url.toString());
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        const { rows } = await client.query<{ t: string }>(
          "SELECT table_schema || '.' || table_name AS t FROM information_schema.tables WHERE table_schema = 'core' AND table_name <> '__migrations' ORDER BY 1",
        );
        expect(rows.map((r) => r.t)).toEqual(declaredTables);
        const [where] = (await client.query<{ s: string }>(APPLIED_SQL)).rows;
        const applied = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${where?.s}".__migrations`);
        expect(applied.rows[0]?.n).toBe(await journalLength());
      } finally {
        await client.end();
      }
    });
  });
});

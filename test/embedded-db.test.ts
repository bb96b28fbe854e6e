// A new embedded database starts from the cached copy of an empty, migrated one: it must be migrated and hold
// nothing that another local database wrote after its own start.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, expect, test } from "vitest";
import { openEmbeddedDb } from "../workers/local/embedded-db.ts";

const dirs: string[] = [];
const newDir = () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "nebula-embedded-"));
  dirs.push(dir);
  return path.join(dir, "pgdata");
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

test("a second new database is migrated and empty, whatever the first one stored", { timeout: 120_000 }, async () => {
  const first = await openEmbeddedDb(newDir());
  await first.query("insert into core.users (id, name) values ('usr_template_probe', 'Probe')");
  await first.query("create table public.template_probe (id int)");
  await first.close();

  const second = await openEmbeddedDb(newDir());
  const users = await second.query<{ n: number }>("select count(*)::int as n from core.users");
  const probe = await second.query<{ n: number }>("select count(*)::int as n from pg_tables where tablename = 'template_probe'");
  const migrations = await second.query<{ n: number }>("select count(*)::int as n from drizzle.__migrations");
  await second.close();
  expect(users.rows[0]?.n).toBe(0);
  expect(probe.rows[0]?.n).toBe(0);
  expect(migrations.rows[0]?.n).toBeGreaterThan(0);
});

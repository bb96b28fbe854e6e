// Secret rotation: secrets sealed under an old key are re-sealed to the current one, by the domain
// function on a real database and by `npm run secrets:rotate -- --new-key` on a local data dir.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, expect, it } from "vitest";
import { migrateEmbedded } from "../schema/src/migrate.ts";
import { createKeyRing, generateKeyEntry } from "../workers/src/crypto/secret-box.ts";
import { type SqlRunner, rotateSecrets, secretAad } from "../workers/src/secrets/secrets.ts";
import { openEmbeddedDb } from "../workers/local/embedded-db.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function seedSecrets(db: PGlite, keys: string, count: number) {
  const ring = await createKeyRing(keys);
  await db.query("insert into core.tenants (id, name) values ('ten_0000000000000001', 'Lab')");
  for (let i = 0; i < count; i++) {
    const name = `twitch.oauth:${i}`;
    const sealed = await ring.seal(`token-${i}`, secretAad("ten_0000000000000001", name));
    await db.query("insert into core.secrets (id, tenant_id, name, key_version, ciphertext) values ($1, $2, $3, $4, $5)", [
      `sec_${String(i).padStart(16, "0")}`,
      "ten_0000000000000001",
      name,
      sealed.keyVersion,
      sealed.ciphertext,
    ]);
  }
}

async function readAll(db: PGlite, keys: string) {
  const ring = await createKeyRing(keys);
  const { rows } = await db.query<{ name: string; key_version: string; ciphertext: string; tenant_id: string }>(
    "select name, key_version, ciphertext, tenant_id from core.secrets order by name",
  );
  return Promise.all(
    rows.map(async (r) => ({
      version: r.key_version,
      plaintext: await ring.open({ keyVersion: r.key_version, ciphertext: r.ciphertext }, secretAad(r.tenant_id, r.name)),
    })),
  );
}

it("re-seals every secret to the current key and keeps the plaintext", async () => {
  const v1 = generateKeyEntry("v1");
  const v2 = generateKeyEntry("v2");
  const db = new PGlite();
  await migrateEmbedded(db);
  await seedSecrets(db, v1, 450);

  const report = await rotateSecrets(db as unknown as SqlRunner, await createKeyRing(`${v2},${v1}`), 200);
  expect(report).toEqual({ current: "v2", examined: 450, rotated: 450 });
  const after = await readAll(db, `${v2},${v1}`);
  expect(after.every((s) => s.version === "v2")).toBe(true);
  expect(after.map((s) => s.plaintext).sort()).toEqual(Array.from({ length: 450 }, (_, i) => `token-${i}`).sort());
  // The old key is no longer needed.
  expect((await readAll(db, v2)).length).toBe(450);
  // A second run has nothing to do.
  expect((await rotateSecrets(db as unknown as SqlRunner, await createKeyRing(`${v2},${v1}`))).rotated).toBe(0);
  await db.close();
});

it("npm run secrets:rotate -- --new-key adds a key version and re-encrypts the local data", async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "nebula-rotate-"));
  dirs.push(dataDir);
  const v1 = generateKeyEntry("v1");
  writeFileSync(path.join(dataDir, "encryption-keys"), `${v1}\n`);
  const db = await openEmbeddedDb(path.join(dataDir, "pgdata"));
  await seedSecrets(db, v1, 3);
  await db.close();

  const child = spawn(path.join(root, "node_modules/.bin/tsx"), [path.join(root, "workers/local/secrets-rotate.ts"), "--new-key"], {
    cwd: root,
    env: { ...process.env, NEBULA_DATA_DIR: dataDir, ENCRYPTION_KEYS: "", DATABASE_URL: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d));
  child.stderr.on("data", (d: Buffer) => (out += d));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  expect(code, out).toBe(0);
  expect(out).toContain("3 re-encrypted to v2");

  const keys = readFileSync(path.join(dataDir, "encryption-keys"), "utf8").trim();
  expect(keys.split(",").map((k) => k.split(":")[0])).toEqual(["v2", "v1"]);
  const reopened = await openEmbeddedDb(path.join(dataDir, "pgdata"));
  const after = await readAll(reopened, keys);
  await reopened.close();
  expect(after.map((s) => [s.version, s.plaintext])).toEqual([
    ["v2", "token-0"],
    ["v2", "token-1"],
    ["v2", "token-2"],
  ]);
}, 120_000);

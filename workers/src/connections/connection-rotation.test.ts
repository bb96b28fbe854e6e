// Key rotation for platform connection tokens: `npm run secrets:rotate` re-seals both token columns to the current key
// and the tokens still open, bound to the same row.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import { afterAll, expect, it } from "vitest";
import { migrateEmbedded } from "../../../schema/src/migrate.ts";
import { openEmbeddedDb } from "../../local/embedded-db.ts";
import { createKeyRing, generateKeyEntry } from "../crypto/secret-box.ts";
import type { SqlRunner } from "../secrets/secrets.ts";
import { connectionAad } from "./connection-aad.ts";
import { rotateConnectionTokens } from "./connection-rotation.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function seedConnections(db: PGlite, keys: string, count: number): Promise<void> {
  const ring = await createKeyRing(keys);
  await db.query("insert into core.tenants (id, name) values ('ten_0000000000000001', 'Lab')");
  for (let i = 0; i < count; i++) {
    // One connection per (tenant, user, platform): a streamer each.
    const userId = `usr_${String(i).padStart(16, "0")}`;
    await db.query("insert into core.users (id, name) values ($1, $2)", [userId, `Caster ${i}`]);
    const key = { id: `pcn_${String(i).padStart(16, "0")}`, tenantId: "ten_0000000000000001", userId, platform: ["twitch", "youtube", "kick"][i % 3] as string };
    const access = await ring.seal(`access-${i}`, connectionAad(key, "access"));
    // Some platforms give no refresh token.
    const refresh = i % 2 === 0 ? await ring.seal(`refresh-${i}`, connectionAad(key, "refresh")) : null;
    await db.query(
      "insert into stream.platform_connections (id, tenant_id, user_id, platform, platform_user_id, login, display_name, key_version, access_token_ciphertext, refresh_token_ciphertext) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
      [key.id, key.tenantId, key.userId, key.platform, `acct${i}`, `login${i}`, `Login ${i}`, access.keyVersion, access.ciphertext, refresh?.ciphertext ?? null],
    );
  }
}

async function readAll(db: PGlite, keys: string) {
  const ring = await createKeyRing(keys);
  const { rows } = await db.query<{ id: string; tenant_id: string; user_id: string; platform: string; key_version: string; access_token_ciphertext: string; refresh_token_ciphertext: string | null }>(
    "select id, tenant_id, user_id, platform, key_version, access_token_ciphertext, refresh_token_ciphertext from stream.platform_connections order by id",
  );
  return Promise.all(
    rows.map(async (r) => {
      const key = { id: r.id, tenantId: r.tenant_id, userId: r.user_id, platform: r.platform };
      return {
        version: r.key_version,
        access: await ring.open({ keyVersion: r.key_version, ciphertext: r.access_token_ciphertext }, connectionAad(key, "access")),
        refresh: r.refresh_token_ciphertext === null ? null : await ring.open({ keyVersion: r.key_version, ciphertext: r.refresh_token_ciphertext }, connectionAad(key, "refresh")),
      };
    }),
  );
}

it("re-seals both token columns of every connection to the current key", async () => {
  const v1 = generateKeyEntry("v1");
  const v2 = generateKeyEntry("v2");
  const db = new PGlite();
  await migrateEmbedded(db);
  await seedConnections(db, v1, 7);

  const report = await rotateConnectionTokens(db as unknown as SqlRunner, await createKeyRing(`${v2},${v1}`), 3);
  expect(report).toEqual({ current: "v2", examined: 7, rotated: 7 });
  const after = await readAll(db, v2);
  expect(after.every((c) => c.version === "v2")).toBe(true);
  expect(after.map((c) => [c.access, c.refresh])).toEqual(Array.from({ length: 7 }, (_, i) => [`access-${i}`, i % 2 === 0 ? `refresh-${i}` : null]));
  expect((await rotateConnectionTokens(db as unknown as SqlRunner, await createKeyRing(`${v2},${v1}`))).rotated).toBe(0);
  await db.close();
});

it("npm run secrets:rotate -- --new-key re-encrypts the connection tokens of the local data", async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "nebula-rotate-connections-"));
  dirs.push(dataDir);
  const v1 = generateKeyEntry("v1");
  writeFileSync(path.join(dataDir, "encryption-keys"), `${v1}\n`);
  const db = await openEmbeddedDb(path.join(dataDir, "pgdata"));
  await seedConnections(db, v1, 2);
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
  expect(out).toContain("platform connection tokens: 2 re-encrypted to v2");

  const keys = readFileSync(path.join(dataDir, "encryption-keys"), "utf8").trim();
  const reopened = await openEmbeddedDb(path.join(dataDir, "pgdata"));
  const after = await readAll(reopened, keys);
  await reopened.close();
  expect(after).toEqual([
    { version: "v2", access: "access-0", refresh: "refresh-0" },
    { version: "v2", access: "access-1", refresh: null },
  ]);
}, 120_000);

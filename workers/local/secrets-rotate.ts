// `npm run secrets:rotate [-- --new-key]`: re-encrypts every stored secret to the current key
// (the first entry of ENCRYPTION_KEYS). With --new-key on the local stack, first adds a new key version.
// Works on DATABASE_URL, on the running local stack (through its database port), or on the embedded files.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { createKeyRing, generateKeyEntry, parseEncryptionKeys } from "../src/crypto/secret-box.ts";
import { rotateConnectionTokens } from "../src/connections/connection-rotation.ts";
import { type SqlRunner, rotateSecrets } from "../src/secrets/secrets.ts";
import { openEmbeddedDb } from "./embedded-db.ts";
import { readStackState } from "./stack-state.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
if (existsSync(path.join(root, ".env"))) process.loadEnvFile(path.join(root, ".env"));
const dataDir = path.resolve(root, process.env.NEBULA_DATA_DIR ?? ".nebula");
const keyFile = path.join(dataDir, "encryption-keys");

function loadKeys(addNew: boolean): string {
  if (process.env.ENCRYPTION_KEYS) {
    if (addNew) throw new Error("--new-key manages the local key file; with ENCRYPTION_KEYS set, prepend the new key there yourself");
    return process.env.ENCRYPTION_KEYS;
  }
  if (!existsSync(keyFile)) throw new Error(`no ENCRYPTION_KEYS and no ${keyFile}; run npm start once first`);
  let keys = readFileSync(keyFile, "utf8").trim();
  if (addNew) {
    const versions = [...parseEncryptionKeys(keys).keys.keys()].map((v) => Number(v.slice(1)));
    const next = `v${Math.max(0, ...versions) + 1}`;
    keys = `${generateKeyEntry(next)},${keys}`;
    writeFileSync(keyFile, `${keys}\n`, { mode: 0o600 });
    console.log(`added key ${next} to ${path.relative(root, keyFile)} (restart npm start to use it for new secrets)`);
  }
  return keys;
}

async function withRunner<T>(work: (runner: SqlRunner) => Promise<T>): Promise<T> {
  const url = process.env.DATABASE_URL || readStackState(dataDir)?.databaseUrl;
  if (url) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return await work(client as unknown as SqlRunner);
    } finally {
      await client.end();
    }
  }
  const db = await openEmbeddedDb(path.join(dataDir, "pgdata"));
  try {
    return await work(db as unknown as SqlRunner);
  } finally {
    await db.close();
  }
}

try {
  const ring = await createKeyRing(loadKeys(process.argv.includes("--new-key")));
  const report = await withRunner((runner) => rotateSecrets(runner, ring));
  console.log(`secrets: ${report.rotated} re-encrypted to ${report.current} (${report.examined} examined)`);
  const connections = await withRunner((runner) => rotateConnectionTokens(runner, ring));
  console.log(`platform connection tokens: ${connections.rotated} re-encrypted to ${connections.current} (${connections.examined} examined)`);
} catch (err) {
  console.error(`secrets:rotate failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}

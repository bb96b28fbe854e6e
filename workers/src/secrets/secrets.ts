// Third-party secrets per tenant (OAuth tokens, stream keys, webhook secrets): sealed with the current key,
// bound to their tenant and name as associated data, and re-sealed by rotation.
import { newId, secrets } from "@nebula/schema";
import { and, eq } from "drizzle-orm";
import type { KeyRing } from "../crypto/secret-box.ts";
import type { Db } from "../db/client.ts";

export const secretAad = (tenantId: string, name: string) => `nebula.secret:${tenantId}:${name}`;

export async function putSecret(db: Db, ring: KeyRing, tenantId: string, name: string, plaintext: string): Promise<void> {
  const sealed = await ring.seal(plaintext, secretAad(tenantId, name));
  await db
    .insert(secrets)
    .values({ id: newId("secret"), tenantId, name, keyVersion: sealed.keyVersion, ciphertext: sealed.ciphertext })
    .onConflictDoUpdate({
      target: [secrets.tenantId, secrets.name],
      set: { keyVersion: sealed.keyVersion, ciphertext: sealed.ciphertext, updatedAt: new Date() },
    });
}

export async function getSecret(db: Db, ring: KeyRing, tenantId: string, name: string): Promise<string | null> {
  const [row] = await db.select().from(secrets).where(and(eq(secrets.tenantId, tenantId), eq(secrets.name, name)));
  if (!row) return null;
  return ring.open({ keyVersion: row.keyVersion, ciphertext: row.ciphertext }, secretAad(tenantId, name));
}

/** The smallest query surface both node-postgres and PGlite offer, so rotation runs against either. */
export interface SqlRunner {
  query<T>(sql: string, params?: unknown[]): Promise<{ rows: T[] }>;
}

export interface RotationReport {
  current: string;
  examined: number;
  rotated: number;
}

/**
 * The rotation loop every sealed column shares: `selectStale` ($1 = current key version, $2 = batch size) picks rows
 * not under the current key; `reseal` re-seals and writes one row; each batch is one transaction, until none is left.
 */
export async function rotateInBatches<T>(
  sqlRunner: SqlRunner,
  ring: KeyRing,
  selectStale: string,
  batchSize: number,
  reseal: (row: T) => Promise<void>,
): Promise<RotationReport> {
  let rotated = 0;
  let examined = 0;
  for (;;) {
    const { rows } = await sqlRunner.query<T>(selectStale, [ring.current, batchSize]);
    if (rows.length === 0) break;
    examined += rows.length;
    await sqlRunner.query("begin");
    try {
      for (const row of rows) {
        await reseal(row);
        rotated++;
      }
      await sqlRunner.query("commit");
    } catch (err) {
      await sqlRunner.query("rollback");
      throw err;
    }
  }
  return { current: ring.current, examined, rotated };
}

/** Re-seals every secret not under the current key, in batches, each batch in its own transaction. */
export function rotateSecrets(sqlRunner: SqlRunner, ring: KeyRing, batchSize = 200): Promise<RotationReport> {
  return rotateInBatches<{ id: string; tenant_id: string; name: string; key_version: string; ciphertext: string }>(
    sqlRunner,
    ring,
    "select id, tenant_id, name, key_version, ciphertext from core.secrets where key_version <> $1 order by id limit $2",
    batchSize,
    async (row) => {
      const aad = secretAad(row.tenant_id, row.name);
      const plaintext = await ring.open({ keyVersion: row.key_version, ciphertext: row.ciphertext }, aad);
      const sealed = await ring.seal(plaintext, aad);
      await sqlRunner.query("update core.secrets set key_version = $1, ciphertext = $2, updated_at = now() where id = $3 and key_version = $4", [
        sealed.keyVersion,
        sealed.ciphertext,
        row.id,
        row.key_version,
      ]);
    },
  );
}

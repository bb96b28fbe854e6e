// `npm run secrets:rotate` for platform connection tokens: re-seals the access and refresh token of every connection
// not under the current key, in batches, each in its own transaction; the associated data (the row) stays the same.
import type { KeyRing } from "../crypto/secret-box.ts";
import { type RotationReport, type SqlRunner, rotateInBatches } from "../secrets/secrets.ts";
import { connectionAad } from "./connection-aad.ts";

interface Row {
  id: string;
  tenant_id: string;
  user_id: string;
  platform: string;
  key_version: string;
  access_token_ciphertext: string;
  refresh_token_ciphertext: string | null;
}

export function rotateConnectionTokens(sqlRunner: SqlRunner, ring: KeyRing, batchSize = 200): Promise<RotationReport> {
  return rotateInBatches<Row>(
    sqlRunner,
    ring,
    "select id, tenant_id, user_id, platform, key_version, access_token_ciphertext, refresh_token_ciphertext from stream.platform_connections where key_version <> $1 order by id limit $2",
    batchSize,
    async (row) => {
      const key = { id: row.id, tenantId: row.tenant_id, userId: row.user_id, platform: row.platform };
      const reseal = async (ciphertext: string, kind: "access" | "refresh") =>
        (await ring.seal(await ring.open({ keyVersion: row.key_version, ciphertext }, connectionAad(key, kind)), connectionAad(key, kind))).ciphertext;
      const access = await reseal(row.access_token_ciphertext, "access");
      const refresh = row.refresh_token_ciphertext === null ? null : await reseal(row.refresh_token_ciphertext, "refresh");
      // Only if nobody re-sealed it meanwhile (a refresh writes new tokens under the current key).
      await sqlRunner.query(
        "update stream.platform_connections set key_version = $1, access_token_ciphertext = $2, refresh_token_ciphertext = $3 where id = $4 and key_version = $5 and access_token_ciphertext = $6",
        [ring.current, access, refresh, row.id, row.key_version, row.access_token_ciphertext],
      );
    },
  );
}

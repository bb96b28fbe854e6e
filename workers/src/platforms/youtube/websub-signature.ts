// WebSub (PubSubHubbub 0.4) for YouTube channel feeds: our per-subscription secret and the `X-Hub-Signature: sha1=`
// check of pushed bodies. The secret is derived from ENCRYPTION_KEYS and the channel id, so the hot path needs no
// Postgres and no secret at rest; every key version still verifies, so a key rotation loses no notification.
import { parseEncryptionKeys } from "../../crypto/secret-box.ts";
import { base64url } from "../../crypto/tokens.ts";
import { fromHex, hmacVerify } from "../platform-http.ts";

async function derive(key: Uint8Array<ArrayBuffer>, channelId: string): Promise<string> {
  const hmac = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return base64url(new Uint8Array(await crypto.subtle.sign("HMAC", hmac, new TextEncoder().encode(`websub:youtube:${channelId}`))));
}

/** hub.secret for a channel's subscription, under the current key. */
export async function webSubSecret(encryptionKeys: string, channelId: string): Promise<string> {
  const [first] = parseEncryptionKeys(encryptionKeys).keys.values();
  if (!first) throw new Error("ENCRYPTION_KEYS holds no key");
  return derive(first, channelId);
}

/** True when `X-Hub-Signature` is sha1=HMAC(secret, body) under any key version's secret. */
export async function verifyWebSub(encryptionKeys: string, channelId: string, header: string | undefined, body: Uint8Array<ArrayBuffer>): Promise<boolean> {
  const sig = /^sha1=([0-9a-f]{40})$/i.exec(header ?? "")?.[1];
  const bytes = sig ? fromHex(sig) : null;
  if (!bytes) return false;
  for (const key of parseEncryptionKeys(encryptionKeys).keys.values()) {
    if (await hmacVerify("SHA-1", await derive(key, channelId), body, bytes)) return true;
  }
  return false;
}

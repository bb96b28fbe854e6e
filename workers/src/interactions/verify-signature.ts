// Discord signs every interaction: Ed25519 over `X-Signature-Timestamp` + raw body with the application's public key.
// Discord: an endpoint that accepts a bad signature is removed from the application, so this runs before anything reads the body.

/** Imported once per isolate per key: importKey is the costly part, and the key changes only on redeploy. */
const importedKeys = new Map<string, Promise<CryptoKey>>();

/** Strict hex: even length, hex digits only; anything else is null rather than a partially decoded value. */
export function hexToBytes(hex: string): Uint8Array<ArrayBuffer> | null {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(hex)) return null;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

function publicKey(publicKeyHex: string): Promise<CryptoKey> {
  const key = publicKeyHex.toLowerCase();
  let imported = importedKeys.get(key);
  if (!imported) {
    const raw = hexToBytes(key);
    imported = raw
      ? crypto.subtle.importKey("raw", raw, { name: "Ed25519" }, false, ["verify"])
      : Promise.reject(new Error("DISCORD_PUBLIC_KEY is not hex"));
    // A failed import must not stick: the next request tries again.
    imported.catch(() => importedKeys.delete(key));
    importedKeys.set(key, imported);
  }
  return imported;
}

const utf8 = new TextEncoder();

const SIGNATURE_HEX_LENGTH = 128; // 64-byte Ed25519 signature
const TIMESTAMP = /^\d{1,20}$/; // Unix seconds as Discord sends them
/** A signed request older (or newer) than this is refused: a captured interaction cannot be replayed later. */
export const MAX_SIGNATURE_AGE_SECONDS = 300;

/** True only for a well-formed signature that verifies; missing or malformed headers are simply false. */
export async function verifyDiscordSignature(
  publicKeyHex: string,
  signatureHex: string | undefined,
  timestamp: string | undefined,
  body: Uint8Array,
  nowMs: number = Date.now(),
): Promise<boolean> {
  if (!signatureHex || !timestamp || signatureHex.length !== SIGNATURE_HEX_LENGTH || !TIMESTAMP.test(timestamp)) return false;
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > MAX_SIGNATURE_AGE_SECONDS) return false;
  const signature = hexToBytes(signatureHex);
  if (!signature) return false;
  const prefix = utf8.encode(timestamp);
  const message = new Uint8Array(prefix.length + body.length);
  message.set(prefix, 0);
  message.set(body, prefix.length);
  return crypto.subtle.verify({ name: "Ed25519" }, await publicKey(publicKeyHex), signature, message);
}

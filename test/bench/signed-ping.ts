// Discord interaction PINGs signed the way Discord signs them: Ed25519 over X-Signature-Timestamp + raw body,
// hex in X-Signature-Ed25519, with a key pair made for this run (its public half is the stack's DISCORD_PUBLIC_KEY).
import { generateKeyPairSync, sign } from "node:crypto";

export const PING_BODY = JSON.stringify({ id: "100000000000000100", application_id: "100000000000000001", type: 1, token: "bench-ping", version: 1 });
export const PONG = JSON.stringify({ type: 1 });

export interface InteractionSigner {
  /** Raw 32-byte public key, hex: the form the Discord developer portal shows. */
  publicKeyHex: string;
  headers(body: string): Record<string, string>;
}

export function newInteractionSigner(): InteractionSigner {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const x = publicKey.export({ format: "jwk" }).x;
  if (!x) throw new Error("Ed25519 public key has no x");
  return {
    publicKeyHex: Buffer.from(x, "base64url").toString("hex"),
    headers(body) {
      const timestamp = String(Math.floor(Date.now() / 1000));
      return {
        "content-type": "application/json",
        "x-signature-timestamp": timestamp,
        "x-signature-ed25519": sign(null, Buffer.from(timestamp + body), privateKey).toString("hex"),
      };
    },
  };
}

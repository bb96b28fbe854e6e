// Kick webhook verification: `Kick-Event-Signature` is base64 RSA-SHA256 (PKCS#1 v1.5) by Kick's key over
// `${Kick-Event-Message-Id}.${Kick-Event-Message-Timestamp}.${raw body}`. Checked before parsing; messages outside
// a 10-minute window are refused as replays (the same window as Twitch's).
import type { SignatureVerdict } from "../twitch/eventsub-signature.ts";

export const KICK_REPLAY_WINDOW_MS = 10 * 60_000;

export interface KickHeaders {
  messageId: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  eventType: string | undefined;
  eventVersion: string | undefined;
}

export function kickHeaders(get: (name: string) => string | undefined): KickHeaders {
  return {
    messageId: get("kick-event-message-id"),
    timestamp: get("kick-event-message-timestamp"),
    signature: get("kick-event-signature"),
    eventType: get("kick-event-type"),
    eventVersion: get("kick-event-version"),
  };
}

const keys = new Map<string, Promise<CryptoKey>>();

function importPem(pem: string): Promise<CryptoKey> {
  let key = keys.get(pem);
  if (!key) {
    const b64 = pem.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, "").replace(/\s+/g, "");
    const der = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    key = crypto.subtle.importKey("spki", der, { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" }, false, ["verify"]);
    keys.set(pem, key);
  }
  return key;
}

/** Kick's timestamps are RFC 3339; a bare number is read as epoch seconds. */
function timeOf(ts: string): number {
  return /^\d+$/.test(ts) ? Number(ts) * 1000 : Date.parse(ts);
}

export async function verifyKick(publicKeyPem: string, h: KickHeaders, body: Uint8Array<ArrayBuffer>, now: number): Promise<SignatureVerdict> {
  if (!h.messageId || !h.timestamp || !h.signature) return "missing";
  let sig: Uint8Array<ArrayBuffer>;
  try {
    sig = Uint8Array.from(atob(h.signature), (c) => c.charCodeAt(0));
  } catch {
    return "bad_signature";
  }
  const prefix = new TextEncoder().encode(`${h.messageId}.${h.timestamp}.`);
  const data = new Uint8Array(prefix.length + body.length);
  data.set(prefix);
  data.set(body, prefix.length);
  let ok = false;
  try {
    ok = await crypto.subtle.verify("RSASSA-PKCS1-v1_5", await importPem(publicKeyPem), sig, data);
  } catch {
    ok = false;
  }
  if (!ok) return "bad_signature";
  const at = timeOf(h.timestamp);
  if (!Number.isFinite(at) || Math.abs(now - at) > KICK_REPLAY_WINDOW_MS) return "stale";
  return "ok";
}

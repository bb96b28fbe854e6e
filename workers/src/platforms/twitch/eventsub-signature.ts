// Twitch EventSub webhook verification: HMAC-SHA256 with our EventSub secret over message id + timestamp + raw body,
// sent as `Twitch-Eventsub-Message-Signature: sha256=<hex>`; messages older than 10 minutes are refused (Twitch:
// "verify the timestamp ... reject messages older than 10 minutes" against replays). Runs before any parsing.
import { concatBytes, fromHex, hmacVerify } from "../platform-http.ts";

export const EVENTSUB_REPLAY_WINDOW_MS = 10 * 60_000;

export type SignatureVerdict = "ok" | "missing" | "bad_signature" | "stale";

export interface EventSubHeaders {
  messageId: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
}

export function eventSubHeaders(get: (name: string) => string | undefined): EventSubHeaders {
  return {
    messageId: get("twitch-eventsub-message-id"),
    timestamp: get("twitch-eventsub-message-timestamp"),
    signature: get("twitch-eventsub-message-signature"),
  };
}

export async function verifyEventSub(secret: string, h: EventSubHeaders, body: Uint8Array<ArrayBuffer>, now: number): Promise<SignatureVerdict> {
  if (!h.messageId || !h.timestamp || !h.signature) return "missing";
  const sig = /^sha256=([0-9a-f]{64})$/i.exec(h.signature)?.[1];
  const bytes = sig ? fromHex(sig) : null;
  if (!bytes) return "bad_signature";
  const enc = new TextEncoder();
  const ok = await hmacVerify("SHA-256", secret, concatBytes(enc.encode(h.messageId), enc.encode(h.timestamp), body), bytes);
  if (!ok) return "bad_signature";
  // Checked after the signature, so a forged timestamp cannot be used to probe the window.
  const at = Date.parse(h.timestamp);
  if (!Number.isFinite(at) || Math.abs(now - at) > EVENTSUB_REPLAY_WINDOW_MS) return "stale";
  return "ok";
}

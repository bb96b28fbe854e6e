// The ChatOutbox's memory of the user tokens its bot speaks with, so a reply sent with a connection does not read
// Postgres and decrypt first. Plaintext lives only in the object's memory: never stored, never logged. A token is
// held until a minute before it expires (the margin tokenFor refreshes at) and at most HOLD_MS, and is dropped
// sooner when the connection changes (refresh, reconnect, disconnect: forgetChatToken) or the platform answers 401.
import { TOKEN_MARGIN_MS } from "../connections/connection-tokens.ts";

/** Bounds how long a change nobody told the outbox about (a missed forget) can go unnoticed. */
export const HOLD_MS = 10 * 60_000;

export class HeldTokens {
  private readonly held = new Map<string, { accessToken: string; until: number }>();

  /** The held token of a connection, or null when there is none or it is due to be read again. */
  get(connectionId: string, now: number): string | null {
    const entry = this.held.get(connectionId);
    if (!entry) return null;
    if (entry.until > now) return entry.accessToken;
    this.held.delete(connectionId);
    return null;
  }

  hold(connectionId: string, accessToken: string, expiresAt: Date | null, now: number): void {
    const until = Math.min(now + HOLD_MS, expiresAt ? expiresAt.getTime() - TOKEN_MARGIN_MS : Number.POSITIVE_INFINITY);
    if (until > now) this.held.set(connectionId, { accessToken, until });
    else this.held.delete(connectionId);
  }

  forget(connectionId: string): void {
    this.held.delete(connectionId);
  }
}

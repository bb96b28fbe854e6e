// What the fake Discord reports about the bot traffic it saw; no imports, so suites inside workerd can use the types.
export interface StoredMessage {
  id: string;
  key: string;
  nonce: string | null;
  content: string | null;
  embeds: unknown[];
  /** The create's allowed_mentions, as sent (who the message may ping). */
  allowedMentions?: unknown;
  /** How many PATCHes changed it. */
  edits?: number;
}

export interface BotStats {
  calls: number;
  stored: number;
  /** Creates answered with an already stored message because of enforce_nonce. */
  nonceHits: number;
  injected429: number;
  injected500: number;
  enforced429: number;
  /** Requests that arrived while Discord had told the client to wait (bucket empty or retry_after running). */
  violations: number;
  hung: number;
  /** Edits applied (PATCH). */
  edits?: number;
}

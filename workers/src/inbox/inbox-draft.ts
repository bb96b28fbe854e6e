// One inbox notification before it has a tenant: what every normalizer (Twitch, YouTube, Kick, generic webhooks)
// produces and the store writes. A zod schema because generic webhook drafts travel through the queue.
import { INBOX_PLATFORMS, INBOX_TYPES } from "@nebula/schema";
import { z } from "zod";

const int = z.number().int().nullable();

export const InboxDraft = z.object({
  platform: z.enum(INBOX_PLATFORMS),
  type: z.enum(INBOX_TYPES),
  sourceEventId: z.string().min(1).max(200),
  broadcasterId: z.string().min(1).max(200),
  actor: z.object({ id: z.string().nullable(), name: z.string(), avatarUrl: z.string().nullable() }),
  amount: z.number().nullable(),
  currency: z.string().nullable(),
  bits: int,
  months: int,
  count: int,
  viewers: int,
  tier: z.string().nullable(),
  message: z.string().nullable(),
  occurredAt: z.iso.datetime({ offset: true }),
});
export type InboxDraft = z.infer<typeof InboxDraft>;

/** Viewer text is capped so one chat line cannot bloat a row. */
export const MAX_MESSAGE_CHARS = 2000;

type Required = Pick<InboxDraft, "platform" | "type" | "sourceEventId" | "broadcasterId" | "actor" | "occurredAt">;

/** A draft with every optional fact null unless given. */
export function inboxDraft(facts: Required & Partial<Omit<InboxDraft, keyof Required>>): InboxDraft {
  const message = facts.message?.trim() ? facts.message.slice(0, MAX_MESSAGE_CHARS) : null;
  return { amount: null, currency: null, bits: null, months: null, count: null, viewers: null, tier: null, ...facts, message };
}

// Small readers for the platforms' loosely typed payloads (already verified, not yet trusted for shape).
export const str = (v: unknown): string | null => (typeof v === "string" && v.length > 0 ? v : typeof v === "number" ? String(v) : null);
export const num = (v: unknown): number | null => {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? n : null;
};
export const obj = (v: unknown): Record<string, unknown> => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
export const ANONYMOUS = "Anonymous";

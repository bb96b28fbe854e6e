// What goes into the outbox: an idempotency key, a destination and a Discord message (Discord's size limits), or an
// edit of the message an earlier item created (go-live notices edited when the stream ends).
import { z } from "zod";
import { Destination } from "../alerts/rules.ts";

const Embed = z.object({
  title: z.string().max(256).optional(),
  description: z.string().max(4096).optional(),
  url: z.url().optional(),
  color: z.number().int().min(0).max(0xffffff).optional(),
  timestamp: z.iso.datetime({ offset: true }).optional(),
  fields: z.array(z.object({ name: z.string().min(1).max(256), value: z.string().min(1).max(1024), inline: z.boolean().optional() })).max(25).optional(),
  footer: z.object({ text: z.string().max(2048) }).optional(),
  thumbnail: z.object({ url: z.url() }).optional(),
  image: z.object({ url: z.url() }).optional(),
  author: z.object({ name: z.string().min(1).max(256), url: z.url().optional(), icon_url: z.url().optional() }).optional(),
});

const snowflake = z.string().regex(/^\d{5,25}$/);

export const OutboxItem = z.object({
  /** The idempotency key: enqueuing an id again is a no-op, whether or not the first was delivered yet. */
  id: z.string().min(1).max(300),
  destination: Destination,
  /**
   * Edits the message that the item `of` created (same destination) instead of posting: it waits behind that create
   * in the destination's order, and fails without calling Discord when the create failed.
   */
  edit: z.object({ of: z.string().min(1).max(300) }).optional(),
  message: z
    .object({
      content: z.string().max(2000).optional(),
      embeds: z.array(Embed).max(10).optional(),
      // Discord: `roles`/`users` list exactly who may be pinged; they cannot be combined with the same kind in `parse`.
      allowed_mentions: z
        .object({ parse: z.array(z.enum(["roles", "users", "everyone"])), roles: z.array(snowflake).max(100).optional(), users: z.array(snowflake).max(100).optional() })
        .optional(),
    })
    .refine((m) => !!m.content || (m.embeds?.length ?? 0) > 0, "a message needs content or an embed"),
});
export type OutboxItem = z.infer<typeof OutboxItem>;

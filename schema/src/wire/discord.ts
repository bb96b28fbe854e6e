// Discord HTTP interactions as they arrive at /interactions (https://discord.com/developers/docs/interactions/receiving-and-responding).
// Only the envelope is typed here; the command router adds each interaction type's data shape.
import { z } from "zod";

export const InteractionType = {
  PING: 1,
  APPLICATION_COMMAND: 2,
  MESSAGE_COMPONENT: 3,
  APPLICATION_COMMAND_AUTOCOMPLETE: 4,
  MODAL_SUBMIT: 5,
} as const;

export const InteractionResponseType = {
  PONG: 1,
  CHANNEL_MESSAGE_WITH_SOURCE: 4,
  DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE: 5,
} as const;

const snowflake = z.string().regex(/^\d{5,25}$/);

export const Interaction = z.looseObject({
  id: snowflake,
  application_id: snowflake,
  type: z.number().int().min(1),
  token: z.string().min(1),
  version: z.number().int(),
});
export type Interaction = z.infer<typeof Interaction>;

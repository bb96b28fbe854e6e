// Builders for what a handler answers: messages (with the ephemeral flag and allowed_mentions always set), modals,
// deferrals, and the interaction response envelopes Discord expects
// (https://discord.com/developers/docs/interactions/receiving-and-responding#interaction-response-object).
import { discordWire } from "@nebula/schema";

const { InteractionResponseType: T, MESSAGE_FLAG_EPHEMERAL, ComponentType } = discordWire;

/** A message as handlers write it. */
export interface MessageReply {
  content?: string;
  embeds?: Record<string, unknown>[];
  /** Action rows (type 1) of buttons and selects. */
  components?: Record<string, unknown>[];
  /** Only the invoking user sees it (flag 64). Ignored when editing a deferred reply: that was fixed at defer time. */
  ephemeral?: boolean;
  /** Defaults to mentioning nobody: templates must never ping @everyone or roles unless a feature allows it. */
  allowedMentions?: discordWire.AllowedMentions;
}

/** The Discord message body for a reply, follow-up or edit. */
export function messageBody(reply: MessageReply): Record<string, unknown> {
  const body: Record<string, unknown> = { allowed_mentions: reply.allowedMentions ?? { parse: [] } };
  if (reply.content !== undefined) body.content = reply.content;
  if (reply.embeds !== undefined) body.embeds = reply.embeds;
  if (reply.components !== undefined) body.components = reply.components;
  if (reply.ephemeral) body.flags = MESSAGE_FLAG_EPHEMERAL;
  return body;
}

export interface TextInput {
  customId: string;
  label: string;
  /** 1 short (one line), 2 paragraph. */
  style?: 1 | 2;
  required?: boolean;
  placeholder?: string;
  value?: string;
  minLength?: number;
  maxLength?: number;
}

export interface ModalReply {
  /** From encodeCustomId(prefix, ...args): the modal's defineModal handler gets the args back on submit. */
  customId: string;
  /** Discord: at most 45 characters. */
  title: string;
  /** Discord: at most 5 inputs. */
  inputs: TextInput[];
}

/** What respond() returns: a finished response, or a deferral that the queue consumer finishes with run(). */
export type InteractionResponse = { type: number; data?: Record<string, unknown> } | Deferral;

export interface Deferral {
  defer: "message" | "update";
  ephemeral: boolean;
}

export const isDeferral = (r: InteractionResponse): r is Deferral => "defer" in r;

export const reply = (msg: MessageReply): InteractionResponse => ({ type: T.CHANNEL_MESSAGE_WITH_SOURCE, data: messageBody(msg) });

/** Components only: replaces the message the component is on (UPDATE_MESSAGE). */
export const updateMessage = (msg: MessageReply): InteractionResponse => ({ type: T.UPDATE_MESSAGE, data: messageBody({ ...msg, ephemeral: false }) });

/** Answers "thinking…" now (type 5, or type 6 for a component that will edit its own message); run() finishes. */
export const defer = (options: { ephemeral?: boolean; update?: boolean } = {}): Deferral => ({ defer: options.update ? "update" : "message", ephemeral: !!options.ephemeral });

export function showModal(modal: ModalReply): InteractionResponse {
  if (modal.inputs.length < 1 || modal.inputs.length > 5) throw new Error("A modal holds 1 to 5 inputs");
  return {
    type: T.MODAL,
    data: {
      custom_id: modal.customId,
      title: modal.title.slice(0, 45),
      components: modal.inputs.map((i) => ({
        type: ComponentType.ACTION_ROW,
        components: [
          {
            type: ComponentType.TEXT_INPUT,
            custom_id: i.customId,
            label: i.label.slice(0, 45),
            style: i.style ?? 1,
            required: i.required ?? true,
            ...(i.placeholder === undefined ? {} : { placeholder: i.placeholder }),
            ...(i.value === undefined ? {} : { value: i.value }),
            ...(i.minLength === undefined ? {} : { min_length: i.minLength }),
            ...(i.maxLength === undefined ? {} : { max_length: i.maxLength }),
          },
        ],
      })),
    },
  };
}

/** The type-5/6 response for a deferral. */
export function deferralResponse(d: Deferral): { type: number; data?: Record<string, unknown> } {
  if (d.defer === "update") return { type: T.DEFERRED_UPDATE_MESSAGE };
  return { type: T.DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE, ...(d.ephemeral ? { data: { flags: MESSAGE_FLAG_EPHEMERAL } } : {}) };
}

/** One action row of buttons (Discord: at most 5 per row). */
export function buttonRow(buttons: { customId: string; label: string; style?: 1 | 2 | 3 | 4; disabled?: boolean; emoji?: string }[]): Record<string, unknown> {
  return {
    type: ComponentType.ACTION_ROW,
    components: buttons.slice(0, 5).map((b) => ({
      type: ComponentType.BUTTON,
      custom_id: b.customId,
      label: b.label.slice(0, 80),
      style: b.style ?? 2,
      ...(b.disabled ? { disabled: true } : {}),
      ...(b.emoji ? { emoji: { name: b.emoji } } : {}),
    })),
  };
}

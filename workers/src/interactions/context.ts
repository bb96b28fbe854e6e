// The context a handler receives: the parsed interaction (who, where), typed option/field getters, services, reply
// builders, and in run() paths the follow-up calls. Fast-path contexts carry no `db`: Discord waits only 3 s and
// Neon may be asleep, so Postgres is reachable only from run(), which the queue consumer calls.
import { discordWire } from "@nebula/schema";
import type { DiscordRest } from "../discord-rest/discord-rest.ts";
import { createFollowUp, deleteOriginalResponse, editOriginalResponse } from "../discord-rest/interaction-webhooks.ts";
import type { Services } from "../http/context.ts";
import type { Logger } from "../logging/logger.ts";
import { decodeCustomId } from "./custom-id.ts";
import { type MessageReply, defer, messageBody, reply, showModal, updateMessage } from "./replies.ts";

const { ApplicationCommandOptionType: O } = discordWire;

/** Services on the fast path: everything but Postgres. */
export type FastServices = Omit<Services, "db">;

export interface InteractionContext {
  interaction: discordWire.Interaction;
  id: string;
  applicationId: string;
  guildId: string | null;
  channelId: string | null;
  /** The invoking user (member.user in a guild, user in DMs). */
  user: discordWire.DiscordUserWire;
  member: discordWire.InteractionMember | null;
  locale: string | null;
  requestId: string;
  logger: Logger;
  reply: typeof reply;
  defer: typeof defer;
  showModal: typeof showModal;
}

export interface OptionReader {
  string(name: string): string | null;
  integer(name: string): number | null;
  number(name: string): number | null;
  boolean(name: string): boolean | null;
  /** USER, CHANNEL, ROLE, MENTIONABLE options: the snowflake (see interaction.data.resolved for the objects). */
  id(name: string): string | null;
  /** Every leaf option, by name. */
  all(): Record<string, string | number | boolean>;
}

export interface CommandContext extends InteractionContext {
  commandName: string;
  /** "status", or "group sub" for a subcommand in a group; null without subcommands. */
  subcommand: string | null;
  options: OptionReader;
  data: discordWire.CommandData;
}

export interface AutocompleteContext extends CommandContext {
  /** The option the user is typing in, and what they typed so far. */
  focused: { name: string; value: string };
}

export interface ComponentContext extends InteractionContext {
  customId: string;
  prefix: string;
  /** The arguments given to encodeCustomId. */
  args: string[];
  /** Select menus: the chosen values. */
  values: string[];
  messageId: string | null;
  data: discordWire.ComponentData;
  /** Replaces the message the component is on (UPDATE_MESSAGE, type 7). */
  update: typeof updateMessage;
}

export interface ModalContext extends InteractionContext {
  customId: string;
  prefix: string;
  args: string[];
  /** Submitted text inputs by custom_id. */
  fields: Record<string, string>;
  /** One field's value; "" when absent. */
  field(customId: string): string;
  data: discordWire.ModalSubmitData;
}

/** What run() adds: Postgres and the interaction webhook (the token is valid for 15 minutes). */
export interface RunExtras {
  services: Services;
  /** PATCH @original: the deferred reply, or for a component deferred as an update, its message. */
  editOriginal(msg: MessageReply): Promise<void>;
  followUp(msg: MessageReply): Promise<{ id: string } | null>;
  deleteOriginal(): Promise<void>;
}

export type WithServices<C> = C & { services: FastServices };
export type RunContext<C> = C & RunExtras;

function leafOptions(options: discordWire.CommandOption[] | undefined): { path: string[]; leaves: discordWire.CommandOption[] } {
  const path: string[] = [];
  let level = options ?? [];
  for (;;) {
    const sub = level.find((o) => o.type === O.SUB_COMMAND || o.type === O.SUB_COMMAND_GROUP);
    if (!sub) return { path, leaves: level };
    path.push(sub.name);
    level = sub.options ?? [];
  }
}

function optionReader(leaves: discordWire.CommandOption[]): OptionReader {
  const byName = new Map(leaves.map((o) => [o.name, o]));
  const typed = <T>(name: string, pick: (v: unknown) => T | null) => {
    const o = byName.get(name);
    return o?.value === undefined ? null : pick(o.value);
  };
  return {
    string: (n) => typed(n, (v) => (typeof v === "string" ? v : String(v))),
    integer: (n) => typed(n, (v) => (typeof v === "number" && Number.isInteger(v) ? v : null)),
    number: (n) => typed(n, (v) => (typeof v === "number" ? v : null)),
    boolean: (n) => typed(n, (v) => (typeof v === "boolean" ? v : null)),
    id: (n) => typed(n, (v) => (typeof v === "string" ? v : null)),
    all: () => Object.fromEntries(leaves.filter((o) => o.value !== undefined).map((o) => [o.name, o.value as string | number | boolean])),
  };
}

export function baseContext(interaction: discordWire.Interaction, requestId: string, logger: Logger): InteractionContext {
  const user = interaction.member?.user ?? interaction.user ?? { id: "0", username: "unknown" };
  return {
    interaction,
    id: interaction.id,
    applicationId: interaction.application_id,
    guildId: interaction.guild_id ?? null,
    channelId: interaction.channel_id ?? null,
    user,
    member: interaction.member ?? null,
    locale: interaction.locale ?? null,
    requestId,
    logger: logger.child({ interactionId: interaction.id, guildId: interaction.guild_id ?? null }),
    reply,
    defer,
    showModal,
  };
}

export function commandContext(base: InteractionContext, data: discordWire.CommandData): CommandContext {
  const { path, leaves } = leafOptions(data.options);
  return { ...base, data, commandName: data.name, subcommand: path.length ? path.join(" ") : null, options: optionReader(leaves) };
}

export function autocompleteContext(base: InteractionContext, data: discordWire.CommandData): AutocompleteContext {
  const ctx = commandContext(base, data);
  const focused = leafOptions(data.options).leaves.find((o) => o.focused);
  return { ...ctx, focused: { name: focused?.name ?? "", value: focused?.value === undefined ? "" : String(focused.value) } };
}

export function componentContext(base: InteractionContext, data: discordWire.ComponentData): ComponentContext {
  const { prefix, args } = decodeCustomId(data.custom_id);
  return { ...base, data, customId: data.custom_id, prefix, args, values: data.values ?? [], messageId: base.interaction.message?.id ?? null, update: updateMessage };
}

export function modalContext(base: InteractionContext, data: discordWire.ModalSubmitData): ModalContext {
  const { prefix, args } = decodeCustomId(data.custom_id);
  const fields: Record<string, string> = {};
  for (const row of data.components) {
    for (const input of [...(row.components ?? []), ...(row.component ? [row.component] : [])]) {
      fields[input.custom_id] = input.value ?? input.values?.join(",") ?? "";
    }
  }
  return { ...base, data, customId: data.custom_id, prefix, args, fields, field: (id) => fields[id] ?? "" };
}

/** The follow-up half of a run() context, bound to this interaction's webhook. */
export function runExtras(services: Services, rest: DiscordRest, interaction: discordWire.Interaction, onEdit: () => void): RunExtras {
  const hook = { applicationId: interaction.application_id, token: interaction.token };
  return {
    services,
    editOriginal: async (msg) => {
      onEdit();
      await editOriginalResponse(rest, hook, messageBody(msg));
    },
    followUp: async (msg) => {
      const sent = await createFollowUp<{ id?: string } | null>(rest, hook, messageBody(msg));
      return sent?.id ? { id: sent.id } : null;
    },
    deleteOriginal: async () => {
      onEdit();
      await deleteOriginalResponse(rest, hook);
    },
  };
}

// Discord HTTP interactions as they arrive at /interactions, and the responses Nebula sends back
// (https://discord.com/developers/docs/interactions/receiving-and-responding). Objects are loose: Discord adds
// fields without notice, and an unknown field must never turn a user's click into an error.
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
  /** Components only: "loading" without a new message; the follow-up edits the message the component is on. */
  DEFERRED_UPDATE_MESSAGE: 6,
  UPDATE_MESSAGE: 7,
  APPLICATION_COMMAND_AUTOCOMPLETE_RESULT: 8,
  MODAL: 9,
} as const;

export const ApplicationCommandOptionType = {
  SUB_COMMAND: 1,
  SUB_COMMAND_GROUP: 2,
  STRING: 3,
  INTEGER: 4,
  BOOLEAN: 5,
  USER: 6,
  CHANNEL: 7,
  ROLE: 8,
  MENTIONABLE: 9,
  NUMBER: 10,
  ATTACHMENT: 11,
} as const;

export const ComponentType = {
  ACTION_ROW: 1,
  BUTTON: 2,
  STRING_SELECT: 3,
  TEXT_INPUT: 4,
  USER_SELECT: 5,
  ROLE_SELECT: 6,
  MENTIONABLE_SELECT: 7,
  CHANNEL_SELECT: 8,
  /** Modals: a label wrapping one input (newer modal layout). */
  LABEL: 18,
} as const;

/** Discord: message flag EPHEMERAL, only the invoking user sees the message. */
export const MESSAGE_FLAG_EPHEMERAL = 64;
/** Discord: custom_id is at most 100 characters. */
export const CUSTOM_ID_MAX = 100;
/** Discord: an autocomplete result holds at most 25 choices. */
export const AUTOCOMPLETE_MAX_CHOICES = 25;

export const Snowflake = z.string().regex(/^\d{5,25}$/);

export const DiscordUserWire = z.looseObject({
  id: Snowflake,
  username: z.string(),
  global_name: z.string().nullish(),
  avatar: z.string().nullish(),
  bot: z.boolean().optional(),
});
export type DiscordUserWire = z.infer<typeof DiscordUserWire>;

/** The invoking member in a guild; `permissions` is their computed permission bitfield in that channel, as a string. */
export const InteractionMember = z.looseObject({
  user: DiscordUserWire.optional(),
  roles: z.array(Snowflake).default([]),
  permissions: z.string().regex(/^\d+$/).optional(),
  nick: z.string().nullish(),
});
export type InteractionMember = z.infer<typeof InteractionMember>;

export interface CommandOption {
  name: string;
  type: number;
  value?: string | number | boolean;
  focused?: boolean;
  options?: CommandOption[];
}

export const CommandOption: z.ZodType<CommandOption> = z.lazy(() =>
  z.looseObject({
    name: z.string(),
    type: z.number().int(),
    value: z.union([z.string(), z.number(), z.boolean()]).optional(),
    focused: z.boolean().optional(),
    options: z.array(CommandOption).optional(),
  }),
);

/** Users, members, roles, channels named by options, as Discord resolves them for the handler. */
const Resolved = z.looseObject({
  users: z.record(z.string(), DiscordUserWire).optional(),
  members: z.record(z.string(), z.looseObject({ roles: z.array(z.string()).optional() })).optional(),
  roles: z.record(z.string(), z.looseObject({ id: Snowflake, name: z.string() })).optional(),
  channels: z.record(z.string(), z.looseObject({ id: Snowflake, name: z.string().nullish(), type: z.number() })).optional(),
});

export const CommandData = z.looseObject({
  id: Snowflake,
  name: z.string(),
  type: z.number().int().default(1),
  options: z.array(CommandOption).optional(),
  resolved: Resolved.optional(),
  guild_id: Snowflake.optional(),
});
export type CommandData = z.infer<typeof CommandData>;

export const ComponentData = z.looseObject({
  custom_id: z.string().max(CUSTOM_ID_MAX),
  component_type: z.number().int(),
  values: z.array(z.string()).optional(),
  resolved: Resolved.optional(),
});
export type ComponentData = z.infer<typeof ComponentData>;

const TextInputValue = z.looseObject({ type: z.number().int(), custom_id: z.string(), value: z.string().optional(), values: z.array(z.string()).optional() });

/** Modal rows: classic action rows of text inputs, or labels wrapping one component. */
const ModalRow = z.looseObject({
  type: z.number().int(),
  components: z.array(TextInputValue).optional(),
  component: TextInputValue.optional(),
});

export const ModalSubmitData = z.looseObject({
  custom_id: z.string().max(CUSTOM_ID_MAX),
  components: z.array(ModalRow),
});
export type ModalSubmitData = z.infer<typeof ModalSubmitData>;

/** The message a component is attached to (components only). */
const InteractionMessage = z.looseObject({ id: Snowflake, channel_id: Snowflake.optional(), content: z.string().optional(), flags: z.number().optional() });

export const Interaction = z.looseObject({
  id: Snowflake,
  application_id: Snowflake,
  type: z.number().int().min(1),
  token: z.string().min(1),
  version: z.number().int(),
  guild_id: Snowflake.optional(),
  channel_id: Snowflake.optional(),
  /** In a guild: the member (with `user`); in DMs: `user` instead. */
  member: InteractionMember.optional(),
  user: DiscordUserWire.optional(),
  /** The bot's own permissions in the channel. */
  app_permissions: z.string().optional(),
  locale: z.string().optional(),
  guild_locale: z.string().optional(),
  message: InteractionMessage.optional(),
  data: z.unknown().optional(),
});
export type Interaction = z.infer<typeof Interaction>;

// ---- Responses ----

export const AllowedMentions = z.object({
  parse: z.array(z.enum(["roles", "users", "everyone"])).optional(),
  roles: z.array(Snowflake).max(100).optional(),
  users: z.array(Snowflake).max(100).optional(),
  replied_user: z.boolean().optional(),
});
export type AllowedMentions = z.infer<typeof AllowedMentions>;

export const ApplicationCommandOptionChoice = z.object({
  name: z.string().min(1).max(100),
  value: z.union([z.string().max(100), z.number()]),
});
export type ApplicationCommandOptionChoice = z.infer<typeof ApplicationCommandOptionChoice>;

/** What `PUT /applications/{app}/commands` takes for one command (only the fields Nebula uses are named). */
export interface ApplicationCommandDefinition {
  name: string;
  description: string;
  type?: number;
  options?: ApplicationCommandOptionDefinition[];
  default_member_permissions?: string | null;
  /** 0 guild, 1 bot DM, 2 private channel. */
  contexts?: number[];
  integration_types?: number[];
  nsfw?: boolean;
}

export interface ApplicationCommandOptionDefinition {
  type: number;
  name: string;
  description: string;
  required?: boolean;
  autocomplete?: boolean;
  choices?: ApplicationCommandOptionChoice[];
  options?: ApplicationCommandOptionDefinition[];
  min_value?: number;
  max_value?: number;
  min_length?: number;
  max_length?: number;
  channel_types?: number[];
}

/** Discord: names are 1-32 lowercase characters (letters, digits, - and _). */
export const COMMAND_NAME = /^[-_\p{Ll}\p{N}]{1,32}$/u;

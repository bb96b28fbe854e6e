// Custom commands on the wire: /api/t/:tenantId/discord/guilds/:guildId/commands (list, create, change, delete,
// usage, re-register). Names and options follow Discord's rules for application commands
// (https://discord.com/developers/docs/interactions/application-commands#application-command-object).
import { z } from "zod";
import { COMMAND_REGISTRATION_STATUSES } from "../discord/custom-command-registrations.ts";
import { CUSTOM_COMMAND_OPTION_TYPES } from "../discord/custom-commands.ts";

const snowflake = z.string().regex(/^\d{5,25}$/, "must be a Discord id");
const isoDate = z.iso.datetime({ offset: true });

/** Discord: 1-32 characters, lowercase where the script has case, letters, digits, "-" and "_". */
export const CommandName = z
  .string()
  .min(1, "must be 1-32 characters")
  .max(32, "must be 1-32 characters")
  .regex(/^[-_\p{L}\p{N}]+$/u, "may hold only letters, digits, - and _")
  .refine((s) => s === s.toLowerCase(), "must be lowercase");

export const CommandDescription = z.string().trim().min(1, "must be 1-100 characters").max(100, "must be 1-100 characters");

export const CustomCommandOption = z.object({
  name: CommandName,
  description: CommandDescription,
  type: z.enum(CUSTOM_COMMAND_OPTION_TYPES),
  required: z.boolean().default(false),
});
export type CustomCommandOption = z.infer<typeof CustomCommandOption>;

/** Discord: at most 25 options, names unique, and required options before optional ones. */
export const CustomCommandOptions = z
  .array(CustomCommandOption)
  .max(25, "Discord allows at most 25 options")
  .superRefine((options, ctx) => {
    const seen = new Set<string>();
    options.forEach((o, i) => {
      if (seen.has(o.name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: `option "${o.name}" is defined twice` });
      seen.add(o.name);
      if (o.required && options.slice(0, i).some((p) => !p.required)) {
        ctx.addIssue({ code: "custom", path: [i, "required"], message: "Discord: required options must come before optional ones" });
      }
    });
  });

const url = z.string().trim().max(2048).regex(/^(https?:\/\/\S+|\{[\w.]+\})$/, "must be an http(s) URL or a placeholder like {user.avatar}");

export const CustomCommandEmbed = z.object({
  title: z.string().max(256).nullable().default(null),
  description: z.string().max(4096).nullable().default(null),
  color: z.number().int().min(0).max(0xffffff).nullable().default(null),
  imageUrl: url.nullable().default(null),
  thumbnailUrl: url.nullable().default(null),
  footer: z.string().max(2048).nullable().default(null),
});
export type CustomCommandEmbed = z.infer<typeof CustomCommandEmbed>;

/** A cooldown of at most a day. */
const Cooldown = z.number().int().min(0).max(86_400);

const fields = {
  name: CommandName,
  description: CommandDescription,
  options: CustomCommandOptions,
  template: z.string().max(2000),
  embed: CustomCommandEmbed.nullable(),
  ephemeral: z.boolean(),
  allowedRoleIds: z.array(snowflake).max(25),
  userCooldownSeconds: Cooldown,
  globalCooldownSeconds: Cooldown,
  enabled: z.boolean(),
};

const hasResponse = (v: { template?: string; embed?: unknown }) => (v.template ?? "").trim().length > 0 || !!v.embed;

export const CreateCustomCommandRequest = z
  .object({
    ...fields,
    options: fields.options.default([]),
    template: fields.template.default(""),
    embed: fields.embed.default(null),
    ephemeral: fields.ephemeral.default(false),
    allowedRoleIds: fields.allowedRoleIds.default([]),
    userCooldownSeconds: Cooldown.default(0),
    globalCooldownSeconds: Cooldown.default(0),
    enabled: fields.enabled.default(true),
  })
  .refine(hasResponse, { message: "a command needs a response text or an embed", path: ["template"] });
export type CreateCustomCommandRequest = z.infer<typeof CreateCustomCommandRequest>;

export const UpdateCustomCommandRequest = z
  .object(fields)
  .partial()
  .refine((v) => Object.keys(v).length > 0, "nothing to change");
export type UpdateCustomCommandRequest = z.infer<typeof UpdateCustomCommandRequest>;

export const CustomCommandIssue = z.object({ field: z.string(), index: z.number().int(), message: z.string() });

export const CustomCommandView = z.object({
  id: z.string(),
  guildId: z.string(),
  name: z.string(),
  description: z.string(),
  options: z.array(CustomCommandOption),
  template: z.string(),
  embed: CustomCommandEmbed.nullable(),
  ephemeral: z.boolean(),
  allowedRoleIds: z.array(z.string()),
  userCooldownSeconds: z.number().int(),
  globalCooldownSeconds: z.number().int(),
  enabled: z.boolean(),
  /** Uses recorded in Postgres plus those still counted in the cache. */
  usageCount: z.number().int(),
  lastUsedAt: isoDate.nullable(),
  warnings: z.array(CustomCommandIssue),
  createdAt: isoDate,
  updatedAt: isoDate,
});
export type CustomCommandView = z.infer<typeof CustomCommandView>;

export const CommandRegistrationView = z.object({
  status: z.enum([...COMMAND_REGISTRATION_STATUSES, "none"]),
  commandCount: z.number().int(),
  error: z.string().nullable(),
  requestedAt: isoDate.nullable(),
  registeredAt: isoDate.nullable(),
});
export type CommandRegistrationView = z.infer<typeof CommandRegistrationView>;

export const CustomCommandList = z.object({
  items: z.array(CustomCommandView),
  registration: CommandRegistrationView,
  /** Discord: 100 chat input commands per guild, built-in guild commands included. */
  limit: z.number().int(),
  variables: z.array(z.string()),
});
export type CustomCommandList = z.infer<typeof CustomCommandList>;

export const CustomCommandUsage = z.object({
  items: z.array(z.object({ id: z.string(), name: z.string(), usageCount: z.number().int(), lastUsedAt: isoDate.nullable() })),
  total: z.number().int(),
});
export type CustomCommandUsage = z.infer<typeof CustomCommandUsage>;

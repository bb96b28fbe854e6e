// The Discord bot's API shapes: the "Add to server" link, linked guilds, and a guild's channels and roles.
import { z } from "zod";

const snowflake = z.string().regex(/^\d{5,25}$/);

export const DiscordInstallUrlQuery = z.object({ guildId: snowflake.optional() });

export const DiscordInstallUrl = z.object({
  url: z.url(),
  /** When the state inside the URL stops being accepted. */
  expiresAt: z.iso.datetime(),
});
export type DiscordInstallUrl = z.infer<typeof DiscordInstallUrl>;

export const DiscordGuildParams = z.object({ guildId: snowflake });

export const DiscordGuild = z.object({
  guildId: snowflake,
  name: z.string(),
  iconUrl: z.string().nullable(),
  installedAt: z.iso.datetime(),
  installedBy: z.string().nullable(),
  /** The bot is still a member (checked through Discord, cached briefly); null when that could not be checked. */
  botPresent: z.boolean().nullable(),
});
export type DiscordGuild = z.infer<typeof DiscordGuild>;

export const DiscordGuildList = z.object({ guilds: z.array(DiscordGuild) });
export type DiscordGuildList = z.infer<typeof DiscordGuildList>;

export const DiscordChannelSummary = z.object({
  id: snowflake,
  name: z.string(),
  /** Discord channel type: 0 text, 2 voice, 4 category, 5 announcement, 15 forum. */
  type: z.number().int(),
  parentId: snowflake.nullable(),
  position: z.number().int(),
});

export const DiscordRoleSummary = z.object({
  id: snowflake,
  name: z.string(),
  color: z.number().int(),
  position: z.number().int(),
  managed: z.boolean(),
});

/** What settings pages need to offer channel and role pickers for one guild. */
export const DiscordGuildOverview = z.object({
  guild: DiscordGuild,
  channels: z.array(DiscordChannelSummary),
  roles: z.array(DiscordRoleSummary),
  /** Why the caller may manage it: guild owner, Administrator, or Manage Server. */
  access: z.enum(["owner", "administrator", "manage_guild"]),
});
export type DiscordGuildOverview = z.infer<typeof DiscordGuildOverview>;

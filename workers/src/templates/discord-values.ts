// Template values every Discord feature shares: who (the member) and where (the server, the channel). Features add
// their own (memberCount for welcome, option.* for custom commands) on top of these.
import type { TemplateValues } from "./template.ts";

export interface TemplateUser {
  id: string;
  username: string;
  global_name?: string | null;
  avatar?: string | null;
}

/** Discord's CDN: the member's avatar, or the default avatar Discord derives from the id for users without one. */
export function avatarUrl(user: TemplateUser): string {
  if (user.avatar) return `https://cdn.discordapp.com/avatars/${user.id}/${user.avatar}.${user.avatar.startsWith("a_") ? "gif" : "png"}`;
  const index = /^\d+$/.test(user.id) ? Number((BigInt(user.id) >> 22n) % 6n) : 0;
  return `https://cdn.discordapp.com/embed/avatars/${index}.png`;
}

export const USER_VARIABLES = ["user", "user.mention", "user.name", "user.username", "user.id", "user.avatar"] as const;
export const SERVER_VARIABLES = ["server", "server.name", "server.id"] as const;

/** {user} is the mention (as MEE6 and Carl-bot read it); {user.name} the display name. */
export function userValues(user: TemplateUser): TemplateValues {
  const mention = `<@${user.id}>`;
  return {
    user: mention,
    "user.mention": mention,
    "user.name": user.global_name || user.username,
    "user.username": user.username,
    "user.id": user.id,
    "user.avatar": avatarUrl(user),
  };
}

export function serverValues(guild: { id: string; name: string }): TemplateValues {
  return { server: guild.name, "server.name": guild.name, "server.id": guild.id };
}

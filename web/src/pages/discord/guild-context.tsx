// The guild a Discord tab works on: the tenant, the linked guild (from the tenant's guild list) and the section's
// base path, provided by the guild layout so tabs never re-read the route or the list themselves.
import type { DiscordGuild } from "@nebula/schema/api/discord";
import { type Accessor, createContext, useContext } from "solid-js";

export interface GuildScope {
  tenantId: string;
  guildId: string;
  guild: Accessor<DiscordGuild>;
  /** `/discord/<guildId>`: tabs link below it. */
  base: string;
}

export const GuildContext = createContext<GuildScope>();

export function useGuild(): GuildScope {
  const scope = useContext(GuildContext);
  if (!scope) throw new Error("useGuild outside a Discord guild page");
  return scope;
}

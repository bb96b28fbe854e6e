// Now Playing for the Discord section: a guild's Plex webhook settings (the URL is answered once, on create and on
// rotate), what is playing now, and Lanyard presence of the tenant's members who linked Discord.
import type { MemberPresenceList, NowPlayingSettingsView, NowPlayingSettingsWithUrl } from "@nebula/schema/api/now-playing";
import { query } from "@solidjs/router";
import { ApiError, request } from "./client.ts";
import { discordTenantPath, guildPath } from "./discord.ts";

export type { MemberPresenceList, NowPlayingSession, NowPlayingSettingsView, NowPlayingSettingsWithUrl } from "@nebula/schema/api/now-playing";
export type NowPlayingInput = { channelId: string; enabled: boolean; plexUsers: string[]; libraries: string[] };

const nowPlayingPath = (tenantId: string, guildId: string, rest = "") => guildPath(tenantId, guildId, `/now-playing${rest}`);

/** null while Now Playing is not set up for the server (the API answers 404). */
export const getNowPlaying = query(async (tenantId: string, guildId: string): Promise<NowPlayingSettingsView | null> => {
  try {
    return await request<NowPlayingSettingsView>("GET", nowPlayingPath(tenantId, guildId));
  } catch (err) {
    if (err instanceof ApiError && err.status === 404 && err.code === "NOT_FOUND" && /not set up/i.test(err.message)) return null;
    throw err;
  }
}, "discord-now-playing");

export const getMemberPresence = query((tenantId: string) => request<MemberPresenceList>("GET", discordTenantPath(tenantId, "/discord/presence")), "discord-presence");

/** Creating answers the webhook URL (201); a change to existing settings does not. */
export const saveNowPlaying = (tenantId: string, guildId: string, input: NowPlayingInput) =>
  request<NowPlayingSettingsView | NowPlayingSettingsWithUrl>("PUT", nowPlayingPath(tenantId, guildId), input);
export const rotateNowPlayingUrl = (tenantId: string, guildId: string) => request<NowPlayingSettingsWithUrl>("POST", nowPlayingPath(tenantId, guildId, "/rotate-token"));
export const deleteNowPlaying = (tenantId: string, guildId: string) => request<void>("DELETE", nowPlayingPath(tenantId, guildId));

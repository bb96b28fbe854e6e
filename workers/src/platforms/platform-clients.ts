// Builds each platform's client from configuration, or null when its credentials are not set: the feature then
// shows the platform as "not connected" instead of failing.
import type { Cache } from "../cache/cache.ts";
import type { Config } from "../config/config.ts";
import { createLogger } from "../logging/logger.ts";
import { KickClient } from "./kick/kick-client.ts";
import { TwitchClient } from "./twitch/twitch-client.ts";
import { YouTubeClient } from "./youtube/youtube-client.ts";

export interface PlatformClients {
  twitch: TwitchClient | null;
  youtube: YouTubeClient | null;
  /** Always built: Kick's public key (webhook verification) needs no credentials; API calls do. */
  kick: KickClient;
}

export function platformClients(config: Config, cache: Cache, now?: () => number): PlatformClients {
  return {
    twitch:
      config.TWITCH_CLIENT_ID && config.TWITCH_CLIENT_SECRET
        ? new TwitchClient({ apiBase: config.TWITCH_API_BASE, authBase: config.TWITCH_AUTH_BASE, clientId: config.TWITCH_CLIENT_ID, clientSecret: config.TWITCH_CLIENT_SECRET, now })
        : null,
    youtube: config.YOUTUBE_API_KEY
      ? new YouTubeClient({ apiBase: config.YOUTUBE_API_BASE, hubUrl: config.YOUTUBE_WEBSUB_HUB, apiKey: config.YOUTUBE_API_KEY, cache, now, logger: createLogger({ service: "youtube" }, config.LOG_LEVEL) })
      : null,
    kick: new KickClient({ apiBase: config.KICK_API_BASE, authBase: config.KICK_AUTH_BASE, clientId: config.KICK_CLIENT_ID, clientSecret: config.KICK_CLIENT_SECRET, cache, now }),
  };
}

export interface PlatformStatus {
  twitch: { connected: boolean; eventSub: boolean };
  youtube: { connected: boolean };
  kick: { connected: boolean };
}

export function platformStatus(config: Config): PlatformStatus {
  return {
    twitch: { connected: !!config.TWITCH_CLIENT_ID, eventSub: !!config.TWITCH_CLIENT_ID && !!config.TWITCH_EVENTSUB_SECRET },
    youtube: { connected: !!config.YOUTUBE_API_KEY },
    kick: { connected: !!config.KICK_CLIENT_ID },
  };
}

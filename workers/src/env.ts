// The Worker's bindings, typed once. String variables are validated by config/config.ts.
import type { AgentHub } from "./agents/agent-hub.ts";
import type { CacheStore } from "./cache/cache-store.ts";
import type { ChatOutbox } from "./chat-bot/chat-outbox.ts";
import type { ChatTimers } from "./chat-bot/chat-timers.ts";
import type { DiscordGateway } from "./discord-gateway/discord-gateway.ts";
import type { DiscordLimits } from "./discord-rest/discord-limits.ts";
import type { InboxFeed } from "./inbox/inbox-feed.ts";
import type { NowPlayingBoard } from "./now-playing/now-playing-board.ts";
import type { Outbox } from "./outbox/outbox.ts";
import type { OverlayRoom } from "./overlays/overlay-room.ts";
import type { SongQueue } from "./song-requests/song-queue.ts";
import type { TicketTimers } from "./tickets/ticket-timers.ts";
import type { YouTubeLiveChat } from "./chat-bot/youtube-live-chat.ts";

export interface Env {
  ASSETS: Fetcher;
  AGENT_HUB: DurableObjectNamespace<AgentHub>;
  OVERLAY_ROOM: DurableObjectNamespace<OverlayRoom>;
  CACHE_STORE: DurableObjectNamespace<CacheStore>;
  OUTBOX: DurableObjectNamespace<Outbox>;
  DISCORD_GATEWAY: DurableObjectNamespace<DiscordGateway>;
  /** One per bot: Discord's global limit and invalid-request count, shared by every isolate (workers/src/discord-rest). */
  DISCORD_LIMITS: DurableObjectNamespace<DiscordLimits>;
  /** One per guild: the Plex "Now Playing" message, edited in place (workers/src/now-playing). */
  NOW_PLAYING: DurableObjectNamespace<NowPlayingBoard>;
  /** One per guild: ticket auto-close timers (workers/src/tickets). */
  TICKET_TIMERS: DurableObjectNamespace<TicketTimers>;
  /** One per tenant: the unified inbox pages' live sockets (workers/src/inbox). */
  INBOX_FEED: DurableObjectNamespace<InboxFeed>;
  /** One per bot account and platform: every outgoing chat message, under the platform's chat limits (workers/src/chat-bot). */
  CHAT_OUTBOX: DurableObjectNamespace<ChatOutbox>;
  /** One per tenant: the chat bot's timers, posted from its alarm (workers/src/chat-bot). */
  CHAT_TIMERS: DurableObjectNamespace<ChatTimers>;
  /** One per YouTube live chat (liveChatId): reads it at YouTube's polling interval (workers/src/chat-bot). */
  YOUTUBE_LIVE_CHAT: DurableObjectNamespace<YouTubeLiveChat>;
  /** One per tenant: the YouTube song-request queue's timer and its overlay announcements (workers/src/song-requests). */
  SONG_QUEUE: DurableObjectNamespace<SongQueue>;
  /** The `nebula-discord` queue (workers/src/discord-queue). */
  DISCORD_QUEUE: Queue;
  /** The `nebula-analytics` queue: slash command usage, counted a batch of up to 100 per statement (workers/src/analytics). */
  ANALYTICS_QUEUE: Queue;
  DATABASE_URL?: string;
  ENCRYPTION_KEYS?: string;
  PUBLIC_URL?: string;
  DISCORD_PUBLIC_KEY?: string;
  DISCORD_APPLICATION_ID?: string;
  DISCORD_BOT_TOKEN?: string;
  DISCORD_CLIENT_ID?: string;
  DISCORD_CLIENT_SECRET?: string;
  DISCORD_API_BASE?: string;
  UPSTASH_REDIS_REST_URL?: string;
  UPSTASH_REDIS_REST_TOKEN?: string;
  DB_WS_PROXY?: string;
  BOOTSTRAP_TOKEN?: string;
  LOG_LEVEL?: string;
  TWITCH_API_BASE?: string;
  TWITCH_AUTH_BASE?: string;
  TWITCH_CLIENT_ID?: string;
  TWITCH_CLIENT_SECRET?: string;
  TWITCH_EVENTSUB_SECRET?: string;
  YOUTUBE_API_BASE?: string;
  YOUTUBE_WEBSUB_HUB?: string;
  YOUTUBE_API_KEY?: string;
  KICK_API_BASE?: string;
  KICK_AUTH_BASE?: string;
  LANYARD_API_BASE?: string;
  KICK_CLIENT_ID?: string;
  KICK_CLIENT_SECRET?: string;
  YOUTUBE_CLIENT_ID?: string;
  YOUTUBE_CLIENT_SECRET?: string;
  GOOGLE_AUTH_BASE?: string;
  GOOGLE_TOKEN_BASE?: string;
  SPOTIFY_ACCOUNTS_BASE?: string;
  SPOTIFY_API_BASE?: string;
  SPOTIFY_CLIENT_ID?: string;
  SPOTIFY_CLIENT_SECRET?: string;
}

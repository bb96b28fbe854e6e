// The Worker's bindings, typed once. String variables are validated by config/config.ts.
import type { AgentHub } from "./agents/agent-hub.ts";
import type { CacheStore } from "./cache/cache-store.ts";
import type { Outbox } from "./outbox/outbox.ts";
import type { OverlayRoom } from "./overlays/overlay-room.ts";

export interface Env {
  ASSETS: Fetcher;
  AGENT_HUB: DurableObjectNamespace<AgentHub>;
  OVERLAY_ROOM: DurableObjectNamespace<OverlayRoom>;
  CACHE_STORE: DurableObjectNamespace<CacheStore>;
  OUTBOX: DurableObjectNamespace<Outbox>;
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
}

// The ids of the chat messages the bot sent, remembered for ten minutes by the ChatOutbox. Where the bot speaks as the
// broadcaster (YouTube's usual case: no bot account, the streamer's own token), its echoes carry the broadcaster's id,
// and these ids are the only way to tell them from the lines the broadcaster typed.
import type { StreamPlatform } from "@nebula/schema";
import type { Cache } from "../cache/cache.ts";

const key = (platform: StreamPlatform, messageId: string) => `chatbot:own:${platform}:${messageId}`;
/** The echo comes back within seconds (a YouTube poll interval, an EventSub delivery); ten minutes is ample. */
const TTL_SECONDS = 600;

export async function rememberOwnMessage(cache: Cache, platform: StreamPlatform, messageId: string): Promise<void> {
  // Kick may answer is_sent without an id: nothing to recognise it by.
  if (messageId) await cache.set(key(platform, messageId), "1", { ttlSeconds: TTL_SECONDS });
}

export async function isOwnMessage(cache: Cache, platform: StreamPlatform, messageId: string): Promise<boolean> {
  return (await cache.get(key(platform, messageId))) !== null;
}

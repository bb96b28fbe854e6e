// The Atom document YouTube's WebSub hub pushes for a channel's feed: one <entry> per new or changed video, or an
// <at:deleted-entry>. Only the ids are read; titles and live state come from videos.list, the source of truth.
export interface FeedEntry {
  videoId: string;
  channelId: string;
  /** <updated>: changes whenever YouTube republishes the entry (a title edit, going live, ending). */
  updated: string | null;
}

const tag = (xml: string, name: string) => new RegExp(`<${name}>\\s*([^<]*?)\\s*</${name}>`).exec(xml)?.[1] ?? null;

export function parseFeed(xml: string): { entries: FeedEntry[]; deleted: string[] } {
  const entries: FeedEntry[] = [];
  for (const m of xml.matchAll(/<entry>([\s\S]*?)<\/entry>/g)) {
    const body = m[1] ?? "";
    const videoId = tag(body, "yt:videoId");
    const channelId = tag(body, "yt:channelId");
    if (videoId && channelId && /^[\w-]{6,20}$/.test(videoId) && /^UC[\w-]{22}$/.test(channelId)) entries.push({ videoId, channelId, updated: tag(body, "updated") });
  }
  const deleted = [...xml.matchAll(/<at:deleted-entry[^>]*ref="yt:video:([\w-]+)"/g)].map((m) => m[1] ?? "");
  return { entries, deleted };
}

export const channelTopic = (channelId: string) => `https://www.youtube.com/xml/feeds/videos.xml?channel_id=${channelId}`;

/** The channel id of a topic URL we subscribed to, or null for anything else. */
export function channelOfTopic(topic: string): string | null {
  const m = /^https:\/\/www\.youtube\.com\/xml\/feeds\/videos\.xml\?channel_id=(UC[\w-]{22})$/.exec(topic);
  return m?.[1] ?? null;
}

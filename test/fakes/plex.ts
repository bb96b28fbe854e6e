// The Plex Media Server's webhook sender, as a request builder (Plex posts to us; there is nothing to serve). Plex
// sends multipart/form-data with a `payload` JSON field and, for media.play and a few others, a `thumb` JPEG part
// (https://support.plex.tv/articles/115002267687-webhooks/). Payloads carry the fields real Plex sends, not only the
// ones Nebula reads. No imports: suites inside workerd use it with the runtime's FormData and Blob.

export type PlexEvent = "media.play" | "media.pause" | "media.resume" | "media.stop" | "media.scrobble" | "media.rate" | "library.new" | "admin.database.backup";

export interface PlexItem {
  type: "movie" | "episode" | "track";
  title: string;
  grandparentTitle?: string;
  parentTitle?: string;
  librarySectionTitle?: string;
  year?: number;
  duration?: number;
  viewOffset?: number;
}

export interface PlexSender {
  account?: string;
  player?: string;
  playerUuid?: string;
}

export const EPISODE: PlexItem = {
  type: "episode",
  title: "Ozymandias",
  grandparentTitle: "Breaking Bad",
  parentTitle: "Season 5",
  librarySectionTitle: "TV Shows",
  year: 2013,
  duration: 2_820_000,
  viewOffset: 120_000,
};

export const MOVIE: PlexItem = { type: "movie", title: "Arrival", librarySectionTitle: "Movies", year: 2016, duration: 6_960_000, viewOffset: 0 };

export function plexPayload(event: PlexEvent, item: PlexItem, who: PlexSender = {}): Record<string, unknown> {
  return {
    event,
    user: true,
    owner: true,
    Account: { id: 1, thumb: "https://plex.tv/users/abc/avatar?c=1", title: who.account ?? "elan" },
    Server: { title: "Homelab", uuid: "54664a3d8acc39983675640ec9ce00b70af9cc36" },
    Player: { local: true, publicAddress: "203.0.113.7", title: who.player ?? "Living Room TV", uuid: who.playerUuid ?? "r7o0yk8z5as0e1ev3a3g3o9f" },
    Metadata: {
      librarySectionType: item.type === "track" ? "artist" : item.type === "movie" ? "movie" : "show",
      ratingKey: "1936545",
      key: "/library/metadata/1936545",
      guid: "plex://episode/5d9c1275e9d5a1001f4e9f1a",
      librarySectionID: 2,
      addedAt: 1700000000,
      updatedAt: 1700000100,
      thumb: "/library/metadata/1936545/thumb/1700000100",
      ...item,
    },
  };
}

/** A small JPEG-looking part (SOI … EOI) of `bytes` bytes, as Plex attaches the poster. */
export function thumbBlob(bytes = 48 * 1024): Blob {
  const data = new Uint8Array(bytes);
  data.set([0xff, 0xd8, 0xff, 0xe0], 0);
  data.set([0xff, 0xd9], bytes - 2);
  return new Blob([data], { type: "image/jpeg" });
}

/** The request Plex would send: multipart with `payload`, plus `thumb` when given. */
export function plexRequestInit(payload: Record<string, unknown>, options: { thumb?: Blob } = {}): RequestInit {
  const form = new FormData();
  form.set("payload", JSON.stringify(payload));
  if (options.thumb) form.set("thumb", options.thumb, "thumb.jpg");
  return { method: "POST", body: form, headers: { "user-agent": "PlexMediaServer/1.40.0.7998-c29d4c0c8" } };
}

// A fake Lanyard REST API (https://github.com/Phineas/lanyard#api-docs): GET /v1/users/:id answers
// {success:true, data:{discord_status, activities, listening_to_spotify, spotify, …}} for accounts it "monitors", and
// 404 {success:false, error:{code:"user_not_monitored", message}} for the rest, exactly as Lanyard does.
//   POST /__control/users/:id  {discord_status, activities, spotify|null}  starts "monitoring" an account
//   POST /__control/outage     {status}  every /v1 call answers this status (0: back to normal)
//   GET  /__control/calls?id=  how many times /v1/users/:id was asked (to see the 15 s cache at work)
import { type PlatformServer, bodyOf, reply, startPlatformServer } from "./platform-server.ts";

export interface FakeSpotify {
  track_id: string | null;
  song: string;
  artist: string;
  album: string;
  album_art_url: string | null;
  timestamps?: { start: number; end: number };
}

export interface FakePresence {
  discord_status: "online" | "idle" | "dnd" | "offline";
  activities?: { name: string; type: number; details?: string | null; state?: string | null; id?: string }[];
  spotify?: FakeSpotify | null;
}

export interface FakeLanyard {
  origin: string;
  close(): Promise<void>;
}

export async function startFakeLanyard(): Promise<FakeLanyard> {
  const server: PlatformServer = await startPlatformServer("lanyard");
  const monitored = new Map<string, FakePresence>();
  const calls = new Map<string, number>();
  let outage = 0;

  server.route("GET", "/v1/users/:id", (req) => {
    const id = req.params.id ?? "";
    calls.set(id, (calls.get(id) ?? 0) + 1);
    if (outage) return reply(outage, { success: false, error: { code: "internal_error", message: "Something went wrong" } });
    if (!/^\d{5,25}$/.test(id)) return reply(400, { success: false, error: { code: "invalid_id", message: "The provided ID is not a valid Discord snowflake" } });
    const p = monitored.get(id);
    if (!p) return reply(404, { success: false, error: { code: "user_not_monitored", message: "User is not being monitored by Lanyard" } });
    const spotify = p.spotify ?? null;
    const activities = [...(p.activities ?? [])];
    // Lanyard lists Spotify among the activities too (type 2, name "Spotify") and lifts it into `spotify`.
    if (spotify) activities.push({ name: "Spotify", type: 2, details: spotify.song, state: spotify.artist, id: "spotify:1" });
    return reply(200, {
      success: true,
      data: {
        discord_user: { id, username: `user${id.slice(-4)}`, avatar: null, discriminator: "0", global_name: null },
        discord_status: p.discord_status,
        active_on_discord_desktop: p.discord_status !== "offline",
        active_on_discord_mobile: false,
        active_on_discord_web: false,
        listening_to_spotify: spotify !== null,
        spotify,
        activities,
        kv: {},
      },
    });
  });
  server.route("POST", "/__control/users/:id", (req) => {
    monitored.set(req.params.id ?? "", bodyOf<FakePresence>(req));
    return reply(200, { ok: true });
  });
  server.route("POST", "/__control/outage", (req) => {
    outage = bodyOf<{ status?: number }>(req).status ?? 0;
    return reply(200, { ok: true });
  });
  server.route("GET", "/__control/calls", (req) => reply(200, { calls: calls.get(req.query.get("id") ?? "") ?? 0 }));
  return { origin: server.origin, close: () => server.close() };
}

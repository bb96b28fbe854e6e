// The board's pure logic: Plex events applied to the state, players Plex never stopped, and the rendered embed.
import { describe, expect, it } from "vitest";
import { EMPTY_STATE, STALE_GRACE_MS, applyObservation, renderBoard } from "./board.ts";
import { type Observation, observationOf, passesFilters } from "./plex-payload.ts";

const T = 1_800_000_000_000;

function obs(event: string, extra: Record<string, unknown> = {}, at = T): Observation {
  const o = observationOf(
    { event, Account: { title: "elan" }, Player: { title: "TV", uuid: "tv-1" }, Metadata: { type: "track", title: "Hey Jude", grandparentTitle: "The Beatles", parentTitle: "1", librarySectionTitle: "Music", duration: 431_000, viewOffset: 61_000, ...extra } },
    at,
  );
  if (!o) throw new Error("not a playback event");
  return o;
}

describe("applyObservation", () => {
  it("play, pause, scrobble and stop move one player's line", () => {
    let s = applyObservation(EMPTY_STATE, obs("media.play"), T);
    expect(s.sessions.map((x) => x.state)).toEqual(["playing"]);
    s = applyObservation(s, obs("media.pause"), T + 1);
    expect(s.sessions.map((x) => x.state)).toEqual(["paused"]);
    s = applyObservation(s, obs("media.scrobble"), T + 2);
    expect(s.sessions.map((x) => x.state)).toEqual(["paused"]);
    s = applyObservation(s, obs("media.stop"), T + 3);
    expect(s).toEqual({ sessions: [], updatedAt: T + 3 });
  });

  it("drops a player Plex never stopped once its item should long be over", () => {
    const s = applyObservation(EMPTY_STATE, obs("media.play"), T);
    const later = T + (431_000 - 61_000) + STALE_GRACE_MS + 1;
    expect(renderBoard(s, later).embeds?.[0]?.title).toBe("Nothing playing");
    expect(renderBoard(s, T + 60_000).embeds?.[0]?.title).toBe("Now Playing");
  });

  it("ignores events that are not playback", () => {
    expect(observationOf({ event: "library.new" }, T)).toBeNull();
  });
});

describe("renderBoard", () => {
  it("renders tracks as song, artist — album, with position, and never mentions anyone", () => {
    const message = renderBoard(applyObservation(EMPTY_STATE, obs("media.play", { title: "@everyone hi" }), T), T);
    expect(message.allowed_mentions).toEqual({ parse: [] });
    expect(message.embeds?.[0]?.fields).toEqual([{ name: "▶️ @everyone hi", value: "The Beatles — 1\nelan on TV\n1:01 / 7:11" }]);
  });
});

describe("passesFilters", () => {
  it("empty lists allow all; names match case-insensitively", () => {
    const { session } = obs("media.play");
    expect(passesFilters(session, { plexUsers: [], libraries: [] })).toBe(true);
    expect(passesFilters(session, { plexUsers: ["ELAN"], libraries: ["music"] })).toBe(true);
    expect(passesFilters(session, { plexUsers: ["sam"], libraries: [] })).toBe(false);
    expect(passesFilters(session, { plexUsers: [], libraries: ["Movies"] })).toBe(false);
  });
});

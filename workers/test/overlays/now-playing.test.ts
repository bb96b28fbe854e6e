// The now-playing layer fed by Spotify, as a streamer's OBS source sees it: nothing polls while no source is
// connected; a source that connects gets the track within one poll; events come only when the track, the play state
// or the position (a seek) changes; Spotify's 429 pushes the next poll out by Retry-After; an expired token is
// refreshed once and the poll goes on; a refused grant stops polling and clears the track.
import { beforeAll, describe, expect, it } from "vitest";
import { type SeededTenant, seedTenant, withDb } from "../support/seed.ts";
import { fakeControl, oauthState } from "../connections/connection-harness.ts";
import { NOW_PLAYING_POLL_MS } from "../../src/overlays/now-playing-poller.ts";
import {
  alarmOf,
  callsOf,
  closeRenderer,
  connectSpotify,
  nextEvent,
  nowPlayingDocument,
  openRenderer,
  play,
  rateLimit,
  runAlarm,
  track,
} from "./spotify-harness.ts";
import { createOverlayAs } from "./support.ts";

let lab: SeededTenant;

beforeAll(async () => {
  lab = await withDb((db) => seedTenant(db, "Now playing lab"));
});

/** A tenant member with Spotify connected and an overlay showing it; nothing connected to the overlay yet. */
async function arrange(name: string) {
  const tenant = await withDb((db) => seedTenant(db, name));
  const { account, connectionId } = await connectSpotify(tenant, tenant.members.operator);
  const overlay = await createOverlayAs(tenant.members.operator, tenant, { name: "Main", document: nowPlayingDocument(connectionId) });
  return { tenant, account, connectionId, overlay };
}

describe("now playing from Spotify", () => {
  it("costs nothing without a renderer, polls while one is connected, and stops when it leaves", async () => {
    const { account, overlay } = await arrange("Idle lab");
    const song = track("Starlight");
    await play(account, song, { progressMs: 30_000 });
    // Created and published, but no source: no alarm, no call to Spotify.
    expect(await alarmOf(overlay.publicId)).toBeNull();
    expect(await callsOf(account)).toEqual([]);

    const renderer = await openRenderer(overlay.publicId);
    expect(renderer.hello.nowPlaying).toEqual([]);
    // The connect asked for a poll right away; the runtime runs it (or we do, whichever is first).
    await runAlarm(overlay.publicId);
    const first = await nextEvent(renderer.socket);
    expect(first.event).toMatchObject({
      type: "now-playing",
      source: "spotify",
      track: { title: "Starlight", artist: "Nebula Band", album: "Orbits", isPlaying: true, durationMs: 240_000 },
    });
    const shown = first.event.type === "now-playing" ? first.event.track : null;
    expect(shown?.artUrl).toMatch(/\/art\/.+\.svg\?size=300$/);
    expect(shown?.progressMs).toBeGreaterThanOrEqual(30_000);
    // The next poll is due one interval on.
    expect(await alarmOf(overlay.publicId)).not.toBeNull();

    await closeRenderer(renderer);
    const callsWhenLeft = (await callsOf(account)).length;
    // The next alarm finds nobody watching: it calls nobody and sets no further alarm.
    await runAlarm(overlay.publicId);
    expect(await alarmOf(overlay.publicId)).toBeNull();
    expect((await callsOf(account)).length).toBe(callsWhenLeft);

    // A source that comes back gets what plays at once, from the room, and polling resumes.
    const back = await openRenderer(overlay.publicId, first.seq);
    expect(back.hello.nowPlaying?.[0]?.track?.title).toBe("Starlight");
    await runAlarm(overlay.publicId);
    expect((await callsOf(account)).length).toBeGreaterThan(callsWhenLeft);
    await closeRenderer(back);
  });

  it("sends an event only when the track, the play state or the position changes", async () => {
    const { account, overlay } = await arrange("Change lab");
    const song = track("First Light");
    await play(account, song, { progressMs: 0 });
    const renderer = await openRenderer(overlay.publicId);
    await runAlarm(overlay.publicId);
    const first = await nextEvent(renderer.socket);
    expect(first.event).toMatchObject({ track: { title: "First Light", isPlaying: true } });
    const polled = (await callsOf(account)).length;

    // Three more polls of the same song playing on: no event.
    for (let i = 0; i < 3; i++) await runAlarm(overlay.publicId);
    expect((await callsOf(account)).length).toBeGreaterThanOrEqual(polled + 3);

    // Paused: the next frame the renderer gets is that, numbered right after the first.
    await play(account, song, { isPlaying: false, progressMs: 12_000 });
    await runAlarm(overlay.publicId);
    const paused = await nextEvent(renderer.socket);
    expect(paused.seq).toBe(first.seq + 1);
    expect(paused.event).toMatchObject({ track: { title: "First Light", isPlaying: false, progressMs: 12_000 } });
    await runAlarm(overlay.publicId);

    // A seek while paused, then another track, then nothing at all.
    await play(account, song, { isPlaying: false, progressMs: 100_000 });
    await runAlarm(overlay.publicId);
    expect((await nextEvent(renderer.socket)).event).toMatchObject({ track: { isPlaying: false, progressMs: 100_000 } });
    await play(account, track("Second Light"));
    await runAlarm(overlay.publicId);
    const second = await nextEvent(renderer.socket);
    expect(second).toMatchObject({ seq: first.seq + 3, event: { track: { title: "Second Light", isPlaying: true } } });
    await play(account, null);
    await runAlarm(overlay.publicId);
    expect((await nextEvent(renderer.socket)).event).toMatchObject({ type: "now-playing", track: null });
    await closeRenderer(renderer);
  });

  it("waits out Spotify's 429 by its Retry-After, then polls at the usual pace again", async () => {
    const { account, overlay } = await arrange("Rate lab");
    await play(account, track("Slow Down"));
    const renderer = await openRenderer(overlay.publicId);
    await runAlarm(overlay.publicId);
    await nextEvent(renderer.socket);

    await rateLimit(account, 120);
    const before = Date.now();
    await runAlarm(overlay.publicId);
    expect((await callsOf(account)).at(-1)?.status).toBe(429);
    expect(await alarmOf(overlay.publicId)).toBeGreaterThanOrEqual(before + 120_000);

    // When that alarm comes, Spotify answers again and the pace is back to one interval.
    await play(account, track("Speed Up"));
    await runAlarm(overlay.publicId);
    const after = Date.now();
    expect((await nextEvent(renderer.socket)).event).toMatchObject({ track: { title: "Speed Up" } });
    expect(await alarmOf(overlay.publicId)).toBeLessThanOrEqual(after + NOW_PLAYING_POLL_MS);
    await closeRenderer(renderer);
  });

  it("refreshes an expired token once and goes on; a refused refresh stops polling and clears the track", async () => {
    const { account, overlay } = await arrange("Refresh lab");
    await play(account, track("Before Expiry"));
    const renderer = await openRenderer(overlay.publicId);
    await runAlarm(overlay.publicId);
    await nextEvent(renderer.socket);

    // Spotify: 401 "The access token expired" → one refresh_token grant → the same poll succeeds.
    await fakeControl("spotify", "expire-access-tokens", { accountId: account });
    await play(account, track("After Refresh"));
    await runAlarm(overlay.publicId);
    expect((await nextEvent(renderer.socket)).event).toMatchObject({ track: { title: "After Refresh" } });
    const grants = (await oauthState("spotify", account)).tokenRequests.filter((r) => r.grantType === "refresh_token");
    expect(grants).toEqual([{ accountId: account, grantType: "refresh_token", hadVerifier: false, ok: true, clientAuth: "basic" }]);

    // The user removes the app on Spotify: the refresh is refused; the overlay shows nothing and polling stops.
    await fakeControl("spotify", "revoke-grants", { accountId: account });
    await fakeControl("spotify", "expire-access-tokens", { accountId: account });
    await runAlarm(overlay.publicId);
    expect((await nextEvent(renderer.socket)).event).toMatchObject({ type: "now-playing", track: null });
    expect(await alarmOf(overlay.publicId)).toBeNull();
    await closeRenderer(renderer);
  });

  it("a layer naming another tenant's connection reads nothing from it", async () => {
    const victim = await arrange("Victim lab");
    await play(victim.account, track("Private Song"));
    const overlay = await createOverlayAs(lab.members.operator, lab, { name: "Thief", document: nowPlayingDocument(victim.connectionId) });
    const renderer = await openRenderer(overlay.publicId);
    await runAlarm(overlay.publicId);
    expect(await alarmOf(overlay.publicId)).toBeNull();
    expect(await callsOf(victim.account)).toEqual([]);
    await closeRenderer(renderer);
  });
});

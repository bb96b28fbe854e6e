// YouTube song requests as a streamer and their viewers see them: songs added by link from the dashboard or with !sr
// in Twitch chat (looked up on the fake YouTube, one quota unit each, refused with a reason when they break a rule),
// the queue run by operators, the current song on the OBS overlay's now-playing layer (source "youtube"), the next
// song starting by itself when the current one ran out (the SongQueue alarm), and another tenant's queue out of reach.
import { auditLog, songRequests } from "@nebula/schema";
import { and, eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { chat, chatAndWait, fake, seedChatLab, sentTo, TWITCH, twitchChat, WAIT } from "../chat-bot/chat-bot-harness.ts";
import type { Signed } from "../go-live/go-live-harness.ts";
import { bridgeTraffic, callWorker, envNamed, recordingQueue } from "../support/worker-call.ts";
import { closeRenderer, nextEvent, openRenderer } from "../overlays/spotify-harness.ts";
import { type SeededTenant, seedTenant, withDb } from "../support/seed.ts";
import {
  addSong,
  letSongRunOut,
  lookupsOf,
  publishVideos,
  queueOf,
  quotaUsed,
  runSongAlarm,
  songAlarm,
  songOverlay,
  songsApi,
  songsPath,
  videoId,
  watchLink,
} from "./song-requests-harness.ts";

const newTenant = (name: string) => withDb((db) => seedTenant(db, name));

async function refusal(tenant: SeededTenant, video: string) {
  const res = await songsApi<{ error: { code: string; message: string; details: { reason: string } } }>(tenant.members.operator, "POST", songsPath(tenant, "/queue"), { video });
  return { status: res.status, code: res.body.error.code, reason: res.body.error.details?.reason, message: res.body.error.message };
}

describe("song requests from the dashboard", () => {
  it("a link is looked up once (one quota unit): the first song plays at once, the next waits, and the queue shows both", async () => {
    const tenant = await newTenant("Song lab");
    const [first, second] = await publishVideos({ title: "Starlight Drive", channelTitle: "Nebula Band", duration: "PT3M33S" }, { title: "Orbit Song", channelTitle: "Moon Crew", duration: "PT4M2S" });
    const quotaBefore = await quotaUsed();

    const playing = await addSong(tenant, watchLink(first!.id));
    expect(playing.position).toBe(0);
    expect(playing.request).toMatchObject({ videoId: first!.id, title: "Starlight Drive", channelTitle: "Nebula Band", durationSeconds: 213, status: "playing", requestedBy: { name: tenant.members.operator.name, platform: "dashboard" } });
    expect(playing.request.thumbnailUrl).toBe(`https://i.ytimg.com/vi/${first!.id}/hqdefault.jpg`);
    const waiting = await addSong(tenant, `https://youtu.be/${second!.id}?si=share`);
    expect(waiting).toMatchObject({ position: 1, request: { title: "Orbit Song", status: "queued", durationSeconds: 242 } });

    expect(await lookupsOf(first!.id)).toBe(1);
    expect(await lookupsOf(second!.id)).toBe(1);
    // videos.list costs one unit each; other suites may spend units meanwhile, so at least two.
    expect((await quotaUsed()) - quotaBefore).toBeGreaterThanOrEqual(2);

    const queue = await queueOf(tenant);
    expect(queue.playing?.title).toBe("Starlight Drive");
    expect(queue.queue.map((s) => s.title)).toEqual(["Orbit Song"]);
    expect(queue.settings).toEqual({ enabled: true, commandsEnabled: true, maxDurationSeconds: 600, perUserLimit: 2, queueLimit: 50 });
    // The song's end is timed by the tenant's SongQueue alarm.
    expect(await songAlarm(tenant)).not.toBeNull();

    const audits = await withDb((db) => db.select().from(auditLog).where(and(eq(auditLog.tenantId, tenant.tenantId), eq(auditLog.action, "song_request.add"))));
    expect(audits).toHaveLength(2);
    expect(audits.every((a) => a.actorId === tenant.members.operator.userId)).toBe(true);
  });

  it("refuses live streams, videos that can't be embedded, age-restricted, unavailable and too long videos, with the reason", async () => {
    const tenant = await newTenant("Refusal lab");
    const [live, locked, adult, gone, long, upcoming] = await publishVideos(
      { title: "24/7 lofi radio", live: "live" },
      { title: "Label exclusive", embeddable: false },
      { title: "Adults only", ageRestricted: true },
      { title: "Private upload", privacyStatus: "private" },
      { title: "Extended mix", duration: "PT12M5S" },
      { title: "Premiere tonight", live: "upcoming" },
    );
    expect(await refusal(tenant, live!.id)).toMatchObject({ status: 400, reason: "live" });
    expect(await refusal(tenant, upcoming!.id)).toMatchObject({ status: 400, reason: "live" });
    expect(await refusal(tenant, locked!.id)).toMatchObject({ status: 400, reason: "not_embeddable", message: expect.stringMatching(/embedding/) });
    expect(await refusal(tenant, adult!.id)).toMatchObject({ status: 400, reason: "age_restricted" });
    expect(await refusal(tenant, gone!.id)).toMatchObject({ status: 400, reason: "unavailable" });
    expect(await refusal(tenant, videoId())).toMatchObject({ status: 400, reason: "unavailable" });
    expect(await refusal(tenant, long!.id)).toMatchObject({ status: 400, reason: "too_long", message: "That video is 12:05 long; the limit is 10:00." });
    // Not a link at all: refused without asking YouTube.
    expect(await refusal(tenant, "https://vimeo.com/12345")).toMatchObject({ status: 400, reason: "invalid_link" });

    // An admin raises the limit: the long mix is accepted.
    const settings = { enabled: true, commandsEnabled: true, maxDurationSeconds: 900, perUserLimit: 2, queueLimit: 50 };
    expect((await songsApi(tenant.members.admin, "PUT", songsPath(tenant, "/settings"), settings)).status).toBe(200);
    expect((await addSong(tenant, long!.id)).request.title).toBe("Extended mix");
    expect((await queueOf(tenant)).queue).toEqual([]);
  });

  it("a duplicate, a full queue and closed requests are refused before YouTube is asked", async () => {
    const tenant = await newTenant("Limits lab");
    const [a, b, c] = await publishVideos({ title: "A" }, { title: "B" }, { title: "C" });
    await addSong(tenant, a!.id);
    expect(await refusal(tenant, a!.id)).toMatchObject({ status: 409, reason: "duplicate" });
    expect(await lookupsOf(a!.id)).toBe(1);

    await songsApi(tenant.members.admin, "PUT", songsPath(tenant, "/settings"), { enabled: true, commandsEnabled: true, maxDurationSeconds: 600, perUserLimit: 2, queueLimit: 1 });
    await addSong(tenant, b!.id);
    expect(await refusal(tenant, c!.id)).toMatchObject({ status: 409, reason: "queue_full", message: "The queue is full (1 songs)." });

    await songsApi(tenant.members.admin, "PUT", songsPath(tenant, "/settings"), { enabled: false, commandsEnabled: true, maxDurationSeconds: 600, perUserLimit: 2, queueLimit: 50 });
    expect(await refusal(tenant, c!.id)).toMatchObject({ status: 409, reason: "closed" });
    expect(await lookupsOf(c!.id)).toBe(0);
  });

  it("operators remove, move, skip and clear; every change is audited", async () => {
    const tenant = await newTenant("Queue lab");
    const videos = await publishVideos({ title: "One" }, { title: "Two" }, { title: "Three" }, { title: "Four" });
    const added = [];
    for (const v of videos) added.push(await addSong(tenant, v.id));
    const [, two, three, four] = added.map((a) => a.request);
    const op = tenant.members.operator;

    const moved = await songsApi<{ queue: { title: string }[] }>(op, "POST", songsPath(tenant, `/queue/${four!.id}/move`), { position: 1 });
    expect(moved.status).toBe(200);
    expect(moved.body.queue.map((s) => s.title)).toEqual(["Four", "Two", "Three"]);
    await songsApi(op, "POST", songsPath(tenant, `/queue/${two!.id}/move`), { position: 99 });
    expect((await queueOf(tenant)).queue.map((s) => s.title)).toEqual(["Four", "Three", "Two"]);

    expect((await songsApi(op, "DELETE", songsPath(tenant, `/queue/${three!.id}`))).status).toBe(204);
    expect((await songsApi(op, "DELETE", songsPath(tenant, `/queue/${three!.id}`))).status).toBe(404);

    const skipped = await songsApi<{ playing: { title: string } | null; queue: { title: string }[]; history: { title: string; status: string }[] }>(op, "POST", songsPath(tenant, "/skip"));
    expect(skipped.body.playing?.title).toBe("Four");
    expect(skipped.body.queue.map((s) => s.title)).toEqual(["Two"]);
    expect(skipped.body.history.map((s) => [s.title, s.status])).toEqual(expect.arrayContaining([["One", "skipped"], ["Three", "removed"]]));

    const cleared = await songsApi<{ playing: { title: string } | null; queue: unknown[] }>(op, "DELETE", songsPath(tenant, "/queue"));
    expect(cleared.body.playing?.title).toBe("Four");
    expect(cleared.body.queue).toEqual([]);

    // Viewers read the queue but cannot run it; operators cannot change its rules.
    expect((await songsApi(tenant.members.viewer, "POST", songsPath(tenant, "/skip"))).status).toBe(403);
    expect((await songsApi(op, "PUT", songsPath(tenant, "/settings"), { enabled: true, commandsEnabled: true, maxDurationSeconds: 600, perUserLimit: 2, queueLimit: 50 })).status).toBe(403);

    const actions = (await withDb((db) => db.select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.tenantId, tenant.tenantId)))).map((a) => a.action);
    for (const action of ["song_request.move", "song_request.remove", "song_request.skip", "song_request.clear"]) expect(actions).toContain(action);
  });

  it("another tenant's songs answer 404 and are never touched", async () => {
    const tenant = await newTenant("Home lab");
    const other = await newTenant("Other lab");
    const [mine] = await publishVideos({ title: "Mine" });
    const song = (await addSong(tenant, mine!.id)).request;
    const owner = other.members.owner;

    expect((await songsApi(owner, "DELETE", songsPath(other, `/queue/${song.id}`))).status).toBe(404);
    expect((await songsApi(owner, "POST", songsPath(other, `/queue/${song.id}/move`), { position: 1 })).status).toBe(404);
    expect((await songsApi(owner, "GET", songsPath(tenant))).status).toBe(404);
    expect((await queueOf(other, owner)).playing).toBeNull();
    // The other tenant's skip skips nothing here.
    await songsApi(owner, "POST", songsPath(other, "/skip"));
    expect((await queueOf(tenant)).playing?.id).toBe(song.id);
  });
});

describe("song requests on the overlay", () => {
  it("the current song reaches a connected renderer; skip sends the next; a renderer that connects later gets it in hello", async () => {
    const tenant = await newTenant("Overlay song lab");
    const overlay = await songOverlay(tenant);
    const renderer = await openRenderer(overlay.publicId);
    expect(renderer.hello.nowPlaying).toEqual([]);
    const [first, second] = await publishVideos({ title: "Neon Lights", channelTitle: "Synth Club", duration: "PT3M" }, { title: "Deep Space", channelTitle: "Void", duration: "PT5M" });

    await addSong(tenant, first!.id);
    const shown = (await nextEvent(renderer.socket)).event;
    expect(shown).toMatchObject({
      type: "now-playing",
      source: "youtube",
      track: { title: "Neon Lights", artist: "Synth Club", album: null, isPlaying: true, durationMs: 180_000, requestedBy: tenant.members.operator.name, artUrl: `https://i.ytimg.com/vi/${first!.id}/hqdefault.jpg` },
    });
    await addSong(tenant, second!.id);

    expect((await songsApi(tenant.members.operator, "POST", songsPath(tenant, "/skip"))).status).toBe(200);
    const next = (await nextEvent(renderer.socket)).event;
    expect(next).toMatchObject({ type: "now-playing", source: "youtube", track: { title: "Deep Space", artist: "Void", durationMs: 300_000 } });

    const later = await openRenderer(overlay.publicId);
    expect(later.hello.nowPlaying?.find((e) => e.source === "youtube")?.track?.title).toBe("Deep Space");

    // The last song skipped: the layer shows nothing.
    await songsApi(tenant.members.operator, "POST", songsPath(tenant, "/skip"));
    expect((await nextEvent(renderer.socket)).event).toMatchObject({ type: "now-playing", source: "youtube", track: null });
    await closeRenderer(renderer);
    await closeRenderer(later);
  });

  it("an overlay made while a song plays shows it from the start", async () => {
    const tenant = await newTenant("Late overlay lab");
    const [song] = await publishVideos({ title: "Already On", channelTitle: "Early Bird" });
    await addSong(tenant, song!.id);
    const overlay = await songOverlay(tenant);
    const renderer = await openRenderer(overlay.publicId);
    expect(renderer.hello.nowPlaying?.find((e) => e.source === "youtube")?.track).toMatchObject({ title: "Already On", artist: "Early Bird" });
    await closeRenderer(renderer);
  });

  it("when the song has run out, the SongQueue alarm marks it played and the next one starts on the overlay", async () => {
    const tenant = await newTenant("Auto-advance lab");
    const overlay = await songOverlay(tenant);
    const renderer = await openRenderer(overlay.publicId);
    const [first, second] = await publishVideos({ title: "Short One", duration: "PT1M" }, { title: "Up Next", duration: "PT2M" });
    const playing = (await addSong(tenant, first!.id)).request;
    await addSong(tenant, second!.id);
    expect((await nextEvent(renderer.socket)).event).toMatchObject({ track: { title: "Short One" } });

    // The alarm before the song is over changes nothing.
    expect(await runSongAlarm(tenant)).toBe(true);
    expect((await queueOf(tenant)).playing?.title).toBe("Short One");

    await letSongRunOut(tenant, playing.id);
    expect(await runSongAlarm(tenant)).toBe(true);
    expect((await nextEvent(renderer.socket)).event).toMatchObject({ type: "now-playing", source: "youtube", track: { title: "Up Next", durationMs: 120_000 } });
    const [row] = await withDb((db) => db.select().from(songRequests).where(eq(songRequests.id, playing.id)));
    expect(row?.status).toBe("played");
    expect((await queueOf(tenant)).playing?.title).toBe("Up Next");
    // The next song's end is timed in turn.
    expect(await songAlarm(tenant)).not.toBeNull();
    await closeRenderer(renderer);
  });
});

describe("song requests in chat", () => {
  it("!sr answers with the title and place, or why not; !song, !wrongsong and a moderator's !skip", async () => {
    const lab = await seedChatLab();
    const [a, b, c, d, long] = await publishVideos({ title: "Alpha", duration: "PT2M5S" }, { title: "Bravo" }, { title: "Charlie" }, { title: "Delta" }, { title: "Marathon", duration: "PT1H" });
    const viewer = { chatter: "555101", login: "ada" };
    const replies = async (count: number) =>
      vi.waitFor(async () => {
        const messages = (await sentTo(lab)).map((m) => m.message);
        expect(messages).toHaveLength(count);
        return messages;
      }, WAIT);

    await chatAndWait(lab, { ...viewer, text: `!sr ${watchLink(a!.id)}` });
    expect((await replies(1))[0]).toBe("@ada, now playing: Alpha (2:05).");
    await chatAndWait(lab, { ...viewer, text: `!sr https://youtu.be/${b!.id}` });
    await chatAndWait(lab, { ...viewer, text: `!sr ${c!.id}` });
    await chatAndWait(lab, { ...viewer, text: `!sr ${d!.id}` });
    await chatAndWait(lab, { chatter: "555102", login: "bob", text: `!sr ${long!.id}` });
    await chatAndWait(lab, { chatter: "555102", login: "bob", text: "!sr not a song" });
    expect((await replies(6)).slice(1)).toEqual([
      "@ada, added Bravo (3:33) at #1 in the queue.",
      "@ada, added Charlie (3:33) at #2 in the queue.",
      "@ada, You already have 2 songs waiting (the limit is 2).",
      "@bob, That video is 1:00:00 long; the limit is 10:00.",
      "@bob, That is not a YouTube link or video id.",
    ]);

    await chatAndWait(lab, { chatter: "555103", login: "cy", text: "!song" });
    expect((await replies(7))[6]).toBe(`Now playing: Alpha by Channel, requested by ada: https://youtu.be/${a!.id}`);

    await chatAndWait(lab, { ...viewer, text: "!wrongsong" });
    expect((await replies(8))[7]).toBe("@ada, removed Charlie from the queue.");

    // A viewer's !skip is ignored; a moderator's skips.
    await chatAndWait(lab, { chatter: "555103", login: "cy", text: "!skip" });
    await chatAndWait(lab, { chatter: "555104", login: "mod", badges: ["moderator"], text: "!skip" });
    expect((await replies(9))[8]).toBe("Skipped Alpha. Now playing: Bravo.");

    // An id that reads like shouting is a request too, not caps spam.
    const [shouty] = await publishVideos({ id: videoId().toUpperCase(), title: "Echo" });
    await chatAndWait(lab, { chatter: "555105", login: "dee", text: `!sr ${shouty!.id}` });
    expect((await replies(10))[9]).toBe("@dee, added Echo (3:33) at #1 in the queue.");

    // The link rule lets "!sr <link>" through, but not a link on its own.
    expect((await twitchChat()).deletions.filter((d) => d.broadcaster_id === lab.broadcasterId)).toEqual([]);
    const { chatMessageId } = await chatAndWait(lab, { ...viewer, text: `watch this ${watchLink(a!.id)}` });
    expect((await twitchChat()).deletions.filter((d) => d.broadcaster_id === lab.broadcasterId).map((d) => d.message_id)).toEqual([chatMessageId]);

    const queue = await withDb((db) => db.select().from(songRequests).where(eq(songRequests.tenantId, lab.tenantId)));
    expect(Object.fromEntries(queue.map((s) => [s.title, s.status]))).toEqual({ Alpha: "skipped", Bravo: "playing", Charlie: "removed", Echo: "queued" });
    expect(queue.find((s) => s.title === "Bravo")).toMatchObject({ requestedByPlatform: "twitch", requestedById: "555101", requestedByName: "ada" });
  });

  it("!sr reads the tenant's song settings from Postgres once: a refused request costs the settings and the queue's counts", async () => {
    const lab = await seedChatLab();
    const [song] = await publishVideos({ title: "Foxtrot" });
    await addSong(lab, song!.id);
    const { queue } = recordingQueue();
    // Straight into the Worker under a Postgres application name of its own, so the local bridge counts this line's queries.
    const line = async (text: string, applicationName: string) => {
      const signed = await fake<Signed>(TWITCH, "/__control/twitch/chat-message", { broadcaster_user_id: lab.broadcasterId, chatter_user_id: "555301", chatter_user_login: "fay", text });
      const res = await callWorker("/webhooks/twitch", { method: "POST", headers: signed.headers, body: signed.body }, { ...envNamed(applicationName), DISCORD_QUEUE: queue });
      expect(res.status).toBe(204);
    };
    // The first line of the channel caches its bot, anti-spam settings and commands (chat-config.ts).
    await line("hello", `songs-cold-${crypto.randomUUID().slice(0, 8)}`);

    const warm = `songs-sr-${crypto.randomUUID().slice(0, 8)}`;
    await line(`!sr ${watchLink(song!.id)}`, warm);
    await vi.waitFor(async () => expect((await sentTo(lab)).map((m) => m.message)).toEqual(["@fay, That song is already in the queue."]), WAIT);
    // The settings once (anti-spam's link exemption, the command switch and the queue's limits share it), the counts once.
    expect(await bridgeTraffic(warm)).toEqual({ connections: 1, queries: 2 });
    expect(await lookupsOf(song!.id)).toBe(1);
  });

  it("with the commands off, !sr is left to a custom command of that name", async () => {
    const lab = await seedChatLab();
    await songsApi(lab.members.admin, "PUT", songsPath(lab, "/settings"), { enabled: true, commandsEnabled: false, maxDurationSeconds: 600, perUserLimit: 2, queueLimit: 50 });
    const res = await songsApi(lab.members.owner, "POST", `/api/t/${lab.tenantId}/streams/chat-bot/commands`, { name: "sr", response: "Song requests are on the website, {user}", globalCooldownSeconds: 0 });
    expect(res.status).toBe(201);
    const [song] = await publishVideos({ title: "Ignored" });
    await chat(lab, { chatter: "555201", login: "eve", text: `!sr ${song!.id}` });
    await vi.waitFor(async () => expect((await sentTo(lab)).map((m) => m.message)).toEqual(["Song requests are on the website, eve"]), WAIT);
    expect(await lookupsOf(song!.id)).toBe(0);
  });
});

// Now Playing end to end: Plex (multipart, with its poster part) → the Worker → the guild's board → the one message in
// the fake Discord, created once, edited in place, recreated when deleted; /nowplaying; and the URL as the credential.
import { exports } from "cloudflare:workers";
import { api } from "@nebula/schema";
import { beforeAll, describe, expect, it } from "vitest";
import { EPISODE, MOVIE, plexPayload, plexRequestInit, thumbBlob } from "../../../test/fakes/plex.ts";
import { signer } from "../discord/fake-discord.ts";
import { type SeededTenant, seedTenant, url, withDb } from "../support/seed.ts";
import {
  type NowPlayingLab,
  call,
  channelMessages,
  deleteMessage,
  embedOf,
  holdBoard,
  plex,
  render,
  seedNowPlayingLab,
  setUpNowPlaying,
  settingsPath,
} from "./now-playing-harness.ts";

let lab: NowPlayingLab;
let webhookUrl: string;

beforeAll(async () => {
  lab = await seedNowPlayingLab();
  const settings = await setUpNowPlaying(lab);
  webhookUrl = settings.webhookUrl;
  await holdBoard(lab);
});

describe("the Now Playing message", () => {
  it("a burst (play, then pause) becomes one message; resume and stop edit that same message in place", async () => {
    expect(new URL(webhookUrl).pathname).toMatch(/^\/webhooks\/plex\/nc_plex_[A-Za-z0-9_-]{43}$/);
    const play = await plex(webhookUrl, "media.play", EPISODE);
    expect(play.status, await play.clone().text()).toBe(202);
    expect(await play.json()).toEqual({ status: "queued" });
    expect((await plex(webhookUrl, "media.pause", { ...EPISODE, viewOffset: 125_000 })).status).toBe(202);
    // Nothing reaches Discord until the board renders: the burst is coalesced.
    expect(await channelMessages(lab)).toEqual([]);

    expect(await render(lab)).toBe(true);
    let messages = await channelMessages(lab);
    expect(messages).toHaveLength(1);
    const first = messages[0];
    expect(first?.edits ?? 0).toBe(0);
    expect(embedOf(first).title).toBe("Now Playing");
    expect(embedOf(first).fields?.[0]).toEqual({ name: "⏸️ Breaking Bad", value: "Season 5 · Ozymandias\nelan on Living Room TV\n2:05 / 47:00" });
    expect(first?.allowed_mentions).toEqual({ parse: [] });

    await plex(webhookUrl, "media.resume", EPISODE);
    await render(lab);
    messages = await channelMessages(lab);
    expect(messages.map((m) => m.id)).toEqual([first?.id]);
    expect(messages[0]?.edits).toBe(1);
    expect(embedOf(messages[0]).fields?.[0]?.name).toBe("▶️ Breaking Bad");

    await plex(webhookUrl, "media.stop", EPISODE);
    await render(lab);
    messages = await channelMessages(lab);
    expect(messages.map((m) => m.id)).toEqual([first?.id]);
    expect(messages[0]?.edits).toBe(2);
    expect(embedOf(messages[0]).title).toBe("Nothing playing");
  });

  it("two players show as two lines, and /nowplaying answers at once from the board's state", async () => {
    await plex(webhookUrl, "media.play", MOVIE, { account: "sam", player: "Bedroom", playerUuid: "bedroom-1" });
    await plex(webhookUrl, "media.play", EPISODE, { account: "elan" });
    await render(lab);
    const [message] = await channelMessages(lab);
    expect(embedOf(message).fields?.map((f) => f.name)).toEqual(["▶️ Breaking Bad", "▶️ Arrival (2016)"]);

    const { request } = await signer.request(url("/interactions"), signer.slashCommand("nowplaying", { guildId: lab.guildId }));
    const res = await exports.default.fetch(request);
    expect(res.status).toBe(200);
    const body = await res.json<{ type: number; data: { embeds: { title: string; fields: { name: string }[] }[]; allowed_mentions: unknown } }>();
    expect(body.type).toBe(4);
    expect(body.data.embeds[0]?.title).toBe("Now Playing");
    expect(body.data.embeds[0]?.fields.map((f) => f.name)).toEqual(["▶️ Breaking Bad", "▶️ Arrival (2016)"]);
    expect(body.data.allowed_mentions).toEqual({ parse: [] });

    // The settings page shows the same state.
    const view = api.NowPlayingSettingsView.parse(await (await call(lab.members.admin, settingsPath(lab))).json());
    expect(view.current.sessions.map((s) => s.account)).toEqual(["elan", "sam"]);
  });

  it("a message deleted in Discord is posted again on the next change", async () => {
    const [before] = await channelMessages(lab);
    await deleteMessage(lab, before?.id ?? "");
    await plex(webhookUrl, "media.pause", MOVIE, { account: "sam", player: "Bedroom", playerUuid: "bedroom-1" });
    await render(lab);
    const messages = await channelMessages(lab);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.id).not.toBe(before?.id);
    expect(embedOf(messages[0]).fields?.map((f) => f.name)).toEqual(["⏸️ Arrival (2016)", "▶️ Breaking Bad"]);
  });

  it("/nowplaying in a server without Now Playing says nothing is playing", async () => {
    const { request } = await signer.request(url("/interactions"), signer.slashCommand("nowplaying", { guildId: "400000000000000777" }));
    const body = await (await exports.default.fetch(request)).json<{ type: number; data: { content: string } }>();
    expect(body).toMatchObject({ type: 4, data: { content: expect.stringContaining("Nothing is playing") } });
  });
});

describe("what Plex may send", () => {
  it("other events are acknowledged and ignored; filtered accounts and libraries never show", async () => {
    const filtered = await seedNowPlayingLab("Filtered lab");
    const { webhookUrl: hook } = await setUpNowPlaying(filtered, { plexUsers: ["Elan"], libraries: ["TV Shows"] });
    await holdBoard(filtered);
    expect(await (await plex(hook, "library.new", MOVIE)).json()).toMatchObject({ status: "ignored" });
    expect(await (await plex(hook, "media.play", MOVIE)).json()).toEqual({ status: "filtered" });
    expect(await (await plex(hook, "media.play", EPISODE, { account: "guest" })).json()).toEqual({ status: "filtered" });
    expect(await render(filtered)).toBe(false);
    expect(await (await plex(hook, "media.play", EPISODE, { account: "elan" })).json()).toEqual({ status: "queued" });
  });

  it("a body over 2 MB is refused with 413 in the JSON error model", async () => {
    const init = plexRequestInit(plexPayload("media.play", EPISODE), { thumb: thumbBlob(2 * 1024 * 1024 + 1024) });
    const res = await exports.default.fetch(url(new URL(webhookUrl).pathname), init);
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: "PAYLOAD_TOO_LARGE", requestId: expect.any(String) } });
  });

  it("a body that is not Plex's multipart, or a payload that is not JSON, is a 4xx, never a 500", async () => {
    const path = new URL(webhookUrl).pathname;
    const json = await exports.default.fetch(url(path), { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(json.status).toBe(415);
    const form = new FormData();
    form.set("payload", "{not json");
    const bad = await exports.default.fetch(url(path), { method: "POST", body: form });
    expect(bad.status).toBe(400);
    const noPayload = new FormData();
    noPayload.set("thumb", thumbBlob(), "thumb.jpg");
    expect((await exports.default.fetch(url(path), { method: "POST", body: noPayload })).status).toBe(400);
  });

  it("a wrong token is 401 (the same as a malformed one), and a client guessing tokens is rate-limited", async () => {
    const ip = { "cf-connecting-ip": "198.51.100.23" };
    const wrong = webhookUrl.replace(/.{6}$/, "AAAAAA");
    const res = await plex(wrong, "media.play", EPISODE, {}, ip);
    expect(res.status).toBe(401);
    const body = await res.json<{ error: { code: string; message: string } }>();
    expect(body.error.code).toBe("UNAUTHORIZED");
    const malformed = await plex(`${new URL(webhookUrl).origin}/webhooks/plex/guess`, "media.play", EPISODE, {}, ip);
    expect(malformed.status).toBe(401);
    expect((await malformed.json<{ error: { message: string } }>()).error.message).toBe(body.error.message);
    let status = 401;
    for (let i = 0; i < 40 && status === 401; i++) status = (await plex(wrong, "media.stop", EPISODE, {}, ip)).status;
    expect(status).toBe(429);
    // The real Plex server, elsewhere, is not affected.
    expect((await plex(webhookUrl, "media.stop", MOVIE, { account: "nobody" })).status).toBe(202);
  });
});

describe("settings", () => {
  it("the URL is shown once; rotating it stops the old one at once", async () => {
    const rotating = await seedNowPlayingLab("Rotating lab");
    const first = await setUpNowPlaying(rotating);
    const again = await call(rotating.members.admin, settingsPath(rotating), { method: "PUT", body: JSON.stringify({ channelId: rotating.channelId, plexUsers: ["elan"] }) });
    expect(again.status).toBe(200);
    const view = await again.json<Record<string, unknown>>();
    expect(view).not.toHaveProperty("webhookUrl");
    expect(view.plexUsers).toEqual(["elan"]);
    // Warm the token's cache entry, so the rotation must drop it.
    expect((await plex(first.webhookUrl, "media.stop", EPISODE)).status).toBe(202);

    const rotated = await call(rotating.members.admin, `${settingsPath(rotating)}/rotate-token`, { method: "POST" });
    expect(rotated.status).toBe(200);
    const { webhookUrl: next } = api.NowPlayingSettingsWithUrl.parse(await rotated.json());
    expect(next).not.toBe(first.webhookUrl);
    expect((await plex(first.webhookUrl, "media.stop", EPISODE)).status).toBe(401);
    expect((await plex(next, "media.stop", EPISODE)).status).toBe(202);

    expect((await call(rotating.members.admin, settingsPath(rotating), { method: "DELETE" })).status).toBe(204);
    expect((await plex(next, "media.stop", EPISODE)).status).toBe(401);
    expect((await call(rotating.members.admin, settingsPath(rotating))).status).toBe(404);
  });

  it("bad settings are a 400 with the issues", async () => {
    const res = await call(lab.members.admin, settingsPath(lab), { method: "PUT", body: JSON.stringify({ channelId: "general", plexUsers: "elan" }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: "BAD_REQUEST", details: { issues: expect.any(Array) } } });
  });

  it("a channel of another tenant's server is refused with 400 naming the field, and nothing is saved", async () => {
    const fresh = await seedNowPlayingLab("Fresh Plex lab");
    const victim = await seedNowPlayingLab("Victim Plex lab");
    const created = await call(fresh.members.admin, settingsPath(fresh), { method: "PUT", body: JSON.stringify({ channelId: victim.channelId }) });
    expect(created.status).toBe(400);
    expect(await created.json()).toMatchObject({ error: { code: "BAD_REQUEST", message: "That channel is not in this server", details: { field: "channelId" } } });
    expect((await call(fresh.members.admin, settingsPath(fresh))).status).toBe(404);

    const moved = await call(lab.members.admin, settingsPath(lab), { method: "PUT", body: JSON.stringify({ channelId: victim.channelId }) });
    expect(moved.status).toBe(400);
    expect((await (await call(lab.members.admin, settingsPath(lab))).json<{ channelId: string }>()).channelId).toBe(lab.channelId);
  });

  it("needs the tenant role and Manage Server in the guild; another tenant gets 404", async () => {
    expect((await call(lab.members.operator, settingsPath(lab), { method: "PUT", body: JSON.stringify({ channelId: lab.channelId }) })).status).toBe(403);
    // The viewer is a tenant member and in the guild, but without Manage Server there.
    const viewer = await call(lab.members.viewer, settingsPath(lab));
    expect(viewer.status).toBe(403);
    expect(await viewer.json()).toMatchObject({ error: { details: { reason: "missing_manage_guild" } } });
    const other: SeededTenant = await withDb((db) => seedTenant(db, "Other lab"));
    expect((await call(other.members.owner, settingsPath(lab))).status).toBe(404);
    expect((await call(other.members.owner, `/api/t/${other.tenantId}/discord/guilds/${lab.guildId}/now-playing`)).status).toBe(404);
  });
});

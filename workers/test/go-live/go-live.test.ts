// Go-live notifications end to end: a platform event in (signed webhook, poll, Discord presence) → the notice the
// fake Discord received out; one notice per stream session whatever the number of sources; the end edits it in place.
import { exports } from "cloudflare:workers";
import { guilds, streamSessions, trackedStreamers, users } from "@nebula/schema";
import { eq } from "drizzle-orm";
import { describe, expect, it, vi } from "vitest";
import { handleGatewayEvent } from "../../src/discord-gateway/gateway-events.ts";
import { pollGoLive } from "../../src/go-live/poll.ts";
import "../../src/go-live/sources.ts";
import { discordSide, snowflake } from "../outbox/outbox-harness.ts";
import { BITS, seedGuild } from "../discord/fake-discord.ts";
import { asUser, url, withDb } from "../support/seed.ts";
import { KICK, type Signed, TWITCH, YOUTUBE, deliver, env, fake, guildChannelMessages, seedGoLiveTenant, trackStreamer, twitchUserId, withDeps } from "./go-live-harness.ts";

const WAIT = { timeout: 20_000, interval: 50 };

/** Waits for the fake Discord to hold `count` messages in the channel (the queue and the outbox run on their own). */
async function messagesIn(channelId: string, count = 1) {
  return vi.waitFor(async () => {
    const { messages } = await discordSide(`channel:${channelId}`);
    expect(messages).toHaveLength(count);
    return messages;
  }, WAIT);
}

/** Waits until the channel's one notice (`noticeId`) was edited once: the stream's end, in place of a new message. */
async function editedOnce(channelId: string, noticeId: string | undefined) {
  const messages = await vi.waitFor(async () => {
    const { messages } = await discordSide(`channel:${channelId}`);
    expect(messages[0]?.edits).toBe(1);
    return messages;
  }, WAIT);
  expect(messages).toHaveLength(1);
  expect(messages[0]?.id).toBe(noticeId);
  return messages;
}

const sessionsOf = (streamerId: string) => withDb((db) => db.select().from(streamSessions).where(eq(streamSessions.streamerId, streamerId)));

async function twitchLive(userId: string, login: string, streamId: string, title = "Any% speedrun") {
  await fake(TWITCH, "/__control/twitch/users", [{ id: userId, login, display_name: login.toUpperCase() }]);
  await fake(TWITCH, "/__control/twitch/live", { user_id: userId, id: streamId, title, game_name: "Celeste", viewer_count: 321, started_at: new Date(Date.now() - 60_000).toISOString() });
}

const onlineEvent = (userId: string, login: string, streamId: string) => ({
  id: streamId,
  broadcaster_user_id: userId,
  broadcaster_user_login: login,
  broadcaster_user_name: login.toUpperCase(),
  type: "live",
  started_at: new Date(Date.now() - 60_000).toISOString(),
});

const signTwitch = (body: Record<string, unknown>) => fake<Signed>(TWITCH, "/__control/twitch/sign", body);

describe("go-live: Twitch EventSub", () => {
  it("stream.online → one notice with the template, the embed and a ping for the role only", async () => {
    const tenant = await seedGoLiveTenant();
    const userId = twitchUserId();
    const role = snowflake();
    const streamer = await trackStreamer(tenant, { platform: "twitch", platformUserId: userId, login: "novaspeed", displayName: "NovaSpeed", pingRoleId: role, template: "{streamer} is live playing {game}: {title} @everyone {url}" });
    await twitchLive(userId, "novaspeed", "stream-1001");

    const res = await deliver("/webhooks/twitch", await signTwitch({ messageType: "notification", subscriptionType: "stream.online", event: onlineEvent(userId, "novaspeed", "stream-1001") }));
    expect(res.status).toBe(204);

    const [message] = await messagesIn(streamer.channelId);
    expect(message?.content).toBe(`<@&${role}> NovaSpeed is live playing Celeste: Any% speedrun @everyone https://www.twitch.tv/novaspeed`);
    // @everyone in the text pings nobody: only the role is allowed.
    expect(message?.allowedMentions).toEqual({ parse: [], roles: [role] });
    expect(message?.embeds[0]).toMatchObject({ title: "Any% speedrun", url: "https://www.twitch.tv/novaspeed", author: { name: "NovaSpeed" }, fields: [{ name: "Game", value: "Celeste" }, { name: "Viewers", value: "321" }] });
    expect(message?.embeds[0]?.image?.url).toMatch(/live_user_novaspeed-1280x720\.jpg/);
  });

  it("the same stream from Discord presence, EventSub and the cron poll → one notice, and the presence key becomes the stream id", async () => {
    const tenant = await seedGoLiveTenant();
    const userId = twitchUserId();
    const member = snowflake();
    const streamer = await trackStreamer(tenant, { platform: "twitch", platformUserId: userId, login: "duoqueue", displayName: "DuoQueue", discordUserId: member });
    await twitchLive(userId, "duoqueue", "stream-2002", "Ranked grind");

    // What the DiscordGateway object hands on when the member's activity turns to "Streaming".
    await handleGatewayEvent(env, { kind: "presence.streaming", id: `presence-${member}`, guildId: tenant.guildId, userId: member, platform: "twitch", url: "https://www.twitch.tv/duoqueue", title: "Ranked grind" });
    const signed = await signTwitch({ messageType: "notification", subscriptionType: "stream.online", event: onlineEvent(userId, "duoqueue", "stream-2002") });
    expect((await deliver("/webhooks/twitch", signed)).status).toBe(204);
    await vi.waitFor(async () => expect((await sessionsOf(streamer.id))[0]?.sources).toContain("eventsub"), WAIT);
    await withDeps((deps) => pollGoLive(deps));

    await messagesIn(streamer.channelId);
    const sessions = await sessionsOf(streamer.id);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ streamKey: "stream-2002", sources: ["presence", "eventsub", "poll"], endedAt: null });
    expect((await discordSide(`channel:${streamer.channelId}`)).messages).toHaveLength(1);
  });

  it("stream.offline → the same message is edited with the duration and the VOD", async () => {
    const tenant = await seedGoLiveTenant();
    const userId = twitchUserId();
    const streamer = await trackStreamer(tenant, { platform: "twitch", platformUserId: userId, login: "vodkeeper", displayName: "VodKeeper", pingRoleId: snowflake() });
    await twitchLive(userId, "vodkeeper", "stream-3003", "Marathon");
    await deliver("/webhooks/twitch", await signTwitch({ messageType: "notification", subscriptionType: "stream.online", event: onlineEvent(userId, "vodkeeper", "stream-3003") }));
    const [live] = await messagesIn(streamer.channelId);

    await fake(TWITCH, "/__control/twitch/offline", { user_id: userId, vod: { id: "v3003", url: "https://www.twitch.tv/videos/3003" } });
    const offline = await signTwitch({ messageType: "notification", subscriptionType: "stream.offline", event: { broadcaster_user_id: userId, broadcaster_user_login: "vodkeeper", broadcaster_user_name: "VodKeeper" } });
    expect((await deliver("/webhooks/twitch", offline)).status).toBe(204);

    const edited = await editedOnce(streamer.channelId, live?.id);
    expect(edited[0]?.content).toMatch(/^VodKeeper was live on Twitch for \d+m \d+s\.\nVOD: https:\/\/www\.twitch\.tv\/videos\/3003$/);
    expect(edited[0]?.embeds[0]).toMatchObject({ title: "Marathon", url: "https://www.twitch.tv/videos/3003", footer: { text: "Stream ended" } });
    const [session] = await sessionsOf(streamer.id);
    expect(session?.endedAt).not.toBeNull();
    expect(session?.vodUrl).toBe("https://www.twitch.tv/videos/3003");
  });
});

describe("go-live: YouTube WebSub", () => {
  it("subscribes with a lease, answers the hub's challenge, and a signed push of a live video → one notice", async () => {
    const tenant = await seedGoLiveTenant();
    const channelId = `UC${snowflake().padEnd(22, "x").slice(0, 22)}`;
    const discordChannel = tenant.channelId;
    const add = await exports.default.fetch(
      url(`/api/t/${tenant.tenantId}/go-live/streamers`),
      asUser(tenant.owner, { method: "POST", body: JSON.stringify({ platform: "youtube", account: channelId, guildId: tenant.guildId, channelId: discordChannel }) }),
    );
    expect(add.status, await add.clone().text()).toBe(201);
    expect(await add.json()).toMatchObject({ platform: "youtube", platformUserId: channelId, detection: "webhook" });

    const verify = await fake<{ url: string; challenge: string }>(YOUTUBE, `/__control/youtube/verify?channelId=${channelId}`);
    const challenged = await exports.default.fetch(verify.url);
    expect(challenged.status).toBe(200);
    expect(await challenged.text()).toBe(verify.challenge);
    // A challenge for a topic we did not ask about is refused.
    const forged = await exports.default.fetch(verify.url.replace(`channel_id%3D${channelId}`, "channel_id%3DUCaaaaaaaaaaaaaaaaaaaaaa"));
    expect(forged.status).toBe(404);

    const videoId = `v${snowflake().slice(-9)}`;
    await fake(YOUTUBE, "/__control/youtube/videos", [{ id: videoId, channelId, title: "Live now: building a homelab", live: "live", startedAt: new Date().toISOString(), viewers: 77 }]);
    const push = await fake<Signed>(YOUTUBE, "/__control/youtube/push", { channelId, videoId });
    const res = await deliver(`/webhooks/youtube/${channelId}`, push);
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: true, published: 1 });

    const [message] = await vi.waitFor(async () => {
      const messages = await guildChannelMessages(tenant.guildId, discordChannel);
      expect(messages).toHaveLength(1);
      return messages;
    }, WAIT);
    expect(message?.content).toBe(`${"Channel"} ${channelId.slice(2, 6)} is live on YouTube: Live now: building a homelab\nhttps://www.youtube.com/watch?v=${videoId}`);
    expect(message?.embeds[0]).toMatchObject({ title: "Live now: building a homelab", fields: [{ name: "Viewers", value: "77" }] });

    // The broadcast ends: YouTube republishes the entry; videos.list says it ended; the notice is edited, VOD = the video.
    await fake(YOUTUBE, "/__control/youtube/videos", [{ id: videoId, channelId, title: "Live now: building a homelab", live: "ended", startedAt: new Date(Date.now() - 3_600_000).toISOString(), endedAt: new Date().toISOString() }]);
    const ended = await fake<Signed>(YOUTUBE, "/__control/youtube/push", { channelId, videoId, updated: new Date(Date.now() + 1000).toISOString() });
    expect(await (await deliver(`/webhooks/youtube/${channelId}`, ended)).json()).toEqual({ accepted: true, published: 1 });
    await vi.waitFor(async () => {
      const messages = await guildChannelMessages(tenant.guildId, discordChannel);
      expect(messages).toHaveLength(1);
      expect(messages[0]?.content).toContain(`VOD: https://www.youtube.com/watch?v=${videoId}`);
    }, WAIT);
  });
});

describe("go-live: Kick", () => {
  it("livestream.status.updated (RSA-signed) → one notice", async () => {
    const tenant = await seedGoLiveTenant();
    const kickId = Number(snowflake().slice(-8));
    const streamer = await trackStreamer(tenant, { platform: "kick", platformUserId: String(kickId), login: "kickster", displayName: "Kickster" });
    const signed = await fake<Signed>(KICK, "/__control/kick/sign", {
      eventType: "livestream.status.updated",
      event: { broadcaster: { is_anonymous: false, user_id: kickId, username: "Kickster", is_verified: false, profile_picture: "", channel_slug: "kickster" }, is_live: true, title: "Kick stream", started_at: new Date().toISOString(), ended_at: null },
    });
    expect((await deliver("/webhooks/kick", signed)).status).toBe(204);
    const [message] = await messagesIn(streamer.channelId);
    expect(message?.content).toBe("Kickster is live on Kick: Kick stream\nhttps://kick.com/kickster");
  });

  it("is_live false → the same message is edited with the duration; Kick's events and API carry no VOD, so none is linked", async () => {
    const tenant = await seedGoLiveTenant();
    const kickId = Number(snowflake().slice(-8));
    const streamer = await trackStreamer(tenant, { platform: "kick", platformUserId: String(kickId), login: "marathoner", displayName: "Marathoner" });
    const broadcaster = { is_anonymous: false, user_id: kickId, username: "Marathoner", is_verified: false, profile_picture: "", channel_slug: "marathoner" };
    const startedAt = new Date(Date.now() - 2 * 3600_000).toISOString();
    const endedAt = new Date(Date.parse(startedAt) + (2 * 3600 + 5 * 60) * 1000).toISOString();
    const status = (isLive: boolean) =>
      fake<Signed>(KICK, "/__control/kick/sign", { eventType: "livestream.status.updated", event: { broadcaster, is_live: isLive, title: "Kick marathon", started_at: startedAt, ended_at: isLive ? null : endedAt } });
    expect((await deliver("/webhooks/kick", await status(true))).status).toBe(204);
    const [live] = await messagesIn(streamer.channelId);

    expect((await deliver("/webhooks/kick", await status(false))).status).toBe(204);
    const edited = await editedOnce(streamer.channelId, live?.id);
    // Kick's own start and end instants give the duration, not the time the events arrived.
    expect(edited[0]?.content).toBe("Marathoner was live on Kick for 2h 5m.");
    const embed = edited[0]?.embeds[0];
    expect(embed).toMatchObject({ title: "Kick marathon", footer: { text: "Stream ended" }, fields: [{ name: "Duration", value: "2h 5m" }] });
    expect(embed).not.toHaveProperty("url");
    const [session] = await sessionsOf(streamer.id);
    expect(session?.endedAt?.toISOString()).toBe(endedAt);
    expect(session?.vodUrl).toBeNull();
  });
});

describe("go-live: send test alert", () => {
  it("posts a sample notice through the outbox", async () => {
    const tenant = await seedGoLiveTenant();
    const streamer = await trackStreamer(tenant, { platform: "twitch", platformUserId: twitchUserId(), login: "tester", displayName: "Tester" });
    const res = await exports.default.fetch(url(`/api/t/${tenant.tenantId}/go-live/streamers/${streamer.id}/test`), asUser(tenant.members.operator, { method: "POST" }));
    expect(res.status).toBe(202);
    const [message] = await messagesIn(streamer.channelId);
    expect(message?.content).toContain("Test alert from Nebula Command");
  });
});

describe("go-live: allow @everyone", () => {
  it("on, the template's @everyone pings (allowed_mentions parse everyone at Discord); switched off, nothing parses", async () => {
    const tenant = await seedGoLiveTenant("Everyone lab");
    const userId = twitchUserId();
    await fake(TWITCH, "/__control/twitch/users", [{ id: userId, login: `loud${userId}`, display_name: "LoudCaster" }]);
    const streamers = url(`/api/t/${tenant.tenantId}/go-live/streamers`);
    const body = { platform: "twitch", account: `loud${userId}`, guildId: tenant.guildId, channelId: tenant.channelId, template: "{everyone} {streamer} is live: {title}", allowEveryone: true };
    expect((await exports.default.fetch(streamers, asUser(tenant.owner, { method: "POST", body: JSON.stringify({ ...body, allowEveryone: "yes" }) }))).status).toBe(400);
    const created = await exports.default.fetch(streamers, asUser(tenant.owner, { method: "POST", body: JSON.stringify(body) }));
    expect(created.status, await created.clone().text()).toBe(201);
    const streamer = await created.json<{ id: string; allowEveryone: boolean }>();
    expect(streamer.allowEveryone).toBe(true);
    const sendTest = () => exports.default.fetch(url(`/api/t/${tenant.tenantId}/go-live/streamers/${streamer.id}/test`), asUser(tenant.owner, { method: "POST" }));
    const messages = (count: number) =>
      vi.waitFor(async () => {
        const all = await guildChannelMessages(tenant.guildId, tenant.channelId);
        expect(all).toHaveLength(count);
        return all;
      }, WAIT);

    expect((await sendTest()).status).toBe(202);
    const [loud] = await messages(1);
    expect(loud?.content).toBe("@everyone LoudCaster is live: Test alert from Nebula Command");
    expect(loud?.allowed_mentions).toEqual({ parse: ["everyone"] });

    const off = await exports.default.fetch(`${streamers}/${streamer.id}`, asUser(tenant.owner, { method: "PATCH", body: JSON.stringify({ allowEveryone: false, template: "@everyone {streamer} is live: {title}" }) }));
    expect(off.status, await off.clone().text()).toBe(200);
    expect(await off.json()).toMatchObject({ allowEveryone: false });
    expect((await sendTest()).status).toBe(202);
    const quiet = (await messages(2))[1];
    expect(quiet?.content).toBe("@everyone LoudCaster is live: Test alert from Nebula Command");
    expect(quiet?.allowed_mentions).toEqual({ parse: [] });
  });
});

describe("go-live: changing tracked streamers needs Manage Server in the guild", () => {
  const api = (tenantId: string, path: string) => url(`/api/t/${tenantId}/go-live${path}`);
  const createBody = (guildId: string) => JSON.stringify({ platform: "twitch", account: "nobody", platformUserId: twitchUserId(), guildId, channelId: snowflake() });

  it("an admin without Manage Server gets 403 missing_manage_guild; without a linked Discord account 403 no_discord_account; reads still pass", async () => {
    const tenant = await seedGoLiveTenant("Go-live guard lab");
    const streamer = await trackStreamer(tenant, { platform: "twitch", platformUserId: twitchUserId() });
    const rowsBefore = await withDb((db) => db.select().from(trackedStreamers).where(eq(trackedStreamers.tenantId, tenant.tenantId)));

    // The admin's Discord account loses Manage Server: a member of the guild with no role.
    const plainMember = tenant.discordIds.viewer;
    await withDb((db) => db.update(users).set({ discordId: null }).where(eq(users.id, tenant.members.viewer.userId)));
    await withDb((db) => db.update(users).set({ discordId: plainMember }).where(eq(users.id, tenant.members.admin.userId)));
    const created = await exports.default.fetch(api(tenant.tenantId, "/streamers"), asUser(tenant.members.admin, { method: "POST", body: createBody(tenant.guildId) }));
    expect(created.status).toBe(403);
    expect(await created.json()).toMatchObject({ error: { code: "FORBIDDEN", details: { reason: "missing_manage_guild" } } });
    for (const [method, path, body] of [
      ["PATCH", `/streamers/${streamer.id}`, JSON.stringify({ enabled: false })],
      ["DELETE", `/streamers/${streamer.id}`, undefined],
      ["POST", `/streamers/${streamer.id}/test`, undefined],
    ] as const) {
      const res = await exports.default.fetch(api(tenant.tenantId, path), asUser(tenant.members.admin, { method, ...(body ? { body } : {}) }));
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(await res.json()).toMatchObject({ error: { code: "FORBIDDEN", details: { reason: "missing_manage_guild" } } });
    }

    // No Discord account linked at all.
    await withDb((db) => db.update(users).set({ discordId: null }).where(eq(users.id, tenant.members.admin.userId)));
    const unlinked = await exports.default.fetch(api(tenant.tenantId, "/streamers"), asUser(tenant.members.admin, { method: "POST", body: createBody(tenant.guildId) }));
    expect(unlinked.status).toBe(403);
    expect(await unlinked.json()).toMatchObject({ error: { code: "FORBIDDEN", details: { reason: "no_discord_account" } } });

    // Nothing changed; reading stays tenant-role-only.
    expect(await withDb((db) => db.select().from(trackedStreamers).where(eq(trackedStreamers.tenantId, tenant.tenantId)))).toEqual(rowsBefore);
    expect((await exports.default.fetch(api(tenant.tenantId, "/streamers"), asUser(tenant.members.admin))).status).toBe(200);
    expect((await exports.default.fetch(api(tenant.tenantId, "/sessions"), asUser(tenant.members.admin))).status).toBe(200);
  });

  it("a guild linked to the tenant but managed only by someone else in Discord cannot be targeted on create", async () => {
    const tenant = await seedGoLiveTenant("Go-live second guild lab");
    const otherGuild = snowflake();
    await seedGuild({ id: otherGuild, name: "Not yours", ownerId: snowflake(), roles: [{ id: snowflake(), name: "Mods", permissions: String(BITS.MANAGE_GUILD) }], members: [{ user: { id: tenant.discordIds.owner, username: "owner" }, roles: [] }] });
    await withDb((db) => db.insert(guilds).values({ guildId: otherGuild, tenantId: tenant.tenantId, name: "Not yours" }));
    const res = await exports.default.fetch(api(tenant.tenantId, "/streamers"), asUser(tenant.owner, { method: "POST", body: createBody(otherGuild) }));
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: "FORBIDDEN", details: { reason: "missing_manage_guild" } } });
  });
});

describe("go-live: a channel of another tenant's server is never a notice channel", () => {
  const api = (tenantId: string, path: string) => url(`/api/t/${tenantId}/go-live${path}`);

  it("add and change refuse a channel of another guild with 400 naming the field, and nothing is saved", async () => {
    const tenant = await seedGoLiveTenant("Go-live channel guard lab");
    const victim = await seedGoLiveTenant("Go-live victim lab");
    const before = await withDb((db) => db.select().from(trackedStreamers).where(eq(trackedStreamers.tenantId, tenant.tenantId)));

    const created = await exports.default.fetch(
      api(tenant.tenantId, "/streamers"),
      asUser(tenant.owner, { method: "POST", body: JSON.stringify({ platform: "twitch", account: "intruder", platformUserId: twitchUserId(), guildId: tenant.guildId, channelId: victim.channelId }) }),
    );
    expect(created.status).toBe(400);
    expect(await created.json()).toMatchObject({ error: { code: "BAD_REQUEST", message: "That channel is not in this server", details: { field: "channelId" } } });
    expect(await withDb((db) => db.select().from(trackedStreamers).where(eq(trackedStreamers.tenantId, tenant.tenantId)))).toEqual(before);

    const streamer = await trackStreamer(tenant, { platform: "twitch", platformUserId: twitchUserId(), channelId: tenant.channelId });
    const changed = await exports.default.fetch(api(tenant.tenantId, `/streamers/${streamer.id}`), asUser(tenant.owner, { method: "PATCH", body: JSON.stringify({ channelId: victim.channelId }) }));
    expect(changed.status).toBe(400);
    expect(await changed.json()).toMatchObject({ error: { details: { field: "channelId" } } });
    const [row] = await withDb((db) => db.select().from(trackedStreamers).where(eq(trackedStreamers.id, streamer.id)));
    expect(row?.channelId).toBe(tenant.channelId);

    // An id that is no channel at all (or one the bot cannot see) gets the same answer; the own channel passes.
    const unknown = await exports.default.fetch(api(tenant.tenantId, `/streamers/${streamer.id}`), asUser(tenant.owner, { method: "PATCH", body: JSON.stringify({ channelId: snowflake() }) }));
    expect(unknown.status).toBe(400);
    const own = await exports.default.fetch(api(tenant.tenantId, `/streamers/${streamer.id}`), asUser(tenant.owner, { method: "PATCH", body: JSON.stringify({ channelId: tenant.channelId, enabled: false }) }));
    expect(own.status, await own.clone().text()).toBe(200);
    expect(await guildChannelMessages(victim.guildId, victim.channelId)).toEqual([]);
  });
});

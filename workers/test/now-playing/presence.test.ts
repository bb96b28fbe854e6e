// Lanyard presence end to end against the fake Lanyard (test/fakes/lanyard.ts): /profile with Spotify (deferred on a
// cold cache, instant within 15 s), an account Lanyard does not watch, and the dashboard's presence list.
import { env as bindings, exports } from "cloudflare:workers";
import { api, users } from "@nebula/schema";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import type { FakePresence } from "../../../test/fakes/lanyard.ts";
import type { Env } from "../../src/env.ts";
import { signer, snowflake, waitForOriginalEdit } from "../discord/fake-discord.ts";
import { type SeededTenant, type SeededUser, asUser, seedTenant, url, withDb } from "../support/seed.ts";

const env = bindings as Env;
const LANYARD = (env.LANYARD_API_BASE ?? "").replace(/\/v1$/, "");

async function lanyard<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${LANYARD}${path}`, body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return res.json() as Promise<T>;
}
const monitor = (id: string, presence: FakePresence) => lanyard(`/__control/users/${id}`, presence);
const callsFor = async (id: string) => (await lanyard<{ calls: number }>(`/__control/calls?id=${id}`)).calls;

const LISTENING: FakePresence = {
  discord_status: "online",
  activities: [{ name: "Custom Status", type: 4, state: "brb, homelab on fire" }, { name: "Factorio", type: 0, details: "Building a megabase" }],
  spotify: { track_id: "4cOdK2wGLETKBW3PvgPWqT", song: "Never Gonna Give You Up", artist: "Rick Astley", album: "Whenever You Need Somebody", album_art_url: "https://i.scdn.co/image/ab67616d0000b273" },
};

async function profile(options: { user?: string; invoker?: string } = {}) {
  const payload = signer.slashCommand("profile", {
    guildId: "400000000000000001",
    ...(options.invoker ? { member: { user: { id: options.invoker, username: "asker" } } } : {}),
    options: options.user ? [{ name: "user", type: 6, value: options.user }] : [],
  });
  const { request } = await signer.request(url("/interactions"), payload);
  const res = await exports.default.fetch(request);
  expect(res.status).toBe(200);
  return { id: String(payload.id), body: await res.json<{ type: number; data?: { content?: string; embeds?: { title: string; fields: { name: string; value: string }[]; thumbnail?: { url: string } }[] } }>() };
}

describe("/profile", () => {
  it("shows presence and Spotify: deferred while Lanyard is asked, then instant from the 15 s cache", async () => {
    const member = snowflake();
    await monitor(member, LISTENING);
    const first = await profile({ user: member });
    expect(first.body.type).toBe(5);
    const record = await waitForOriginalEdit(first.id);
    const embed = record.original?.embeds[0] as { fields: { name: string; value: string }[]; thumbnail?: { url: string }; url?: string };
    expect(embed.fields).toEqual([
      { name: "Status", value: "🟢 Online", inline: true },
      { name: "Custom status", value: "brb, homelab on fire", inline: true },
      { name: "Activity", value: "Playing **Factorio** — Building a megabase" },
      { name: "Listening on Spotify", value: "**Never Gonna Give You Up**\nby Rick Astley\non Whenever You Need Somebody" },
    ]);
    expect(embed.thumbnail?.url).toBe("https://i.scdn.co/image/ab67616d0000b273");
    expect(embed.url).toBe("https://open.spotify.com/track/4cOdK2wGLETKBW3PvgPWqT");
    expect(record.original?.allowed_mentions).toEqual({ parse: [] });

    const again = await profile({ user: member });
    expect(again.body.type).toBe(4);
    expect(again.body.data?.embeds?.[0]?.fields.at(-1)?.name).toBe("Listening on Spotify");
    expect(await callsFor(member)).toBe(1);
  });

  it("without a user it is the invoker's own profile; an account Lanyard does not watch gets a clear message", async () => {
    const invoker = snowflake();
    const res = await profile({ invoker });
    expect(res.body.type).toBe(5);
    const record = await waitForOriginalEdit(res.id);
    expect(record.original?.content).toMatch(/not in Lanyard's Discord server/);
    expect(record.original?.content).toContain("https://discord.gg/lanyard");
    expect(await callsFor(invoker)).toBe(1);
  });
});

describe("GET /api/t/:tenantId/discord/presence", () => {
  let lab: SeededTenant;
  const listening = snowflake();
  const quiet = snowflake();

  async function link(user: SeededUser, discordId: string | null) {
    await withDb((db) => db.update(users).set({ discordId }).where(eq(users.id, user.userId)));
  }

  beforeAll(async () => {
    lab = await withDb((db) => seedTenant(db, "Presence lab"));
    await link(lab.members.owner, listening);
    await link(lab.members.admin, quiet);
    await monitor(listening, LISTENING);
  });

  it("lists linked members with their presence; unwatched accounts say so; unlinked members are counted", async () => {
    const res = await exports.default.fetch(url(`/api/t/${lab.tenantId}/discord/presence`), asUser(lab.members.viewer));
    expect(res.status).toBe(200);
    const list = api.MemberPresenceList.parse(await res.json());
    expect(list.unlinked).toBe(2);
    const byId = new Map(list.items.map((i) => [i.discordId, i]));
    expect(byId.get(listening)).toMatchObject({
      userId: lab.members.owner.userId,
      monitored: true,
      status: "online",
      spotify: { song: "Never Gonna Give You Up", artist: "Rick Astley", album: "Whenever You Need Somebody", trackId: "4cOdK2wGLETKBW3PvgPWqT" },
    });
    expect(byId.get(listening)?.activities.map((a) => a.name)).toEqual(["Custom Status", "Factorio"]);
    expect(byId.get(quiet)).toMatchObject({ userId: lab.members.admin.userId, monitored: false, status: null, spotify: null });
  });

  it("Lanyard down for everyone is a 502 in the error model, not a list of 'not monitored'", async () => {
    const outage = await withDb((db) => seedTenant(db, "Outage lab"));
    const id = snowflake();
    await link(outage.owner, id);
    await lanyard("/__control/outage", { status: 503 });
    try {
      const res = await exports.default.fetch(url(`/api/t/${outage.tenantId}/discord/presence`), asUser(outage.members.viewer));
      expect(res.status).toBe(502);
      expect(await res.json()).toMatchObject({ error: { code: "UPSTREAM" } });
    } finally {
      await lanyard("/__control/outage", { status: 0 });
    }
  });
});

// /streams add|remove|list as Discord sends them: signed interactions through the real Worker, the deferred work
// finished by the queue consumer editing @original in the fake Discord. A member without Manage Server is refused on
// the fast path (ephemeral, nothing deferred, nothing saved); a channel outside the server is refused when adding.
import { exports } from "cloudflare:workers";
import { trackedStreamers } from "@nebula/schema";
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { BITS, discordOrigin, signer, waitForOriginalEdit } from "../discord/fake-discord.ts";
import { snowflake } from "../outbox/outbox-harness.ts";
import { url, withDb } from "../support/seed.ts";
import { type GoLiveTenant, TWITCH, fake, seedGoLiveTenant, twitchUserId } from "./go-live-harness.ts";

type Reply = { type: number; data?: { content?: string; flags?: number } };
const O = { STRING: 3, CHANNEL: 7 } as const;

async function streams(tenant: GoLiveTenant, subcommand: "add" | "remove" | "list", options: { name: string; type: number; value: string }[] = [], permissions = String(BITS.MANAGE_GUILD)) {
  const payload = signer.slashCommand("streams", {
    subcommand,
    options,
    guildId: tenant.guildId,
    member: { user: { id: tenant.discordIds.admin, username: "admin" }, roles: [], permissions },
  });
  const { request } = await signer.request(url("/interactions"), payload);
  const res = await exports.default.fetch(request);
  expect(res.status).toBe(200);
  return { id: String(payload.id), token: String(payload.token), reply: await res.json<Reply>() };
}

/** The deferred answer as the member sees it: @original once the queue consumer edited it, with mentions quiet. */
async function answer(sent: { id: string; token: string; reply: Reply }): Promise<string> {
  expect(sent.reply).toEqual({ type: 5, data: { flags: 64 } });
  const content = (await waitForOriginalEdit(sent.id)).original?.content ?? "";
  const unquiet = await (await fetch(`${discordOrigin}/__control/unquiet-mentions?path=${encodeURIComponent(sent.token)}`)).json<{ count: number }>();
  expect(unquiet.count, "the edit named allowed_mentions (Discord would parse pings from the content otherwise)").toBe(0);
  return content;
}

const rowsOf = (tenant: GoLiveTenant) => withDb((db) => db.select().from(trackedStreamers).where(and(eq(trackedStreamers.tenantId, tenant.tenantId), eq(trackedStreamers.guildId, tenant.guildId))));

describe("/streams through signed interactions", () => {
  it("add → list → remove → list, each answered privately, with the server's tracked streamers changing underneath", async () => {
    const tenant = await seedGoLiveTenant("Streams command lab");
    const userId = twitchUserId();
    const login = `caster${userId.slice(-6)}`;
    await fake(TWITCH, "/__control/twitch/users", [{ id: userId, login, display_name: "Caster" }]);

    const added = await answer(
      await streams(tenant, "add", [
        { name: "platform", type: O.STRING, value: "twitch" },
        { name: "account", type: O.STRING, value: login },
        { name: "channel", type: O.CHANNEL, value: tenant.channelId },
      ]),
    );
    expect(added).toBe(`Announcing **Caster** (Twitch) in <#${tenant.channelId}>.`);
    expect((await rowsOf(tenant)).map((r) => [r.platform, r.platformUserId, r.channelId])).toEqual([["twitch", userId, tenant.channelId]]);

    expect(await answer(await streams(tenant, "list"))).toBe(`• **Caster** on Twitch → <#${tenant.channelId}>`);

    expect(await answer(await streams(tenant, "remove", [{ name: "platform", type: O.STRING, value: "twitch" }, { name: "account", type: O.STRING, value: login }]))).toBe("Stopped announcing **Caster**.");
    expect(await rowsOf(tenant)).toEqual([]);
    expect(await answer(await streams(tenant, "list"))).toMatch(/No streamers are announced here yet/);
  });

  it("a member without Manage Server is refused at once, privately; nothing is deferred or saved", async () => {
    const tenant = await seedGoLiveTenant("Streams refusal lab");
    const userId = twitchUserId();
    await fake(TWITCH, "/__control/twitch/users", [{ id: userId, login: `nope${userId.slice(-6)}`, display_name: "Nope" }]);
    const options = [
      { name: "platform", type: O.STRING, value: "twitch" },
      { name: "account", type: O.STRING, value: `nope${userId.slice(-6)}` },
      { name: "channel", type: O.CHANNEL, value: tenant.channelId },
    ];
    for (const sub of ["add", "remove", "list"] as const) {
      const { reply } = await streams(tenant, sub, sub === "list" ? [] : sub === "remove" ? options.slice(0, 2) : options, String(BITS.SEND_MESSAGES));
      expect(reply.type, sub).toBe(4);
      expect(reply.data?.flags, sub).toBe(64);
      expect(reply.data?.content, sub).toMatch(/Manage Server/);
    }
    expect(await rowsOf(tenant)).toEqual([]);
  });

  it("add refuses a channel that is not in this server, and saves nothing", async () => {
    const tenant = await seedGoLiveTenant("Streams channel lab");
    const userId = twitchUserId();
    const login = `elsewhere${userId.slice(-6)}`;
    await fake(TWITCH, "/__control/twitch/users", [{ id: userId, login, display_name: "Elsewhere" }]);
    const refused = await answer(
      await streams(tenant, "add", [
        { name: "platform", type: O.STRING, value: "twitch" },
        { name: "account", type: O.STRING, value: login },
        { name: "channel", type: O.CHANNEL, value: snowflake() },
      ]),
    );
    expect(refused).toMatch(/not in this server/);
    expect(await rowsOf(tenant)).toEqual([]);
  });
});

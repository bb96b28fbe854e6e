// Chaos: the fake Discord answers 429 or 500 on 30% of the welcome channel's calls (some 500s after storing the
// message) and hangs on 2%; 40 members join, a quarter of the member.joined events redelivered before the outbox
// runs and a quarter after it delivered. Every member is greeted exactly once. The welcome channel is not one of the
// guild model's channels, so its messages reach the fake's bot routes, whose faults are seeded (see go-live-chaos).
// The tenant's outbox runs on the test's virtual clock (outbox-harness.ts): retry_after and backoff cost no real time.
// The DM and the auto-roles go straight through the Discord REST client: under faults on the DM channel's messages
// and the role routes (some answered 500 after Discord acted, some making the handler give up so the queue
// redelivers), every member gets exactly one DM and all auto-roles.
import { env as bindings } from "cloudflare:workers";
import { welcomeEvents, welcomeSettings } from "@nebula/schema";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { type GatewayEventOf, handleGatewayEvent } from "../../src/discord-gateway/gateway-events.ts";
import "../../src/discord-gateway/handlers.ts";
import type { Env } from "../../src/env.ts";
import { welcomeOutboxId } from "../../src/welcome/greet.ts";
import { defaultSettings } from "../../src/welcome/welcome-settings.ts";
import { addFault, discordOrigin, guildState } from "../discord/fake-discord.ts";
import { control, discordSide, drain, openOutbox, snowflake } from "../outbox/outbox-harness.ts";
import { withDb } from "../support/seed.ts";
import { asBot, seedManagedGuild } from "./managed-guild.ts";

const env = bindings as Env;
const MEMBERS = 40;

describe("welcome under a failing Discord", () => {
  it("greets every member exactly once, however often the join is redelivered", async () => {
    const g = await seedManagedGuild("Welcome Chaos Lab");
    const channelId = snowflake();
    const key = `channel:${channelId}`;
    const outbox = await openOutbox({ timeoutMs: 200 }, g.lab.tenantId);
    // Stored directly: the API only accepts channels Discord says are the guild's (the chaos channel is not modelled).
    await withDb((db) => db.insert(welcomeSettings).values({ guildId: g.guildId, tenantId: g.lab.tenantId, ...defaultSettings(), enabled: true, channelId, template: "Welcome {user} to **{server}**!" }));
    // 5% global and 10% route 429s, 10% 500s, 5% 500 after Discord stored it (30% in all); the 3rd and 41st calls (of ~60) hang.
    await control("/__control/bot", { key, seed: 4242, rateGlobal429: 0.05, rate429: 0.1, rate500: 0.1, rate500AfterStore: 0.05, retryAfter: 0.5, hang: [3, 41] });

    const joined = Array.from({ length: MEMBERS }, (_, i): GatewayEventOf<"member.joined"> => {
      const id = snowflake();
      return { kind: "member.joined", id: `join-${g.guildId}-${id}`, guildId: g.guildId, user: { id, username: `chaos${i}`, global_name: null, avatar: null, bot: false }, joinedAt: new Date().toISOString() };
    });
    for (const [i, event] of joined.entries()) {
      await handleGatewayEvent(env, event);
      if (i % 4 === 0) await handleGatewayEvent(env, event);
    }
    await drain(outbox, [key]);
    // Late redeliveries, after the greeting went out: nothing is queued again.
    for (const [i, event] of joined.entries()) if (i % 4 === 1) await handleGatewayEvent(env, event);
    await drain(outbox, [key]);

    const { messages, stats } = await discordSide(key);
    const greeted = messages.map((m) => /^Welcome <@(\d+)> to \*\*(.+)\*\*!$/.exec(m.content ?? ""));
    expect(greeted.every((m) => m?.[2] === g.guildName)).toBe(true);
    const counts = new Map<string, number>();
    for (const m of greeted) if (m?.[1]) counts.set(m[1], (counts.get(m[1]) ?? 0) + 1);
    expect([...counts.entries()].filter(([, n]) => n !== 1)).toEqual([]);
    expect([...counts.keys()].sort()).toEqual(joined.map((e) => e.user.id).sort());
    expect(messages).toHaveLength(MEMBERS);
    for (const m of messages) expect(m.allowedMentions).toEqual({ parse: [], users: [/<@(\d+)>/.exec(m.content ?? "")?.[1]] });

    expect(stats.violations).toBe(0);
    expect(stats.injected429 + stats.injected500).toBeGreaterThan(5);
    expect(stats.hung).toBeGreaterThan(0);
    expect(await outbox.stub.status()).toMatchObject({ pending: 0, delivered: MEMBERS, failed: 0 });
    for (const event of joined) {
      expect(await outbox.stub.itemStatus(welcomeOutboxId(event.id))).toMatchObject({ status: "delivered" });
      const [row] = await withDb((db) => db.select().from(welcomeEvents).where(eq(welcomeEvents.id, event.id)));
      expect(row).toMatchObject({ kind: "joined", messageStatus: "queued" });
    }
  });

  it("DMs every member exactly once and gives every auto-role, however often a failed join is redelivered", async () => {
    const g = await seedManagedGuild("Welcome DM Chaos Lab");
    const autoRoles = [g.roles.members, g.roles.vip];
    await withDb((db) =>
      db.insert(welcomeSettings).values({ guildId: g.guildId, tenantId: g.lab.tenantId, ...defaultSettings(), enabled: false, dmEnabled: true, dmTemplate: "Hi {user.name}, welcome to {server}!", autoRoleIds: autoRoles }),
    );
    const members = Array.from({ length: 8 }, (_, i) => ({ id: snowflake(), username: `dm${i}`, global_name: null, avatar: null, bot: false }));
    for (const user of members) {
      const res = await fetch(`${discordOrigin}/__control/guilds/${g.guildId}/members`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ user, roles: [] }) });
      expect(res.status).toBe(200);
    }
    // Each member's DM channel (Discord hands the same one back to the bot), so faults can aim at it alone.
    const dmChannel = new Map<string, string>();
    for (const user of members) dmChannel.set(user.id, (await asBot<{ id: string }>("POST", "/users/@me/channels", { recipient_id: user.id })).id);
    const dmPath = (i: number) => `/channels/${dmChannel.get(members[i]?.id ?? "")}/messages`;
    const rolePath = (i: number) => `/guilds/${g.guildId}/members/${members[i]?.id}/roles/`;
    /** A request that Discord carried out but whose answer was lost, then 429s until the client gives up (5 attempts). */
    const actedThenGaveUp = async (method: string, path: string) => {
      await addFault({ method, path, status: 500, afterStore: true });
      await addFault({ method, path, status: 429, count: 4, retryAfter: 0.01 });
    };
    await actedThenGaveUp("PUT", rolePath(0));
    await actedThenGaveUp("POST", dmPath(1));
    await addFault({ method: "POST", path: dmPath(2), status: 500, afterStore: true });
    await addFault({ method: "POST", path: dmPath(3), status: 429, count: 2, retryAfter: 0.01 });
    await addFault({ method: "PUT", path: rolePath(4), status: 500, count: 1 });
    await addFault({ method: "PUT", path: rolePath(5), status: 429, count: 3, retryAfter: 0.01 });

    // The queue consumer's contract: a handler that throws is redelivered; every event also arrives twice.
    let redelivered = 0;
    for (const user of members) {
      const event: GatewayEventOf<"member.joined"> = { kind: "member.joined", id: `join-${g.guildId}-${user.id}`, guildId: g.guildId, user, joinedAt: new Date().toISOString() };
      for (let attempt = 1; ; attempt++) {
        const failed = await handleGatewayEvent(env, event).then(() => false, () => true);
        if (!failed) break;
        redelivered += 1;
        expect(attempt).toBeLessThan(5);
      }
      await handleGatewayEvent(env, event);
    }
    expect(redelivered).toBeGreaterThanOrEqual(2);

    const state = (await guildState(g.guildId)) as unknown as { members: { user: { id: string }; roles: string[] }[] };
    for (const user of members) {
      const dms = await (await fetch(`${discordOrigin}/__control/dms?userId=${user.id}`)).json<{ messages: { content: string }[] }>();
      expect(dms.messages.map((m) => m.content), user.username).toEqual([`Hi ${user.username}, welcome to ${g.guildName}!`]);
      expect(state.members.find((m) => m.user.id === user.id)?.roles.sort()).toEqual([...autoRoles].sort());
      const [row] = await withDb((db) => db.select().from(welcomeEvents).where(eq(welcomeEvents.id, `join-${g.guildId}-${user.id}`)));
      expect(row).toMatchObject({ dmStatus: "sent", roleStatus: "given", messageStatus: "skipped" });
    }
  });
});

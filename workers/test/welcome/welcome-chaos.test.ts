// Chaos: the fake Discord answers 429 or 500 on 30% of the welcome channel's calls (some 500s after storing the
// message) and hangs on 2%; 40 members join, a quarter of the member.joined events redelivered before the outbox
// runs and a quarter after it delivered. Every member is greeted exactly once. The welcome channel is not one of the
// guild model's channels, so its messages reach the fake's bot routes, whose faults are seeded (see go-live-chaos).
// The tenant's outbox runs on the test's virtual clock (outbox-harness.ts): retry_after and backoff cost no real time.
import { env as bindings } from "cloudflare:workers";
import { welcomeEvents } from "@nebula/schema";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { type GatewayEventOf, handleGatewayEvent } from "../../src/discord-gateway/gateway-events.ts";
import "../../src/discord-gateway/handlers.ts";
import type { Env } from "../../src/env.ts";
import { welcomeOutboxId } from "../../src/welcome/greet.ts";
import { control, discordSide, drain, openOutbox, snowflake } from "../outbox/outbox-harness.ts";
import { withDb } from "../support/seed.ts";
import { call, json, seedManagedGuild } from "./managed-guild.ts";

const env = bindings as Env;
const MEMBERS = 40;

describe("welcome under a failing Discord", () => {
  it("greets every member exactly once, however often the join is redelivered", async () => {
    const g = await seedManagedGuild("Welcome Chaos Lab");
    const channelId = snowflake();
    const key = `channel:${channelId}`;
    const outbox = await openOutbox({ timeoutMs: 200 }, g.lab.tenantId);
    const res = await call(`/api/t/${g.lab.tenantId}/discord/guilds/${g.guildId}/welcome`, g.lab.members.admin, json("PUT", { enabled: true, channelId, template: "Welcome {user} to **{server}**!" }));
    expect(res.status, await res.clone().text()).toBe(200);
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
});

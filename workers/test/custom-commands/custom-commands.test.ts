// Custom commands end to end: created in the dashboard → the guild's bulk overwrite the fake Discord received, with
// Discord's JSON; invoked with a signed interaction → the templated answer from the fast path (the cache, no
// Postgres), or from a deferred run when the cache is cold; allowed roles, cooldowns, disabled commands, usage counts
// (cache, then Postgres by the flush job); bad names and options → 400 with details; access.
import { env as bindings, exports } from "cloudflare:workers";
import { customCommands, newId } from "@nebula/schema";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../../src/config/config.ts";
import { guildCommandsKey } from "../../src/custom-commands/command-cache.ts";
import { flushCustomCommandUsage } from "../../src/custom-commands/usage.ts";
import type { Env } from "../../src/env.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createServices } from "../../src/services/services.ts";
import { TEST_APPLICATION_ID } from "../../../test/fakes/interaction-signer.ts";
import { addFault, registeredCommands, signer, snowflake, waitForOriginalEdit } from "../discord/fake-discord.ts";
import { url, withDb } from "../support/seed.ts";
import { type ManagedGuild, call, json, seedManagedGuild } from "../welcome/managed-guild.ts";

const env = bindings as Env;
const WAIT = { timeout: 20_000, interval: 100 };

type Reply = { type: number; data?: { content?: string; flags?: number; embeds?: Record<string, unknown>[]; allowed_mentions?: unknown } };

async function invoke(g: ManagedGuild, name: string, input: { user?: { id: string; username: string; global_name?: string }; roles?: string[]; permissions?: string; options?: { name: string; type: number; value: string | number }[] } = {}) {
  const payload = signer.slashCommand(name, {
    guildId: g.guildId,
    channelId: g.channels.general,
    member: { user: input.user ?? { id: "300000000000000001", username: "tester", global_name: "Tester" }, roles: input.roles ?? [], permissions: input.permissions ?? "0" },
    options: input.options ?? [],
  });
  // Discord names the guild a guild command is registered to.
  (payload.data as Record<string, unknown>).guild_id = g.guildId;
  const { request } = await signer.request(url("/interactions"), payload);
  const res = await exports.default.fetch(request);
  expect(res.status).toBe(200);
  return { id: String(payload.id), reply: await res.json<Reply>() };
}

async function create(g: ManagedGuild, body: Record<string, unknown>) {
  const res = await call(`/api/t/${g.lab.tenantId}/discord/guilds/${g.guildId}/commands`, g.lab.members.admin, json("POST", body));
  expect(res.status, await res.clone().text()).toBe(201);
  return res.json<{ id: string; name: string; warnings: { field: string; message: string }[] }>();
}

const patch = (g: ManagedGuild, id: string, body: Record<string, unknown>) => call(`/api/t/${g.lab.tenantId}/discord/guilds/${g.guildId}/commands/${id}`, g.lab.members.admin, json("PATCH", body));

async function cache() {
  const config = loadConfig(env);
  return createServices(env, config, createLogger({ test: "custom-commands" }, "error"));
}

describe("custom commands: registration", () => {
  let g: ManagedGuild;
  beforeAll(async () => {
    g = await seedManagedGuild("Commands Lab");
  });

  it("create → the guild's bulk overwrite reaches Discord with the command's JSON, and the status says registered", async () => {
    await create(g, {
      name: "hug",
      description: "Hug someone",
      options: [
        { name: "who", description: "Who gets the hug", type: "user", required: true },
        { name: "times", description: "How many", type: "integer" },
        { name: "where", description: "Which channel", type: "channel" },
      ],
      template: "{user} hugs {option.who} {option.times} times",
    });
    await create(g, { name: "rules", description: "Server rules", template: "Read <#{option.nope}>" });

    const commands = await vi.waitFor(async () => {
      const list = await registeredCommands(TEST_APPLICATION_ID, g.guildId);
      expect(list.map((c) => c.name).sort()).toEqual(["hug", "rules"]);
      return list as unknown as Record<string, unknown>[];
    }, WAIT);
    expect(commands.find((c) => c.name === "hug")).toMatchObject({
      type: 1,
      name: "hug",
      description: "Hug someone",
      options: [
        { type: 6, name: "who", description: "Who gets the hug", required: true },
        { type: 4, name: "times", description: "How many", required: false },
        { type: 7, name: "where", description: "Which channel", required: false },
      ],
    });

    const list = await vi.waitFor(async () => {
      const res = await (await call(`/api/t/${g.lab.tenantId}/discord/guilds/${g.guildId}/commands`, g.lab.members.admin)).json<{
        items: { name: string; warnings: { message: string }[] }[];
        registration: { status: string; commandCount: number; error: string | null };
        limit: number;
      }>();
      expect(res.registration).toMatchObject({ status: "registered", commandCount: 2, error: null });
      return res;
    }, WAIT);
    expect(list.limit).toBe(100);
    expect(list.items.find((i) => i.name === "rules")?.warnings[0]?.message).toMatch(/no option "nope"/);
  });

  it("a refusal from Discord shows as the registration error", async () => {
    const h = await seedManagedGuild("Refused Lab");
    await addFault({ method: "PUT", path: `/guilds/${h.guildId}/commands`, status: 403 });
    await create(h, { name: "ping", description: "Pong", template: "pong" });
    await vi.waitFor(async () => {
      const res = await (await call(`/api/t/${h.lab.tenantId}/discord/guilds/${h.guildId}/commands`, h.lab.members.admin)).json<{ registration: { status: string; error: string } }>();
      expect(res.registration).toMatchObject({ status: "failed", error: expect.stringContaining("403") });
    }, WAIT);
    // Re-register after fixing it in Discord.
    const again = await call(`/api/t/${h.lab.tenantId}/discord/guilds/${h.guildId}/commands/register`, h.lab.members.admin, { method: "POST" });
    expect(again.status).toBe(202);
    await vi.waitFor(async () => expect((await registeredCommands(TEST_APPLICATION_ID, h.guildId)).map((c) => c.name)).toEqual(["ping"]), WAIT);
  });
});

describe("custom commands: invocation", () => {
  let g: ManagedGuild;
  let hug: { id: string };
  beforeAll(async () => {
    g = await seedManagedGuild("Invoke Lab");
    hug = await create(g, {
      name: "hug",
      description: "Hug someone",
      options: [
        { name: "who", description: "Who", type: "user", required: true },
        { name: "reason", description: "Why", type: "string" },
      ],
      template: "{user.name} hugs {option.who} because {option.reason} (hug #{count}) @everyone {nope}",
      embed: { title: "{random:Aww|Cute}", description: "in {server}", color: 0xff00ff },
    });
  });

  it("answers on the fast path with the rendered template; only the invoker and the chosen user may be pinged", async () => {
    const friend = snowflake();
    const { reply } = await invoke(g, "hug", { options: [{ name: "who", type: 6, value: friend }, { name: "reason", type: 3, value: "@here it's friday" }] });
    expect(reply.type).toBe(4);
    expect(reply.data?.content).toBe(`Tester hugs <@${friend}> because @\u200bhere it's friday (hug #1) @everyone {nope}`);
    expect(reply.data?.allowed_mentions).toEqual({ parse: [], users: ["300000000000000001", friend] });
    expect(reply.data?.embeds?.[0]).toMatchObject({ title: expect.stringMatching(/^(Aww|Cute)$/), description: `in ${g.guildName}`, color: 0xff00ff });
    expect(reply.data?.flags).toBeUndefined();
  });

  it("counts uses in the cache, shows them in usage, and the flush job writes them to Postgres", async () => {
    const before = await (await call(`/api/t/${g.lab.tenantId}/discord/guilds/${g.guildId}/commands/usage`, g.lab.members.admin)).json<{ items: { id: string; usageCount: number }[] }>();
    const start = before.items.find((i) => i.id === hug.id)?.usageCount ?? 0;
    await invoke(g, "hug", { options: [{ name: "who", type: 6, value: snowflake() }] });
    await invoke(g, "hug", { user: { id: snowflake(), username: "other" }, options: [{ name: "who", type: 6, value: snowflake() }] });
    const usage = await (await call(`/api/t/${g.lab.tenantId}/discord/guilds/${g.guildId}/commands/usage`, g.lab.members.admin)).json<{ items: { id: string; usageCount: number }[]; total: number }>();
    expect(usage.items.find((i) => i.id === hug.id)?.usageCount).toBe(start + 2);

    const scope = await cache();
    try {
      // Other suites share the cache: flush until this command's uses are in Postgres.
      await vi.waitFor(async () => {
        await flushCustomCommandUsage(scope.services.db, scope.services.cache, new Date(), undefined, 1000);
        const [row] = await withDb((db) => db.select().from(customCommands).where(eq(customCommands.id, hug.id)));
        expect(row?.usageCount).toBe(start + 2);
        expect(row?.lastUsedAt).not.toBeNull();
      }, WAIT);
    } finally {
      await scope.dispose();
    }
    const after = await (await call(`/api/t/${g.lab.tenantId}/discord/guilds/${g.guildId}/commands/usage`, g.lab.members.admin)).json<{ items: { id: string; usageCount: number }[] }>();
    expect(after.items.find((i) => i.id === hug.id)?.usageCount).toBe(start + 2);
    // {count} keeps counting from the flushed total.
    const { reply } = await invoke(g, "hug", { options: [{ name: "who", type: 6, value: snowflake() }] });
    expect(reply.data?.content).toContain(`(hug #${start + 3})`);
  });

  it("allowed roles: others get an ephemeral refusal; a member with the role or an administrator may use it", async () => {
    const vip = await create(g, { name: "vip", description: "VIP only", template: "Welcome to the lounge, {user.name}", allowedRoleIds: [g.roles.vip] });
    const denied = await invoke(g, "vip");
    expect(denied.reply).toMatchObject({ type: 4, data: { flags: 64, content: expect.stringContaining(`<@&${g.roles.vip}>`) } });
    const allowed = await invoke(g, "vip", { roles: [g.roles.vip] });
    expect(allowed.reply.data).toMatchObject({ content: "Welcome to the lounge, Tester" });
    const admin = await invoke(g, "vip", { user: { id: snowflake(), username: "boss" }, permissions: String(1n << 3n) });
    expect(admin.reply.data?.content).toBe("Welcome to the lounge, boss");
    expect(vip.id).toMatch(/^cmd_/);
  });

  it("cooldowns: per user, then for everyone; a refusal is ephemeral and says how long to wait", async () => {
    await create(g, { name: "daily", description: "Daily reward", template: "Here you go, {user}", userCooldownSeconds: 3600 });
    expect((await invoke(g, "daily")).reply.data?.content).toBe("Here you go, <@300000000000000001>");
    const again = await invoke(g, "daily");
    expect(again.reply.data).toMatchObject({ flags: 64, content: expect.stringMatching(/on cooldown for you: try again in \d+ s/) });
    expect((await invoke(g, "daily", { user: { id: snowflake(), username: "someone" } })).reply.data?.flags).toBeUndefined();

    await create(g, { name: "announce", description: "Once a minute", template: "Announcement!", globalCooldownSeconds: 60, ephemeral: true });
    expect((await invoke(g, "announce")).reply.data).toMatchObject({ content: "Announcement!", flags: 64 });
    expect((await invoke(g, "announce", { user: { id: snowflake(), username: "someone" } })).reply.data).toMatchObject({ flags: 64, content: expect.stringMatching(/was just used here/) });
  });

  it("a disabled command answers that it is off, and leaves the guild's registration", async () => {
    const off = await create(g, { name: "later", description: "Soon", template: "soon" });
    await vi.waitFor(async () => expect((await registeredCommands(TEST_APPLICATION_ID, g.guildId)).map((c) => c.name)).toContain("later"), WAIT);
    expect((await patch(g, off.id, { enabled: false })).status).toBe(200);
    expect((await invoke(g, "later")).reply.data).toMatchObject({ flags: 64, content: "/later is turned off in this server." });
    await vi.waitFor(async () => expect((await registeredCommands(TEST_APPLICATION_ID, g.guildId)).map((c) => c.name)).not.toContain("later"), WAIT);
  });

  it("with a cold cache the command defers, and the deferred run warms the cache from Postgres and answers", async () => {
    const scope = await cache();
    try {
      await scope.services.cache.delete(guildCommandsKey(g.guildId));
    } finally {
      await scope.dispose();
    }
    const cold = await invoke(g, "hug", { options: [{ name: "who", type: 6, value: snowflake() }] });
    expect(cold.reply).toEqual({ type: 5 });
    const record = await waitForOriginalEdit(cold.id);
    expect(record.original?.content).toMatch(/^Tester hugs <@\d+> because {2}\(hug #\d+\)/);
    // Warm again: the next use is answered on the fast path.
    expect((await invoke(g, "hug", { options: [{ name: "who", type: 6, value: snowflake() }] })).reply.type).toBe(4);
  });

  it("an unknown name in a guild with custom commands is 'not available', as before", async () => {
    expect((await invoke(g, "no-such-command")).reply).toEqual({ type: 4, data: { content: "This command is not available.", flags: 64, allowed_mentions: { parse: [] } } });
  });
});

describe("custom commands: bad input and access", () => {
  let g: ManagedGuild;
  beforeAll(async () => {
    g = await seedManagedGuild("Strict Lab");
  });
  const path = () => `/api/t/${g.lab.tenantId}/discord/guilds/${g.guildId}/commands`;
  const post = (body: unknown) => call(path(), g.lab.members.admin, json("POST", body));

  it.each([
    ["uppercase", "Hello"],
    ["too long", "a".repeat(33)],
    ["empty", ""],
    ["a space", "two words"],
    ["punctuation", "hi!"],
  ])("a name with %s is refused with details", async (_label, name) => {
    const res = await post({ name, description: "x", template: "y" });
    expect(res.status).toBe(400);
    const body = await res.json<{ error: { code: string; details: { issues: { path: string; message: string }[] } } }>();
    expect(body.error.code).toBe("BAD_REQUEST");
    expect(new Set(body.error.details.issues.map((i) => i.path))).toEqual(new Set(["name"]));
  });

  it("refuses the command past Discord's 100 per server (Nebula's own guild commands included) with 409, and writes nothing", async () => {
    const full = await seedManagedGuild("Full Commands Lab");
    const fullPath = `/api/t/${full.lab.tenantId}/discord/guilds/${full.guildId}/commands`;
    const { limit } = await (await call(fullPath, full.lab.members.admin)).json<{ limit: number }>();
    expect(limit).toBeLessThanOrEqual(100);
    // All but one made directly: the limit is what is under test, not 99 registrations.
    await withDb((db) =>
      db.insert(customCommands).values(
        Array.from({ length: limit - 1 }, (_, i) => ({ id: newId("customCommand"), tenantId: full.lab.tenantId, guildId: full.guildId, name: `c${i}`, description: "x", template: "y" })),
      ),
    );
    expect((await call(fullPath, full.lab.members.admin, json("POST", { name: "last", description: "x", template: "y" }))).status).toBe(201);

    const refused = await call(fullPath, full.lab.members.admin, json("POST", { name: "onemore", description: "x", template: "y" }));
    expect(refused.status).toBe(409);
    const { error } = await refused.json<{ error: { code: string; message: string; details: { limit: number } } }>();
    expect(error).toMatchObject({ code: "CONFLICT", details: { limit } });
    expect(error.message).toMatch(/Discord allows 100 commands per server/);
    expect(error.message).toMatch(/Delete one/);
    const rows = await withDb((db) => db.select({ name: customCommands.name }).from(customCommands).where(eq(customCommands.guildId, full.guildId)));
    expect(rows).toHaveLength(limit);
    expect(rows.map((r) => r.name)).not.toContain("onemore");
  });

  it("accepts names in other scripts, as Discord does", async () => {
    expect((await post({ name: "привет", description: "Hello in Russian", template: "Привет, {user}!" })).status).toBe(201);
  });

  it("refuses bad option definitions: more than 25, duplicates, required after optional, unknown types", async () => {
    const many = Array.from({ length: 26 }, (_, i) => ({ name: `o${i}`, description: "d", type: "string" }));
    const cases = [
      { options: many, path: "options" },
      { options: [{ name: "a", description: "d", type: "string" }, { name: "a", description: "d", type: "string" }], path: "options.1.name" },
      { options: [{ name: "a", description: "d", type: "string" }, { name: "b", description: "d", type: "user", required: true }], path: "options.1.required" },
      { options: [{ name: "a", description: "d", type: "attachment" }], path: "options.0.type" },
      { options: [{ name: "a", description: "", type: "string" }], path: "options.0.description" },
    ];
    for (const c of cases) {
      const res = await post({ name: "opts", description: "x", template: "y", options: c.options });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { details: { issues: { path: string }[] } } }).error.details.issues.map((i) => i.path)).toContain(c.path);
    }
  });

  it("refuses a broken template, an empty response, a built-in's name and a duplicate", async () => {
    const broken = await post({ name: "broken", description: "x", template: "Hi {user" });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ error: { details: { issues: [{ path: "template", message: expect.stringContaining("Unclosed") }] } } });
    expect((await post({ name: "empty", description: "x", template: "  " })).status).toBe(400);
    expect((await post({ name: "nebula", description: "x", template: "y" })).status).toBe(409);
    expect((await post({ name: "twice", description: "x", template: "y" })).status).toBe(201);
    expect((await post({ name: "twice", description: "x", template: "y" })).status).toBe(409);
  });

  it("an operator may not create, change or delete; another tenant gets 404 for this guild's commands", async () => {
    const cmd = await create(g, { name: "mine", description: "x", template: "y" });
    expect((await call(path(), g.lab.members.operator, json("POST", { name: "nope", description: "x", template: "y" }))).status).toBe(403);
    expect((await call(`${path()}/${cmd.id}`, g.lab.members.operator, json("PATCH", { enabled: false }))).status).toBe(403);
    expect((await call(`${path()}/${cmd.id}`, g.lab.members.operator, { method: "DELETE" })).status).toBe(403);

    const other = await seedManagedGuild("Other Commands Lab");
    expect((await call(`/api/t/${other.lab.tenantId}/discord/guilds/${g.guildId}/commands`, other.lab.members.admin)).status).toBe(404);
    // Another tenant's command id under its own guild is the same 404 as a missing one.
    const res = await call(`/api/t/${other.lab.tenantId}/discord/guilds/${other.guildId}/commands/${cmd.id}`, other.lab.members.admin, json("PATCH", { enabled: false }));
    expect(res.status).toBe(404);
    const missing = await call(`/api/t/${other.lab.tenantId}/discord/guilds/${other.guildId}/commands/cmd_0000000000000000`, other.lab.members.admin, json("PATCH", { enabled: false }));
    expect((await missing.json<{ error: { message: string } }>()).error.message).toBe((await res.json<{ error: { message: string } }>()).error.message);

    expect((await call(`${path()}/${cmd.id}`, g.lab.members.admin, { method: "DELETE" })).status).toBe(204);
    expect((await call(`${path()}/${cmd.id}`, g.lab.members.admin, { method: "DELETE" })).status).toBe(404);
  });
});

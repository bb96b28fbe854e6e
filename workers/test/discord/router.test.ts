// The interaction platform under a test registry: custom_id state, modals, autocomplete caps, errors shown to the
// user (never a 500), the Manage Server guard, and the deferred path through the queue consumer, redelivery included.
import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newApp } from "../../src/app.ts";
import { consumeDiscordQueue } from "../../src/discord-queue/consumer.ts";
import { CustomIdError, decodeCustomId, encodeCustomId } from "../../src/interactions/custom-id.ts";
import { InteractionError, requireManageGuild } from "../../src/interactions/guards.ts";
import { createRegistry, defineCommand, defineComponent, defineModal } from "../../src/interactions/registry.ts";
import { createInteractionRoutes } from "../../src/interactions/routes.ts";
import { createInteractionRunKind } from "../../src/interactions/run-deferred.ts";
import { url } from "../support/seed.ts";
import { BITS, interactionRecord, signer, waitForOriginalEdit } from "./fake-discord.ts";

const ran: string[] = [];

const registry = createRegistry([
  {
    name: "test",
    commands: [
      defineCommand({
        name: "echo",
        description: "Echo",
        scope: "guild",
        options: [{ type: 3, name: "text", description: "Text", required: true, autocomplete: true }, { type: 4, name: "times", description: "Times" }],
        respond: (ctx) => ctx.reply({ content: `${ctx.options.string("text")} x${ctx.options.integer("times") ?? 1}`, components: [] }),
        autocomplete: (ctx) => Array.from({ length: 40 }, (_, i) => ({ name: `${ctx.focused.value}-${i}`, value: `v${i}` })),
      }),
      defineCommand({ name: "boom", description: "Throws", scope: "guild", respond: () => { throw new Error("kaboom with a secret path /srv/x.ts"); } }),
      defineCommand({ name: "polite", description: "Says why not", scope: "guild", respond: () => { throw new InteractionError("Not today."); } }),
      defineCommand({
        name: "admin-only",
        description: "Needs Manage Server",
        scope: "guild",
        respond: (ctx) => {
          requireManageGuild(ctx);
          return ctx.reply({ content: "welcome, manager", ephemeral: true });
        },
      }),
      defineCommand({
        name: "slow",
        description: "Deferred",
        scope: "guild",
        ephemeral: true,
        async run(ctx) {
          ran.push(ctx.id);
          await ctx.followUp({ content: "a follow-up" });
          return { content: `done for ${ctx.user.username}` };
        },
      }),
      defineCommand({ name: "slow-boom", description: "Deferred, throws", scope: "guild", run: () => { throw new Error("deferred kaboom"); } }),
      defineCommand({
        name: "form",
        description: "Opens a modal",
        scope: "guild",
        respond: (ctx) => ctx.showModal({ customId: encodeCustomId("test.form", "tkt_123", 7), title: "Tell us", inputs: [{ customId: "reason", label: "Reason", style: 2 }] }),
      }),
    ],
    components: [
      defineComponent({ prefix: "test.pick", respond: (ctx) => ctx.update({ content: `picked ${ctx.values.join("+")} for ${ctx.args.join("|")}` }) }),
      defineComponent({ prefix: "test.claim", async run(ctx) { await ctx.editOriginal({ content: `claimed ${ctx.args[0]}` }); } }),
    ],
    modals: [
      defineModal({ prefix: "test.form", respond: (ctx) => ctx.reply({ content: `${ctx.args.join(",")}: ${ctx.field("reason")}`, ephemeral: true }) }),
      defineModal({ prefix: "test.slowform", ephemeral: true, run: (ctx) => ({ content: `stored ${ctx.field("reason")}` }) }),
    ],
  },
]);

const app = newApp();
app.route("/interactions", createInteractionRoutes(registry));

/** The app with a queue that keeps what was sent, so the test hands it to the consumer itself. */
async function send(payload: Record<string, unknown>) {
  const sent: unknown[] = [];
  const queue = { send: async (body: unknown) => void sent.push(body), sendBatch: async () => {} } as unknown as Queue;
  const { request } = await signer.request(url("/interactions"), payload);
  const ctx = createExecutionContext();
  const res = await app.fetch(request, { ...env, DISCORD_QUEUE: queue }, ctx);
  await waitOnExecutionContext(ctx);
  expect(res.status).toBe(200);
  return { body: await res.json<{ type: number; data?: Record<string, unknown> }>(), sent, requestId: res.headers.get("x-request-id") };
}

async function consume(bodies: unknown[]) {
  const batch = createMessageBatch("nebula-discord", bodies.map((body, i) => ({ id: `m${i}-${Math.random()}`, timestamp: new Date(), attempts: 1, body })));
  const ctx = createExecutionContext();
  await consumeDiscordQueue(batch, env, ctx, [createInteractionRunKind(registry)]);
  return getQueueResult(batch, ctx);
}

describe("custom_id state", () => {
  it("round-trips arguments, separators included", () => {
    const id = encodeCustomId("test.pick", "a:b", "100%", 42);
    expect(decodeCustomId(id)).toEqual({ prefix: "test.pick", args: ["a:b", "100%", "42"] });
  });

  it("refuses at encode time anything over Discord's 100 characters, or a bad prefix", () => {
    expect(() => encodeCustomId("test.pick", "x".repeat(91))).toThrow(CustomIdError);
    expect(() => encodeCustomId("Bad:Prefix")).toThrow(CustomIdError);
    expect(encodeCustomId("p", "x".repeat(98))).toHaveLength(100);
  });

  it("a select menu click reaches its handler with the decoded args and values", async () => {
    const { body } = await send(signer.component(encodeCustomId("test.pick", "tkt_1", "p:2"), { componentType: 3, values: ["a", "b"] }));
    expect(body).toEqual({ type: 7, data: { content: "picked a+b for tkt_1|p:2", allowed_mentions: { parse: [] } } });
  });
});

describe("commands", () => {
  it("reads typed options", async () => {
    const { body } = await send(signer.slashCommand("echo", { options: [{ name: "text", type: 3, value: "hi" }, { name: "times", type: 4, value: 3 }] }));
    expect(body).toMatchObject({ type: 4, data: { content: "hi x3" } });
  });

  it("autocomplete sends at most 25 choices", async () => {
    const { body } = await send(signer.autocomplete("echo", { options: [{ name: "text", type: 3, value: "ab" }], focused: "text" }));
    expect(body.type).toBe(8);
    const choices = body.data?.choices as { name: string }[];
    expect(choices).toHaveLength(25);
    expect(choices[0]).toEqual({ name: "ab-0", value: "v0" });
  });

  it("a throwing handler answers an ephemeral message with the request id, and no stack", async () => {
    const { body, requestId } = await send(signer.slashCommand("boom"));
    expect(body.type).toBe(4);
    expect(body.data?.flags).toBe(64);
    expect(body.data?.content).toContain(requestId);
    expect(JSON.stringify(body)).not.toMatch(/kaboom|\.ts/);
  });

  it("an InteractionError is shown to the user as is", async () => {
    expect((await send(signer.slashCommand("polite"))).body).toMatchObject({ type: 4, data: { content: "Not today.", flags: 64 } });
  });

  it("requireManageGuild reads the member's permissions from the interaction", async () => {
    const manager = { user: { id: "300000000000000011", username: "mgr" }, permissions: String(BITS.MANAGE_GUILD | BITS.SEND_MESSAGES) };
    const admin = { user: { id: "300000000000000012", username: "adm" }, permissions: String(BITS.ADMINISTRATOR) };
    const member = { user: { id: "300000000000000013", username: "mem" }, permissions: String(BITS.SEND_MESSAGES) };
    expect((await send(signer.slashCommand("admin-only", { member: manager }))).body.data?.content).toBe("welcome, manager");
    expect((await send(signer.slashCommand("admin-only", { member: admin }))).body.data?.content).toBe("welcome, manager");
    expect((await send(signer.slashCommand("admin-only", { member }))).body.data?.content).toMatch(/Manage Server/);
    expect((await send(signer.slashCommand("admin-only", { guildId: null }))).body.data?.content).toMatch(/inside a server/);
  });
});

describe("modals", () => {
  it("respond() shows a modal whose custom_id carries state, and its submit gets the state and fields back", async () => {
    const { body } = await send(signer.slashCommand("form"));
    expect(body.type).toBe(9);
    expect(body.data).toMatchObject({ custom_id: "test.form:tkt_123:7", title: "Tell us", components: [{ type: 1, components: [{ type: 4, custom_id: "reason", style: 2 }] }] });

    const submitted = await send(signer.modalSubmit("test.form:tkt_123:7", { reason: "printer on fire" }));
    expect(submitted.body).toMatchObject({ type: 4, data: { content: "tkt_123,7: printer on fire", flags: 64 } });
  });

  it("a modal without respond() is deferred and finished by run()", async () => {
    const payload = signer.modalSubmit("test.slowform", { reason: "later" });
    const { body, sent } = await send(payload);
    expect(body).toEqual({ type: 5, data: { flags: 64 } });
    await consume(sent);
    expect((await waitForOriginalEdit(String(payload.id))).original?.content).toBe("stored later");
  });
});

describe("deferred through the queue", () => {
  it("answers type 5 at once; the consumer runs run() and edits @original, and a redelivery sends nothing twice", async () => {
    const payload = signer.slashCommand("slow");
    const { body, sent } = await send(payload);
    expect(body).toEqual({ type: 5, data: { flags: 64 } });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ kind: "interaction.run", id: payload.id });

    const first = await consume(sent);
    expect(first.explicitAcks).toHaveLength(1);
    const record = await interactionRecord(String(payload.id));
    expect(record.original?.content).toBe("done for tester");
    expect(record.followUps.map((f) => f.content)).toEqual(["a follow-up"]);

    // At-least-once: the same message again (and twice in one batch) is acknowledged without running.
    const again = await consume([sent[0], sent[0]]);
    expect(again.explicitAcks).toHaveLength(2);
    const after = await interactionRecord(String(payload.id));
    expect(after.originalEdits).toBe(1);
    expect(after.followUps).toHaveLength(1);
    expect(ran.filter((id) => id === payload.id)).toHaveLength(1);
  });

  it("a component deferred as an update (type 6) edits the clicked message from run()", async () => {
    const payload = signer.component(encodeCustomId("test.claim", "tkt_9"));
    const { body, sent } = await send(payload);
    expect(body).toEqual({ type: 6 });
    await consume(sent);
    expect((await interactionRecord(String(payload.id))).original?.content).toBe("claimed tkt_9");
  });

  it("a throwing run() edits @original with an error carrying the request id", async () => {
    const payload = signer.slashCommand("slow-boom");
    const { sent, requestId } = await send(payload);
    const result = await consume(sent);
    expect(result.explicitAcks).toHaveLength(1);
    const content = (await interactionRecord(String(payload.id))).original?.content ?? "";
    expect(content).toContain(requestId);
    expect(content).not.toContain("kaboom");
  });

  it("an interaction whose 15-minute token expired is dropped without calling Discord", async () => {
    const payload = signer.slashCommand("slow", { at: Date.now() - 16 * 60_000 });
    const { sent } = await send(payload);
    const result = await consume(sent);
    expect(result.explicitAcks).toHaveLength(1);
    expect((await interactionRecord(String(payload.id))).originalEdits).toBe(0);
  });

  it("a malformed queue message is dropped, not retried forever", async () => {
    const result = await consume([{ nope: true }, { kind: "no.such-kind", id: "1", body: {}, enqueuedAt: 1 }]);
    expect(result.explicitAcks).toHaveLength(2);
    expect(result.retryMessages).toEqual([]);
  });
});

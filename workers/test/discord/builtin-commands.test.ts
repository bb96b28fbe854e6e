// /nebula through the real Worker, the real queue and the fake Discord: a fast reply, a component round trip,
// autocomplete, an unknown command, and a deferred command finished by the queue consumer editing @original.
import { exports } from "cloudflare:workers";
import { guilds, newId, tenants } from "@nebula/schema";
import { describe, expect, it } from "vitest";
import { url, withDb } from "../support/seed.ts";
import { seedGuild, signer, snowflake, waitForOriginalEdit } from "./fake-discord.ts";

async function send(payload: Record<string, unknown>) {
  const { request } = await signer.request(url("/interactions"), payload);
  const res = await exports.default.fetch(request);
  expect(res.status).toBe(200);
  return res.json<{ type: number; data?: Record<string, unknown> & { components?: { components: { custom_id: string }[] }[] } }>();
}

describe("/nebula", () => {
  it("status answers at once, ephemeral, with a Refresh button carrying its state in custom_id", async () => {
    const res = await send(signer.slashCommand("nebula", { subcommand: "status" }));
    expect(res.type).toBe(4);
    expect(res.data).toMatchObject({ flags: 64, allowed_mentions: { parse: [] }, embeds: [{ title: "Nebula Command" }] });
    const customId = res.data?.components?.[0]?.components[0]?.custom_id ?? "";
    expect(customId).toBe("nebula.status:1");

    const clicked = await send(signer.component(customId));
    expect(clicked.type).toBe(7);
    expect(clicked.data?.components?.[0]?.components[0]?.custom_id).toBe("nebula.status:2");
  });

  it("help autocompletes topics and answers with the chosen one", async () => {
    const suggestions = await send(signer.autocomplete("nebula", { subcommand: "help", options: [{ name: "topic", type: 3, value: "add" }], focused: "topic" }));
    expect(suggestions.type).toBe(8);
    expect(suggestions.data?.choices).toEqual([{ name: "Adding Nebula to a server", value: "install" }]);

    const answer = await send(signer.slashCommand("nebula", { subcommand: "help", options: [{ name: "topic", type: 3, value: "install" }] }));
    expect(answer).toMatchObject({ type: 4, data: { flags: 64, content: expect.stringContaining("Adding Nebula") } });
  });

  it("an unknown command or button gets an ephemeral 'not available', never an error status", async () => {
    for (const payload of [signer.slashCommand("no-such-command"), signer.component("gone.prefix:1"), signer.modalSubmit("gone.modal", { a: "b" })]) {
      expect(await send(payload)).toEqual({ type: 4, data: { content: "This command is not available.", flags: 64, allowed_mentions: { parse: [] } } });
    }
  });

  it("link defers (ephemeral), and the queue consumer edits @original with the linked tenant read from Postgres", async () => {
    const guildId = snowflake();
    const tenantId = newId("tenant");
    await withDb(async (db) => {
      await db.insert(tenants).values({ id: tenantId, name: "Deferred Lab" });
      await db.insert(guilds).values({ guildId, tenantId, name: "Deferred Guild" });
    });
    const payload = signer.slashCommand("nebula", { subcommand: "link", guildId });
    const res = await send(payload);
    expect(res).toEqual({ type: 5, data: { flags: 64 } });

    const record = await waitForOriginalEdit(String(payload.id));
    expect(record.original?.content).toContain("**Deferred Lab**");
    expect(record.original?.allowed_mentions).toEqual({ parse: [] });
    expect(record.followUps).toEqual([]);
  });

  it("link in a server that is not linked says so", async () => {
    const guildId = snowflake();
    await seedGuild({ id: guildId, name: "Lonely", ownerId: snowflake() });
    const payload = signer.slashCommand("nebula", { subcommand: "link", guildId });
    expect((await send(payload)).type).toBe(5);
    expect((await waitForOriginalEdit(String(payload.id))).original?.content).toMatch(/not linked/);
  });
});

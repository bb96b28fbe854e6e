// `npm run discord:register` as a user runs it: a child process against the fake Discord and the test run's Postgres,
// printing what it registered.
import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { newId } from "@nebula/schema";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { TEST_DISCORD_BOT_TOKEN } from "../../../test/fakes/discord.ts";
import { guildCommandSet } from "../custom-commands/registration.ts";
import type { Db } from "../db/client.ts";
import { interactionRegistry } from "./commands.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const run = promisify(execFile);
const APP = "100000000000000001";

async function register(args: string[], env: Record<string, string>) {
  try {
    const { stdout, stderr } = await run(path.join(root, "node_modules/.bin/tsx"), ["workers/local/discord-register.ts", ...args], {
      cwd: root,
      // A data dir without worker.env, so only what the test passes counts.
      env: { PATH: process.env.PATH ?? "", NEBULA_DATA_DIR: "/nonexistent-nebula-data", ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function registered(guildId?: string): Promise<{ id: string; name: string }[]> {
  const origin = new URL(inject("discordApiBase")).origin;
  const res = await fetch(`${origin}/__control/commands?applicationId=${APP}${guildId ? `&guildId=${guildId}` : ""}`);
  return res.json() as Promise<{ id: string; name: string }[]>;
}

let client: pg.Client;
beforeAll(async () => {
  client = new pg.Client({ connectionString: inject("databaseUrl") });
  await client.connect();
});
afterAll(() => client.end());

/**
 * A server linked to a tenant, with an enabled /roll and a disabled /retired made in the dashboard, which the
 * dashboard's registration already sent to Discord (the fake holds /roll; the registration row its fingerprint).
 */
async function guildWithCustomCommands(guildId: string): Promise<{ tenantId: string }> {
  const tenantId = newId("tenant");
  const origin = new URL(inject("discordApiBase")).origin;
  await fetch(`${origin}/__control/guilds`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ id: guildId, name: "Dev", ownerId: "700000000000000001" }) });
  await client.query("insert into core.tenants (id, name) values ($1, 'Lab')", [tenantId]);
  await client.query("insert into discord.guilds (guild_id, tenant_id, name) values ($1, $2, 'Dev')", [guildId, tenantId]);
  for (const [name, enabled] of [["roll", true], ["retired", false]] as const) {
    await client.query("insert into discord.custom_commands (id, tenant_id, guild_id, name, description, template, enabled) values ($1, $2, $3, $4, 'A custom command', 'Rolled {user}', $5)", [
      newId("customCommand"),
      tenantId,
      guildId,
      name,
      enabled,
    ]);
  }
  const dashboardSet = [...interactionRegistry.definitions("guild"), { type: 1, name: "roll", description: "A custom command" }];
  const put = await fetch(`${inject("discordApiBase")}/applications/${APP}/guilds/${guildId}/commands`, {
    method: "PUT",
    headers: { authorization: `Bot ${TEST_DISCORD_BOT_TOKEN}`, "content-type": "application/json" },
    body: JSON.stringify(dashboardSet),
  });
  expect(put.status).toBe(200);
  await client.query("insert into discord.custom_command_registrations (guild_id, tenant_id, status, generation, registered_hash, command_count) values ($1, $2, 'registered', 1, 'sent-by-the-dashboard', $3)", [
    guildId,
    tenantId,
    dashboardSet.length,
  ]);
  return { tenantId };
}

async function registration(guildId: string) {
  const { rows } = await client.query<{ status: string; registered_hash: string | null; command_count: number }>(
    "select status, registered_hash, command_count from discord.custom_command_registrations where guild_id = $1",
    [guildId],
  );
  return rows[0];
}

describe("npm run discord:register", () => {
  const configured = () => ({ DISCORD_APPLICATION_ID: APP, DISCORD_BOT_TOKEN: TEST_DISCORD_BOT_TOKEN, DISCORD_API_BASE: inject("discordApiBase") });

  it("bulk-overwrites the global commands with the router's list and prints them", async () => {
    const out = await register([], configured());
    expect(out.code, out.stderr).toBe(0);
    const names = interactionRegistry.definitions("global").map((d) => d.name);
    expect(names).toContain("nebula");
    for (const name of names) expect(out.stdout).toContain(`/${name}`);
    expect((await registered()).map((c) => c.name)).toEqual(names);
  });

  it("--guild sends the server's built-ins with its custom commands, and the dashboard's fingerprint agrees", async () => {
    const guildId = "700000000000000123";
    const { tenantId } = await guildWithCustomCommands(guildId);

    const out = await register(["--guild", guildId], { ...configured(), DATABASE_URL: inject("databaseUrl") });
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain(`server ${guildId}`);
    expect(out.stdout).toContain("/roll");
    // The custom command survives the overwrite; the disabled one stays off Discord.
    const names = (await registered(guildId)).map((c) => c.name);
    expect(names).toEqual([...interactionRegistry.definitions("guild").map((d) => d.name), "roll"]);
    // The fingerprint is the set the dashboard's registration would send now, so it is not sent again, and a change is.
    // (The Worker reaches Postgres through the neon driver; drizzle's query builder is the same over node-postgres.)
    const expected = await guildCommandSet(drizzle(client) as unknown as Db, tenantId, guildId);
    expect(await registration(guildId)).toEqual({ status: "registered", registered_hash: expected.hash, command_count: names.length });
  });

  it("--guild refuses, and leaves Discord as it was, when the database is not reachable or not configured", async () => {
    const guildId = "700000000000000124";
    await guildWithCustomCommands(guildId);
    const before = await registered(guildId);

    const unreachable = await register(["--guild", guildId], { ...configured(), DATABASE_URL: "postgres://postgres@127.0.0.1:1/nebula" });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(new RegExp(`Not registering server ${guildId}: its custom commands are in Postgres`));
    expect(unreachable.stderr).toMatch(/Postgres at postgres:\/\/postgres@127\.0\.0\.1:1\/nebula is not reachable/);

    const unconfigured = await register(["--guild", guildId], configured());
    expect(unconfigured.code).toBe(1);
    expect(unconfigured.stderr).toMatch(/no database is configured: start the stack \(npm start\) or set DATABASE_URL/);

    expect(await registered(guildId)).toEqual(before);
    expect((await registration(guildId))?.registered_hash).toBe("sent-by-the-dashboard");
  });

  it("says clearly what is missing when Discord is not configured", async () => {
    const out = await register([], {});
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/DISCORD_APPLICATION_ID and DISCORD_BOT_TOKEN/);
  });

  it("reports Discord refusing the token", async () => {
    const out = await register([], { ...configured(), DISCORD_BOT_TOKEN: "wrong-token-for-the-fake" });
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/Registering commands failed: Discord refused PUT/);
  });
});

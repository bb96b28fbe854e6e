// `npm run discord:register` as a user runs it: a child process against the fake Discord, printing what it registered.
import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, inject, it } from "vitest";
import { TEST_DISCORD_BOT_TOKEN } from "../../../test/fakes/discord.ts";
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

async function registered(guildId?: string): Promise<{ name: string }[]> {
  const origin = new URL(inject("discordApiBase")).origin;
  const res = await fetch(`${origin}/__control/commands?applicationId=${APP}${guildId ? `&guildId=${guildId}` : ""}`);
  return res.json() as Promise<{ name: string }[]>;
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

  it("--guild overwrites that server's guild commands", async () => {
    const guildId = "700000000000000123";
    const origin = new URL(inject("discordApiBase")).origin;
    await fetch(`${origin}/__control/guilds`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ id: guildId, name: "Dev", ownerId: "700000000000000001" }) });
    const out = await register(["--guild", guildId], configured());
    expect(out.code, out.stderr).toBe(0);
    expect(out.stdout).toContain(`server ${guildId}`);
    expect((await registered(guildId)).map((c) => c.name)).toEqual(interactionRegistry.definitions("guild").map((d) => d.name));
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

// `npm run discord:register [-- --guild <id>]`: bulk-overwrites the bot's application commands with the list in
// workers/src/interactions/commands.ts (the same list /interactions answers): the global ones, or with --guild the
// guild-scoped ones of that server (guild commands update at once; global ones can take a while to show everywhere).
// Reads DISCORD_APPLICATION_ID, DISCORD_BOT_TOKEN and DISCORD_API_BASE from the environment, .env, or the local
// stack's .nebula/worker.env.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { DiscordRest } from "../src/discord-rest/discord-rest.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

interface CommandList {
  interactionRegistry: { definitions(scope: "global" | "guild"): { name: string }[] };
}

/**
 * The router's own module list. Loaded by a computed specifier so this Node script's type check does not pull in the
 * Worker's runtime types (the registry's handler types reach the Workers bindings); at run time it is the same module.
 */
async function loadCommands(): Promise<CommandList> {
  const specifier = pathToFileURL(path.join(root, "workers/src/interactions/commands.ts")).href;
  return (await import(specifier)) as CommandList;
}
const NEEDED = ["DISCORD_APPLICATION_ID", "DISCORD_BOT_TOKEN"] as const;

/** worker.env holds `NAME="json string"` lines (written by npm start). */
function readWorkerEnv(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const eq = line.indexOf("=");
    if (eq <= 0) continue;
    const raw = line.slice(eq + 1);
    try {
      out[line.slice(0, eq)] = JSON.parse(raw) as string;
    } catch {
      out[line.slice(0, eq)] = raw;
    }
  }
  return out;
}

function settings(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  const dataDir = path.resolve(root, process.env.NEBULA_DATA_DIR ?? ".nebula");
  const workerEnv = path.join(dataDir, "worker.env");
  if (existsSync(workerEnv)) Object.assign(env, readWorkerEnv(workerEnv));
  if (existsSync(path.join(root, ".env"))) process.loadEnvFile(path.join(root, ".env"));
  for (const [k, v] of Object.entries(process.env)) if (v) env[k] = v;
  return env;
}

function usage(): string {
  return "Usage: npm run discord:register              bulk-overwrite the global commands\n       npm run discord:register -- --guild <id>  bulk-overwrite one server's guild commands";
}

async function main(argv: string[]): Promise<number> {
  let guildId: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--help" || arg === "-h") {
      process.stdout.write(`${usage()}\n`);
      return 0;
    }
    if (arg === "--guild") guildId = argv[++i] ?? "";
    else if (arg?.startsWith("--guild=")) guildId = arg.slice("--guild=".length);
    else {
      process.stderr.write(`Unknown argument "${arg}".\n${usage()}\n`);
      return 2;
    }
  }
  if (guildId !== null && !/^\d{5,25}$/.test(guildId)) {
    process.stderr.write("--guild needs a Discord server id (a snowflake, e.g. 123456789012345678).\n");
    return 2;
  }
  const env = settings();
  const missing = NEEDED.filter((n) => !env[n]);
  if (missing.length > 0) {
    process.stderr.write(`Discord is not configured: set ${missing.join(" and ")} (environment, .env, or .nebula/worker.env).\n`);
    return 1;
  }
  const applicationId = env.DISCORD_APPLICATION_ID as string;
  if (!/^\d{5,25}$/.test(applicationId)) {
    process.stderr.write("DISCORD_APPLICATION_ID must be a Discord snowflake.\n");
    return 1;
  }
  const baseUrl = env.DISCORD_API_BASE || "https://discord.com/api/v10";
  const scope = guildId ? "guild" : "global";
  const definitions = (await loadCommands()).interactionRegistry.definitions(scope);
  const rest = new DiscordRest({ baseUrl, botToken: env.DISCORD_BOT_TOKEN });
  const where = guildId ? `server ${guildId}` : "every server (global)";
  try {
    const saved = await rest.request<{ id: string; name: string }[]>({
      method: "PUT",
      path: guildId ? `/applications/${applicationId}/guilds/${guildId}/commands` : `/applications/${applicationId}/commands`,
      auth: "bot",
      body: definitions,
      idempotent: true,
    });
    process.stdout.write(`Registered ${saved.length} ${scope} command(s) for ${where}:\n`);
    for (const c of saved) process.stdout.write(`  /${c.name}  (${c.id})\n`);
    if (saved.length === 0) process.stdout.write("  (none: every command of this scope was removed)\n");
    return 0;
  } catch (err) {
    process.stderr.write(`Registering commands failed: ${(err as Error).message}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));

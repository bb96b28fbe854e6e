// `npm run discord:register [-- --guild <id>]`: bulk-overwrites the bot's application commands with the list in
// workers/src/interactions/commands.ts (the same list /interactions answers): the global ones, or with --guild that
// server's whole set, the guild-scoped built-ins plus its custom commands from Postgres (a bulk overwrite deletes
// whatever the body leaves out, so without the database it refuses rather than wipe them). Guild commands update at
// once; global ones can take a while to show everywhere. Reads DISCORD_APPLICATION_ID, DISCORD_BOT_TOKEN,
// DISCORD_API_BASE and DATABASE_URL from the environment, .env, or the local stack's .nebula/worker.env.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type NodePgDatabase, drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { DiscordRest } from "../src/discord-rest/discord-rest.ts";
import { readStackState } from "./stack-state.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

type Definition = { name: string };

interface CommandList {
  interactionRegistry: { definitions(scope: "global"): Definition[] };
}

/** workers/src/custom-commands/registration.ts: the guild set the dashboard's registration sends, and its record. */
interface GuildRegistration {
  linkedGuildCommandSet(db: NodePgDatabase, guildId: string): Promise<GuildCommandSet>;
  recordGuildCommandsSent(db: NodePgDatabase, guildId: string, set: GuildCommandSet, now: Date): Promise<void>;
}
interface GuildCommandSet {
  tenantId: string | null;
  body: Definition[];
  builtinCount: number;
  hash: string;
}

/**
 * A Worker module, loaded by a computed specifier so this Node script's type check does not pull in the Worker's
 * runtime types (the registry's handler types reach the Workers bindings); at run time it is the same module.
 */
async function loadWorkerModule<T>(file: string): Promise<T> {
  return (await import(pathToFileURL(path.join(root, "workers/src", file)).href)) as T;
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
  // The running stack's database wins over worker.env's, which outlives the stack (an embedded one is gone with it).
  if (!process.env.DATABASE_URL) env.DATABASE_URL = readStackState(dataDir)?.databaseUrl ?? env.DATABASE_URL;
  return env;
}

/** Why --guild will not send anything. */
class Refusal extends Error {}

/** The stack's Postgres, or a Refusal saying why not. */
async function openDatabase(url: string | undefined): Promise<{ db: NodePgDatabase; close(): Promise<void> }> {
  const hint = "start the stack (npm start) or set DATABASE_URL to its Postgres";
  if (!url) throw new Refusal(`no database is configured: ${hint}`);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => {});
    throw new Refusal(`Postgres at ${redacted(url)} is not reachable (${(err as Error).message}): ${hint}`);
  }
  return { db: drizzle(client), close: () => client.end() };
}

/** The URL without its password, for messages. */
function redacted(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "DATABASE_URL";
  }
}

function usage(): string {
  return "Usage: npm run discord:register              bulk-overwrite the global commands\n       npm run discord:register -- --guild <id>  bulk-overwrite one server's guild commands (built-ins and its custom commands; needs the stack's Postgres)";
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
  const rest = new DiscordRest({ baseUrl: env.DISCORD_API_BASE || "https://discord.com/api/v10", botToken: env.DISCORD_BOT_TOKEN });
  const put = (commandsPath: string, body: Definition[]) =>
    rest.request<{ id: string; name: string }[]>({ method: "PUT", path: commandsPath, auth: "bot", body, idempotent: true });
  try {
    if (guildId === null) {
      const definitions = (await loadWorkerModule<CommandList>("interactions/commands.ts")).interactionRegistry.definitions("global");
      printSaved(await put(`/applications/${applicationId}/commands`, definitions), "global", "every server (global)");
      return 0;
    }
    await registerGuild(guildId, env.DATABASE_URL, (body) => put(`/applications/${applicationId}/guilds/${guildId}/commands`, body));
    return 0;
  } catch (err) {
    if (err instanceof Refusal) {
      // A bulk overwrite replaces the guild's whole list: sent without its custom commands, Discord deletes them.
      process.stderr.write(`Not registering server ${guildId}: its custom commands are in Postgres and the overwrite would delete them from Discord; ${err.message}.\n`);
      return 1;
    }
    process.stderr.write(`Registering commands failed: ${(err as Error).message}\n`);
    return 1;
  }
}

/** One server's whole set, built and recorded by the dashboard's registration code, against the stack's Postgres. */
async function registerGuild(guildId: string, databaseUrl: string | undefined, put: (body: Definition[]) => Promise<{ id: string; name: string }[]>): Promise<void> {
  const registration = await loadWorkerModule<GuildRegistration>("custom-commands/registration.ts");
  const database = await openDatabase(databaseUrl);
  try {
    const set = await registration.linkedGuildCommandSet(database.db, guildId).catch((err: Error) => {
      throw new Refusal(`reading server ${guildId}'s custom commands failed (${err.message}); a new database needs npm run db:migrate`);
    });
    const saved = await put(set.body);
    await registration.recordGuildCommandsSent(database.db, guildId, set, new Date());
    const custom = set.tenantId ? `${set.body.length - set.builtinCount} custom from the dashboard` : "not linked to a tenant, so no custom commands";
    printSaved(saved, "guild", `server ${guildId} (${set.builtinCount} built-in, ${custom})`);
  } finally {
    await database.close();
  }
}

function printSaved(saved: { id: string; name: string }[], scope: "global" | "guild", where: string): void {
  process.stdout.write(`Registered ${saved.length} ${scope} command(s) for ${where}:\n`);
  for (const c of saved) process.stdout.write(`  /${c.name}  (${c.id})\n`);
  if (saved.length === 0) process.stdout.write("  (none: every command of this scope was removed)\n");
}

process.exitCode = await main(process.argv.slice(2));

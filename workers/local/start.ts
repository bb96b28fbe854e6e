// `npm start`: the whole local stack on embedded defaults. PGlite (or DATABASE_URL) behind a websocket
// bridge, migrations applied, the web app built, and the real Worker in workerd (worker-runtime.ts).
// Prints "Nebula Command is running at http://127.0.0.1:<port>" and, on first run, the owner bootstrap link.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { migratePostgres } from "../../schema/src/migrate.ts";
import { ConfigError, parseConfig } from "../src/config/config.ts";
import { generateKeyEntry, parseEncryptionKeys } from "../src/crypto/secret-box.ts";
import { randomToken } from "../src/crypto/tokens.ts";
import { type DbBridge, startDbBridge } from "./db-bridge.ts";
import { type EmbeddedDb, openEmbeddedDb, serveEmbeddedDb } from "./embedded-db.ts";
import { clearStackState, writeStackState } from "./stack-state.ts";
import { bundleWorker, loadMiniflare, startWorkerRuntime } from "./worker-runtime.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const bin = (name: string) => path.join(root, "node_modules/.bin", name);

/** Variables passed through to the Worker when set (README's configuration table). */
const PASSTHROUGH = [
  "DISCORD_PUBLIC_KEY",
  "DISCORD_APPLICATION_ID",
  "DISCORD_BOT_TOKEN",
  "DISCORD_CLIENT_ID",
  "DISCORD_CLIENT_SECRET",
  "UPSTASH_REDIS_REST_URL",
  "UPSTASH_REDIS_REST_TOKEN",
  "PUBLIC_URL",
  "LOG_LEVEL",
  // Streaming platforms (go-live, stream bot); their *_API_BASE overrides pass through below.
  "TWITCH_AUTH_BASE",
  "TWITCH_CLIENT_ID",
  "TWITCH_CLIENT_SECRET",
  "TWITCH_EVENTSUB_SECRET",
  "YOUTUBE_WEBSUB_HUB",
  "YOUTUBE_API_KEY",
  "KICK_AUTH_BASE",
  "KICK_CLIENT_ID",
  "KICK_CLIENT_SECRET",
  "YOUTUBE_CLIENT_ID",
  "YOUTUBE_CLIENT_SECRET",
  "GOOGLE_AUTH_BASE",
  "GOOGLE_TOKEN_BASE",
  "SPOTIFY_ACCOUNTS_BASE",
  "SPOTIFY_CLIENT_ID",
  "SPOTIFY_CLIENT_SECRET",
];

function log(msg: string) {
  process.stderr.write(`[nebula] ${msg}\n`);
}

function loadDotEnv() {
  const file = path.join(root, ".env");
  if (existsSync(file)) {
    process.loadEnvFile(file);
    log("loaded .env");
  }
}

function localKeys(dataDir: string): string {
  if (process.env.ENCRYPTION_KEYS) return process.env.ENCRYPTION_KEYS;
  const file = path.join(dataDir, "encryption-keys");
  if (!existsSync(file)) {
    writeFileSync(file, `${generateKeyEntry("v1")}\n`, { mode: 0o600 });
    log(`generated a local encryption key in ${path.relative(root, file)} (keep it with your data)`);
  }
  const keys = readFileSync(file, "utf8").trim();
  const { problems } = parseEncryptionKeys(keys);
  if (problems.length) throw new Error(`${file}: ${problems.join("; ")}`);
  return keys;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

async function run(cmd: string, args: string[]): Promise<void> {
  const child = spawn(cmd, args, { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  if (code !== 0) throw new Error(`${path.basename(cmd)} ${args.join(" ")} exited with ${code}`);
}

async function buildWebIfStale() {
  const dist = path.join(root, "web/dist/index.html");
  const sources = Math.max(newestMtime(path.join(root, "web/src")), statSync(path.join(root, "web/index.html")).mtimeMs);
  if (!existsSync(dist) || statSync(dist).mtimeMs < sources) {
    log("building the web app…");
    await run(bin("vite"), ["build", "web", "--logLevel", "warn"]);
  }
  // The installer downloads the bundled agent from the edge's static assets.
  const agentBundle = path.join(root, "web/dist/agent/nebula-agent.mjs");
  if (!existsSync(agentBundle) || statSync(agentBundle).mtimeMs < newestMtime(path.join(root, "agent/src"))) {
    await run(bin("tsx"), [path.join(root, "agent/scripts/bundle.ts"), "--copy-to", agentBundle]);
  }
}

interface Database {
  url: string;
  bridge: DbBridge | null;
  embedded: EmbeddedDb | null;
  hasUsers: boolean;
}

async function prepareDatabase(dataDir: string): Promise<Database> {
  const external = process.env.DATABASE_URL;
  if (external) {
    await migratePostgres(external);
    const client = new pg.Client({ connectionString: external });
    await client.connect();
    const { rows } = await client.query<{ n: number }>("select count(*)::int as n from core.users");
    await client.end();
    const target = new URL(external);
    // Neon is reached directly over its own websocket proxy; any other Postgres through the local bridge.
    const bridge = target.hostname.endsWith(".neon.tech")
      ? null
      : await startDbBridge({ host: target.hostname, port: Number(target.port || 5432) });
    log(`using DATABASE_URL (${target.hostname})`);
    return { url: external, bridge, embedded: null, hasUsers: (rows[0]?.n ?? 0) > 0 };
  }
  const pgdata = path.join(dataDir, "pgdata");
  const db = await openEmbeddedDb(pgdata);
  const { rows } = await db.query<{ n: number }>("select count(*)::int as n from core.users");
  const embedded = await serveEmbeddedDb(db);
  const bridge = await startDbBridge({ host: "127.0.0.1", port: embedded.port });
  return { url: embedded.url, bridge, embedded, hasUsers: (rows[0]?.n ?? 0) > 0 };
}

async function waitForHealth(url: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.status === 200 || res.status === 503) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("the Worker did not answer /healthz within 120 s");
}

async function main() {
  const started = performance.now();
  loadDotEnv();
  const dataDir = path.resolve(root, process.env.NEBULA_DATA_DIR ?? ".nebula");
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const port = Number(process.env.PORT ?? 8787);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`PORT must be a port number, got ${process.env.PORT}`);

  const keys = localKeys(dataDir);
  const passthrough: Record<string, string> = {};
  for (const name of PASSTHROUGH) if (process.env[name]) passthrough[name] = process.env[name] as string;
  for (const [k, v] of Object.entries(process.env)) if (k.endsWith("_API_BASE") && v) passthrough[k] = v;
  // The Worker validates the same way on its first request; checking here names every problem before anything starts.
  parseConfig({ ...passthrough, ENCRYPTION_KEYS: keys, DATABASE_URL: process.env.DATABASE_URL || "postgres://127.0.0.1/embedded" });
  // Miniflare's module loads (about a second) while the database opens and the web app and Worker are checked.
  void loadMiniflare().catch(() => undefined);
  const [database, bundleDir] = await Promise.all([prepareDatabase(dataDir), buildWebIfStale().then(() => bundleWorker(log))]);
  const url = `http://127.0.0.1:${port}`;
  const bootstrapToken = database.hasUsers ? null : randomToken("", 32);

  const vars: Record<string, string> = { DATABASE_URL: database.url, ENCRYPTION_KEYS: keys };
  if (database.bridge) vars.DB_WS_PROXY = database.bridge.proxy;
  if (bootstrapToken) vars.BOOTSTRAP_TOKEN = bootstrapToken;
  Object.assign(vars, passthrough);
  // What the Worker was given, for local tools (discord:register, the bench): private to this user, never logged.
  writeFileSync(path.join(dataDir, "worker.env"), Object.entries(vars).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join("\n"), { mode: 0o600 });
  // Miniflare installs signal-exit, which re-raises Ctrl-C at once and kills this process before the graceful stop
  // below has closed the embedded database (exit 130): its signal listeners are taken off again, ours do the job.
  const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
  const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const worker = await startWorkerRuntime({ bundleDir, port, persistTo: path.join(dataDir, "wrangler"), vars, log });
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log("stopping…");
    await worker.dispose();
    await database.bridge?.close();
    await database.embedded?.stop();
    clearStackState(dataDir);
    process.exit(code);
  };
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) if (!before.get(signal)?.has(listener)) process.off(signal, listener);
    process.on(signal, () => void stop(0));
  }
  await waitForHealth(url);
  writeStackState(dataDir, { pid: process.pid, url, databaseUrl: database.url });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  let ready = `Nebula Command is running at ${url}\n`;
  if (bootstrapToken) ready += `Owner bootstrap link (one-time): ${url}/auth/bootstrap?token=${bootstrapToken}\n`;
  process.stdout.write(ready);
  log(`ready in ${seconds} s · data in ${path.relative(root, dataDir) || "."} · trigger cron jobs with: npm run cron -- --list`);
}

main().catch((err) => {
  if (err instanceof ConfigError) process.stderr.write(`[nebula] ${err.message}\n[nebula] fix these in the environment or .env and run npm start again\n`);
  else process.stderr.write(`[nebula] failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

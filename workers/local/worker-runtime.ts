// The Worker for `npm start`: bundled exactly as `wrangler deploy` bundles it, then run in workerd through Miniflare
// with wrangler.toml's bindings. Unlike `wrangler dev` there is no proxy worker in front and no file watcher: requests
// and websockets reach the Worker directly, as they do on Cloudflare, and edits to the checkout never restart the stack.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { V4WorkerOptions } from "miniflare";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** The Worker's name in wrangler.toml: Miniflare keys Durable Object storage by it, as `wrangler dev` did. */
const WORKER_NAME = "nebula-command";
/** Everything the bundle is made of. A change to any of these makes a new bundle; anything else reuses the cached one. */
const BUNDLE_INPUTS = ["workers/src", "schema/src", "agent/install", "wrangler.toml", "package-lock.json", "workers/package.json", "schema/package.json"];
const CACHE_DIR = path.join(root, "node_modules/.cache/nebula-worker");
/** wrangler.toml's bindings in Miniflare's terms, worked out by wrangler when the bundle is built and kept beside it. */
const OPTIONS_FILE = "worker-options.json";
/** Bundles kept in the cache; older ones are removed after a build. */
const CACHE_KEEP = 4;

function hashInputs(): string {
  const hash = createHash("sha256");
  hash.update(JSON.parse(readFileSync(path.join(root, "node_modules/wrangler/package.json"), "utf8")).version);
  const visit = (rel: string) => {
    const abs = path.join(root, rel);
    if (!existsSync(abs)) return;
    if (statSync(abs).isDirectory()) {
      for (const name of readdirSync(abs).sort()) visit(path.join(rel, name));
      return;
    }
    hash.update(rel);
    hash.update(readFileSync(abs));
  };
  for (const input of BUNDLE_INPUTS) visit(input);
  return hash.digest("hex").slice(0, 16);
}

function pruneCache(keep: string) {
  const entries = readdirSync(CACHE_DIR)
    .filter((name) => name !== keep && !name.includes(".tmp-"))
    .map((name) => ({ name, at: statSync(path.join(CACHE_DIR, name)).mtimeMs }))
    .sort((a, b) => b.at - a.at);
  for (const entry of entries.slice(CACHE_KEEP - 1)) rmSync(path.join(CACHE_DIR, entry.name), { recursive: true, force: true });
}

/**
 * The deployable bundle of the current sources, built once per content hash (about 3 s) and shared by every stack on
 * this checkout. Built into a private directory and renamed into place, so stacks starting together never read half a bundle.
 */
export async function bundleWorker(log: (msg: string) => void): Promise<string> {
  const key = hashInputs();
  const dir = path.join(CACHE_DIR, key);
  if (existsSync(path.join(dir, "index.js")) && existsSync(path.join(dir, OPTIONS_FILE))) return dir;
  mkdirSync(CACHE_DIR, { recursive: true });
  log("bundling the Worker…");
  const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
  // This process's Node (24 from the `node` devDependency), whatever `node` is first on PATH.
  const child = spawn(process.execPath, [path.join(root, "node_modules/wrangler/bin/wrangler.js"), "deploy", "--dry-run", "--outdir", tmp], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_LOG: "error", NO_COLOR: "1" },
  });
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  if (code !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`bundling the Worker (wrangler deploy --dry-run) exited with ${code}`);
  }
  // Loading wrangler takes seconds: it is read only here, when the sources changed, not on every start.
  const { unstable_getMiniflareWorkerOptions } = await import("wrangler");
  // The bundle already holds the modules wrangler.toml's [[rules]] describe; they are listed by bundleModules().
  const { modulesRules: _bundledAlready, ...workerOptions } = unstable_getMiniflareWorkerOptions(path.join(root, "wrangler.toml")).workerOptions;
  writeFileSync(path.join(tmp, OPTIONS_FILE), JSON.stringify(workerOptions));
  // A bundle cached by an older start.ts, without its options file, is made again.
  if (existsSync(dir) && !existsSync(path.join(dir, OPTIONS_FILE))) rmSync(dir, { recursive: true, force: true });
  try {
    renameSync(tmp, dir);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    // Another stack finished the same bundle first: theirs is identical. Anything else is a real failure.
    if (!existsSync(path.join(dir, OPTIONS_FILE))) throw err;
  }
  pruneCache(key);
  return dir;
}

// miniflare is pinned to the version wrangler depends on, so workerd is the same build `wrangler deploy` checks against.
let miniflare: Promise<typeof import("miniflare")> | null = null;
/** Miniflare's module (about a second to load): start loading it early, beside the database, with this. */
export function loadMiniflare(): Promise<typeof import("miniflare")> {
  miniflare ??= import("miniflare");
  return miniflare;
}

export interface WorkerRuntime {
  url: string;
  dispose(): Promise<void>;
}

/** The bundle's files as workerd modules: the entry first, then the texts wrangler.toml's [[rules]] kept apart (the agent installer). */
function bundleModules(dir: string): { type: "ESModule" | "Text"; path: string }[] {
  const files = readdirSync(dir);
  const scripts = files.filter((f) => f.endsWith(".js")).sort((a, b) => (a === "index.js" ? -1 : b === "index.js" ? 1 : a.localeCompare(b)));
  const texts = files.filter((f) => f.endsWith(".sh"));
  return [...scripts.map((f) => ({ type: "ESModule" as const, path: path.join(dir, f) })), ...texts.map((f) => ({ type: "Text" as const, path: path.join(dir, f) }))];
}

export interface WorkerRuntimeOptions {
  /** From bundleWorker(). */
  bundleDir: string;
  port: number;
  /** Durable Object, cache and queue storage; the same layout `wrangler dev --persist-to` used, so data carries over. */
  persistTo: string;
  /** Worker variables and secrets, over wrangler.toml's [vars]. */
  vars: Record<string, string>;
  log: (msg: string) => void;
}

export async function startWorkerRuntime(options: WorkerRuntimeOptions): Promise<WorkerRuntime> {
  const { bundleDir } = options;
  const workerOptions = JSON.parse(readFileSync(path.join(bundleDir, OPTIONS_FILE), "utf8")) as Omit<V4WorkerOptions, "modules" | "modulesRoot">;
  const { Log, LogLevel, Miniflare, convertV4MiniflareOptions } = await loadMiniflare();
  const worker: V4WorkerOptions = {
    ...workerOptions,
    name: WORKER_NAME,
    modules: bundleModules(bundleDir),
    modulesRoot: bundleDir,
    bindings: { ...(workerOptions.bindings ?? {}), ...options.vars },
  };
  const mf = new Miniflare(
    // wrangler describes the Worker in Miniflare's v4 option shape; this converts it as `wrangler dev` does.
    convertV4MiniflareOptions({
    workers: [worker],
    host: "127.0.0.1",
    port: options.port,
    resourcePersistencePath: path.join(options.persistTo, "v3"),
    // /cdn-cgi/local/scheduled runs cron handlers (`npm run cron`).
    unsafeTriggerHandlers: true,
    logRequests: false,
    log: new Log(LogLevel.ERROR),
    // The Worker's console output, as `wrangler dev` printed it: errors and warnings to stderr, the rest to stdout.
    handleStructuredLogs: ({ level, message }: { level: string; message: string }) => {
      (level === "error" || level === "warn" ? process.stderr : process.stdout).write(`${message}\n`);
    },
    }),
  );
  const url = await mf.ready;
  return { url: url.origin, dispose: () => mf.dispose() };
}

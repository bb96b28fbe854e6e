// Runs the real `npm start` entry (workers/local/start.ts) as a child process on a free port and a
// throwaway data dir, and reads its ready line and bootstrap link: what a user would see.
import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../workers/local/free-port.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export interface LocalStack {
  url: string;
  port: number;
  bootstrapUrl: string | null;
  /** Milliseconds from spawn to the ready line. */
  readyMs: number;
  output(): string;
  stop(): Promise<number | null>;
}

export async function startLocalStack(options: { dataDir: string; env?: Record<string, string>; port?: number }): Promise<LocalStack> {
  // A port we chose ourselves can still be taken before the stack binds it; then try another one.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnPort(options, options.port ?? (await freePort()));
    } catch (err) {
      const taken = err instanceof Error && err.message.includes("Address already in use");
      if (!taken || options.port !== undefined || attempt >= 3) throw err;
    }
  }
}

async function startOnPort(options: { dataDir: string; env?: Record<string, string> }, port: number): Promise<LocalStack> {
  const started = performance.now();
  const child: ChildProcess = spawn(path.join(root, "node_modules/.bin/tsx"), [path.join(root, "workers/local/start.ts")], {
    cwd: root,
    env: { ...process.env, PORT: String(port), NEBULA_DATA_DIR: options.dataDir, DATABASE_URL: "", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let bootstrapUrl: string | null = null;
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const link = /Owner bootstrap link \(one-time\): (\S+)/.exec(out);
      if (link) bootstrapUrl = link[1] ?? null;
      if (/Nebula Command is running at http:\/\/127\.0\.0\.1:\d+/.test(out)) {
        // start.ts writes the ready line and the bootstrap link in one write.
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (c: Buffer) => {
      out += c.toString();
    });
    child.on("exit", (code) => reject(new Error(`npm start exited (${code}) before ready:\n${out}`)));
  });
  await ready;
  const readyMs = performance.now() - started;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get bootstrapUrl() {
      return bootstrapUrl;
    },
    readyMs,
    output: () => out,
    stop: () => stopChild(child),
  };
}

/** Ctrl-C for a child process, as a user would stop it: resolves with its exit code. */
export function stopChild(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once("exit", (code) => resolve(code));
    child.kill("SIGINT");
  });
}

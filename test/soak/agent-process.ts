// The real home agent as a child process (`node agent/src/main.ts`, or the bundled file), its JSON log lines, and
// what it left in its spool directory: the agent's own record of every batch it produced and the hub's last ack.
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Sample } from "@nebula/schema/wire/agent";
import { decodeRecordAt, recordSamples } from "../../agent/src/spool/spool-record.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const AGENT_ENTRY = path.join(root, "agent/src/main.ts");
export const AGENT_BUNDLE = path.join(root, "agent/dist/nebula-agent.mjs");

export interface AgentLogLine {
  time: string;
  level: string;
  msg: string;
  [field: string]: unknown;
}

export interface AgentProcess {
  pid: number;
  logs(): AgentLogLine[];
  /** Everything it wrote that was not a JSON log line (crashes, Node warnings). */
  otherOutput(): string;
  /** Resolves once `count` log lines match, or rejects at the deadline with the log so far. */
  waitForLog(match: (line: AgentLogLine) => boolean, count: number, timeoutMs: number): Promise<void>;
  /** SIGTERM, as systemd stops it; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export function startAgentProcess(options: {
  entry?: string;
  edgeUrl: string;
  token: string;
  spoolDir: string;
  dockerSocket: string;
  env?: Record<string, string>;
  /** Flags for node itself, e.g. the V8 flags the systemd unit starts the agent with. */
  nodeArgs?: string[];
}): AgentProcess {
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), options.entry ?? AGENT_ENTRY], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "/tmp",
      NEBULA_EDGE_URL: options.edgeUrl,
      NEBULA_AGENT_TOKEN: options.token,
      NEBULA_SPOOL_DIR: options.spoolDir,
      DOCKER_SOCKET: options.dockerSocket,
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: AgentLogLine[] = [];
  let other = "";
  let partial = "";
  const watchers = new Set<() => void>();
  child.stdout?.on("data", (chunk: Buffer) => {
    partial += chunk.toString();
    const complete = partial.split("\n");
    partial = complete.pop() ?? "";
    for (const text of complete) {
      try {
        lines.push(JSON.parse(text) as AgentLogLine);
      } catch {
        other += `${text}\n`;
      }
    }
    for (const check of [...watchers]) check();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    other += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    pid: child.pid ?? -1,
    logs: () => lines,
    otherOutput: () => other,
    waitForLog(match, count, timeoutMs) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (lines.filter(match).length < count) return;
          done();
          resolve();
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`agent log did not show the expected line ${count}× within ${timeoutMs} ms; last lines:\n${lines.slice(-15).map((l) => JSON.stringify(l)).join("\n")}\n${other.slice(-2000)}`));
        }, timeoutMs);
        const onExit = () => {
          done();
          reject(new Error(`the agent exited while waiting:\n${other.slice(-2000)}`));
        };
        const done = () => {
          clearTimeout(timer);
          watchers.delete(check);
          child.off("exit", onExit);
        };
        watchers.add(check);
        child.once("exit", onExit);
        check();
      });
    },
    stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}

export interface SpoolContents {
  /** Every batch still on disk, seq ascending (acked segments other than the newest are deleted by the agent). */
  batches: { seq: number; samples: Sample[] }[];
  /** The hub's cumulative metrics_ack as the agent last recorded it. */
  ackedSeq: number;
}

/** Reads the spool directory the way the agent would on start (spool-record.ts's format). */
export function readSpool(dir: string): SpoolContents {
  const batches: SpoolContents["batches"] = [];
  for (const name of readdirSync(dir).filter((n) => /^\d{16}\.seg$/.test(n)).sort()) {
    const data = readFileSync(path.join(dir, name));
    let offset = 0;
    for (;;) {
      const record = decodeRecordAt(data, offset);
      // A record being written right now reads as torn: it is simply not there yet.
      if (!record) break;
      batches.push({ seq: record.meta.seq, samples: recordSamples(data, offset, record.length) });
      offset += record.length;
    }
  }
  let ackedSeq = 0;
  try {
    ackedSeq = Number(readFileSync(path.join(dir, "acked-seq"), "utf8").trim()) || 0;
  } catch {
    // No ack recorded yet.
  }
  return { batches, ackedSeq };
}

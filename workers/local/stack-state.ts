// While `npm start` runs it records where its database listens, so local tools (secrets:rotate)
// use the running stack instead of opening the embedded files a second time.
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

export interface StackState {
  pid: number;
  url: string;
  databaseUrl: string;
}

const file = (dataDir: string) => path.join(dataDir, "stack.json");

export function writeStackState(dataDir: string, state: StackState): void {
  writeFileSync(file(dataDir), JSON.stringify(state), { mode: 0o600 });
}

export function clearStackState(dataDir: string): void {
  rmSync(file(dataDir), { force: true });
}

/** The state of a stack that is still running, or null. */
export function readStackState(dataDir: string): StackState | null {
  if (!existsSync(file(dataDir))) return null;
  try {
    const state = JSON.parse(readFileSync(file(dataDir), "utf8")) as StackState;
    process.kill(state.pid, 0);
    return state;
  } catch {
    return null;
  }
}

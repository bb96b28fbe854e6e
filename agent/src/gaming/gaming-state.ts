// What gaming mode changed on this host, persisted in <stateDir>/gaming-mode.json after every change, so an agent
// restarted mid-switch (or after a crash) still knows which containers to give back and whether it started the VM.
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { GamingMode } from "@nebula/schema/wire/job-results";

export interface GamingState {
  mode: GamingMode;
  /** Containers gaming mode stopped, in stop order; only these are started again. */
  stoppedContainers: string[];
  /** True when gaming mode started the VM (a VM that was already running is not ours to stop on rollback). */
  vmStartedByGaming: boolean;
  since: number | null;
}

export const OFF: GamingState = { mode: "off", stoppedContainers: [], vmStartedByGaming: false, since: null };

export class GamingStateFile {
  readonly file: string;
  constructor(stateDir: string) {
    this.file = path.join(stateDir, "gaming-mode.json");
  }

  async read(): Promise<GamingState> {
    try {
      const parsed = JSON.parse(await readFile(this.file, "utf8")) as Partial<GamingState>;
      return {
        mode: parsed.mode === "on" || parsed.mode === "partial" ? parsed.mode : "off",
        stoppedContainers: Array.isArray(parsed.stoppedContainers) ? parsed.stoppedContainers.filter((c) => typeof c === "string") : [],
        vmStartedByGaming: parsed.vmStartedByGaming === true,
        since: typeof parsed.since === "number" ? parsed.since : null,
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return { ...OFF };
      throw err;
    }
  }

  /** Write-then-rename, so a crash mid-write leaves the previous state, never half a file. */
  async write(state: GamingState): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
    await rename(tmp, this.file);
  }
}

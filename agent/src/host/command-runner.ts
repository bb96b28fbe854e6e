// Runs one of a fixed list of host programs with an argv array (execFile, never a shell), so no job can
// smuggle in a command: the program is a literal from PROGRAMS and every argument is a separate argv entry.
import { execFile } from "node:child_process";

/** Every program the agent may run on the host. Adding one is a reviewed code change, never configuration. */
export const PROGRAMS = ["mount", "umount", "stat", "systemctl"] as const;
export type Program = (typeof PROGRAMS)[number];

export interface CommandOutput {
  stdout: string;
  stderr: string;
}

/** A command that exited non-zero, was killed, or could not start; `stderr` is what the program said. */
export class CommandError extends Error {
  readonly program: Program;
  readonly exitCode: number | null;
  readonly stderr: string;
  constructor(program: Program, exitCode: number | null, stderr: string, message: string) {
    super(message);
    this.name = "CommandError";
    this.program = program;
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

export type CommandRunner = (program: Program, args: readonly string[], options: { signal: AbortSignal }) => Promise<CommandOutput>;

const MAX_OUTPUT = 1024 * 1024;

/** The real runner: execFile with the signal wired to kill the child (SIGKILL: a `stat` on a dead NAS ignores TERM). */
export const execFileRunner: CommandRunner = (program, args, { signal }) =>
  new Promise((resolve, reject) => {
    if (!PROGRAMS.includes(program)) {
      reject(new CommandError(program, null, "", `${String(program)} is not an allowed program`));
      return;
    }
    execFile(program, [...args], { signal, killSignal: "SIGKILL", maxBuffer: MAX_OUTPUT, encoding: "utf8", env: { ...process.env, LC_ALL: "C" } }, (err, stdout, stderr) => {
      if (!err) {
        resolve({ stdout, stderr });
        return;
      }
      const code = typeof err.code === "number" ? err.code : null;
      const said = stderr.trim() || err.message;
      reject(new CommandError(program, code, stderr, `${program} ${args.join(" ")} failed: ${said}`.slice(0, 1000)));
    });
  });

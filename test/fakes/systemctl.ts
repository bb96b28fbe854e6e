// A fake `systemctl` for the agent's root actions: a tiny shell script first on PATH, so the agent's real
// execFile path runs. It records each argv, runs what the test says the unit would do (the kernel's part), and
// exits with the code the test chose, as `systemctl start` of a oneshot unit does when the unit fails.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export interface FakeSystemctl {
  /** Every call's arguments, in order. */
  calls(): string[][];
  /** The exit code of the following calls (0 unless set); stderr says why, like systemd's "Job for ... failed". */
  failWith(code: number): void;
  /** A shell snippet each call runs before exiting (e.g. write D0 into a fixture power_state); "$@" are the args, "$unit" the last. */
  onCall(script: string): void;
  /** Takes the fake off PATH and removes it. */
  remove(): void;
}

export function installFakeSystemctl(): FakeSystemctl {
  const dir = mkdtempSync(path.join(os.tmpdir(), "nebula-fake-systemctl-"));
  const log = path.join(dir, "calls");
  const exitFile = path.join(dir, "exit-code");
  const hook = path.join(dir, "on-call.sh");
  writeFileSync(log, "");
  writeFileSync(exitFile, "0");
  writeFileSync(hook, "");
  // One call per line, arguments separated by a tab: unit names may hold spaces' escapes (\x20) but never a tab.
  writeFileSync(
    path.join(dir, "systemctl"),
    `#!/bin/sh
(IFS="$(printf '\\t')"; printf '%s\\n' "$*") >>'${log}'
for unit in "$@"; do :; done
. '${hook}'
code="$(cat '${exitFile}')"
[ "$code" = 0 ] || echo "Job for $unit failed because the control process exited with error code." >&2
exit "$code"
`,
  );
  chmodSync(path.join(dir, "systemctl"), 0o755);
  const previousPath = process.env.PATH;
  process.env.PATH = `${dir}${path.delimiter}${previousPath ?? ""}`;
  return {
    calls: () =>
      readFileSync(log, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((line) => line.split("\t")),
    failWith: (code) => writeFileSync(exitFile, String(code)),
    onCall: (script) => writeFileSync(hook, script),
    remove: () => {
      process.env.PATH = previousPath;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// The names of the agent's root units: what systemctl is asked to start for a mount point or a PCI address must be
// exactly what systemd-escape gives (so %f / %i hand the unit the same path back), and nothing else gets a name.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { CommandRunner, Program } from "../src/host/command-runner.ts";
import { gpuReleaseUnit, gpuResetUnit, parsePrivilegedMode, remountUnit, startRootUnit } from "../src/privileged/root-actions.ts";
import { systemdEscape, systemdEscapePath } from "../src/privileged/systemd-escape.ts";

const hasSystemdEscape = spawnSync("systemd-escape", ["--version"]).status === 0;
const real = (args: string[]) => spawnSync("systemd-escape", args, { encoding: "utf8" }).stdout.trim();

const PATHS: [string, string][] = [
  ["/mnt/media", "mnt-media"],
  ["/mnt/media share", "mnt-media\\x20share"],
  ["/mnt//nas-backup/", "mnt-nas\\x2dbackup"],
  ["/", "-"],
  ["/srv/.hidden/x", "srv-.hidden-x"],
  ["/mnt/média", "mnt-m\\xc3\\xa9dia"],
];

describe("systemd-escape", () => {
  it.each(PATHS)("--path %s is %s", (input, escaped) => {
    expect(systemdEscapePath(input)).toBe(escaped);
  });

  it("escapes a leading dot and keeps PCI addresses as they are", () => {
    expect(systemdEscape(".x/y")).toBe("\\x2ex-y");
    expect(systemdEscape("0000:01:00.0")).toBe("0000:01:00.0");
  });

  it("refuses relative and unnormalized paths, like systemd-escape --path", () => {
    expect(() => systemdEscapePath("mnt/media")).toThrow(/not an absolute path/);
    expect(() => systemdEscapePath("/mnt/../etc")).toThrow(/not normalized/);
  });

  it.skipIf(!hasSystemdEscape)("agrees with systemd's own systemd-escape", () => {
    for (const [input] of PATHS) expect(systemdEscapePath(input), input).toBe(real(["--path", input]));
    for (const input of ["0000:01:00.0", ".x/y", "a b-c_d:e"]) expect(systemdEscape(input), input).toBe(real([input]));
  });
});

describe("root unit names", () => {
  it("builds the remount unit from the mount point", () => {
    expect(remountUnit("/mnt/media share")).toBe("nebula-agent-remount@mnt-media\\x20share.service");
  });

  it("builds the GPU units from the PCI address", () => {
    expect(gpuResetUnit("0000:01:00.0")).toBe("nebula-agent-gpu-reset@0000:01:00.0.service");
    expect(gpuReleaseUnit("0000:0a:1f.7")).toBe("nebula-agent-gpu-release@0000:0a:1f.7.service");
  });

  it.each(["0000:01:00.8", "01:00.0", "0000:01:00.0.service", "0000:01:00.0 x", "../0000:01:00.0", "0000:0A:00.0"])("refuses the PCI address %j", (address) => {
    expect(() => gpuResetUnit(address)).toThrow(/not a PCI address/);
    expect(() => gpuReleaseUnit(address)).toThrow(/not a PCI address/);
  });

  it("refuses a mount point whose unit name systemd would not accept", () => {
    expect(() => remountUnit(`/mnt/${"x".repeat(250)}`)).toThrow(/longer than 255/);
  });
});

describe("NEBULA_PRIVILEGED", () => {
  it("is direct unless set, systemd when the installer says so, and names a bad value", () => {
    const problems: string[] = [];
    expect(parsePrivilegedMode({}, problems)).toBe("direct");
    expect(parsePrivilegedMode({ NEBULA_PRIVILEGED: "systemd" }, problems)).toBe("systemd");
    expect(problems).toEqual([]);
    parsePrivilegedMode({ NEBULA_PRIVILEGED: "sudo" }, problems);
    expect(problems).toEqual(['NEBULA_PRIVILEGED: must be "systemd" or "direct" (got "sudo")']);
  });
});

describe("startRootUnit", () => {
  it("asks systemd for a plain start (polkit verb start), never --wait, whose Unit.Ref needs the verb ref the rule denies", async () => {
    const calls: [Program, readonly string[]][] = [];
    const run: CommandRunner = async (program, args) => {
      calls.push([program, args]);
      return { stdout: "", stderr: "" };
    };
    await startRootUnit(run, "nebula-agent-remount@mnt-media.service", new AbortController().signal);
    // A oneshot unit's start job ends when ExecStart exits, so systemctl start has waited for the root work already.
    expect(calls).toEqual([["systemctl", ["start", "--no-ask-password", "nebula-agent-remount@mnt-media.service"]]]);
  });
});

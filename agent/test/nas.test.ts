// NAS mounts as the owner sees them: which shares are mounted, which answer, how full they are, and a remount
// that goes through `umount -l` and `mount <path>` only for configured mounts. A dead NAS never hangs the agent.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type FakeSystemctl, installFakeSystemctl } from "../../test/fakes/systemctl.ts";
import { type CommandRunner, execFileRunner, type Program } from "../src/host/command-runner.ts";
import { commandStatfs, type StatFs } from "../src/nas/mount-space.ts";
import { loadNasConfig, type NasConfig } from "../src/nas/nas-config.ts";
import { nasHandlers } from "../src/nas/nas-handlers.ts";
import { parseProcMounts } from "../src/nas/proc-mounts.ts";
import { systemdEscapePath } from "../src/privileged/systemd-escape.ts";
import { recordedJob } from "./support/job-context.ts";


let root: string;
let media: string;
let backup: string;
let config: NasConfig;

const line = (source: string, target: string, fstype: string) => `${source} ${target.replaceAll(" ", "\\040")} ${fstype} rw,relatime 0 0`;
async function setMounts(lines: string[]) {
  await writeFile(path.join(root, "proc", "mounts"), `${["sysfs /sys sysfs rw 0 0", "/dev/sda2 / ext4 rw 0 0", ...lines].join("\n")}\n`);
}

beforeEach(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "nebula-nas-"));
  media = path.join(root, "mnt", "media share");
  backup = path.join(root, "mnt", "backup");
  await mkdir(media, { recursive: true });
  await mkdir(backup, { recursive: true });
  await mkdir(path.join(root, "proc"));
  config = loadNasConfig({ NEBULA_MOUNTS: `media=${media},backup=${backup}`, PROC_ROOT: path.join(root, "proc"), NAS_CHECK_TIMEOUT_S: "0.2" }) as NasConfig;
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("nas.status", () => {
  it("reports a mounted share with its space and an unmounted one", async () => {
    await setMounts([line("//nas.lan/media", media, "cifs")]);
    const handlers = nasHandlers(config);
    const result = (await handlers["nas.status"]?.({}, recordedJob("nas.status").ctx)) as { mounts: Record<string, unknown>[] };
    expect(result.mounts).toEqual([
      {
        name: "media",
        path: media,
        mounted: true,
        fstype: "cifs",
        source: "//nas.lan/media",
        reachable: "ok",
        totalBytes: expect.any(Number),
        freeBytes: expect.any(Number),
        detail: "cifs from //nas.lan/media",
      },
      { name: "backup", path: backup, mounted: false, fstype: null, source: null, reachable: null, totalBytes: null, freeBytes: null, detail: "not mounted" },
    ]);
    const [first] = result.mounts as [{ totalBytes: number; freeBytes: number }];
    expect(first.totalBytes).toBeGreaterThan(0);
    expect(first.freeBytes).toBeLessThanOrEqual(first.totalBytes);
  });

  it("calls a share whose filesystem never answers stale, and still answers for the others", async () => {
    await setMounts([line("//nas.lan/media", media, "cifs"), line("nas.lan:/backup", backup, "nfs4")]);
    const real = commandStatfs();
    const hungBackup: StatFs = (p, signal) => (p === backup ? new Promise(() => {}) : real(p, signal));
    const handlers = nasHandlers(config, { statfs: hungBackup });
    const result = (await handlers["nas.status"]?.({}, recordedJob("nas.status").ctx)) as { mounts: Record<string, unknown>[] };
    expect(result.mounts[0]).toMatchObject({ name: "media", reachable: "ok" });
    expect(result.mounts[1]).toMatchObject({ name: "backup", mounted: true, fstype: "nfs4", reachable: "stale", detail: "no answer from the filesystem within 200 ms" });
  });

  it("does not call a local filesystem at the mount point a mounted share", async () => {
    await setMounts([line("/dev/sdb1", backup, "ext4")]);
    const result = (await nasHandlers(config)["nas.status"]?.({}, recordedJob("nas.status").ctx)) as { mounts: Record<string, unknown>[] };
    expect(result.mounts[1]).toMatchObject({ mounted: false, fstype: "ext4", detail: "ext4 is mounted there, not a network share" });
  });

  it("reports a statfs failure as an error, not as stale", async () => {
    await setMounts([line("//nas.lan/media", media, "cifs")]);
    const failing: StatFs = async () => {
      throw new Error("Host is down");
    };
    const result = (await nasHandlers(config, { statfs: failing })["nas.status"]?.({}, recordedJob("nas.status").ctx)) as { mounts: Record<string, unknown>[] };
    expect(result.mounts[0]).toMatchObject({ mounted: true, reachable: "error", detail: "Host is down" });
  });
});

describe("nas.remount", () => {
  /** Plays the kernel's part: umount drops the line from the fixture mount table, mount adds it back; stat is real. */
  function kernelRunner(source: string) {
    const calls: [Program, string[]][] = [];
    const run: CommandRunner = async (program, args, options) => {
      if (program === "stat") return execFileRunner(program, args, options);
      calls.push([program, [...args]]);
      if (program === "umount") await setMounts([]);
      if (program === "mount") await setMounts([line(source, args[0] as string, "cifs")]);
      return { stdout: "", stderr: "" };
    };
    return { calls, run };
  }

  it("lazily unmounts then mounts the configured path, reporting each step", async () => {
    await setMounts([line("//nas.lan/media", media, "cifs")]);
    const { calls, run } = kernelRunner("//nas.lan/media");
    const { ctx, progress: steps } = recordedJob("nas.remount");
    const result = await nasHandlers(config, { run })["nas.remount"]?.({ mount: "media" }, ctx);
    expect(calls).toEqual([
      ["umount", ["-l", media]],
      ["mount", [media]],
    ]);
    expect(steps.map((s) => `${s.step}:${s.status}`)).toEqual(["umount:running", "umount:ok", "mount:running", "mount:ok", "verify:ok"]);
    expect(result).toMatchObject({ name: "media", mounted: true, reachable: "ok" });
  });

  it("skips the unmount when the share is not mounted", async () => {
    await setMounts([]);
    const { calls, run } = kernelRunner("//nas.lan/backup");
    const { ctx, progress: steps } = recordedJob("nas.remount");
    await nasHandlers(config, { run })["nas.remount"]?.({ mount: "backup" }, ctx);
    expect(calls).toEqual([["mount", [backup]]]);
    expect(steps[0]).toEqual({ step: "umount", status: "skipped", message: `${backup} was not mounted` });
  });

  it("fails with mount's own words when mount fails", async () => {
    await setMounts([]);
    const run: CommandRunner = async () => {
      throw new Error("mount error(113): could not connect to 10.0.0.5");
    };
    const { ctx, progress: steps } = recordedJob("nas.remount");
    await expect(nasHandlers(config, { run })["nas.remount"]?.({ mount: "media" }, ctx)).rejects.toMatchObject({ code: "failed", message: expect.stringMatching(/could not connect/) });
    expect(steps.at(-1)).toMatchObject({ step: "mount", status: "failed" });
  });

  it("refuses a mount that is not configured without running anything", async () => {
    const { calls, run } = kernelRunner("x");
    await expect(nasHandlers(config, { run })["nas.remount"]?.({ mount: "photos" }, recordedJob("nas.remount").ctx)).rejects.toMatchObject({ code: "not_found" });
    expect(calls).toEqual([]);
  });
});

describe("nas.remount with NEBULA_PRIVILEGED=systemd", () => {
  let systemctl: FakeSystemctl;
  let privileged: NasConfig;
  beforeEach(() => {
    systemctl = installFakeSystemctl();
    privileged = loadNasConfig({ NEBULA_MOUNTS: `media=${media}`, PROC_ROOT: path.join(root, "proc"), NAS_CHECK_TIMEOUT_S: "0.2", NEBULA_PRIVILEGED: "systemd" }) as NasConfig;
  });
  afterEach(() => systemctl.remove());

  it("asks systemd for the root remount unit of that mount point, then checks the share answers", async () => {
    await setMounts([]);
    // The unit's part, in the host's mount namespace: the share is mounted again.
    systemctl.onCall(`printf '%s\\n' '${line("//nas.lan/media", media, "cifs")}' >> '${path.join(root, "proc", "mounts")}'\n`);
    const { ctx, progress: steps } = recordedJob("nas.remount");

    const result = await nasHandlers(privileged)["nas.remount"]?.({ mount: "media" }, ctx);

    const unit = `nebula-agent-remount@${systemdEscapePath(media)}.service`;
    expect(unit).toContain("media\\x20share");
    expect(systemctl.calls()).toEqual([["start", "--no-ask-password", unit]]);
    expect(steps.map((s) => `${s.step}:${s.status}`)).toEqual(["remount:running", "remount:ok", "verify:ok"]);
    expect(result).toMatchObject({ name: "media", mounted: true, reachable: "ok" });
  });

  it("fails with systemd's words when the unit fails (e.g. polkit refused it)", async () => {
    await setMounts([]);
    systemctl.failWith(1);
    const { ctx, progress: steps } = recordedJob("nas.remount");
    await expect(nasHandlers(privileged)["nas.remount"]?.({ mount: "media" }, ctx)).rejects.toMatchObject({ code: "failed", message: expect.stringMatching(/Job for nebula-agent-remount@.* failed/) });
    expect(steps.at(-1)).toMatchObject({ step: "remount", status: "failed" });
  });
});

describe("parseProcMounts", () => {
  it("decodes the kernel's octal escapes", () => {
    expect(parseProcMounts("//nas/my\\040share /mnt/my\\040share cifs rw 0 0\n")).toEqual([{ source: "//nas/my share", target: "/mnt/my share", fstype: "cifs", options: "rw" }]);
  });
});

describe("loadNasConfig", () => {
  it("is null when no mounts are configured", () => {
    expect(loadNasConfig({})).toBeNull();
  });

  it("refuses, at start, a mount point systemd could not name a remount unit for", () => {
    expect(() => loadNasConfig({ NEBULA_MOUNTS: `long=/mnt/${"x".repeat(250)}`, NEBULA_PRIVILEGED: "systemd" })).toThrow(
      expect.objectContaining({ problems: [expect.stringMatching(/^NEBULA_MOUNTS: "long" cannot be remounted through systemd: unit name would be longer than 255/)] }),
    );
    expect(loadNasConfig({ NEBULA_MOUNTS: `long=/mnt/${"x".repeat(250)}` })?.privileged).toBe("direct");
  });

  it("names every bad entry", () => {
    expect(() => loadNasConfig({ NEBULA_MOUNTS: "media=/mnt/media,Bad Name=/x,rel=mnt/x,media=/mnt/other,junk", NAS_CHECK_TIMEOUT_S: "-1" })).toThrow(
      expect.objectContaining({
        name: "AgentConfigError",
        problems: [
          'NEBULA_MOUNTS: mount name "Bad Name" must be lowercase letters, digits, - or _',
          'NEBULA_MOUNTS: path for "rel" must be absolute (got "mnt/x")',
          'NEBULA_MOUNTS: mount name "media" appears twice',
          'NEBULA_MOUNTS: "junk" is not name=/absolute/path',
          'NAS_CHECK_TIMEOUT_S: must be seconds between 0 and 120 (got "-1")',
        ],
      }),
    );
  });
});

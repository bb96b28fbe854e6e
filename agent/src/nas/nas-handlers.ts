// nas.* job handlers: the state of each configured mount (mounted, reachable, space) and a lazy remount of one.
import type { JobResultHandlers, MountStatus } from "@nebula/schema/wire/job-results";
import { type CommandRunner, execFileRunner } from "../host/command-runner.ts";
import { type JobContext, JobError } from "../jobs/job-handler.ts";
import { remountUnit, startRootUnit } from "../privileged/root-actions.ts";
import { checkSpace, commandStatfs, type StatFs } from "./mount-space.ts";
import type { NasConfig, NasMount } from "./nas-config.ts";
import { mountAt, NETWORK_FSTYPES, readProcMounts } from "./proc-mounts.ts";

export interface NasDeps {
  run: CommandRunner;
  statfs: StatFs;
}

async function mountStatus(mount: NasMount, config: NasConfig, statfs: StatFs, signal: AbortSignal): Promise<MountStatus> {
  const entry = mountAt(await readProcMounts(config.procRoot), mount.path);
  const base = { name: mount.name, path: mount.path, fstype: entry?.fstype ?? null, source: entry?.source ?? null };
  if (!entry || !NETWORK_FSTYPES.has(entry.fstype)) {
    const detail = entry ? `${entry.fstype} is mounted there, not a network share` : "not mounted";
    return { ...base, mounted: false, reachable: null, totalBytes: null, freeBytes: null, detail };
  }
  const check = await checkSpace(mount.path, statfs, config.checkTimeoutMs, signal);
  if (check.state === "ok") return { ...base, mounted: true, reachable: "ok", ...check.space, detail: `${entry.fstype} from ${entry.source}` };
  return { ...base, mounted: true, reachable: check.state, totalBytes: null, freeBytes: null, detail: check.detail };
}

function configuredMount(config: NasConfig, name: string): NasMount {
  const mount = config.mounts.find((m) => m.name === name);
  if (!mount) throw new JobError("not_found", `No mount named "${name}" is configured on this host (NEBULA_MOUNTS)`);
  return mount;
}

async function remount(mount: NasMount, config: NasConfig, deps: NasDeps, ctx: JobContext): Promise<MountStatus> {
  const step = async (name: string, what: string, work: () => Promise<unknown>) => {
    ctx.progress(name, "running", what);
    try {
      await work();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      ctx.progress(name, "failed", message);
      throw new JobError(ctx.signal.aborted ? "cancelled" : "failed", message);
    }
    ctx.progress(name, "ok", what);
  };
  const command = (program: "umount" | "mount", args: string[]) => () => deps.run(program, args, { signal: ctx.signal });
  if (config.privileged === "systemd") {
    // mount(8) is setuid-only and our mount namespace is private: PID 1 runs the root unit in the host's namespace,
    // which does the same `umount -l` + `mount` for this fstab share (or restarts its .mount unit).
    const unit = remountUnit(mount.path);
    await step("remount", `systemctl start ${unit}`, () => startRootUnit(deps.run, unit, ctx.signal));
  } else {
    const mounted = mountAt(await readProcMounts(config.procRoot), mount.path) !== undefined;
    // Lazy unmount detaches a hung share at once; a plain umount of a dead NAS blocks until it times out.
    if (mounted) await step("umount", `umount -l ${mount.path}`, command("umount", ["-l", mount.path]));
    else ctx.progress("umount", "skipped", `${mount.path} was not mounted`);
    await step("mount", `mount ${mount.path}`, command("mount", [mount.path]));
  }
  const status = await mountStatus(mount, config, deps.statfs, ctx.signal);
  if (status.reachable !== "ok") {
    ctx.progress("verify", "failed", `${mount.name}: ${status.detail}`);
    throw new JobError("failed", `${mount.name} did not come back after remount: ${status.detail}`);
  }
  ctx.progress("verify", "ok", `${mount.name}: ${status.detail}`);
  return status;
}

export function nasHandlers(config: NasConfig, deps: Partial<NasDeps> = {}): JobResultHandlers<"nas.status" | "nas.remount", JobContext> {
  const run = deps.run ?? execFileRunner;
  const full: NasDeps = { run, statfs: deps.statfs ?? commandStatfs(run) };
  return {
    // Mounts are checked side by side, so one stale share costs one timeout, not one per mount.
    "nas.status": async (_params, ctx) => ({ mounts: await Promise.all(config.mounts.map((m) => mountStatus(m, config, full.statfs, ctx.signal))) }),
    "nas.remount": async ({ mount }, ctx) => remount(configuredMount(config, mount), config, full, ctx),
  };
}

// CPU time per process of the running stack (Linux /proc), so a latency figure can say where the time went:
// the bench's own client, start.ts (PGlite, pglite-socket, the db bridge and Miniflare live there) and the workerd
// process that runs the Worker.
import { readFileSync, readdirSync } from "node:fs";

export interface StackProcess {
  pid: number;
  role: string;
}

/** utime + stime in clock ticks; /proc/<pid>/stat fields 14 and 15, counted after the parenthesised command name. */
export function cpuTicks(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return null;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

function roleOf(cmd: string): string {
  if (/\bworkerd serve\b/.test(cmd)) return "workerd: the Worker";
  if (/\besbuild\b/.test(cmd)) return "esbuild (bundling the Worker)";
  return "other";
}

/** start.ts's process and every descendant of it, or null where /proc is not available. */
export function stackProcesses(startPid: number): StackProcess[] | null {
  let pids: number[];
  try {
    pids = readdirSync("/proc").filter((d) => /^\d+$/.test(d)).map(Number);
  } catch {
    return null;
  }
  const children = new Map<number, number[]>();
  for (const pid of pids) {
    const parent = parentOf(pid);
    if (parent !== null) children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  const found: StackProcess[] = [{ pid: startPid, role: "start.ts (PGlite, pglite-socket, db bridge, Miniflare)" }];
  const walk = (pid: number) => {
    for (const child of children.get(pid) ?? []) {
      found.push({ pid: child, role: roleOf(commandLine(child)) });
      walk(child);
    }
  };
  walk(startPid);
  return found;
}

/** workerd processes on this machine that are not the given stack's: another stack competing for the cores. */
export function otherWorkerdCount(ours: StackProcess[]): number {
  const mine = new Set(ours.map((p) => p.pid));
  let count = 0;
  for (const d of readdirSync("/proc")) {
    if (/^\d+$/.test(d) && !mine.has(Number(d)) && /\bworkerd serve\b/.test(commandLine(Number(d)))) count++;
  }
  return count;
}

/** Busy ticks of the whole machine (all cores) from /proc/stat: everything but idle and iowait. */
function machineBusyTicks(): number | null {
  try {
    const cpu = readFileSync("/proc/stat", "utf8").split("\n")[0]?.split(/\s+/).slice(1).map(Number) ?? [];
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpu;
    return user + nice + system + irq + softirq + steal;
  } catch {
    return null;
  }
}

export interface CpuSnapshot {
  ticks: Map<number, number>;
  client: NodeJS.CpuUsage;
  machine: number | null;
  at: number;
}

export function cpuSnapshot(processes: StackProcess[]): CpuSnapshot {
  const ticks = new Map<number, number>();
  for (const p of processes) {
    const t = cpuTicks(p.pid);
    if (t !== null) ticks.set(p.pid, t);
  }
  return { ticks, client: process.cpuUsage(), machine: machineBusyTicks(), at: performance.now() };
}

export interface CpuSplit {
  wallMs: number;
  /** CPU milliseconds by role, the bench client first; roles with several processes are summed. */
  byRole: { role: string; cpuMs: number }[];
  totalCpuMs: number;
  /** CPU the whole machine spent meanwhile, all processes; well above totalCpuMs means something else competed. */
  machineCpuMs: number | null;
}

/** Linux's USER_HZ, the unit of /proc/<pid>/stat times: 100 on every mainstream kernel build. */
export const TICK_MS = 10;

export function cpuSince(before: CpuSnapshot, processes: StackProcess[]): CpuSplit {
  const after = cpuSnapshot(processes);
  const byRole = new Map<string, number>();
  const client = process.cpuUsage(before.client);
  byRole.set("bench client (this process)", (client.user + client.system) / 1000);
  for (const p of processes) {
    const from = before.ticks.get(p.pid);
    const to = after.ticks.get(p.pid);
    if (from === undefined || to === undefined) continue;
    byRole.set(p.role, (byRole.get(p.role) ?? 0) + (to - from) * TICK_MS);
  }
  const rows = [...byRole].map(([role, cpuMs]) => ({ role, cpuMs }));
  const machineCpuMs = before.machine !== null && after.machine !== null ? (after.machine - before.machine) * TICK_MS : null;
  return { wallMs: after.at - before.at, byRole: rows, totalCpuMs: rows.reduce((s, r) => s + r.cpuMs, 0), machineCpuMs };
}

// `npm run cron -- <schedule | job name>`: fires a cron schedule on the locally running stack, the way
// Cloudflare's scheduler would; `--list` shows the schedules and the jobs registered on each.
// Uses miniflare's /cdn-cgi/local/scheduled, which runs before asset routing and reports the handler's outcome
// (wrangler's /__scheduled would be answered by the SPA fallback here, since it is not a run_worker_first path).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CRON_SCHEDULES, JOBS, isSchedule, jobsOn } from "../src/cron/jobs.ts";
import { readStackState } from "./stack-state.ts";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

function usage(): string {
  const lines = ["Usage: npm run cron -- <schedule | job name>   e.g. npm run cron -- sessions.purge", "       npm run cron -- --list", "", "Schedules and their jobs:"];
  for (const schedule of CRON_SCHEDULES) {
    lines.push(`  "${schedule}"`);
    const jobs = jobsOn(schedule);
    if (jobs.length === 0) lines.push("      (no jobs yet)");
    for (const job of jobs) lines.push(`      ${job.name.padEnd(20)} ${job.description}`);
  }
  return lines.join("\n");
}

function stackUrl(): string {
  const dataDir = path.resolve(root, process.env.NEBULA_DATA_DIR ?? ".nebula");
  return readStackState(dataDir)?.url ?? `http://127.0.0.1:${process.env.PORT ?? 8787}`;
}

async function main(): Promise<number> {
  const arg = process.argv[2];
  if (!arg || arg === "--help" || arg === "-h") {
    process.stderr.write(`${usage()}\n`);
    return arg ? 0 : 2;
  }
  if (arg === "--list") {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  const job = JOBS.find((j) => j.name === arg);
  const schedule = job ? job.schedule : isSchedule(arg) ? arg : null;
  if (!schedule) {
    process.stderr.write(`Unknown schedule or job "${arg}".\n\n${usage()}\n`);
    return 2;
  }
  // Cloudflare fires schedules, not single jobs: a job name fires its schedule, with every job on it.
  const jobs = jobsOn(schedule).map((j) => j.name);
  const base = stackUrl();
  const url = `${base}/cdn-cgi/local/scheduled?cron=${encodeURIComponent(schedule)}&format=json`;
  let res: Response;
  try {
    res = await fetch(url, { method: "GET" });
  } catch {
    process.stderr.write(`No stack answering at ${base}. Start it with \`npm start\` (or set PORT).\n`);
    return 1;
  }
  const body = await res.text();
  let outcome = body;
  try {
    outcome = (JSON.parse(body) as { outcome?: string }).outcome ?? body;
  } catch {
    // Older runtimes answer in plain text.
  }
  process.stdout.write(`Triggered "${schedule}" at ${base}: ${jobs.length ? jobs.join(", ") : "no jobs registered"} -> ${outcome}\n`);
  if (!res.ok) process.stdout.write("The worker's log (npm start output) has one line per job with its error.\n");
  return res.ok ? 0 : 1;
}

process.exitCode = await main();

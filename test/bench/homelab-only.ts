// `tsx test/bench/homelab-only.ts [--round-trip | --idle-hour]`: the homelab section of `npm run bench` on its own,
// printed, nothing written; `--round-trip` measures only the docker.list job path (no ingest, no 60 s rest window),
// `--idle-hour` only the simulated idle hour of cron triggers with one agent connected.
import { measureHomelab } from "./homelab.ts";

const only = process.argv.includes("--round-trip") ? "round-trip" : process.argv.includes("--idle-hour") ? "idle-hour" : undefined;
const results = await measureHomelab((msg) => process.stderr.write(`[bench] ${msg}\n`), { only });
process.stdout.write(`${JSON.stringify({ goals: results.goals, details: results.details, notes: results.notes, json: results.json }, null, 2)}\n`);

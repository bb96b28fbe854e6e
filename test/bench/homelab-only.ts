// `tsx test/bench/homelab-only.ts [--round-trip | --ingest | --idle-hour]`: the homelab section of `npm run bench` on
// its own, printed, nothing written; `--round-trip` measures only the docker.list job path (no ingest, no 60 s rest
// window), `--ingest` only the AgentHub ingest, `--idle-hour` only the simulated idle hour of cron triggers with one agent.
import { measureHomelab } from "./homelab.ts";

const flags = { "--round-trip": "round-trip", "--ingest": "ingest", "--idle-hour": "idle-hour" } as const;
const only = (Object.keys(flags) as (keyof typeof flags)[]).map((f) => (process.argv.includes(f) ? flags[f] : undefined)).find(Boolean);
const results = await measureHomelab((msg) => process.stderr.write(`[bench] ${msg}\n`), { only });
process.stdout.write(`${JSON.stringify({ goals: results.goals, details: results.details, notes: results.notes, json: results.json }, null, 2)}\n`);

// `tsx test/bench/go-live-only.ts`: the go-live section of `npm run bench` on its own, printed, nothing written.
import { measureGoLive } from "./go-live.ts";

const results = await measureGoLive((msg) => process.stderr.write(`[bench] ${msg}\n`));
process.stdout.write(`${JSON.stringify({ goals: results.goals, details: results.details, notes: results.notes, json: results.json }, null, 2)}\n`);

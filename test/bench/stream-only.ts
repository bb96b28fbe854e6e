// `tsx test/bench/stream-only.ts`: the stream-bot section of `npm run bench` on its own, printed, nothing written.
import { measureStream } from "./stream.ts";

const results = await measureStream((msg) => process.stderr.write(`[bench] ${msg}\n`));
process.stdout.write(`${JSON.stringify({ goals: results.goals, details: results.details, notes: results.notes }, null, 2)}\n`);

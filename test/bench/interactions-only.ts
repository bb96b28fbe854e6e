// `tsx test/bench/interactions-only.ts`: the interaction ACK section of `npm run bench` on its own (PING and
// /nebula status, 1 and 8 in flight, on a fresh `npm start` stack with embedded PGlite), printed, nothing written.
// Each run also reports the CPU each stack process spent per request, so Postgres work shows up where it happens.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { readStackState } from "../../workers/local/stack-state.ts";
import { InteractionSigner } from "../fakes/interaction-signer.ts";
import { startLocalStack } from "../stack.ts";
import { INTERACTION_KINDS, measureInteraction } from "./http-latency.ts";
import { cpuSince, cpuSnapshot, stackProcesses } from "./process-cpu.ts";

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2_000);
const WARMUP = 100;
const CONCURRENCY = [1, 8];

const dataDir = mkdtempSync(path.join(os.tmpdir(), "nebula-bench-ix-"));
const signer = await InteractionSigner.generate();
const stack = await startLocalStack({ dataDir, env: { DISCORD_PUBLIC_KEY: signer.publicKeyHex } });
const rows: string[] = [];
try {
  const pid = readStackState(dataDir)?.pid;
  const processes = pid ? stackProcesses(pid) : null;
  for (const kind of INTERACTION_KINDS) {
    for (const concurrency of CONCURRENCY) {
      process.stderr.write(`[bench] POST /interactions ${kind} × ${REQUESTS}, ${concurrency} in flight\n`);
      const before = processes ? cpuSnapshot(processes) : null;
      const run = await measureInteraction({ url: stack.url, signer, kind, concurrency, warmup: WARMUP, requests: REQUESTS });
      const r = run.result;
      if (!r) throw new Error(`${kind}: ${run.failure}`);
      const cpu = processes && before ? cpuSince(before, processes) : null;
      const perRequest = cpu?.byRole.filter((p) => p.cpuMs > 0).map((p) => `${p.role} ${(p.cpuMs / (WARMUP + REQUESTS)).toFixed(2)}`).join(" · ");
      const load = cpu?.machineCpuMs == null ? "" : ` · whole machine ${((cpu.machineCpuMs / (cpu.wallMs * os.cpus().length)) * 100).toFixed(0)}% busy`;
      rows.push(
        `| ${kind} | ${concurrency} | ${r.p50.toFixed(2)} | ${r.p95.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.max.toFixed(1)} | ${r.throughput.toFixed(0)}/s | ${perRequest ?? "n/a"}${load} |`,
      );
    }
  }
} finally {
  await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
process.stdout.write(
  `${["| Kind | In flight | p50 ms | p95 ms | p99 ms | max ms | Throughput | CPU ms per request by process |", "| --- | --- | --- | --- | --- | --- | --- | --- |", ...rows].join("\n")}\n`,
);

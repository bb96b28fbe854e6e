// The Worker as `wrangler deploy` would upload it, built offline with --dry-run: raw and gzipped bytes per module,
// and which packages the bytes come from (esbuild's metafile), so a missed budget points at its cause.
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type SizedFile, gzipSize } from "./gzip-size.ts";
import { runCapture } from "./run-capture.ts";

export interface WorkerBundle {
  files: SizedFile[];
  raw: number;
  gzip: number;
  /** Wrangler's own "Total Upload: … / gzip: …" line, in KiB, as a cross-check. */
  wranglerReported: { rawKiB: number; gzipKiB: number } | null;
  /** Bytes in the output by package (node_modules) or by repository folder, largest first. */
  composition: { source: string; bytes: number }[];
}

/** `node_modules/@scope/name/...` → `@scope/name`; a repository file → its first two folders (`workers/src`). */
function sourceGroup(input: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules\/)/.exec(input);
  if (pkg?.[1]) return pkg[1];
  return input.split("/").slice(0, 2).join("/");
}

interface Metafile {
  outputs: Record<string, { bytes: number; inputs: Record<string, { bytesInOutput: number }> }>;
}

export async function measureWorkerBundle(root: string): Promise<WorkerBundle> {
  const outdir = mkdtempSync(path.join(os.tmpdir(), "nebula-bench-worker-"));
  try {
    const metafile = path.join(outdir, "meta.json");
    const log = await runCapture(
      path.join(root, "node_modules/.bin/wrangler"),
      ["deploy", "--dry-run", "--outdir", outdir, "--metafile", metafile],
      root,
    );
    // Everything wrangler would upload as a module: scripts and wasm, not source maps or its README.
    const files = readdirSync(outdir)
      .filter((f) => /\.(m?js|cjs|wasm)$/.test(f))
      .map((file) => {
        const bytes = readFileSync(path.join(outdir, file));
        return { file, raw: bytes.length, gzip: gzipSize(bytes) };
      });
    if (files.length === 0) throw new Error(`wrangler deploy --dry-run wrote no modules to ${outdir}:\n${log}`);
    const reported = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(log);
    const meta = JSON.parse(readFileSync(metafile, "utf8")) as Metafile;
    const bySource = new Map<string, number>();
    for (const output of Object.values(meta.outputs)) {
      for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
        const group = sourceGroup(input);
        bySource.set(group, (bySource.get(group) ?? 0) + bytesInOutput);
      }
    }
    return {
      files,
      raw: files.reduce((s, f) => s + f.raw, 0),
      gzip: files.reduce((s, f) => s + f.gzip, 0),
      wranglerReported: reported ? { rawKiB: Number(reported[1]), gzipKiB: Number(reported[2]) } : null,
      composition: [...bySource].map(([source, bytes]) => ({ source, bytes })).sort((a, b) => b.bytes - a.bytes),
    };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

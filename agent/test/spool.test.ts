// The metrics spool on a real temp directory: batches survive restarts with their seqs, acks free them, a full spool
// drops the oldest first and counts the loss, and a record torn by a crash is skipped on the next start.
import { appendFileSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { crc32 as zlibCrc32 } from "node:zlib";
import type { Sample } from "@nebula/schema/wire/agent";
import { afterEach, describe, expect, it } from "vitest";
import { crc32, encodeRecord } from "../src/spool/spool-record.ts";
import { DEFAULT_SPOOL_DIR, MetricsSpool, type SpoolOptions, spoolDirFrom } from "../src/spool/spool.ts";

const T0 = 1_700_000_000_000;
const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "nebula-spool-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function open(options: SpoolOptions): Promise<MetricsSpool> {
  const spool = await MetricsSpool.open(options);
  cleanup.push(() => spool.close());
  return spool;
}

/** Batch n: two samples 10 s apart, the same size for every n below 1000 so segment arithmetic is exact. */
function samples(n: number): Sample[] {
  return [
    { at: T0 + n * 20_000, values: { "cpu.total": 100 + n } },
    { at: T0 + n * 20_000 + 10_000, values: { "cpu.total": 100 + n } },
  ];
}

async function appendBatches(spool: MetricsSpool, from: number, to: number): Promise<number[]> {
  const seqs: number[] = [];
  for (let n = from; n <= to; n++) seqs.push(await spool.append(samples(n)));
  return seqs;
}

/** What an earlier agent run left in `dir`: `batches` batches, the first `acked` of them acked. */
async function earlierRun(dir: string, batches: number, acked = 0, options: Partial<SpoolOptions> = {}): Promise<void> {
  const spool = await MetricsSpool.open({ dir, ...options });
  await appendBatches(spool, 1, batches);
  if (acked > 0) await spool.ack(acked);
  await spool.close();
}

/** An earlier run that stored `batches` batches, then crashed leaving `tail` after them in its segment file. */
async function crashDuringAppend(dir: string, batches: number, tail: Buffer): Promise<void> {
  await earlierRun(dir, batches);
  const [segment] = readdirSync(dir).filter((f) => f.endsWith(".seg"));
  appendFileSync(path.join(dir, segment as string), tail);
}

const seqsOf = async (spool: MetricsSpool) => (await spool.readFrom(0, 10_000)).map((b) => b.seq);

describe("MetricsSpool", () => {
  it("numbers batches from 1, hands back unacked ones in order, and frees what the hub acked", async () => {
    const spool = await open({ dir: tempDir() });
    expect(await appendBatches(spool, 1, 5)).toEqual([1, 2, 3, 4, 5]);

    expect(await spool.readFrom(0, 2)).toEqual([
      { type: "metrics", seq: 1, samples: samples(1) },
      { type: "metrics", seq: 2, samples: samples(2) },
    ]);
    expect((await spool.readFrom(3, 10)).map((b) => b.seq)).toEqual([4, 5]);

    await spool.ack(3);
    expect(spool.pendingBatches).toBe(2);
    expect(await seqsOf(spool)).toEqual([4, 5]);
    await spool.ack(2); // a late, older ack changes nothing
    expect(await seqsOf(spool)).toEqual([4, 5]);
  });

  it("still has unacked batches after a restart, read back from disk, and continues the seqs", async () => {
    const dir = tempDir();
    await earlierRun(dir, 5, 2);

    const second = await open({ dir });
    expect(second.lastSeq).toBe(5);
    expect(second.ackedSeq).toBe(2);
    expect(await second.readFrom(0, 10)).toEqual([3, 4, 5].map((n) => ({ type: "metrics", seq: n, samples: samples(n) })));
    expect(await second.append(samples(6))).toBe(6);
  });

  it("never reuses a seq after a restart, even when every batch was acked and their segments removed", async () => {
    const dir = tempDir();
    const first = await MetricsSpool.open({ dir, segmentBytes: 300 });
    await appendBatches(first, 1, 12);
    await first.ack(12);
    expect(readdirSync(dir).filter((f) => f.endsWith(".seg"))).toHaveLength(1);
    await first.close();

    const second = await open({ dir, segmentBytes: 300 });
    expect(second.pendingBatches).toBe(0);
    expect(await second.append(samples(13))).toBe(13);
  });

  it("continues above a seq the hub acked that this spool never handed out (its directory was wiped)", async () => {
    const spool = await open({ dir: tempDir() });
    await appendBatches(spool, 1, 2);
    await spool.ack(5_000);
    expect(await seqsOf(spool)).toEqual([]);
    expect(await spool.append(samples(3))).toBe(5_001);
  });

  it("when full, drops the oldest batches first, stays within its bytes, and reports the loss once", async () => {
    const dir = tempDir();
    const recordBytes = encodeRecord(1, samples(1)).bytes.length;
    const perSegment = 4;
    const spool = await open({ dir, maxBytes: recordBytes * perSegment * 4, segmentBytes: recordBytes * perSegment });

    await appendBatches(spool, 1, 16);
    expect(spool.takeLoss()).toBeNull();
    expect(spool.sizeBytes).toBe(recordBytes * 16);

    await appendBatches(spool, 17, 22);
    // Room for 16 records in 4 segments: batch 17 evicts the segment holding 1-4, batch 21 the one holding 5-8.
    expect(await seqsOf(spool)).toEqual([9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22]);
    expect(spool.sizeBytes).toBeLessThanOrEqual(spool.maxBytes);
    const onDisk = readdirSync(dir).filter((f) => f.endsWith(".seg")).reduce((sum, f) => sum + statSync(path.join(dir, f)).size, 0);
    expect(onDisk).toBe(spool.sizeBytes);
    expect(spool.takeLoss()).toEqual({ type: "spool_loss", droppedBatches: 8, droppedSamples: 16, oldestDroppedAt: samples(1)[0]?.at });
    expect(spool.takeLoss()).toBeNull();
  });

  // An agent restarted (or a host rebooted) during the outage that filled its spool must still tell the edge.
  it("keeps unreported loss on disk across a restart until its message is sent", async () => {
    const dir = tempDir();
    const recordBytes = encodeRecord(1, samples(1)).bytes.length;
    const options = { dir, maxBytes: recordBytes * 16, segmentBytes: recordBytes * 4 };
    const first = await open(options);
    await appendBatches(first, 1, 17);
    await first.close();

    const second = await open(options);
    const reported = { type: "spool_loss", droppedBatches: 4, droppedSamples: 8, oldestDroppedAt: samples(1)[0]?.at };
    expect(second.takeLoss()).toEqual(reported);
    await second.close();

    // Taken but never sent (the edge was still unreachable): the next run reports it again.
    const third = await open(options);
    expect(third.takeLoss()).toEqual(reported);
    await appendBatches(third, 18, 21);
    await third.lossSent();
    await third.close();

    // Sent: only what was dropped after the take is left to report.
    const fourth = await open(options);
    expect(fourth.takeLoss()).toEqual({ type: "spool_loss", droppedBatches: 4, droppedSamples: 8, oldestDroppedAt: samples(5)[0]?.at });
    await fourth.lossSent();
    await fourth.close();
    const fifth = await open(options);
    expect(fifth.takeLoss()).toBeNull();
  });

  it("does not count batches the hub already acked as lost when their segment is dropped", async () => {
    const recordBytes = encodeRecord(1, samples(1)).bytes.length;
    const spool = await open({ dir: tempDir(), maxBytes: recordBytes * 16, segmentBytes: recordBytes * 4 });
    await appendBatches(spool, 1, 16);
    await spool.ack(2);
    await appendBatches(spool, 17, 17);

    expect(spool.takeLoss()).toEqual({ type: "spool_loss", droppedBatches: 2, droppedSamples: 4, oldestDroppedAt: samples(3)[0]?.at });
  });

  it("skips a record torn by a crash mid-write on restart and keeps appending after the good ones", async () => {
    const dir = tempDir();
    const torn = encodeRecord(4, samples(4)).bytes;
    await crashDuringAppend(dir, 3, torn.subarray(0, torn.length - 7));

    const second = await MetricsSpool.open({ dir });
    expect(second.recovery).toEqual({ tornRecords: 1, discardedBytes: torn.length - 7 });
    expect(await seqsOf(second)).toEqual([1, 2, 3]);
    expect(await second.append(samples(4))).toBe(4);
    await second.close();

    const third = await open({ dir });
    expect(third.recovery.tornRecords).toBe(0);
    expect(await third.readFrom(0, 10)).toEqual([1, 2, 3, 4].map((n) => ({ type: "metrics", seq: n, samples: samples(n) })));
  });

  it("detects a last record whose bytes are complete but wrong (checksum)", async () => {
    const dir = tempDir();
    const bad = encodeRecord(3, samples(3)).bytes;
    bad.writeUInt8(bad.readUInt8(bad.length - 3) ^ 0xff, bad.length - 3);
    await crashDuringAppend(dir, 2, bad);

    const second = await open({ dir });
    expect(second.recovery.tornRecords).toBe(1);
    expect(await seqsOf(second)).toEqual([1, 2]);
  });

  it("checksums records as zlib's crc32 did, so spools written by earlier agents still read", () => {
    expect(crc32(Buffer.from("123456789"))).toBe(0xcbf43926);
    for (const n of [1, 2, 999]) {
      const record = encodeRecord(n, samples(n)).bytes;
      expect(record.readUInt32LE(4)).toBe(zlibCrc32(record.subarray(8)));
    }
  });

  it("resends everything after an unreadable acked-seq file rather than losing batches", async () => {
    const dir = tempDir();
    await earlierRun(dir, 3, 1);
    writeFileSync(path.join(dir, "acked-seq"), "garbage");

    const second = await open({ dir });
    expect(await seqsOf(second)).toEqual([1, 2, 3]);
    expect(await second.append(samples(4))).toBe(4);
  });

  it("lives in NEBULA_SPOOL_DIR, or under /var/lib by default", () => {
    expect(spoolDirFrom({ NEBULA_SPOOL_DIR: "/srv/nebula/spool" })).toBe("/srv/nebula/spool");
    expect(spoolDirFrom({})).toBe(DEFAULT_SPOOL_DIR);
    expect(DEFAULT_SPOOL_DIR).toBe("/var/lib/nebula-agent/spool");
  });
});

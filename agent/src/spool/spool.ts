// The metrics spool: batches wait on disk until the hub acks them, so an offline edge or an agent restart loses
// nothing. Bounded by bytes; when full the oldest batches go first and the loss is counted for a spool_loss message.
import type { FileHandle } from "node:fs/promises";
import { mkdir, open, readdir, readFile, rename, rm, truncate, writeFile } from "node:fs/promises";
import path from "node:path";
import type { MetricsBatch, Sample, SpoolLoss } from "@nebula/schema/wire/agent";
import { type Logger, silentLogger } from "../logging/logger.ts";
import { type RecordMeta, decodeRecordAt, encodeRecord, recordSamples } from "./spool-record.ts";

export const DEFAULT_SPOOL_DIR = "/var/lib/nebula-agent/spool";
export const DEFAULT_SPOOL_MAX_BYTES = 50 * 1024 * 1024;
/** The spool directory from the agent's environment: NEBULA_SPOOL_DIR, else the default under /var/lib. */
export function spoolDirFrom(env: Record<string, string | undefined>): string {
  return env.NEBULA_SPOOL_DIR?.trim() || DEFAULT_SPOOL_DIR;
}

const DEFAULT_SEGMENT_BYTES = 1024 * 1024;
/** Recently appended batches stay in memory too, so a connected agent sends without reading its own disk. */
const RECENT_BATCHES = 32;
const SEGMENT_FILE = /^(\d{16})\.seg$/;
const ACKED_FILE = "acked-seq";
/** Loss not yet reported to the edge: kept on disk, so a restart or reboot during an outage still reports it. */
const LOSS_FILE = "unreported-loss.json";

type Loss = { batches: number; samples: number; oldestAt: number };

function mergeLoss(a: Loss | null, b: Loss | null): Loss | null {
  if (!a || !b) return a ?? b;
  return { batches: a.batches + b.batches, samples: a.samples + b.samples, oldestAt: Math.min(a.oldestAt, b.oldestAt) };
}

export interface SpoolOptions {
  dir: string;
  /** Everything in the spool together stays at or under this. Default 50 MiB. */
  maxBytes?: number;
  /** Batches are appended to segment files of about this size; dropping and removing work per segment. */
  segmentBytes?: number;
  logger?: Logger;
}

/** What opening the spool found and repaired. */
export interface SpoolRecovery {
  /** Segments whose tail was not a whole record (a crash or a full disk mid-write); the tail was discarded. */
  tornRecords: number;
  discardedBytes: number;
}

interface Segment {
  file: string;
  bytes: number;
  entries: Entry[];
}

interface Entry extends RecordMeta {
  segment: Segment;
  offset: number;
  length: number;
}

export class MetricsSpool {
  readonly dir: string;
  readonly maxBytes: number;
  readonly segmentBytes: number;
  readonly recovery: SpoolRecovery = { tornRecords: 0, discardedBytes: 0 };
  private readonly logger: Logger;
  /** Oldest first; the last one is where appends go. */
  private segments: Segment[] = [];
  /** Every batch on disk, seq ascending. */
  private entries: Entry[] = [];
  private writer: { segment: Segment; handle: FileHandle } | null = null;
  private bytes = 0;
  private last = 0;
  private acked = 0;
  /** Loss counted since the last takeLoss. */
  private loss: Loss | null = null;
  /** Loss handed out by takeLoss whose message has not been sent yet (lossSent). */
  private taken: Loss | null = null;
  private readonly recent = new Map<number, Sample[]>();
  /** File operations run one at a time: an append never races the drop or ack that removes a segment. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(options: SpoolOptions) {
    this.dir = options.dir;
    this.maxBytes = options.maxBytes ?? DEFAULT_SPOOL_MAX_BYTES;
    // At least four segments fit, so dropping the oldest frees room without emptying the spool.
    this.segmentBytes = Math.max(1, Math.min(options.segmentBytes ?? DEFAULT_SEGMENT_BYTES, Math.floor(this.maxBytes / 4)));
    this.logger = options.logger ?? silentLogger;
  }

  /** Opens (creating if needed) the spool in `dir`, re-reading what a previous run left there. */
  static async open(options: SpoolOptions): Promise<MetricsSpool> {
    const spool = new MetricsSpool(options);
    await spool.load();
    return spool;
  }

  /** The highest seq ever handed out (or acked): the next batch gets lastSeq + 1. */
  get lastSeq(): number {
    return this.last;
  }

  get ackedSeq(): number {
    return this.acked;
  }

  /** Batches on disk not yet acked. */
  get pendingBatches(): number {
    return this.entries.length - this.firstAbove(this.acked);
  }

  get sizeBytes(): number {
    return this.bytes;
  }

  /** Stores samples as the next batch and returns its seq. */
  append(samples: Sample[]): Promise<number> {
    return this.serial(() => this.appendNow(samples));
  }

  /** Unacked batches with seq above `afterSeq`, oldest first, at most `limit`. */
  readFrom(afterSeq: number, limit: number): Promise<MetricsBatch[]> {
    return this.serial(() => this.readNow(afterSeq, limit));
  }

  /** The hub stored every batch with seq <= `seq` (acks are cumulative): those batches may go. */
  ack(seq: number): Promise<void> {
    return this.serial(() => this.ackNow(seq));
  }

  /** Loss since the last call, folded into one spool_loss message; null when nothing was dropped. */
  takeLoss(): SpoolLoss | null {
    const loss = this.loss;
    this.loss = null;
    this.taken = mergeLoss(this.taken, loss);
    return loss && { type: "spool_loss", droppedBatches: loss.batches, droppedSamples: loss.samples, oldestDroppedAt: loss.oldestAt };
  }

  /** The loss handed out by takeLoss reached the edge: only loss counted since then stays on disk. */
  lossSent(): Promise<void> {
    this.taken = null;
    return this.serial(() => this.writeLoss());
  }

  close(): Promise<void> {
    return this.serial(() => this.closeWriter());
  }

  private serial<T>(run: () => Promise<T>): Promise<T> {
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async load(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    this.acked = await this.readAcked();
    this.loss = await this.readLoss();
    const files = (await readdir(this.dir)).filter((name) => SEGMENT_FILE.test(name)).sort();
    for (const name of files) {
      const file = path.join(this.dir, name);
      const data = await readFile(file);
      const segment: Segment = { file, bytes: data.length, entries: [] };
      let offset = 0;
      while (offset < data.length) {
        const record = decodeRecordAt(data, offset);
        // Seqs only grow; a record that does not is not one this spool wrote in order.
        if (!record || record.meta.seq <= (segment.entries.at(-1)?.seq ?? this.entries.at(-1)?.seq ?? 0)) break;
        segment.entries.push({ ...record.meta, segment, offset, length: record.length });
        offset += record.length;
      }
      if (offset < data.length) {
        this.recovery.tornRecords++;
        this.recovery.discardedBytes += data.length - offset;
        this.logger.warn("spool segment ends in a torn record; discarding it", { file, keptBytes: offset, discardedBytes: data.length - offset });
        segment.bytes = offset;
        await truncate(file, offset);
      }
      if (segment.entries.length === 0) {
        await rm(file, { force: true });
        continue;
      }
      this.segments.push(segment);
      this.bytes += segment.bytes;
      for (const entry of segment.entries) this.entries.push(entry);
    }
    this.last = Math.max(this.entries.at(-1)?.seq ?? 0, this.acked);
    await this.removeAckedSegments();
    if (this.pendingBatches > 0) this.logger.info("spool holds unsent metrics from an earlier run", { batches: this.pendingBatches, bytes: this.bytes });
  }

  private async appendNow(samples: Sample[]): Promise<number> {
    const seq = this.last + 1;
    const { bytes, meta } = encodeRecord(seq, samples);
    let writer = this.writer;
    if (!writer || writer.segment.bytes + bytes.length > this.segmentBytes) {
      await this.closeWriter();
      writer = null;
    }
    const segment = writer?.segment ?? { file: path.join(this.dir, `${String(seq).padStart(16, "0")}.seg`), bytes: 0, entries: [] };
    // Full: the oldest whole segments go first, never the one this record is written to.
    while (this.bytes + bytes.length > this.maxBytes) {
      const oldest = this.segments[0];
      if (!oldest || oldest === segment) break;
      await this.removeSegment(oldest, true);
    }
    if (!writer) {
      writer = { segment, handle: await open(segment.file, "a", 0o600) };
      this.writer = writer;
      this.segments.push(segment);
    }
    try {
      await writer.handle.write(bytes);
    } catch (err) {
      // A partial write left bytes between records: cut them off, or move on to a fresh segment if even that fails.
      await writer.handle.truncate(segment.bytes).catch(() => this.closeWriter());
      throw err;
    }
    const entry: Entry = { ...meta, segment, offset: segment.bytes, length: bytes.length };
    segment.entries.push(entry);
    segment.bytes += bytes.length;
    this.bytes += bytes.length;
    this.entries.push(entry);
    this.last = seq;
    this.recent.set(seq, samples);
    for (const old of this.recent.keys()) {
      if (this.recent.size <= RECENT_BATCHES) break;
      this.recent.delete(old);
    }
    return seq;
  }

  private async readNow(afterSeq: number, limit: number): Promise<MetricsBatch[]> {
    const start = this.firstAbove(Math.max(afterSeq, this.acked));
    const wanted = this.entries.slice(start, start + limit);
    const batches: MetricsBatch[] = [];
    const corrupt: Entry[] = [];
    let index = 0;
    while (index < wanted.length) {
      const first = wanted[index] as Entry;
      const cached = this.recent.get(first.seq);
      if (cached) {
        batches.push({ type: "metrics", seq: first.seq, samples: cached });
        index++;
        continue;
      }
      // One read for every consecutive batch of the same segment that is not in memory.
      let end = index + 1;
      while (end < wanted.length && wanted[end]?.segment === first.segment && !this.recent.has(wanted[end]?.seq ?? 0)) end++;
      const group = wanted.slice(index, end);
      const lastOfGroup = group.at(-1) as Entry;
      const data = await readRange(first.segment.file, first.offset, lastOfGroup.offset + lastOfGroup.length - first.offset);
      for (const entry of group) {
        const at = entry.offset - first.offset;
        if (decodeRecordAt(data, at)?.meta.seq === entry.seq) batches.push({ type: "metrics", seq: entry.seq, samples: recordSamples(data, at, entry.length) });
        else corrupt.push(entry);
      }
      index = end;
    }
    for (const entry of corrupt) this.forgetCorrupt(entry);
    if (corrupt.length > 0) await this.writeLoss();
    return batches;
  }

  private async ackNow(seq: number): Promise<void> {
    if (seq <= this.acked) return;
    if (seq > this.last) {
      // The hub has seen seqs this spool never handed out (its directory was wiped or restored): continue above
      // them, or every new batch would be ignored as already seen.
      this.logger.warn("the edge acked metrics beyond this spool's last batch; continuing from its seq", { acked: seq, lastSeq: this.last });
      this.last = seq;
    }
    this.acked = seq;
    for (const old of this.recent.keys()) if (old <= seq) this.recent.delete(old);
    await this.writeAcked();
    await this.removeAckedSegments();
  }

  /** Whole acked segments go; the newest stays, so the highest seq handed out is always on disk. */
  private async removeAckedSegments(): Promise<void> {
    while (this.segments.length > 1) {
      const oldest = this.segments[0] as Segment;
      if ((oldest.entries.at(-1)?.seq ?? 0) > this.acked) return;
      await this.removeSegment(oldest, false);
    }
  }

  private async removeSegment(segment: Segment, countLoss: boolean): Promise<void> {
    await rm(segment.file, { force: true });
    this.segments.splice(this.segments.indexOf(segment), 1);
    // The oldest segment's batches are the first in seq order.
    this.entries.splice(0, segment.entries.length);
    this.bytes -= segment.bytes;
    if (!countLoss) return;
    for (const entry of segment.entries) if (entry.seq > this.acked) this.countLoss(entry);
    await this.writeLoss();
  }

  /** A record that no longer reads back (disk corruption) is reported as lost rather than stalling replay behind it. */
  private forgetCorrupt(entry: Entry): void {
    this.logger.warn("spooled metrics batch is corrupt on disk; dropping it", { seq: entry.seq, file: entry.segment.file });
    this.entries.splice(this.entries.indexOf(entry), 1);
    entry.segment.entries.splice(entry.segment.entries.indexOf(entry), 1);
    this.countLoss(entry);
  }

  private countLoss(entry: Entry): void {
    this.recent.delete(entry.seq);
    this.loss = mergeLoss(this.loss, { batches: 1, samples: entry.sampleCount, oldestAt: entry.oldestAt });
  }

  private firstAbove(seq: number): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.entries[mid] as Entry).seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private async closeWriter(): Promise<void> {
    const writer = this.writer;
    this.writer = null;
    await writer?.handle.close();
  }

  /** A lost or unreadable acked-seq only means some acked batches are sent again; the hub ignores repeats. */
  private async readAcked(): Promise<number> {
    try {
      const value = Number((await readFile(path.join(this.dir, ACKED_FILE), "utf8")).trim());
      return Number.isSafeInteger(value) && value > 0 ? value : 0;
    } catch {
      return 0;
    }
  }

  /** An unreadable file only means that loss goes unreported; the spool itself is unharmed. */
  private async readLoss(): Promise<Loss | null> {
    try {
      const raw = JSON.parse(await readFile(path.join(this.dir, LOSS_FILE), "utf8")) as Partial<Loss>;
      const ok = [raw.batches, raw.samples, raw.oldestAt].every((n) => Number.isSafeInteger(n) && (n as number) >= 0);
      return ok && (raw.batches as number) > 0 ? { batches: raw.batches as number, samples: raw.samples as number, oldestAt: raw.oldestAt as number } : null;
    } catch {
      return null;
    }
  }

  /** What is still to be reported: counted, or taken but not yet sent. */
  private async writeLoss(): Promise<void> {
    const file = path.join(this.dir, LOSS_FILE);
    const unreported = mergeLoss(this.taken, this.loss);
    if (!unreported) {
      await rm(file, { force: true });
      return;
    }
    await writeFile(`${file}.tmp`, JSON.stringify(unreported), { mode: 0o600 });
    await rename(`${file}.tmp`, file);
  }

  private async writeAcked(): Promise<void> {
    const file = path.join(this.dir, ACKED_FILE);
    await writeFile(`${file}.tmp`, String(this.acked), { mode: 0o600 });
    await rename(`${file}.tmp`, file);
  }
}

async function readRange(file: string, offset: number, length: number): Promise<Buffer> {
  const handle = await open(file, "r");
  try {
    const data = Buffer.alloc(length);
    const { bytesRead } = await handle.read(data, 0, length, offset);
    return data.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

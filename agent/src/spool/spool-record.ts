// The spool's on-disk record: a fixed header with a length and a CRC-32, so a write torn by a crash or a full disk
// is recognised on restart instead of being read as data.
import type { Sample } from "@nebula/schema/wire/agent";

/**
 * CRC-32 (IEEE 802.3, the checksum zlib's crc32 computes, so existing spools still read), table-driven in JS:
 * importing node:zlib for its crc32 costs the resting agent ~2 MB of RSS, and a record is a few KB every 10 s.
 */
const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});
export function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = (CRC_TABLE[(crc ^ (bytes[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * Layout, little-endian:
 *   u32 payload length | u32 crc32 of everything after this field | f64 seq | u32 sample count | f64 oldest sample at
 *   | payload: the samples as JSON
 * seq and times are integers below 2^53, exact in a float64.
 */
export const HEADER_BYTES = 28;
/** A length beyond this can only be garbage: a batch is at most 720 samples in a 256 KiB message. */
const MAX_PAYLOAD_BYTES = 4 * 1024 * 1024;

export interface RecordMeta {
  seq: number;
  sampleCount: number;
  oldestAt: number;
}

export function encodeRecord(seq: number, samples: Sample[]): { bytes: Buffer; meta: RecordMeta } {
  const payload = Buffer.from(JSON.stringify(samples));
  const oldestAt = samples.reduce((min, s) => Math.min(min, s.at), Number.POSITIVE_INFINITY);
  const bytes = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  bytes.writeUInt32LE(payload.length, 0);
  bytes.writeDoubleLE(seq, 8);
  bytes.writeUInt32LE(samples.length, 16);
  bytes.writeDoubleLE(oldestAt, 20);
  payload.copy(bytes, HEADER_BYTES);
  bytes.writeUInt32LE(crc32(bytes.subarray(8)), 4);
  return { bytes, meta: { seq, sampleCount: samples.length, oldestAt } };
}

/** The record at `offset`, or null when what is there is not a whole, intact record. */
export function decodeRecordAt(data: Buffer, offset: number): { meta: RecordMeta; length: number } | null {
  if (data.length - offset < HEADER_BYTES) return null;
  const payloadBytes = data.readUInt32LE(offset);
  const length = HEADER_BYTES + payloadBytes;
  if (payloadBytes > MAX_PAYLOAD_BYTES || data.length - offset < length) return null;
  if (crc32(data.subarray(offset + 8, offset + length)) !== data.readUInt32LE(offset + 4)) return null;
  return {
    meta: { seq: data.readDoubleLE(offset + 8), sampleCount: data.readUInt32LE(offset + 16), oldestAt: data.readDoubleLE(offset + 20) },
    length,
  };
}

export function recordSamples(data: Buffer, offset: number, length: number): Sample[] {
  return JSON.parse(data.toString("utf8", offset + HEADER_BYTES, offset + length)) as Sample[];
}

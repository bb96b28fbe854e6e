// Gzipped size as budgets count it: level 9, what a CDN or Cloudflare's upload limit would see at best.
import { gzipSync } from "node:zlib";

export interface SizedFile {
  file: string;
  raw: number;
  gzip: number;
}

export function gzipSize(bytes: Buffer): number {
  return gzipSync(bytes, { level: 9 }).length;
}

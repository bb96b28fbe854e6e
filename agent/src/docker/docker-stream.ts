// Docker's multiplexed log stream, taken apart: without a TTY, every frame is an 8-byte header (stream type,
// 3 zero bytes, big-endian payload length) and the payload, and frames arrive split or glued across chunks.
import { StringDecoder } from "node:string_decoder";

export type DockerStreamName = "stdout" | "stderr";
const HEADER_BYTES = 8;

export class DockerStreamDemuxer {
  private buffered: Buffer = Buffer.alloc(0);
  // One decoder per stream: a multi-byte character may be split across two frames of the same stream.
  private readonly decoders = { stdout: new StringDecoder("utf8"), stderr: new StringDecoder("utf8") };
  private readonly onText: (stream: DockerStreamName, text: string) => void;

  constructor(onText: (stream: DockerStreamName, text: string) => void) {
    this.onText = onText;
  }

  /** Feeds raw bytes from the API; calls back once per complete frame. */
  push(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    let offset = 0;
    while (this.buffered.length - offset >= HEADER_BYTES) {
      const size = this.buffered.readUInt32BE(offset + 4);
      if (this.buffered.length - offset < HEADER_BYTES + size) break;
      // 0 is stdin (only echoed on attach), 1 stdout, 2 stderr.
      const stream: DockerStreamName = this.buffered[offset] === 2 ? "stderr" : "stdout";
      const text = this.decoders[stream].write(this.buffered.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + size));
      if (text) this.onText(stream, text);
      offset += HEADER_BYTES + size;
    }
    this.buffered = offset === this.buffered.length ? Buffer.alloc(0) : this.buffered.subarray(offset);
  }

  /** The stream ended: flushes any character held back by the decoders. */
  end(): void {
    for (const stream of ["stdout", "stderr"] as const) {
      const rest = this.decoders[stream].end();
      if (rest) this.onText(stream, rest);
    }
  }
}

/** A TTY container's log is one raw stream: everything is stdout. */
export class RawStream {
  private readonly decoder = new StringDecoder("utf8");
  private readonly onText: (stream: DockerStreamName, text: string) => void;

  constructor(onText: (stream: DockerStreamName, text: string) => void) {
    this.onText = onText;
  }

  push(chunk: Buffer): void {
    const text = this.decoder.write(chunk);
    if (text) this.onText("stdout", text);
  }

  end(): void {
    const rest = this.decoder.end();
    if (rest) this.onText("stdout", rest);
  }
}

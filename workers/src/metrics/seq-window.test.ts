// Sequence de-duplication: in order, replayed, out of order, and a gap that never fills.
import { describe, expect, it } from "vitest";
import { MAX_SEQS_ABOVE_GAP, type SeqWindow, admitSeq, emptySeqWindow } from "./seq-window.ts";

function feed(seqs: number[], start: SeqWindow = emptySeqWindow()) {
  let window = start;
  const fresh: boolean[] = [];
  const acks: number[] = [];
  for (const seq of seqs) {
    const admitted = admitSeq(window, seq);
    window = admitted.window;
    fresh.push(admitted.fresh);
    acks.push(window.contiguous);
  }
  return { window, fresh, acks };
}

describe("admitSeq", () => {
  it("stores batches in order and acks each", () => {
    expect(feed([1, 2, 3])).toEqual({ window: { contiguous: 3, above: [] }, fresh: [true, true, true], acks: [1, 2, 3] });
  });

  it("ignores a replayed batch but keeps acking", () => {
    expect(feed([1, 2, 2, 1, 3])).toMatchObject({ fresh: [true, true, false, false, true], acks: [1, 2, 2, 2, 3] });
  });

  it("holds the ack at a gap until it fills, and ignores a repeat of a batch above it", () => {
    expect(feed([1, 3, 4, 3, 2, 5])).toEqual({
      window: { contiguous: 5, above: [] },
      fresh: [true, true, true, false, true, true],
      acks: [1, 1, 1, 1, 4, 5],
    });
  });

  it("gives up on a gap that stays open too long", () => {
    const seqs = Array.from({ length: MAX_SEQS_ABOVE_GAP + 1 }, (_, i) => i + 3);
    const { window, acks } = feed([1, ...seqs]);
    expect(acks.at(-2)).toBe(1);
    expect(window).toEqual({ contiguous: MAX_SEQS_ABOVE_GAP + 3, above: [] });
    // The lost batch, should it turn up after all, is older than the ack and ignored.
    expect(admitSeq(window, 2).fresh).toBe(false);
  });
});

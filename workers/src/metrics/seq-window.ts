// De-duplication of metrics batches by their per-agent sequence number: the highest contiguous seq stored so far
// plus the few seen above it. A replayed batch is acked but not stored twice (DESIGN: nothing lost, nothing doubled).

export interface SeqWindow {
  /** Every seq <= this one is stored; what the hub acks. */
  contiguous: number;
  /** Seqs stored above `contiguous`, ascending; a gap below them is still expected. */
  above: number[];
}

/**
 * A gap that stays open this long (in batches received after it) is treated as lost for good: a spool that dropped
 * its oldest batches never sends them, and the ack must move on so the agent can free its spool.
 */
export const MAX_SEQS_ABOVE_GAP = 64;

export const emptySeqWindow = (): SeqWindow => ({ contiguous: 0, above: [] });

function absorb(window: SeqWindow): SeqWindow {
  let { contiguous } = window;
  const above = [...window.above];
  while (above.length > 0 && above[0] === contiguous + 1) {
    contiguous += 1;
    above.shift();
  }
  return { contiguous, above };
}

/** Whether a batch is new (store it) and the window after it; a duplicate leaves the window as it was. */
export function admitSeq(window: SeqWindow, seq: number): { fresh: boolean; window: SeqWindow } {
  if (seq <= window.contiguous || window.above.includes(seq)) return { fresh: false, window };
  const above = [...window.above, seq].sort((a, b) => a - b);
  let next = absorb({ contiguous: window.contiguous, above });
  if (next.above.length > MAX_SEQS_ABOVE_GAP) {
    const lowest = next.above[0] as number;
    next = absorb({ contiguous: lowest - 1, above: next.above });
  }
  return { fresh: true, window: next };
}

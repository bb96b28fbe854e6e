// Snapping while dragging and resizing: to the canvas edges and centre and to other layers' edges and centres when
// within a few pixels, else to the grid.
export const GRID = 10;
const THRESHOLD = 8;

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Lines (x or y values) a moving edge may snap to. */
export function snapTargets(others: Box[], canvas: { width: number; height: number }): { xs: number[]; ys: number[] } {
  const xs = [0, canvas.width / 2, canvas.width];
  const ys = [0, canvas.height / 2, canvas.height];
  for (const b of others) {
    xs.push(b.x, b.x + b.w / 2, b.x + b.w);
    ys.push(b.y, b.y + b.h / 2, b.y + b.h);
  }
  return { xs, ys };
}

/** The offset that brings the nearest of `edges` onto a target within the threshold, or null. */
function nearest(edges: number[], targets: number[]): number | null {
  let best: number | null = null;
  for (const e of edges) {
    for (const t of targets) {
      const d = t - e;
      if (Math.abs(d) <= THRESHOLD && (best === null || Math.abs(d) < Math.abs(best))) best = d;
    }
  }
  return best;
}

const toGrid = (v: number) => Math.round(v / GRID) * GRID;

/** A moved box: its left/centre/right (top/middle/bottom) snap to a target, else its origin to the grid. */
export function snapMove(box: Box, targets: { xs: number[]; ys: number[] }): Box {
  const dx = nearest([box.x, box.x + box.w / 2, box.x + box.w], targets.xs);
  const dy = nearest([box.y, box.y + box.h / 2, box.y + box.h], targets.ys);
  return { ...box, x: dx === null ? toGrid(box.x) : box.x + dx, y: dy === null ? toGrid(box.y) : box.y + dy };
}

/** A single edge being resized (a value on one axis). */
export function snapEdge(value: number, targets: number[]): number {
  const d = nearest([value], targets);
  return d === null ? toGrid(value) : value + d;
}

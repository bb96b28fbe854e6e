// Snapping in the overlay editor: a layer dragged near the canvas centre, an edge or another layer lands exactly on
// it; anywhere else it lands on the grid; a resized edge does the same on its own axis.
import { describe, expect, it } from "vitest";
import { GRID, snapEdge, snapMove, snapTargets } from "./snap.ts";

const CANVAS = { width: 1920, height: 1080 };
const bare = snapTargets([], CANVAS);

describe("snapTargets", () => {
  it("offers the canvas edges and centre, then each other layer's edges and centre", () => {
    expect(bare).toEqual({ xs: [0, 960, 1920], ys: [0, 540, 1080] });
    expect(snapTargets([{ x: 100, y: 200, w: 300, h: 50 }], CANVAS)).toEqual({ xs: [0, 960, 1920, 100, 250, 400], ys: [0, 540, 1080, 200, 225, 250] });
  });
});

describe("snapMove", () => {
  it("away from every target, the box's origin goes to the grid and its size is kept", () => {
    expect(snapMove({ x: 123, y: 287, w: 200, h: 100 }, bare)).toEqual({ x: 120, y: 290, w: 200, h: 100 });
    expect(GRID).toBe(10);
  });

  it("a left or top edge within a few pixels of the canvas edge sticks to it", () => {
    expect(snapMove({ x: 6, y: -5, w: 200, h: 100 }, bare)).toEqual({ x: 0, y: 0, w: 200, h: 100 });
  });

  it("the box's centre snaps to the canvas centre (a box centred by hand is centred exactly)", () => {
    // Centre at 963 → 960; middle at 537 → 540.
    expect(snapMove({ x: 863, y: 487, w: 200, h: 100 }, bare)).toEqual({ x: 860, y: 490, w: 200, h: 100 });
  });

  it("a right or bottom edge snaps to the far canvas edge", () => {
    expect(snapMove({ x: 1723, y: 983, w: 200, h: 100 }, bare)).toEqual({ x: 1720, y: 980, w: 200, h: 100 });
  });

  it("snaps to another layer's edge exactly, even off the grid, and the nearest target wins", () => {
    const targets = snapTargets([{ x: 403, y: 77, w: 100, h: 100 }], CANVAS);
    // Left edge 409 is 6 px from the other layer's left edge (403), nothing nearer.
    expect(snapMove({ x: 409, y: 300, w: 50, h: 50 }, targets).x).toBe(403);
    // Top edge 180 is 3 px from the other's bottom (177) and 8 from nothing else: 177, not the grid's 180.
    expect(snapMove({ x: 700, y: 180, w: 50, h: 50 }, targets).y).toBe(177);
    // Just past the threshold (9 px): the grid, not the layer.
    expect(snapMove({ x: 700, y: 86, w: 50, h: 50 }, snapTargets([{ x: 1000, y: 77, w: 10, h: 400 }], CANVAS)).y).toBe(90);
  });
});

describe("snapEdge", () => {
  it("a resized edge snaps to a target within the threshold, else to the grid", () => {
    expect(snapEdge(1914, bare.xs)).toBe(1920);
    expect(snapEdge(534, bare.ys)).toBe(540);
    expect(snapEdge(333, bare.xs)).toBe(330);
    expect(snapEdge(-4, bare.xs)).toBe(0);
  });
});

// mulberry32: a tiny seeded PRNG shared by the fuzz test, the soak schedule and the fake Discord's fault
// injection, so a failing run replays exactly from its seed. No imports: it loads in Node and in workerd.
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

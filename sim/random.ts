// Seeded pseudo-random numbers: the 32-bit LCG of bench/seeded-random.mjs for
// sequential draws, and a stateless hash for per-minute noise (so a tenant's
// minute reads the same whatever order the simulator asks in).

export function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** A uniform number in [0, 1) from three integers (a 32-bit mix). */
export function hashUnit(seed: number, a: number, b: number): number {
  let h = (seed ^ Math.imul(a + 0x9e3779b9, 0x85ebca6b) ^ Math.imul(b + 0x7f4a7c15, 0xc2b2ae35)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 0) / 2 ** 32;
}

/** A standard normal draw (Box–Muller) from a uniform source. */
export function normal(next: () => number): number {
  const u = Math.max(next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
}

export function lognormal(next: () => number, median: number, sigma: number): number {
  return median * Math.exp(sigma * normal(next));
}

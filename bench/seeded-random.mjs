// Deterministic pseudo-random numbers (a 32-bit LCG), so every bench run
// decides over the same synthetic fleet.
export function random(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/**
 * A deterministic pseudo-random generator (mulberry32) for the property and mutation tests:
 * the same seed gives the same sequence, so a failure reproduces from the seed it prints.
 * Returns numbers in [0, 1).
 */
export function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `text` with 1 to 3 random edits: each inserts one of `pieces` (at the start of a line half of
 * the time, where YAML's structure changes) and deletes up to 3 characters after it half of the time.
 */
export function mutate(text: string, r: () => number, pieces: readonly string[]): string {
  let t = text;
  const edits = 1 + Math.floor(r() * 3);
  for (let e = 0; e < edits; e++) {
    let at = Math.floor(r() * t.length);
    if (r() < 0.5) at = t.lastIndexOf("\n", at) + 1;
    const piece = pieces[Math.floor(r() * pieces.length)];
    const drop = r() < 0.5 ? Math.floor(r() * 4) : 0;
    t = t.slice(0, at) + piece + t.slice(at + drop);
  }
  return t;
}

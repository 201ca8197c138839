/**
 * "Did you mean": the known names closest to a misspelt one, for messages about an unknown
 * rule id (a policy configuration, a `kuscia-iac test` expectation).
 */

/** Levenshtein distance (insertions, deletions, substitutions, each 1): O(|a|·|b|) time, O(|b|) memory. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/** Longest `name` compared: a longer one (hostile input) is cut, so a lookup stays cheap. */
const MAX_NAME = 200;

/**
 * The `n` names of `known` closest to `name` by edit distance, nearest first (ties in the order
 * of `known`), each quoted; e.g. `closest("kd.tempate", ids)` → `"kd.template", ...`.
 */
export function closest(name: string, known: readonly string[], n = 3): string[] {
  const cut = name.slice(0, MAX_NAME);
  return known
    .map((k, i) => ({ k, i, d: editDistance(cut, k) }))
    .sort((x, y) => x.d - y.d || x.i - y.i)
    .slice(0, n)
    .map((x) => JSON.stringify(x.k));
}

/**
 * Suggestions for the unknown names of one input: `hint(name)` is `; closest: "a", "b", "c"`
 * for the first `max` names asked, then "" (each costs an edit distance to every known name,
 * and a hostile input may hold 100,000 unknown ones).
 */
export class Suggestions {
  private given = 0;
  constructor(
    private readonly known: readonly string[],
    private readonly max = 20,
  ) {}

  hint(name: string): string {
    if (this.known.length === 0 || this.given >= this.max) return "";
    this.given++;
    return `; closest: ${closest(name, this.known).join(", ")}`;
  }
}

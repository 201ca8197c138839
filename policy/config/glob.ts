/**
 * Glob patterns of the policy configuration: `*` any run of characters, `?` one
 * character, everything else literal. Compiled to anchored regular expressions
 * without backtracking hazards (no nested quantifiers), so matching is linear.
 */
export function globToRegExp(glob: string): RegExp {
  let re = "";
  for (const ch of glob) {
    if (ch === "*") re += "[\\s\\S]*";
    else if (ch === "?") re += "[\\s\\S]";
    else re += ch.replace(/[\\^$.|+()[\]{}]/g, "\\$&");
  }
  return new RegExp(`^${re}$`);
}

export function isGlob(s: string): boolean {
  return s.includes("*") || s.includes("?");
}

/** A matcher for a list of globs; an empty or missing list matches everything. */
export function anyGlob(globs: readonly string[] | undefined): (s: string) => boolean {
  if (!globs || globs.length === 0) return () => true;
  const res = globs.map(globToRegExp);
  return (s) => res.some((r) => r.test(s));
}

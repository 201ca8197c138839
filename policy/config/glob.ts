/**
 * Glob patterns of the policy configuration: `*` any run of characters, `?` one
 * character, everything else literal (no escapes). Every front end (webhook, review,
 * audit, the policy pack, vap) matches them with `compileGlob`, which never backtracks:
 * the pattern is cut at its stars into segments, the first must start the subject, the
 * last must end it, and each segment between is taken at its leftmost place after the
 * previous one (leftmost is always safe for `*`, so no choice is ever revisited). A test
 * costs at most |subject| x |glob| character comparisons, and usually |subject|: a
 * JavaScript RegExp such as `^.*a.*a.*a.*a.*b$` backtracks polynomially instead (`*a*a*a*a*b`
 * against a 253-character name took minutes).
 */

/** A compiled glob: `test(s)` is true when the whole of `s` matches. */
export interface Glob {
  readonly source: string;
  test(s: string): boolean;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** Whether `seg` (with `?` for any one character) matches `s` at `pos`; `s` and `seg` index characters. */
function segmentAt(s: string | readonly string[], pos: number, seg: string | readonly string[]): boolean {
  for (let j = 0; j < seg.length; j++) {
    const c = seg[j];
    if (c !== "?" && c !== s[pos + j]) return false;
  }
  return true;
}

/** Leftmost place in [from, to - seg.length] where `seg` matches, or -1. */
function findSegment(s: string | readonly string[], from: number, to: number, seg: string | readonly string[], literal: boolean): number {
  if (literal && typeof s === "string" && typeof seg === "string") {
    const at = s.indexOf(seg, from);
    return at >= 0 && at + seg.length <= to ? at : -1;
  }
  for (let p = from; p + seg.length <= to; p++) if (segmentAt(s, p, seg)) return p;
  return -1;
}

/**
 * Compiles `glob`. Characters are Unicode code points (`?` matches one, even outside the
 * Basic Multilingual Plane); names the API server accepts are ASCII anyway.
 */
export function compileGlob(glob: string): Glob {
  if (!isGlob(glob)) return { source: glob, test: (s) => s === glob };
  if (/^\*+$/.test(glob)) return { source: glob, test: () => true };
  const hasQuestion = glob.includes("?");
  // Code points only matter where `?` could land on half of a surrogate pair.
  const cp = hasQuestion && SURROGATE.test(glob);
  const parts = glob.split("*").map((p) => (cp ? Array.from(p) : p));
  const first = parts[0];
  const last = parts[parts.length - 1];
  const middle = parts.slice(1, -1).filter((p) => p.length > 0);
  const literal = middle.map((p) => !(typeof p === "string" ? p : p.join("")).includes("?"));
  const starred = parts.length > 1;
  return {
    source: glob,
    test(subject: string): boolean {
      const s: string | string[] = hasQuestion && (cp || SURROGATE.test(subject)) ? Array.from(subject) : subject;
      const seg = (p: string | string[]): string | string[] => (Array.isArray(s) && typeof p === "string" ? Array.from(p) : p);
      const f = seg(first);
      if (!starred) return s.length === f.length && segmentAt(s, 0, f);
      const l = seg(last);
      if (s.length < f.length + l.length) return false;
      if (!segmentAt(s, 0, f) || !segmentAt(s, s.length - l.length, l)) return false;
      let pos = f.length;
      const end = s.length - l.length;
      for (let i = 0; i < middle.length; i++) {
        const m = seg(middle[i]);
        const at = findSegment(s, pos, end, m, literal[i]);
        if (at < 0) return false;
        pos = at + m.length;
      }
      return true;
    },
  };
}

/**
 * The glob as the source of an anchored RE2 regular expression, for CEL `matches()` in the
 * API server (vap/generate.ts). RE2 runs in linear time; never compile this with JavaScript's
 * RegExp (use compileGlob), which backtracks.
 */
export function globToRe2(glob: string): string {
  let re = "";
  for (const ch of glob) {
    if (ch === "*") re += "[\\s\\S]*";
    else if (ch === "?") re += "[\\s\\S]";
    else re += ch.replace(/[\\^$.|+()[\]{}*?]/g, "\\$&");
  }
  return `^${re}$`;
}

export function isGlob(s: string): boolean {
  return s.includes("*") || s.includes("?");
}

/** A matcher for a list of globs; an empty or missing list matches everything. */
export function anyGlob(globs: readonly string[] | undefined): (s: string) => boolean {
  if (!globs || globs.length === 0) return () => true;
  if (globs.some((g) => /^\*+$/.test(g))) return () => true;
  const exact = new Set(globs.filter((g) => !isGlob(g)));
  const patterns = globs.filter(isGlob).map(compileGlob);
  if (patterns.length === 0) return (s) => exact.has(s);
  return (s) => exact.has(s) || patterns.some((p) => p.test(s));
}

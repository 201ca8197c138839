/**
 * Walks of user objects without recursion: Kubernetes accepts nesting up to
 * 10,000 levels, far past what a recursive walk survives on Node's stack.
 */
import type { Segment } from "./paths";

/**
 * The value at `path`, or the deepest value reached before a segment could not be
 * followed (a string holding embedded YAML, say) together with how far it got.
 */
export function reach(root: unknown, path: readonly Segment[]): { value: unknown; depth: number } {
  let cur = root;
  for (let i = 0; i < path.length; i++) {
    if (cur === null || typeof cur !== "object") return { value: cur, depth: i };
    const next = (cur as Record<string | number, unknown>)[path[i] as string];
    if (next === undefined) return { value: undefined, depth: i + 1 };
    cur = next;
  }
  return { value: cur, depth: path.length };
}

/** Structural equality of JSON values, iterative. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  const stack: [unknown, unknown][] = [[a, b]];
  while (stack.length > 0) {
    const [x, y] = stack.pop()!;
    if (x === y) continue;
    if (x === null || y === null || typeof x !== "object" || typeof y !== "object") return false;
    if (Array.isArray(x) !== Array.isArray(y)) return false;
    if (Array.isArray(x)) {
      const ya = y as unknown[];
      if (x.length !== ya.length) return false;
      for (let i = 0; i < x.length; i++) stack.push([x[i], ya[i]]);
      continue;
    }
    const xo = x as Record<string, unknown>;
    const yo = y as Record<string, unknown>;
    const xk = Object.keys(xo).filter((k) => xo[k] !== undefined);
    const yk = Object.keys(yo).filter((k) => yo[k] !== undefined);
    if (xk.length !== yk.length) return false;
    for (const k of xk) {
      if (!Object.prototype.hasOwnProperty.call(yo, k)) return false;
      stack.push([xo[k], yo[k]]);
    }
  }
  return true;
}

/** A deep copy of a JSON value, iterative (structuredClone recurses natively and overflows on deep input). */
export function jsonClone<T>(v: T): T {
  if (v === null || typeof v !== "object") return v;
  const root: unknown = Array.isArray(v) ? [] : {};
  const stack: [unknown, Record<string | number, unknown>][] = [[v, root as Record<string, unknown>]];
  while (stack.length > 0) {
    const [src, dst] = stack.pop()!;
    for (const k of Object.keys(src as object)) {
      const x = (src as Record<string, unknown>)[k];
      if (x !== null && typeof x === "object") {
        const c: unknown = Array.isArray(x) ? [] : {};
        dst[k] = c;
        stack.push([x, c as Record<string, unknown>]);
      } else dst[k] = x;
    }
  }
  return root as T;
}

/**
 * Defensive readers. Semantic rules run even on objects that failed the schema
 * (so users see every problem at once), so every read must survive any shape.
 */
import { redactSecrets, redactValue } from "../redact";

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
export function obj(v: unknown): Obj | undefined {
  return isObj(v) ? v : undefined;
}
export function arr(v: unknown): unknown[] | undefined {
  return Array.isArray(v) ? v : undefined;
}
export function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}
export function num(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}
/** Follows keys through nested objects; undefined as soon as one is missing or not an object. */
export function at(v: unknown, ...keys: string[]): unknown {
  let cur: unknown = v;
  for (const k of keys) {
    if (!isObj(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}
/** Characters of a value's JSON rendered past `max` before masking: room for a secret that straddles the cut. */
const REDACT_WINDOW = 4096;

/**
 * Quotes a user value for a message, bounded so a 1 MB string cannot flood a log or a kubectl
 * error. JSON, never a value's own conversion (a value whose keys are named toString or
 * valueOf is quoted, never converted). Its secrets are masked first (policy/redact.ts), before
 * the cut, since a cut could leave a password's head without the `@` that marks it; a value
 * other than a string is rendered only as far as REDACT_WINDOW characters past `max` before
 * masking, so a 3 MiB object costs no more than a short one.
 */
export function show(v: unknown, max = 80): string {
  const s = typeof v === "string" ? JSON.stringify(redactValue(v)) : redactSecrets(jsonPrefix(v, max + REDACT_WINDOW));
  return s.length > max ? s.slice(0, max - 3) + "...\"" : s;
}

/**
 * A string key for any value, for sets and maps of user values: the string itself for a
 * string, else a JSON rendering (bounded) marked so it never equals a string. Never calls a
 * value's own toString or valueOf (a JSON object may have keys of those names).
 */
export function keyOf(v: unknown): string {
  return typeof v === "string" ? v : `\u0001${jsonPrefix(v, 4096)}`;
}

function primitiveJson(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number") return Number.isFinite(v) ? JSON.stringify(v) : "null";
  if (typeof v === "boolean" || v === null) return String(v);
  if (typeof v === "bigint") return v.toString();
  return "undefined";
}

/** JSON.stringify(v) up to about `limit` characters (more may follow the cut); iterative, so any depth. */
function jsonPrefix(v: unknown, limit: number): string {
  if (v === null || typeof v !== "object") return primitiveJson(v);
  let out = "";
  type Frame = { items: unknown[]; i: number; close: "]" } | { o: Record<string, unknown>; keys: string[]; i: number; close: "}" };
  const stack: Frame[] = [];
  const open = (x: object): void => {
    if (Array.isArray(x)) {
      out += "[";
      stack.push({ items: x, i: 0, close: "]" });
    } else {
      out += "{";
      const o = x as Record<string, unknown>;
      stack.push({ o, keys: Object.keys(o), i: 0, close: "}" });
    }
  };
  open(v);
  while (stack.length > 0 && out.length < limit) {
    const f = stack[stack.length - 1];
    let next: unknown;
    if ("items" in f) {
      if (f.i >= f.items.length) {
        out += "]";
        stack.pop();
        continue;
      }
      if (f.i > 0) out += ",";
      next = f.items[f.i++];
      if (next === undefined || typeof next === "function") next = null;
    } else {
      // Keys whose value JSON leaves out (undefined) are skipped, as JSON.stringify does.
      while (f.i < f.keys.length && (f.o[f.keys[f.i]] === undefined || typeof f.o[f.keys[f.i]] === "function")) f.i++;
      if (f.i >= f.keys.length) {
        out += "}";
        stack.pop();
        continue;
      }
      const k = f.keys[f.i];
      out += `${f.i > 0 && !out.endsWith("{") ? "," : ""}${JSON.stringify(k)}:`;
      f.i++;
      next = f.o[k];
    }
    if (next !== null && typeof next === "object") open(next);
    else out += primitiveJson(next);
  }
  return out;
}

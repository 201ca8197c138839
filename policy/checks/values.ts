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
/**
 * Quotes a user value for a message, bounded so a 1 MB string cannot flood a log or a kubectl
 * error. Its secrets are masked first (policy/redact.ts), before the cut: a cut could leave a
 * password's head without the `@` that marks it.
 */
export function show(v: unknown, max = 80): string {
  let s: string;
  try {
    s = typeof v === "string" ? JSON.stringify(redactValue(v)) : redactSecrets(JSON.stringify(v) ?? String(v));
  } catch {
    s = redactSecrets(String(v));
  }
  return s.length > max ? s.slice(0, max - 3) + "...\"" : s;
}

/**
 * The rule book's defaults as data: each fills one field where it is absent, on every object
 * a path reaches, under conditions on that object. From this one description come both the
 * RFC 6902 patch the mutating webhook, review, render and the policy pack apply
 * (`defaultsPatch`) and the CEL JSONPatch expression of a MutatingAdmissionPolicy
 * (`defaultCel`, vap/mutating.ts): a default is written once, and the two cannot drift.
 *
 * Conditions are data too (not code), so that each has a JavaScript and a CEL reading:
 * - `{ field, not: v }`: the field is absent or differs from `v`;
 * - `{ field, absentOr: v }`: the field is absent or equals `v`.
 */
import type { PatchOperation } from "./types";
import { isObj, type Obj } from "./checks/values";
import { jsonClone } from "./walk";
import { lit } from "./vap/cel";

export type DefaultCondition = { field: string; not: string } | { field: string; absentOr: string };

export interface FieldDefault {
  /** Short id, unique within its kind (`interconn-protocols`): names the mutation. */
  id: string;
  /** What it fills and why, in one sentence. */
  summary: string;
  /** Upstream file and function that make the value the default (as RuleInfo.source). */
  source: string;
  /**
   * Dotted path of the objects that get the field; a segment ending in `[]` stands for every
   * item of that list: `spec`, `spec.parties[].template`, `spec.deployTemplates[].spec.containers[].ports[]`.
   */
  parent: string;
  /** The field filled when absent. */
  field: string;
  /** Its value: JSON (scalars, lists of scalars, objects). */
  value: unknown;
  /** Further conditions on the parent object, all of which must hold. */
  when?: readonly DefaultCondition[];
}

function segments(parent: string): { key: string; each: boolean }[] {
  return parent.split(".").map((s) => (s.endsWith("[]") ? { key: s.slice(0, -2), each: true } : { key: s, each: false }));
}

function escapePointer(k: string): string {
  return k.replace(/~/g, "~0").replace(/\//g, "~1");
}

/**
 * Calls `visit` for every object `parent` reaches in `obj`, in document order, with a function
 * that builds its JSON pointer. Plain recursion over the path's segments (a few levels, not the
 * document's depth), item indices kept as numbers and the pointer joined only for a parent that
 * gets a default: the largest object the API server sends holds a million list items, and a
 * walk that made a generator or a string per item spent seconds and most of a review worker's
 * heap on a list of `{}`.
 */
function forEachParent(obj: Obj, parent: string, visit: (node: Obj, pointer: () => string) => void): void {
  const segs = segments(parent).map((s) => ({ ...s, escaped: `/${escapePointer(s.key)}` }));
  const trail: (string | number)[] = [];
  const pointer = (): string => trail.map((t) => (typeof t === "number" ? `/${t}` : t)).join("");
  const walk = (node: unknown, i: number): void => {
    if (!isObj(node)) return;
    if (i === segs.length) {
      visit(node, pointer);
      return;
    }
    const s = segs[i];
    const v = node[s.key];
    trail.push(s.escaped);
    if (!s.each) walk(v, i + 1);
    else if (Array.isArray(v)) {
      for (let j = 0; j < v.length; j++) {
        const item: unknown = v[j];
        if (!isObj(item)) continue;
        trail.push(j);
        walk(item, i + 1);
        trail.pop();
      }
    }
    trail.pop();
  };
  walk(obj, 0);
}

function holds(c: DefaultCondition, node: Obj): boolean {
  const v = node[c.field];
  return "not" in c ? v !== c.not : v === undefined || v === c.absentOr;
}

/**
 * The `add` operations that fill `defaults` on `obj` (as the API server delivers it), in the
 * order of the defaults, then of the objects in the document. Never throws on user input.
 */
export function defaultsPatch(defaults: readonly FieldDefault[], obj: Obj): PatchOperation[] {
  const ops: PatchOperation[] = [];
  for (const d of defaults) {
    const field = `/${escapePointer(d.field)}`;
    forEachParent(obj, d.parent, (node, pointer) => {
      if (node[d.field] !== undefined || !(d.when ?? []).every((c) => holds(c, node))) return;
      ops.push({ op: "add", path: `${pointer()}${field}`, value: jsonClone(d.value) });
    });
  }
  return ops;
}

/** CEL for a field selection: `v.f`, or `v['f']` for a name CEL cannot select with a dot. */
function select(v: string, f: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(f) && !CEL_RESERVED.has(f) ? `${v}.${f}` : `${v}[${lit(f)}]`;
}
function has(v: string, f: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(f) && !CEL_RESERVED.has(f) ? `has(${v}.${f})` : `(${lit(f)} in ${v})`;
}
const CEL_RESERVED = new Set(["as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop", "package", "namespace", "return", "var", "void", "while", "in", "true", "false", "null"]);

/**
 * A CEL literal of a JSON value for a JSONPatch `value` in a MutatingAdmissionPolicy:
 * objects as `Object.<field path>{...}` initializers (CEL maps cannot mix value types),
 * `typePath` being the field names from the root with list items left out.
 */
export function celValue(v: unknown, typePath: readonly string[]): string {
  if (typeof v === "string") return lit(v);
  if (typeof v === "number") {
    if (!Number.isSafeInteger(v)) throw new Error(`a default value ${v} is not an integer; CEL defaults support integers only`);
    return String(v);
  }
  if (typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `[${v.map((x) => celValue(x, typePath)).join(", ")}]`;
  if (isObj(v)) return `Object.${typePath.join(".")}{${Object.entries(v).map(([k, x]) => `${k}: ${celValue(x, [...typePath, k])}`).join(", ")}}`;
  throw new Error(`a default value of type ${v === null ? "null" : typeof v} has no CEL form`);
}

/**
 * The CEL expression (a list of JSONPatch) that makes the same `add` operations as
 * `defaultsPatch([d], object)`, for a MutatingAdmissionPolicy's `jsonPatch.expression`.
 * Lists are walked with the two-variable `transformList` (Kubernetes 1.32+) and `flatten`
 * (the lists library, 1.34+): MutatingAdmissionPolicy needs 1.34 anyway.
 */
export function defaultCel(d: FieldDefault): string {
  const segs = segments(d.parent);
  const typePath = [...segs.map((s) => s.key), d.field];
  let counter = 0;
  const gen = (i: number, v: string, pointer: string[]): string => {
    if (i === segs.length) {
      const conds = [`!${has(v, d.field)}`, ...(d.when ?? []).map((c) => ("not" in c ? `(!${has(v, c.field)} || ${select(v, c.field)} != ${lit(c.not)})` : `(!${has(v, c.field)} || ${select(v, c.field)} == ${lit(c.absentOr)})`))];
      const path = joinStrings([...pointer, lit(`/${escapePointer(d.field)}`)]);
      return `(${conds.join(" && ")}) ? [JSONPatch{op: 'add', path: ${path}, value: ${celValue(d.value, typePath)}}] : []`;
    }
    const s = segs[i];
    const here = [...pointer, lit(`/${escapePointer(s.key)}`)];
    if (!s.each) return `${has(v, s.key)} ? (${gen(i + 1, select(v, s.key), here)}) : []`;
    const n = counter++;
    const [idx, item] = [`i${n}`, `x${n}`];
    return `${has(v, s.key)} ? ${select(v, s.key)}.transformList(${idx}, ${item}, ${gen(i + 1, item, [...here, "'/'", `string(${idx})`])}).flatten() : []`;
  };
  return gen(0, "object", []);
}

/** `a + b + ...` of CEL string expressions, adjacent literals merged into one. */
function joinStrings(parts: readonly string[]): string {
  const out: string[] = [];
  const literal = /^'((?:[^'\\]|\\.)*)'$/;
  for (const p of parts) {
    const prev = out.length > 0 ? literal.exec(out[out.length - 1]) : null;
    const cur = literal.exec(p);
    if (prev && cur) out[out.length - 1] = `'${prev[1]}${cur[1]}'`;
    else out.push(p);
  }
  return out.join(" + ");
}

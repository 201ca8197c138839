/**
 * The object as the API server delivers it to admission: what every front end
 * reviews, so that `review` of a file and the webhook behind kubectl can never
 * disagree. For a custom resource the API server (apiextensions-apiserver,
 * "Defaulting and Nullable" in the CRD docs):
 *
 * 1. prunes `null` from every field whose schema does not say `nullable: true`
 *    (so `role:` with no value, as add_domain.sh renders a local Domain, is absent);
 * 2. applies the schema's `default` values to absent fields of objects that exist.
 *
 * Built-in kinds (the node ConfigMap) decode into Go structs, where a null
 * object field is the zero value: their nulls are dropped too.
 *
 * Iterative, so 10,000 levels of nesting cost no stack; copies only when something changes.
 */
import type { Obj } from "./checks/values";
import { jsonClone } from "./walk";

type Schema = Record<string, unknown>;

/** The delivered form of `obj` under `schema` (the CRD's openAPIV3Schema), or `obj` itself when nothing changes. */
export function deliver(obj: Obj, schema: Schema | undefined): Obj {
  if (!needsWork(obj, schema)) return obj;
  const copy = jsonClone(obj);
  normalize(copy, schema);
  return copy;
}

function props(s: Schema | undefined): Record<string, Schema> | undefined {
  return s && typeof s.properties === "object" ? (s.properties as Record<string, Schema>) : undefined;
}

function childSchema(s: Schema | undefined, key: string | number, isArray: boolean): Schema | undefined {
  if (!s) return undefined;
  if (isArray) return typeof s.items === "object" ? (s.items as Schema) : undefined;
  const p = props(s)?.[key as string];
  if (p) return p;
  return typeof s.additionalProperties === "object" ? (s.additionalProperties as Schema) : undefined;
}

/** A cheap first pass: any null anywhere, or any schema default whose field is absent. */
function needsWork(root: unknown, schema: Schema | undefined): boolean {
  const stack: [unknown, Schema | undefined][] = [[root, schema]];
  while (stack.length > 0) {
    const [v, s] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    const isArray = Array.isArray(v);
    if (!isArray) {
      for (const [k, p] of Object.entries(props(s) ?? {})) if (p.default !== undefined && (v as Obj)[k] === undefined) return true;
    }
    for (const k of Object.keys(v)) {
      const x = (v as Obj)[k];
      if (x === null) return true;
      if (typeof x === "object") stack.push([x, childSchema(s, k, isArray)]);
    }
  }
  return false;
}

function normalize(root: Obj, schema: Schema | undefined): void {
  const stack: [unknown, Schema | undefined][] = [[root, schema]];
  while (stack.length > 0) {
    const [v, s] = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    const isArray = Array.isArray(v);
    const o = v as Obj;
    if (!isArray) {
      for (const k of Object.keys(o)) {
        if (o[k] === null && childSchema(s, k, false)?.nullable !== true) delete o[k];
      }
      for (const [k, p] of Object.entries(props(s) ?? {})) {
        if (p.default !== undefined && o[k] === undefined) o[k] = jsonClone(p.default);
      }
    }
    for (const k of Object.keys(o)) {
      const x = o[k];
      if (x !== null && typeof x === "object") stack.push([x, childSchema(s, isArray ? Number(k) : k, isArray)]);
    }
  }
}

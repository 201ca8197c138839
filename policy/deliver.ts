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

const defaultsOf = new WeakMap<Schema, readonly (readonly [string, Schema])[]>();

/** The properties of `s` that carry a default, computed once per schema (not once per object: a list of 750,000 items shares one item schema). */
function defaulted(s: Schema | undefined): readonly (readonly [string, Schema])[] {
  if (!s) return [];
  let d = defaultsOf.get(s);
  if (!d) {
    d = Object.entries(props(s) ?? {}).filter(([, p]) => p.default !== undefined);
    defaultsOf.set(s, d);
  }
  return d;
}

/**
 * A cheap first pass: any null anywhere, or any schema default whose field is absent. Two
 * parallel stacks, no allocation per node: a 3 MiB list of 750,000 small objects is walked
 * without making 750,000 tuples for the garbage collector.
 */
function needsWork(root: unknown, schema: Schema | undefined): boolean {
  const values: unknown[] = [root];
  const schemas: (Schema | undefined)[] = [schema];
  while (values.length > 0) {
    const v = values.pop();
    const s = schemas.pop();
    if (v === null || typeof v !== "object") continue;
    if (Array.isArray(v)) {
      const item = childSchema(s, 0, true);
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (x === null) return true;
        if (typeof x === "object") {
          values.push(x);
          schemas.push(item);
        }
      }
      continue;
    }
    const o = v as Obj;
    for (const [k] of defaulted(s)) if (o[k] === undefined) return true;
    for (const k in o) {
      const x = o[k];
      if (x === null) return true;
      if (typeof x === "object") {
        values.push(x);
        schemas.push(childSchema(s, k, false));
      }
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
      for (const [k, p] of defaulted(s)) {
        if (o[k] === undefined) o[k] = jsonClone(p.default);
      }
    }
    for (const k of Object.keys(o)) {
      const x = o[k];
      if (x !== null && typeof x === "object") stack.push([x, childSchema(s, isArray ? Number(k) : k, isArray)]);
    }
  }
}

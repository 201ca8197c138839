/**
 * The one ajv instance of the rule book, and the translation of ajv errors into
 * violations people can act on. Upstream CRD schemas use OpenAPI extensions
 * (`x-kubernetes-*`, int32/int64 formats) that ajv must know about; tightening
 * schemas carry `x-rule` (the rule id) and `x-hint` (how to fix it).
 */
import type Ajv from "ajv";
import type { ErrorObject, Options, ValidateFunction } from "ajv";
import { createHash } from "node:crypto";
import * as path from "node:path";
import { dotted, fromPointer, type Segment } from "./paths";
import { show } from "./checks/values";
import { SCHEMA_FORMATS } from "./schema-formats";
import type { Violation } from "./types";
import { plural } from "./plural";

// code.optimize off: ajv's optimiser pass halves compile time's share of a review run
// (the pod template schemas of IflearnerJob and AppImage: ~300 ms of ~700 ms) and the
// validators it leaves are as fast on the review benchmark (bench/kubeconform).
export const AJV_OPTIONS: Options = { allErrors: true, strict: true, strictTypes: false, strictTuples: false, strictRequired: false, verbose: true, allowUnionTypes: true, validateFormats: true, code: { optimize: false } };

const KEYWORDS = [
  "x-kubernetes-int-or-string",
  "x-kubernetes-list-map-keys",
  "x-kubernetes-list-type",
  "x-kubernetes-map-type",
  "x-kubernetes-preserve-unknown-fields",
  "x-kubernetes-embedded-resource",
  "x-rule",
  "x-hint",
];

/**
 * An ajv instance with the rule book's formats and keywords. `code` adds to AJV_OPTIONS.code
 * (tools/gen-validators.ts: source, and where the formats come from).
 */
export function newAjv(code: Options["code"] = {}, allErrors = true): Ajv {
  const AjvClass = (require("ajv") as typeof import("ajv")).default;
  const a = new AjvClass({ ...AJV_OPTIONS, allErrors, code: { ...AJV_OPTIONS.code, ...code } });
  for (const [name, format] of Object.entries(SCHEMA_FORMATS)) a.addFormat(name, format);
  for (const keyword of KEYWORDS) a.addKeyword({ keyword, schemaType: ["string", "boolean", "array", "object"] });
  return a;
}

// Built on first use: when every schema has a validator compiled ahead of time, ajv is never loaded.
let ajv: Ajv | undefined;
// Stops at the first error: as cheap on an invalid object as on a valid one, whatever its size.
let firstErrorAjv: Ajv | undefined;

/** Where tools/gen-validators.ts writes the validators it compiles ahead of time (in the build output). */
export const COMPILED_DIR = path.join(__dirname, "schemas", "compiled");

/**
 * The name of a schema's validator compiled ahead of time: a hash of the schema, the ajv
 * version and AJV_OPTIONS, so a stale file (a schema or an option changed since the
 * build) is never used: its name no longer matches.
 */
export function schemaKey(schema: Record<string, unknown>, allErrors = true): string {
  const version = (require("ajv/package.json") as { version: string }).version;
  return createHash("sha256").update(JSON.stringify([version, { ...AJV_OPTIONS, allErrors }, KEYWORDS, Object.keys(SCHEMA_FORMATS), schema])).digest("hex").slice(0, 32);
}

/**
 * A validator for `schema`: the one compiled ahead of time when the build made it
 * (`npm run build`; the same code ajv would generate now, without its cost in time and
 * memory), else compiled now. Throws what ajv.compile throws for an invalid schema.
 */
export function compile(schema: Record<string, unknown>, allErrors = true): ValidateFunction {
  if (precompiled) {
    // Loaded as a module, as any import is (the rule book does no file I/O of its own).
    try {
      return (require(path.join(COMPILED_DIR, `${schemaKey(schema, allErrors)}.js`)) as { default: ValidateFunction }).default;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") throw e;
    }
  }
  return compileNow(schema, allErrors);
}

let precompiled = true;

/**
 * Whether `compile` may use the validators compiled ahead of time (default true). For the
 * tests and benchmarks that hold the two equal; it applies to kinds not yet compiled.
 */
export function usePrecompiled(on: boolean): void {
  precompiled = on;
}

/** `schema` compiled by ajv now, never ahead of time (the tests compare the two). */
export function compileNow(schema: Record<string, unknown>, allErrors = true): ValidateFunction {
  if (!allErrors) return (firstErrorAjv ??= newAjv({}, false)).compile(schema);
  ajv ??= newAjv();
  return ajv.compile(schema);
}

/** A schema compiled twice: every error (`all`), and the first error only (`first`). */
export interface SchemaCheck {
  schema: Record<string, unknown>;
  all: ValidateFunction;
  first: ValidateFunction;
}

/**
 * `all` is built on first use: a valid object needs `first` alone, so a review of valid
 * objects never loads the every-error validators (half the validators' code: the
 * IflearnerJob pod template's alone is 1.6 MB of source to read and keep).
 */
export function compileCheck(schema: Record<string, unknown>): SchemaCheck {
  let all: ValidateFunction | undefined;
  return {
    schema,
    first: compile(schema, false),
    get all() {
      return (all ??= compile(schema));
    },
  };
}

/** Nodes of an object checked against its schema error by error; past it, only what the first error needs. */
export const MAX_NODES_CHECKED = 50_000;
/** Findings kept per rule id; the rest are counted (the listed ones are capped far lower, see policy/index.ts MAX_FINDINGS). */
export const MAX_FINDINGS_PER_RULE = 1_000;

export interface CheckedSchema {
  violations: Violation[];
  /**
   * Rule ids of findings that were not all kept, or "*" when the object was too large to be
   * checked error by error (only its first MAX_NODES_CHECKED nodes were): the findings
   * listed are then not all there are.
   */
  incomplete: string[];
}

/**
 * Runs a schema with memory bounded whatever the object (ajv keeps every error with its data,
 * about 250 bytes each: the 2,000,000 errors of a 3 MiB array of \`{}\` need 500 MiB). A valid
 * object costs one fail-fast pass. An invalid one is checked error by error if it has at most
 * MAX_NODES_CHECKED nodes; a larger one through a view of its first MAX_NODES_CHECKED nodes
 * (boundedView), and its first error is reported even when it lies past them.
 */
export function checkSchema(c: SchemaCheck, obj: unknown, fallbackRule: string): CheckedSchema {
  if (c.first(obj)) return { violations: [], incomplete: [] };
  const firstErrors = c.first.errors ?? [];
  const { view, cut } = boundedView(obj, c.schema, MAX_NODES_CHECKED);
  const capped = new Set<string>();
  let violations = c.all(view) ? [] : toViolations(c.all.errors ?? [], fallbackRule, capped);
  if (violations.length === 0) violations = toViolations(firstErrors, fallbackRule, capped);
  return { violations, incomplete: [...capped, ...(cut ? ["*"] : [])] };
}

/** Runs a compiled schema and returns violations; `fallbackRule` names errors the schema does not label. For small documents (the policy configuration); objects under review go through checkSchema. */
export function schemaViolations(validate: ValidateFunction, obj: unknown, fallbackRule: string): Violation[] {
  if (validate(obj)) return [];
  return toViolations(validate.errors ?? [], fallbackRule, new Set());
}

/** ajv errors as violations, at most MAX_FINDINGS_PER_RULE per rule id (rules with more are added to `capped`). */
function toViolations(errors: readonly ErrorObject[], fallbackRule: string, capped: Set<string>): Violation[] {
  const out: Violation[] = [];
  const seen = new Set<string>();
  const perRule = new Map<string, number>();
  // An int-or-string field that is neither reports three errors (two types + anyOf); keep one.
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === "anyOf").map((e) => e.instancePath));
  for (const e of errors) {
    if (e.keyword !== "anyOf" && anyOfPaths.has(e.instancePath) && e.schemaPath.includes("/anyOf/")) continue;
    const v = toViolation(e, fallbackRule);
    const n = perRule.get(v.rule) ?? 0;
    if (n >= MAX_FINDINGS_PER_RULE) {
      capped.add(v.rule);
      continue;
    }
    const key = `${v.path}\u0000${v.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    perRule.set(v.rule, n + 1);
    out.push(v);
  }
  return out;
}

type Schema = Record<string, unknown>;

function childSchema(s: Schema | undefined, key: string | number, isArray: boolean): Schema | undefined {
  if (!s) return undefined;
  if (isArray) return typeof s.items === "object" && s.items !== null ? (s.items as Schema) : undefined;
  const p = (s.properties as Record<string, Schema> | undefined)?.[key as string];
  if (p) return p;
  return typeof s.additionalProperties === "object" && s.additionalProperties !== null ? (s.additionalProperties as Schema) : undefined;
}

/**
 * A copy of `obj` holding about its first `budget` nodes in document order, for checking
 * error by error: past the budget, array items beyond the schema's minItems and object keys
 * the schema neither declares nor requires are left out. Leaving out only ever hides errors
 * (no minItems, required or maxItems error can appear that the object does not have, since
 * every maxItems of the rule book's schemas is far below the budget): the caller reports the
 * view's errors and says the list is incomplete. Iterative: any depth. `cut` is true when
 * anything was left out; the object itself comes back when it is within the budget.
 */
export function boundedView(obj: unknown, schema: Schema | undefined, budget: number): { view: unknown; cut: boolean } {
  if (!exceedsNodes(obj, budget)) return { view: obj, cut: false };
  let count = 0;
  let cut = false;
  type Frame =
    | { items: unknown[]; copy: unknown[]; item: Schema | undefined; min: number; i: number }
    | { o: Record<string, unknown>; keys: string[]; copy: Record<string, unknown>; schema: Schema | undefined; declared: Set<string>; i: number };
  const stack: Frame[] = [];
  // Copies one node; a container's children are copied later, one at a time, from its frame.
  const visit = (v: unknown, s: Schema | undefined): unknown => {
    count++;
    if (v === null || typeof v !== "object") return v;
    if (Array.isArray(v)) {
      const copy: unknown[] = [];
      stack.push({ items: v, copy, item: childSchema(s, 0, true), min: typeof s?.minItems === "number" ? s.minItems : 0, i: 0 });
      return copy;
    }
    const copy: Record<string, unknown> = {};
    const declared = new Set([...Object.keys((s?.properties ?? {}) as object), ...(Array.isArray(s?.required) ? (s!.required as string[]) : [])]);
    stack.push({ o: v as Record<string, unknown>, keys: Object.keys(v), copy, schema: s, declared, i: 0 });
    return copy;
  };
  const view = visit(obj, schema);
  while (stack.length > 0) {
    const f = stack[stack.length - 1];
    if ("items" in f) {
      if (f.i >= f.items.length) {
        stack.pop();
        continue;
      }
      const i = f.i++;
      if (i >= f.min && count >= budget) {
        // Items are kept in order: the first left out ends the array (no holes).
        cut = true;
        f.i = f.items.length;
        continue;
      }
      f.copy.push(visit(f.items[i], f.item));
    } else {
      if (f.i >= f.keys.length) {
        stack.pop();
        continue;
      }
      const k = f.keys[f.i++];
      if (!f.declared.has(k) && count >= budget) {
        cut = true;
        continue;
      }
      f.copy[k] = visit(f.o[k], childSchema(f.schema, k, false));
    }
  }
  return { view, cut };
}

/** Whether `v` holds more than `max` nodes (stops counting there). */
function exceedsNodes(v: unknown, max: number): boolean {
  let n = 1;
  const stack: unknown[] = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (x === null || typeof x !== "object") continue;
    const children = Array.isArray(x) ? x : Object.values(x);
    n += children.length;
    if (n > max) return true;
    for (const c of children) stack.push(c);
  }
  return false;
}

function toViolation(e: ErrorObject, fallbackRule: string): Violation {
  const segs: Segment[] = fromPointer(e.instancePath);
  const parent = (e.parentSchema ?? {}) as Record<string, unknown>;
  let rule = typeof parent["x-rule"] === "string" ? (parent["x-rule"] as string) : fallbackRule;
  let hint = typeof parent["x-hint"] === "string" ? (parent["x-hint"] as string) : undefined;
  let text: string;
  switch (e.keyword) {
    case "required": {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      segs.push(missing);
      const prop = ((parent.properties ?? {}) as Record<string, Record<string, unknown>>)[missing] ?? {};
      if (typeof prop["x-rule"] === "string") rule = prop["x-rule"] as string;
      if (typeof prop["x-hint"] === "string") hint = prop["x-hint"] as string;
      text = "is required but missing";
      break;
    }
    case "type":
      text = `found ${describe(e.data)} ${show(e.data)}, expected ${(e.params as { type: string | string[] }).type}`;
      break;
    case "anyOf":
      text = `found ${describe(e.data)} ${show(e.data)}, expected an integer or a string`;
      break;
    case "enum": {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map((x) => show(x)).join(", ");
      text = `found ${show(e.data)}, expected one of ${allowed}`;
      break;
    }
    case "const":
      text = `found ${show(e.data)}, expected ${show((e.params as { allowedValue: unknown }).allowedValue)}`;
      break;
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      text = `found ${show(e.data)}, expected a value ${(e.params as { comparison: string }).comparison} ${(e.params as { limit: number }).limit}`;
      break;
    case "format":
      text = `found ${show(e.data)}, expected a ${(e.params as { format: string }).format} value`;
      break;
    case "pattern":
      text = `found ${show(e.data)}, which does not match ${(e.params as { pattern: string }).pattern}`;
      break;
    case "additionalProperties": {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      segs.push(extra);
      const known = Object.keys((parent.properties ?? {}) as Record<string, unknown>);
      text = `is not a known field${known.length ? `; expected one of ${known.join(", ")}` : ""}`;
      break;
    }
    case "minItems":
      text = `has ${plural(Array.isArray(e.data) ? e.data.length : 0, "item")}, expected at least ${(e.params as { limit: number }).limit}`;
      break;
    default:
      text = e.message ?? "is invalid";
  }
  if (hint) text += `; ${hint}`;
  const path = dotted(segs);
  return { path, rule, message: `${path || "(object)"}: ${text}` };
}

function describe(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "array";
  return typeof v === "number" && Number.isInteger(v) ? "integer" : typeof v;
}

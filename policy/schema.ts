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
export function newAjv(code: Options["code"] = {}): Ajv {
  const AjvClass = (require("ajv") as typeof import("ajv")).default;
  const a = new AjvClass({ ...AJV_OPTIONS, code: { ...AJV_OPTIONS.code, ...code } });
  for (const [name, format] of Object.entries(SCHEMA_FORMATS)) a.addFormat(name, format);
  for (const keyword of KEYWORDS) a.addKeyword({ keyword, schemaType: ["string", "boolean", "array", "object"] });
  return a;
}

// Built on first use: when every schema has a validator compiled ahead of time, ajv is never loaded.
let ajv: Ajv | undefined;

/** Where tools/gen-validators.ts writes the validators it compiles ahead of time (in the build output). */
export const COMPILED_DIR = path.join(__dirname, "schemas", "compiled");

/**
 * The name of a schema's validator compiled ahead of time: a hash of the schema, the ajv
 * version and AJV_OPTIONS, so a stale file (a schema or an option changed since the
 * build) is never used: its name no longer matches.
 */
export function schemaKey(schema: Record<string, unknown>): string {
  const version = (require("ajv/package.json") as { version: string }).version;
  return createHash("sha256").update(JSON.stringify([version, AJV_OPTIONS, KEYWORDS, Object.keys(SCHEMA_FORMATS), schema])).digest("hex").slice(0, 32);
}

/**
 * A validator for `schema`: the one compiled ahead of time when the build made it
 * (`npm run build`; the same code ajv would generate now, without its cost in time and
 * memory), else compiled now. Throws what ajv.compile throws for an invalid schema.
 */
export function compile(schema: Record<string, unknown>): ValidateFunction {
  if (precompiled) {
    // Loaded as a module, as any import is (the rule book does no file I/O of its own).
    try {
      return (require(path.join(COMPILED_DIR, `${schemaKey(schema)}.js`)) as { default: ValidateFunction }).default;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "MODULE_NOT_FOUND") throw e;
    }
  }
  return compileNow(schema);
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
export function compileNow(schema: Record<string, unknown>): ValidateFunction {
  ajv ??= newAjv();
  return ajv.compile(schema);
}

/** Runs a compiled schema and returns violations; `fallbackRule` names errors the schema does not label. */
export function schemaViolations(validate: ValidateFunction, obj: unknown, fallbackRule: string): Violation[] {
  if (validate(obj)) return [];
  const out: Violation[] = [];
  const seen = new Set<string>();
  const errors = validate.errors ?? [];
  // An int-or-string field that is neither reports three errors (two types + anyOf); keep one.
  const anyOfPaths = new Set(errors.filter((e) => e.keyword === "anyOf").map((e) => e.instancePath));
  for (const e of errors) {
    if (e.keyword !== "anyOf" && anyOfPaths.has(e.instancePath) && e.schemaPath.includes("/anyOf/")) continue;
    const v = toViolation(e, fallbackRule);
    const key = `${v.path}\u0000${v.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(v);
  }
  return out;
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
      text = `has ${Array.isArray(e.data) ? e.data.length : 0} items, expected at least ${(e.params as { limit: number }).limit}`;
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

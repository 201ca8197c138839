/**
 * The one ajv instance of the rule book, and the translation of ajv errors into
 * violations people can act on. Upstream CRD schemas use OpenAPI extensions
 * (`x-kubernetes-*`, int32/int64 formats) that ajv must know about; tightening
 * schemas carry `x-rule` (the rule id) and `x-hint` (how to fix it).
 */
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { dotted, fromPointer, type Segment } from "./paths";
import { show } from "./checks/values";
import type { Violation } from "./types";

// code.optimize off: ajv's optimiser pass halves compile time's share of a review run
// (the pod template schemas of IflearnerJob and AppImage: ~300 ms of ~700 ms) and the
// validators it leaves are as fast on the review benchmark (bench/kubeconform).
const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictTuples: false, strictRequired: false, verbose: true, allowUnionTypes: true, validateFormats: true, code: { optimize: false } });
addFormats(ajv, ["date-time"]);
ajv.addFormat("int32", { type: "number", validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
ajv.addFormat("int64", { type: "number", validate: (n: number) => Number.isInteger(n) });
for (const keyword of [
  "x-kubernetes-int-or-string",
  "x-kubernetes-list-map-keys",
  "x-kubernetes-list-type",
  "x-kubernetes-map-type",
  "x-kubernetes-preserve-unknown-fields",
  "x-kubernetes-embedded-resource",
  "x-rule",
  "x-hint",
]) {
  ajv.addKeyword({ keyword, schemaType: ["string", "boolean", "array", "object"] });
}

export function compile(schema: Record<string, unknown>): ValidateFunction {
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

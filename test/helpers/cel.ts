/**
 * An in-process CEL evaluator with the parts of the Kubernetes API server's CEL
 * environment the rule book's CEL forms use (policy/vap/cel.ts): the standard macros,
 * RE2 `matches` and the strings extension from @bufbuild/cel, and Kubernetes' list
 * library `indexOf`/`lastIndexOf` (k8s.io/apiserver/pkg/cel/library/lists.go), written
 * here. The real API server is the ground truth (test/e2e/vap.test.ts); this makes the
 * per-example agreement with review() a fast unit test.
 */
import { celMethod, CelScalar, isCelError, listType, run, type CelInput, type CelValue } from "@bufbuild/cel";
import { strings } from "@bufbuild/cel/ext";
import type { CelRule } from "../../policy/vap";

function celEquals(a: CelValue, b: CelValue): boolean {
  // Only strings and maps of the examples are compared by the rule forms; run CEL's own equality.
  const r = run("a == b", { a: a as CelInput, b: b as CelInput });
  return r === true;
}

function indexIn(list: Iterable<CelValue>, v: CelValue, last: boolean): bigint {
  let i = 0n;
  let found = -1n;
  for (const x of list) {
    if (celEquals(x, v)) {
      found = i;
      if (!last) return found;
    }
    i++;
  }
  return found;
}

const FUNCS = [
  ...strings,
  celMethod("indexOf", listType(CelScalar.DYN), [CelScalar.DYN], CelScalar.INT, function (v) {
    return indexIn(this as Iterable<CelValue>, v, false);
  }),
  celMethod("lastIndexOf", listType(CelScalar.DYN), [CelScalar.DYN], CelScalar.INT, function (v) {
    return indexIn(this as Iterable<CelValue>, v, true);
  }),
];

/** A JSON value as the API server hands it to CEL: integers as int, objects as maps. */
export function toCel(v: unknown): CelInput {
  if (v === null || v === undefined) return null;
  if (typeof v === "number") return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(toCel);
  if (typeof v === "object") return new Map(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, toCel(x)])) as CelInput;
  return v as CelInput;
}

export interface CelRun {
  /** Messages of the validations that failed, in order. */
  failed: string[];
  /** Evaluation errors (an expression that could not run on this object: the API server would refuse it). */
  errors: string[];
}

/** Evaluates one CEL expression; throws with the expression on an error. */
export function evalCel(expr: string, bindings: Record<string, unknown>): unknown {
  const r = run(expr, Object.fromEntries(Object.entries(bindings).map(([k, v]) => [k, toCel(v)])), { funcs: FUNCS });
  if (isCelError(r)) throw new Error(`${r.message}\n  in: ${expr}`);
  return r;
}

/** Runs every validation of `rule` as the API server would for one request. */
export function runCelRule(rule: CelRule, object: unknown, oldObject: unknown = null, operation: "CREATE" | "UPDATE" = "CREATE"): CelRun {
  const out: CelRun = { failed: [], errors: [] };
  if (!(rule.operations ?? ["CREATE", "UPDATE"]).includes(operation)) return out;
  const bindings = { object, oldObject, request: { operation } };
  for (const v of rule.validations) {
    try {
      if (evalCel(v.expression, bindings) === true) continue;
      out.failed.push(String(evalCel(v.message, bindings)));
    } catch (e) {
      out.errors.push((e as Error).message);
    }
  }
  return out;
}

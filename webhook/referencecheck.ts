/**
 * Reference and pre-flight checks against names and small facts, shared by the main thread's
 * watch cache (references.ts) and the review workers, which get the cache's names and facts
 * posted as a snapshot. No Kubernetes client here: a review worker loads only the rule book.
 */
import { ReferenceIndex, refKey, refOf, type Facts, type TargetLookup } from "../policy";
import type { ReviewOptions, ReviewResult } from "../policy/types";
import type { Reviewer } from "./admission";

/** The cache's names and facts as a review worker holds them (posted by the main thread). */
export interface ReferenceSnapshotData {
  keys: string[];
  complete: string[];
  /** The pre-flight facts (policy/preflight.ts factsOf) of the cached objects that have any, by key. */
  facts?: [string, Facts][];
}

/** The cache's view inside a review worker: the same checks against posted names and facts. */
export class ReferenceSnapshot {
  private readonly keys: Set<string>;
  private readonly complete: Set<string>;
  private readonly facts: Map<string, Facts>;
  /** `apiVersion/kind\0namespace` -> names, for the checks that list a namespace (ResourceQuotas). */
  private readonly byNamespace = new Map<string, string[]>();
  constructor(data: ReferenceSnapshotData) {
    this.keys = new Set(data.keys);
    this.complete = new Set(data.complete);
    this.facts = new Map(data.facts ?? []);
    for (const k of data.keys) {
      const [kind, namespace, name] = k.split("\u0000");
      const at = `${kind}\u0000${namespace}`;
      this.byNamespace.set(at, [...(this.byNamespace.get(at) ?? []), name]);
    }
  }
  private readonly lookup: TargetLookup = {
    get: (kind, namespace, name) => {
      const key = refKey({ ...kind, namespace, name });
      return this.keys.has(key) ? (this.facts.get(key) ?? {}) : undefined;
    },
    list: (kind, namespace) => (this.byNamespace.get(`${kind.apiVersion}/${kind.kind}\u0000${namespace}`) ?? []).map((name) => [name, this.facts.get(refKey({ ...kind, namespace, name })) ?? {}]),
  };
  check(obj: unknown, review: Pick<ReviewOptions, "config" | "now" | "namespace">): Pick<ReviewResult, "violations" | "warnings" | "audits"> {
    return checkAgainst(obj, review, this.lookup, this.complete);
  }
}

/** `obj`'s cross-object findings (policy/references.ts) against `lookup`, for the kinds in `complete`. */
export function checkAgainst(obj: unknown, review: Pick<ReviewOptions, "config" | "now" | "namespace">, lookup: TargetLookup, complete: Set<string>): Pick<ReviewResult, "violations" | "warnings" | "audits"> {
  const empty = { violations: [], warnings: [], audits: [] };
  if (complete.size === 0 || !review.config) return empty;
  const ref = refOf(obj);
  if (!ref) return empty;
  // On CREATE the object may not carry its namespace yet; the request names it.
  const o = ref.namespace || !review.namespace ? obj : { ...(obj as object), metadata: { ...((obj as { metadata: object }).metadata), namespace: review.namespace } };
  const index = new ReferenceIndex(lookup);
  index.add(o);
  const [r] = index.results({ config: review.config, now: review.now, complete });
  return r ?? empty;
}

/** `reviewer` plus the reference findings of CREATE and UPDATE, merged into its result. */
export function withReferences(reviewer: Reviewer, cache: { check: ReferenceSnapshot["check"] }): Reviewer {
  return (obj, opts) => {
    const result = reviewer(obj, opts);
    if (!result.known || (opts?.operation !== "CREATE" && opts?.operation !== "UPDATE")) return result;
    const refs = cache.check(obj, opts);
    if (refs.violations.length + refs.warnings.length + refs.audits.length === 0) return result;
    const violations = [...result.violations, ...refs.violations];
    return { ...result, allowed: result.allowed && refs.violations.length === 0, violations, warnings: [...result.warnings, ...refs.warnings], audits: [...result.audits, ...refs.audits] };
  };
}

/**
 * Turns what the Pulumi engine hands a policy (a resource type token and its
 * input properties) back into the Kubernetes object the rule book reviews.
 */
import { Secret } from "@pulumi/policy";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import type { Segment } from "../policy/paths";

type Obj = Record<string, unknown>;

/**
 * The generic custom resource's own token. @pulumi/kubernetes registers a CustomResource
 * under `kubernetes:<apiVersion>:<kind>` instead, but other SDKs or older versions may
 * not: then apiVersion and kind come from the props.
 */
export const CUSTOM_RESOURCE_TYPE = "kubernetes:apiextensions.k8s.io:CustomResource";

export interface RebuiltObject {
  object: Obj;
  /** Fields whose value the engine does not know yet (preview, values from other resources). */
  unknownPaths: Segment[][];
}

// @pulumi/policy marks not-yet-known values with these sentinel strings. Its proxy module
// declares them @internal (no typings), so they are read at run time; the engine's own
// sentinel is added in case a future release renames the policy SDK's copies.
const UNKNOWN_SENTINELS: ReadonlySet<unknown> = new Set([
  unknownValue,
  ...Object.entries(require("@pulumi/policy/proxy") as Obj)
    .filter(([k, v]) => /^unknown[A-Za-z]*Value$/.test(k) && typeof v === "string")
    .map(([, v]) => v),
]);

/**
 * The apiVersion and kind a Pulumi type token stands for, or undefined when it is not a
 * Kubernetes object type. Typed tokens (`kubernetes:kuscia.secretflow/v1alpha1:Domain`) come
 * from CustomResource, yaml/v2, Helm v4 and crd2pulumi; the core group is spelled `core/v1`.
 */
export function kindOfType(type: string, props: Obj): { apiVersion: string; kind: string } | undefined {
  if (type === CUSTOM_RESOURCE_TYPE) {
    const { apiVersion, kind } = props;
    return typeof apiVersion === "string" && typeof kind === "string" ? { apiVersion, kind } : undefined;
  }
  const m = /^kubernetes:([^:]+\/[^:/]+):([^:]+)$/.exec(type);
  // Patch resources carry partial objects: reviewing them would report every missing field.
  if (!m || m[2].endsWith("Patch")) return undefined;
  return { apiVersion: m[1].replace(/^core\//, ""), kind: m[2] };
}

/**
 * Rebuilds the object from `props`. Accepts the unknown-checking proxy the policy
 * SDK wraps props in: its sentinel values are lifted out here, where they can be
 * recorded, instead of throwing on first access deep inside a rule.
 */
export function rebuildObject(type: string, props: Obj): RebuiltObject | undefined {
  const raw = unwrapProxy(props);
  const kind = kindOfType(type, raw);
  if (!kind) return undefined;
  const unknownPaths: Segment[][] = [];
  const copy = plain(raw, [], unknownPaths);
  const object: Obj = { ...(copy as Obj), apiVersion: kind.apiVersion, kind: kind.kind };
  return { object, unknownPaths };
}

/** True when a finding at `path` may only exist because a value at one of `unknownPaths` is not known yet. */
export function touchesUnknown(path: readonly Segment[], unknownPaths: readonly (readonly Segment[])[]): boolean {
  return unknownPaths.some((u) => isPrefix(u, path) || isPrefix(path, u));
}

function isPrefix(a: readonly Segment[], b: readonly Segment[]): boolean {
  return a.length <= b.length && a.every((s, i) => s === b[i]);
}

/**
 * The plain props under the SDK's proxies: the unknown-checking one, and for remediations the
 * secrets-preserving one inside it. Each answers this key with its target; a plain object has no such key.
 */
export function unwrapProxy(props: Obj): Obj {
  let cur = props;
  for (let i = 0; i < 4; i++) {
    const target = cur["__getSpecialProxyTarget"];
    if (!target || typeof target !== "object" || target === cur) break;
    cur = target as Obj;
  }
  return cur;
}

function plain(v: unknown, at: Segment[], unknown: Segment[][]): unknown {
  if (UNKNOWN_SENTINELS.has(v)) {
    unknown.push(at);
    return undefined;
  }
  // A remediation sees secrets as Secret instances; the rule book reviews their values.
  if (v instanceof Secret) return plain(v.value, at, unknown);
  if (Array.isArray(v)) return v.map((e, i) => plain(e, [...at, i], unknown));
  if (v && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype) {
    const out: Obj = {};
    for (const [k, e] of Object.entries(v as Obj)) {
      const c = plain(e, [...at, k], unknown);
      if (c !== undefined) out[k] = c;
    }
    return out;
  }
  return v;
}

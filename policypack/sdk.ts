/**
 * What the pack changes in @pulumi/policy's analyzer server at run time, and why.
 *
 * The server (@pulumi/policy 1.21, server.js makeAnalyzeRpcFun / makeAnalyzeStackRpcFun)
 * converts a resource's properties from the request's protobuf Struct anew for every policy:
 * `deserializeProperties(req.getProperties(), false)` inside its loop over the policies, and
 * for the stack analysis inside the loop over the stack policies, for every resource of the
 * stack. With one policy per rule (about 150) that is 150 conversions of the same Struct per
 * resource: in a preview of 1,000 Kuscia resources, the largest part of the pack's CPU time
 * and of its garbage (bench/pack.ts; docs/performance.md), while every resource is
 * reviewed once (policies.ts memoisedReview).
 *
 * google-protobuf keeps the wrapper of a message field once made, so within one request
 * `req.getProperties()` is one Struct object: the conversion is memoised per Struct (and per
 * `proxySecrets` flag) in a WeakMap, which lets it go with the request. Every policy then gets
 * the same props object behind its own unknown-checking proxy, as the rule policies of this
 * pack need: none of them changes props (policies.ts rebuilds a copy; the remediation returns a
 * new object, objects.ts/remediate.ts).
 */

const SHARED = Symbol.for("kuscia-iac.policypack.sharedDeserialize");

type Deserialize = (struct: unknown, proxySecrets: boolean) => unknown;

/**
 * Installs the memoised conversion in @pulumi/policy's `deserialize` module, whose exported
 * function server.js calls through the module object. Returns false, and changes nothing,
 * when that module does not have the expected shape (another SDK version): the pack still
 * works, only slower. Idempotent.
 */
export function shareDeserializedProperties(): boolean {
  let mod: Record<string | symbol, unknown>;
  try {
    mod = require("@pulumi/policy/deserialize") as Record<string | symbol, unknown>;
  } catch {
    return false;
  }
  if (mod[SHARED]) return true;
  const original = mod.deserializeProperties;
  if (typeof original !== "function" || original.length !== 2) return false;
  const memo = [new WeakMap<object, unknown>(), new WeakMap<object, unknown>()];
  const shared: Deserialize = (struct, proxySecrets) => {
    if (struct === null || typeof struct !== "object") return (original as Deserialize)(struct, proxySecrets);
    const m = memo[proxySecrets ? 1 : 0];
    if (!m.has(struct)) m.set(struct, (original as Deserialize)(struct, proxySecrets));
    return m.get(struct);
  };
  try {
    mod.deserializeProperties = shared;
  } catch {
    return false;
  }
  if (mod.deserializeProperties !== shared) return false;
  mod[SHARED] = true;
  return true;
}

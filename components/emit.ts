/** The `emit` switch every component shares. */
import * as pulumi from "@pulumi/pulumi";

/**
 * What a component creates:
 * - `native`: the Kubernetes objects Kuscia's controllers would create (Namespace, Deployment, ...), no Kuscia custom resource;
 * - `custom-resource`: the Kuscia custom resource only, for the Kuscia controllers to reconcile;
 * - `both`: both, e.g. while moving a cluster from one form to the other.
 */
export type Emit = "native" | "custom-resource" | "both";

export const EMIT_MODES: readonly Emit[] = ["native", "custom-resource", "both"];

/** Checks an `emit` argument (it is plain, never an Output: it decides which resources exist). */
export function emitMode(kind: string, name: string, emit: unknown, fallback: Emit = "native", resource?: pulumi.Resource): Emit {
  if (emit === undefined) return fallback;
  if (typeof emit === "string" && (EMIT_MODES as readonly string[]).includes(emit)) return emit as Emit;
  throw new pulumi.ResourceError(`${kind} ${JSON.stringify(name)}: emit: ${JSON.stringify(emit)} is not one of ${EMIT_MODES.map((m) => JSON.stringify(m)).join(", ")} (it must be a plain value, not an Output: it decides which resources exist, and resources made once an Output resolves are missing from every preview)`, resource, true);
}

export const emitsNative = (e: Emit): boolean => e !== "custom-resource";
export const emitsCustomResource = (e: Emit): boolean => e !== "native";

/** Turning expanded plain objects into Pulumi Kubernetes resources parented to a component. */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { KusciaResource, NativeObject } from "../policy/expand";

/** `Kind/namespace/name` (or `Kind/name` when cluster-scoped): how components list what they manage. */
export function objectRef(o: { kind: string; metadata: { name: string; namespace?: string } }): string {
  return o.metadata.namespace ? `${o.kind}/${o.metadata.namespace}/${o.metadata.name}` : `${o.kind}/${o.metadata.name}`;
}

/**
 * Pulumi name of a child: the component's name, then namespace and object name,
 * so two components never collide (URNs carry the parent's type, not its name).
 */
export function childName(component: string, o: NativeObject): string {
  return o.metadata.namespace ? `${component}/${o.metadata.namespace}/${o.metadata.name}` : `${component}/${o.metadata.name}`;
}

/**
 * With `secret`, every field but apiVersion, kind and metadata becomes a secret
 * Input, so contents derived from secret arguments stay encrypted in the state.
 */
function guard<T extends object>(o: T, secret: boolean): T {
  if (!secret) return o;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = k === "apiVersion" || k === "kind" || k === "metadata" || v === undefined ? v : pulumi.secret(v);
  return out as T;
}

export function createNative(component: string, native: NativeObject, opts: pulumi.CustomResourceOptions, secret = false): pulumi.CustomResource {
  const name = childName(component, native);
  const o = guard(native, secret);
  switch (o.kind) {
    case "Namespace":
      return new k8s.core.v1.Namespace(name, o, opts);
    case "ResourceQuota":
      return new k8s.core.v1.ResourceQuota(name, o, opts);
    case "ConfigMap":
      return new k8s.core.v1.ConfigMap(name, o, opts);
    case "ServiceAccount":
      return new k8s.core.v1.ServiceAccount(name, o, opts);
    case "Service":
      return new k8s.core.v1.Service(name, o, opts);
    case "Deployment":
      return new k8s.apps.v1.Deployment(name, o, opts);
    case "Role":
      return new k8s.rbac.v1.Role(name, o, opts);
    case "RoleBinding":
      return new k8s.rbac.v1.RoleBinding(name, o, opts);
    case "ClusterRoleBinding":
      return new k8s.rbac.v1.ClusterRoleBinding(name, o, opts);
  }
}

/** The Kuscia custom resource itself; `status` is requested as an output so components can read it back. */
export function createCustomResource(component: string, cr: KusciaResource, opts: pulumi.CustomResourceOptions, secret = false): k8s.apiextensions.CustomResource {
  return new k8s.apiextensions.CustomResource(component, { ...guard(cr, secret), status: undefined }, opts);
}

/** Resolves to `refs` once every resource has been created (an id known), for the `created` output. */
export function whenCreated(resources: readonly pulumi.CustomResource[], refs: readonly string[]): pulumi.Output<string[]> {
  return pulumi.all(resources.map((r) => r.id)).apply(() => [...refs]);
}

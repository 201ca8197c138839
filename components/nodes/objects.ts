/**
 * Kubernetes resources for the objects the node components expand to. Fields
 * other than names may be Outputs (a ConfigMap's secret data, a CA bundle
 * known once generated), so objects are typed loosely here and each kind goes
 * to its @pulumi/kubernetes class.
 */
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { childOptions, keepSecret, kubeType, nativeNaming, withReadiness, type Family } from "../children";

/** An object about to become a resource: names are plain (they name the Pulumi resource), the rest may be Inputs. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

/** Pulumi annotation that makes the provider return as soon as the object is accepted. */
export const SKIP_AWAIT = "pulumi.com/skipAwait";

/**
 * Creates `o` as its @pulumi/kubernetes resource, named as children.ts names children.
 * `secretFields` are top-level fields holding secrets: kept secret even through `transforms`.
 */
export function createObject(f: Family, o: KubeObject, extra: pulumi.CustomResourceOptions = {}, secretFields: readonly string[] = []): pulumi.CustomResource {
  const naming = nativeNaming(f, o);
  const name = naming.name;
  const opts = childOptions(f, naming, extra);
  const args = withReadiness(f, o) as never;
  // Only the fields the object has: in a preview the guard restores a recorded field that is
  // missing as an unknown, which for a field never set (a Secret's stringData beside its data)
  // would show a change, and replace the Secret.
  keepSecret(kubeType(o), name, secretFields.filter((k) => o[k] !== undefined));
  switch (o.kind) {
    case "Namespace":
      return new k8s.core.v1.Namespace(name, args, opts);
    case "ConfigMap":
      return new k8s.core.v1.ConfigMap(name, args, opts);
    case "Secret":
      return new k8s.core.v1.Secret(name, args, opts);
    case "ServiceAccount":
      return new k8s.core.v1.ServiceAccount(name, args, opts);
    case "Service":
      return new k8s.core.v1.Service(name, args, opts);
    case "Pod":
      return new k8s.core.v1.Pod(name, args, opts);
    case "Deployment":
      return new k8s.apps.v1.Deployment(name, args, opts);
    case "Role":
      return new k8s.rbac.v1.Role(name, args, opts);
    case "RoleBinding":
      return new k8s.rbac.v1.RoleBinding(name, args, opts);
    case "ClusterRole":
      return new k8s.rbac.v1.ClusterRole(name, args, opts);
    case "ClusterRoleBinding":
      return new k8s.rbac.v1.ClusterRoleBinding(name, args, opts);
    case "Ingress":
      return new k8s.networking.v1.Ingress(name, args, opts);
    case "PodDisruptionBudget":
      return new k8s.policy.v1.PodDisruptionBudget(name, args, opts);
    case "ValidatingWebhookConfiguration":
      return new k8s.admissionregistration.v1.ValidatingWebhookConfiguration(name, args, opts);
    case "MutatingWebhookConfiguration":
      return new k8s.admissionregistration.v1.MutatingWebhookConfiguration(name, args, opts);
  }
  throw new pulumi.ResourceError(`${f.component}: no resource class for ${o.apiVersion} ${o.kind}`, f.parent, true);
}

/** `o` with the skip-await annotation added. */
export function skippingAwait<T extends KubeObject>(o: T): T {
  return { ...o, metadata: { ...o.metadata, annotations: { ...(o.metadata.annotations ?? {}), [SKIP_AWAIT]: "true" } } };
}

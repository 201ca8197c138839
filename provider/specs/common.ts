/** Properties and types several components share: one definition, so their SDK types agree. */
import { EMIT_MODES } from "../../components";
import { any, arrayOf, bool, enumOf, int, mapOf, providerOf, required, str } from "../spec";

export const EMIT = enumOf(
  "Emit",
  EMIT_MODES,
  "What a component creates: `native` (the Kubernetes objects Kuscia's controllers would create), `custom-resource` (the Kuscia custom resource, for Kuscia to reconcile) or `both`.",
  { plain: true, doc: "What to create (default `native`). Plain: it decides which resources exist." },
);

export const AUTHENTICATION_TYPE = enumOf("AuthenticationType", ["Token", "MTLS", "None"], "How one Kuscia node authenticates another.");
export const INTERCONN_PROTOCOL = enumOf("InterConnProtocol", ["kuscia", "bfia"], "Interconnection protocol between domains.");
export const PORT_PROTOCOL = enumOf("PortProtocol", ["HTTP", "GRPC"], "Application protocol of a port.");

export const labels = (of: string) => mapOf({ kind: "string", description: "label value" }, `Labels of the ${of} custom resource.`);
export const annotations = (of: string) => mapOf({ kind: "string", description: "annotation value" }, `Annotations of the ${of} custom resource.`);
export const strings = (description: string) => arrayOf({ kind: "string", description: "item" }, description);

/** Outputs of every component. */
export const OBJECT = required(any("The custom resource as validated by the rule book, with its defaults applied."));
export const CREATED = required(strings("`Kind/namespace/name` of every Kubernetes object created, once created."));

/** Kubernetes-typed arguments are passed through as plain objects in the Kubernetes API's field names. */
export const k8sObject = (kind: string, description: string) => any(`${description} A Kubernetes \`${kind}\` object (API field names).`);

/**
 * A Kubernetes provider the children are created through: a resource reference (a
 * `pulumi_kubernetes.Provider` in Python). Plain, as in the Args: it is a resource
 * option of the children, not a value they are made from.
 */
export const k8sProvider = (description: string) => providerOf("kubernetes", description, { plain: true });

/** The readiness options every component takes (plain: they become annotations on each child). */
export const READINESS = {
  skipAwait: bool("Do not wait for the objects to become ready (`pulumi.com/skipAwait`).", { plain: true }),
  timeoutSeconds: int("Seconds to wait for each object to become ready (`pulumi.com/timeoutSeconds`).", { plain: true }),
  waitFor: str("A readiness condition instead of the provider's own (`pulumi.com/waitFor`), e.g. `condition=Ready`.", { plain: true }),
};

/** Which kinds of the rule book are cluster-scoped. */
/**
 * Kinds whose CRD says `scope: Cluster` (crds/kuscia/*.yaml; test/unit/policy/scope.test.ts
 * checks this list against them). The API server clears metadata.namespace on such objects
 * before admission (k8s.io/apiserver pkg/endpoints/handlers/create.go and update.go, before admission:
 * rest.EnsureObjectNamespaceMatchesRequestNamespace in pkg/registry/rest/meta.go,
 * "cluster-scoped, clear namespace"), so a namespace written in a file never reaches the
 * webhook, and no front end may act on it (namespace exceptions included).
 */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set(["Domain", "AppImage", "ClusterDomainRoute", "InteropConfig", "TaskResourceGroup"].map((k) => `kuscia.secretflow/v1alpha1/${k}`));

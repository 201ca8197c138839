/**
 * When an emitted Kuscia custom resource is ready, as the Kubernetes provider's
 * `pulumi.com/waitFor` annotation (pulumi-kubernetes 4.x: `condition=<Type>[=<Status>]` waits for
 * a `.status.conditions` entry; `jsonpath={<path>}[=<value>]` for a value, or for the path to
 * select anything; the provider's default for a custom resource is not to wait at all).
 * Only where upstream's controllers write a status that says so; each entry names the
 * controller that writes it. A component given `waitFor` uses that instead, and `skipAwait`
 * waits for nothing (children.ts applies the three).
 */

/** The kinds with a readiness the provider can wait for. */
export interface Readiness {
  kind: string;
  /** The annotation's value. */
  waitFor: string;
  /** Only for objects this accepts (a partner Domain never gets a status). */
  applies?(cr: { spec?: unknown }): boolean;
  /** The upstream controller and function that write the status, and what it means. */
  source: string;
}

export const READINESS: readonly Readiness[] = [
  {
    kind: "ClusterDomainRoute",
    waitFor: "condition=Ready",
    source:
      "pkg/controllers/clusterdomainroute/domainroute.go: syncStatusFromDomainroute sets condition Ready True once tokens are generated (False: TokenNotGenerate, DestinationIsNotAuthrized, DestinationUnreachable, HeartBeatTimeout, TokenRevisionNotMatch); controller.go: IsReady reads it",
  },
  {
    kind: "KusciaDeployment",
    waitFor: "jsonpath={.status.phase}=Available",
    source:
      "pkg/controllers/kusciadeployment/reconcile.go: refreshPartyDeploymentStatuses sets status.phase Available when every party's Deployment is available (Progressing, PartialAvailable or Failed otherwise)",
  },
  {
    kind: "DomainDataGrant",
    waitFor: "jsonpath={.status.phase}=Ready",
    source: "pkg/controllers/domaindata/controller.go: verify and updateStatus set status.phase Ready (Unavailable when the signature does not verify, the grant expired or its use count is exhausted)",
  },
  {
    kind: "Domain",
    // A node of the domain has registered and is Ready: RFC 9535 filter, as the provider's JSONPath reads it.
    waitFor: 'jsonpath={.status.nodeStatuses[?@.status=="Ready"].name}',
    applies: (cr) => {
      const spec = cr.spec && typeof cr.spec === "object" ? (cr.spec as { role?: unknown }) : {};
      return spec.role !== "partner";
    },
    source:
      "pkg/controllers/domain/domain.go: syncDomainStatus (skipped for partner Domains) writes status.nodeStatuses from the domain's nodes, getDomainNodeStatus giving status Ready when a node's NodeReady condition is True: a Domain is ready once a node of it (an autonomy or lite node) has joined",
  },
];

const byKind = new Map(READINESS.map((r) => [r.kind, r]));

/** The waitFor expression for a Kuscia custom resource of `kind`, or undefined where upstream writes no readiness. */
export function defaultWaitFor(cr: { kind: string; spec?: unknown }): string | undefined {
  const r = byKind.get(cr.kind);
  return r && (!r.applies || r.applies(cr)) ? r.waitFor : undefined;
}

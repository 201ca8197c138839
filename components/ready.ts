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
  /** What the status means, for the message of a wait that timed out. */
  meaning: string;
}

export const READINESS: readonly Readiness[] = [
  {
    kind: "ClusterDomainRoute",
    waitFor: "condition=Ready",
    meaning: "the Ready condition Kuscia's ClusterDomainRoute controller sets once the two domains have exchanged tokens",
    source:
      "pkg/controllers/clusterdomainroute/domainroute.go: syncStatusFromDomainroute sets condition Ready True once tokens are generated (False: TokenNotGenerate, DestinationIsNotAuthrized, DestinationUnreachable, HeartBeatTimeout, TokenRevisionNotMatch); controller.go: IsReady reads it",
  },
  {
    kind: "KusciaDeployment",
    waitFor: "jsonpath={.status.phase}=Available",
    meaning: "phase Available, which Kuscia's KusciaDeployment controller sets once every party's Deployment is available",
    source:
      "pkg/controllers/kusciadeployment/reconcile.go: refreshPartyDeploymentStatuses sets status.phase Available when every party's Deployment is available (Progressing, PartialAvailable or Failed otherwise)",
  },
  {
    kind: "DomainDataGrant",
    waitFor: "jsonpath={.status.phase}=Ready",
    meaning: "phase Ready, which Kuscia's DomainData controller sets once the grant's signature verifies",
    source: "pkg/controllers/domaindata/controller.go: verify and updateStatus set status.phase Ready (Unavailable when the signature does not verify, the grant expired or its use count is exhausted)",
  },
  {
    kind: "Domain",
    // A node of the domain has registered and is Ready: RFC 9535 filter, as the provider's JSONPath reads it.
    waitFor: 'jsonpath={.status.nodeStatuses[?@.status=="Ready"].name}',
    meaning: "a Ready node in status.nodeStatuses, which Kuscia's Domain controller writes once a node of the domain (an autonomy or lite node) has joined",
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

/**
 * The message for a wait that ended without the object becoming ready: which condition, what it
 * means, and what to do. `annotations` are the object's; `error` the provider's (`timed out waiting
 * for the condition`). Undefined when the failure was not a readiness wait.
 */
export function readinessFailure(kind: string, name: string, annotations: Record<string, unknown> | undefined, error: string): string | undefined {
  const waitFor = annotations?.["pulumi.com/waitFor"];
  if (typeof waitFor !== "string" || !/timed out|not ready|failed to (fully )?initialize|did not become ready/i.test(error)) return undefined;
  const timeout = annotations?.["pulumi.com/timeoutSeconds"];
  const after = typeof timeout === "string" ? `${timeout} s (its timeoutSeconds)` : "10 minutes (the Kubernetes provider's default wait)";
  const r = byKind.get(kind);
  const meaning = r && r.waitFor === waitFor ? `: ${r.meaning}` : " (the component's waitFor)";
  return (
    `${kind} ${name} was not ready after ${after}: it waited for pulumi.com/waitFor ${JSON.stringify(waitFor)}${meaning}. ` +
    "Where no Kuscia control plane reconciles it (a cluster without Kuscia, nodes not running yet), give its component skipAwait: true, or a longer timeoutSeconds"
  );
}

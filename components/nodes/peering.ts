import * as pulumi from "@pulumi/pulumi";
import { refused } from "../refusal";
import { peering, type PeerIdentity, type PeerSide } from "../../policy/expand/autonomy";
import { ClusterDomainRoute } from "../clusterdomainroute";
import { Domain } from "../domain";
import { mergeDependsOn, type ReadinessArgs } from "../children";
import type { PeerNode } from "./autonomynode";

/**
 * Give each node's `domainId` as a plain string (as {@link KusciaAutonomyNode.asPeer} does): the
 * partner Domains and routes are then named, and created, at construction. With an Output they are
 * only created once it resolves, and a preview that cannot resolve it leaves them out.
 */
export interface NodePeeringArgs extends ReadinessArgs {
  /** One node; its partner Domain and route are created through `a.provider`. */
  a: PeerNode;
  /** The other node, through `b.provider`. */
  b: PeerNode;
}

/**
 * Authorizes two autonomy nodes to each other, as the peer-to-peer guide does
 * by hand in both nodes: `add_domain.sh <other> p2p` (the other as a partner
 * Domain carrying its certificate, Token authentication with RSA-GEN tokens)
 * and `join_to_host.sh <self> <other> <other's endpoint>` (ClusterDomainRoute
 * `<self>-<other>`, Token, tokens rolled daily). Each side's objects go to that
 * node's own Kuscia API server as custom resources; Kuscia's controllers then
 * exchange the tokens (`kubectl get cdr` shows them Ready).
 */
export class NodePeering extends pulumi.ComponentResource {
  /** Names of the two routes, `<a>-<b>` and `<b>-<a>`. */
  readonly routes!: pulumi.Output<string[]>;
  /** `Kind/name` of the custom resources on a's side, then b's, once created. */
  readonly created!: pulumi.Output<string[]>;

  constructor(name: string, args: NodePeeringArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kuscia-iac:index:NodePeering", name, {}, opts);
    try {
      const identity = (n: PeerNode) => pulumi.all([n.domainId, n.certificate, n.endpoint]).apply(([domainId, certificate, endpoint]): PeerIdentity => ({ domainId, certificate, endpoint }));
      const both = pulumi.all([identity(args.a), identity(args.b)]).apply(([a, b]) => peering(a, b));
      // Each route waits, by default, for the Ready condition Kuscia sets once the two nodes have
      // exchanged tokens (components/ready.ts); skipAwait where the nodes do not run.
      const readiness: ReadinessArgs = { skipAwait: args.skipAwait, timeoutSeconds: args.timeoutSeconds, waitFor: args.waitFor };

      // With plain domain IDs (KusciaAutonomyNode.asPeer gives them) the objects' names are known now, so
      // the partner Domains and routes exist from construction and every preview shows them.
      const ids = typeof args.a.domainId === "string" && typeof args.b.domainId === "string" ? { a: args.a.domainId, b: args.b.domainId } : undefined;
      const side = (label: "a" | "b", node: PeerNode) => {
        const s: pulumi.Output<PeerSide> = both.apply((p) => p[label]);
        const self = ids?.[label];
        const other = ids?.[label === "a" ? "b" : "a"];
        const at = { parent: this, provider: node.provider, dependsOn: opts?.dependsOn };
        const domain = new Domain(
          `${name}-${label}-partner`,
          {
            name: other ?? s.apply((x) => x.domain.metadata.name),
            role: "partner",
            cert: s.apply((x) => x.domain.spec.cert!),
            interConnProtocols: s.apply((x) => x.domain.spec.interConnProtocols!),
            authCenter: s.apply((x) => x.domain.spec.authCenter!),
            annotations: s.apply((x) => x.domain.metadata.annotations!),
            emit: "custom-resource",
            ...readiness,
          },
          at,
        );
        // The route needs the partner Domain: Kuscia reads the destination's certificate from it to make tokens.
        const route = new ClusterDomainRoute(
          `${name}-${label}-route`,
          {
            name: self !== undefined && other !== undefined ? `${self}-${other}` : s.apply((x) => x.route.metadata.name),
            source: s.apply((x) => x.route.spec.source),
            destination: s.apply((x) => x.route.spec.destination),
            interConnProtocol: s.apply((x) => x.route.spec.interConnProtocol!),
            endpoint: s.apply((x) => x.route.spec.endpoint!),
            authenticationType: s.apply((x) => x.route.spec.authenticationType),
            tokenConfig: s.apply((x) => x.route.spec.tokenConfig!),
            emit: "custom-resource",
            ...readiness,
          },
          { ...at, dependsOn: mergeDependsOn(opts?.dependsOn, [domain]) },
        );
        return { domain, route };
      };
      const a = side("a", args.a);
      const b = side("b", args.b);
      this.routes = pulumi.all([a.route.routeName, b.route.routeName]);
      this.created = pulumi.all([a.domain.created, a.route.created, b.domain.created, b.route.created]).apply((l) => l.flat());
      this.registerOutputs({ routes: this.routes, created: this.created });
    } catch (e) {
      refused(this, e, ["routes", "created"]);
    }
  }
}

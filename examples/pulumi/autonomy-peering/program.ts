/**
 * The program body, separate from index.ts so tests and the end-to-end suite
 * can run it inline.
 *
 * Two autonomy nodes in this cluster, as the upstream Kubernetes guide deploys
 * them (namespaces autonomy-alice and autonomy-bob), each with a domain key
 * generated once and kept in the stack's state. Peering writes to each node's
 * own Kuscia API server (the K3s inside the Kuscia pod), which exists only once
 * the node runs: give both providers on a second `pulumi up`.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import { KusciaAutonomyNode, NodePeering, type NodeProtocol } from "kuscia-iac";

export interface AutonomyPeeringOptions {
  /** alice's MySQL DSN (a secret); unset: Kuscia's embedded SQLite. */
  aliceDatastore?: pulumi.Input<string>;
  /** bob's MySQL DSN (a secret); unset: Kuscia's embedded SQLite. */
  bobDatastore?: pulumi.Input<string>;
  /** Provider of alice's Kuscia API server; the nodes are peered once both are given. */
  aliceKuscia?: k8s.Provider;
  /** Provider of bob's Kuscia API server. */
  bobKuscia?: k8s.Provider;
  /** Provider of the cluster the nodes run in; default: the ambient kubeconfig. */
  cluster?: pulumi.ProviderResource;
  image?: string;
  protocol?: NodeProtocol;
  skipAwait?: boolean;
}

export function autonomyPeering(opts: AutonomyPeeringOptions = {}) {
  const onCluster = opts.cluster ? { provider: opts.cluster } : {};
  const node = (domainId: string, datastore: pulumi.Input<string> | undefined) =>
    new KusciaAutonomyNode(domainId, { domainId, datastore, image: opts.image, protocol: opts.protocol, skipAwait: opts.skipAwait }, onCluster);
  const alice = node("alice", opts.aliceDatastore);
  const bob = node("bob", opts.bobDatastore);

  const peering = opts.aliceKuscia && opts.bobKuscia ? new NodePeering("alice-bob", { a: alice.asPeer(opts.aliceKuscia), b: bob.asPeer(opts.bobKuscia), skipAwait: opts.skipAwait }) : undefined;

  return {
    endpoints: { alice: alice.endpoint, bob: bob.endpoint },
    /** base64 of each node's certificate (what the other's partner Domain carries). */
    certificates: { alice: alice.certificate, bob: bob.certificate },
    nodeObjects: pulumi.all([alice.created, bob.created]).apply((lists) => lists.flat()),
    routes: peering ? peering.routes : pulumi.output([] as string[]),
    peeringObjects: peering ? peering.created : pulumi.output([] as string[]),
  };
}

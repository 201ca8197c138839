/**
 * The program body, separate from index.ts so tests and the end-to-end suite
 * can run it inline.
 *
 * Centralized mode as the upstream Kubernetes manifests deploy it: a master
 * (namespace kuscia-master) and two lite nodes, alice and bob (namespaces
 * lite-alice and lite-bob), each with a domain key generated once and kept in
 * the stack's state; each lite node has a deploy token, generated once (secret)
 * unless given. Registering the lite nodes on the master writes to the master's
 * own Kuscia API server (the K3s inside the master pod), which exists only once
 * the master runs: give its provider on a second `pulumi up`.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import { KusciaLiteNode, KusciaMasterNode, type NodeProtocol } from "kuscia-iac";

export interface CentralizedOptions {
  /** The master's MySQL DSN (a secret); unset: Kuscia's embedded SQLite. */
  masterDatastore?: pulumi.Input<string>;
  /** Deploy tokens to use instead of generated ones (e.g. printed by add_domain_lite.sh on the master), by domain ID. */
  deployTokens?: Record<string, pulumi.Input<string>>;
  /** Provider of the master's Kuscia API server; the lite nodes' Domains are created there once it is given. */
  masterKuscia?: k8s.Provider;
  /** Provider of the cluster the nodes run in; default: the ambient kubeconfig. */
  cluster?: pulumi.ProviderResource;
  image?: string;
  protocol?: NodeProtocol;
  skipAwait?: boolean;
}

export function centralized(opts: CentralizedOptions = {}) {
  const onCluster = opts.cluster ? { provider: opts.cluster } : {};
  const common = { image: opts.image, protocol: opts.protocol, skipAwait: opts.skipAwait };
  const master = new KusciaMasterNode("master", { ...common, datastore: opts.masterDatastore }, onCluster);
  const lite = (domainId: string) =>
    new KusciaLiteNode(domainId, { ...common, domainId, master: master.asMaster(opts.masterKuscia), deployToken: opts.deployTokens?.[domainId] }, onCluster);
  const alice = lite("alice");
  const bob = lite("bob");

  return {
    masterEndpoint: master.endpoint,
    endpoints: { alice: alice.endpoint, bob: bob.endpoint },
    /** base64 of each node's certificate. */
    certificates: { master: master.certificate, alice: alice.certificate, bob: bob.certificate },
    /** Each lite node's deploy token (secret). */
    deployTokens: pulumi.secret({ alice: alice.deployToken, bob: bob.deployToken }),
    objects: pulumi.all([master.created, alice.created, bob.created]).apply((lists) => lists.flat()),
  };
}

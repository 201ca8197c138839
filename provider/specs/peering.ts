import * as k8s from "@pulumi/kubernetes";
import { KusciaAutonomyNode, type NodePeering, type NodePeeringArgs } from "../../components";
import { objectOf, required, str, type ComponentSpec, type Plain } from "../spec";
import { READINESS, k8sProvider, strings } from "./common";

const peer = objectOf<Plain<NodePeeringArgs["a"]>>("PeerNode", "An autonomy node as its partner sees it, and the provider for the node's own Kuscia API server.", {
  domainId: required(str("The node's domain ID.")),
  certificate: required(str("base64 of the node's PEM certificate (a KusciaAutonomyNode's `certificate`).")),
  endpoint: required(str("URL of the node's gateway (a KusciaAutonomyNode's `endpoint`), e.g. `http://kuscia-autonomy-alice.autonomy-alice.svc.cluster.local:1080`.")),
  provider: required(k8sProvider("Provider for the node's Kuscia API server (the K3s inside the Kuscia pod), not the cluster the node runs in.")),
});

export const nodePeeringSpec: ComponentSpec<NodePeeringArgs, NodePeering> = {
  name: "NodePeering",
  description:
    "Authorizes two autonomy nodes to each other, as the peer-to-peer guide does by hand: in each node's Kuscia, the other as a partner Domain carrying its certificate and a Token ClusterDomainRoute `<self>-<other>` to it (custom resources, through that node's provider).",
  inputs: {
    // Plain, as in the Args: the class reads each side's provider when it creates that side's objects.
    a: required({ ...peer, plain: true, doc: "One node; its partner Domain and route go through `a.provider`." }),
    b: required({ ...peer, plain: true, doc: "The other node, through `b.provider`." }),
    ...READINESS,
  },
  example: () => {
    const kuscia = (name: string) => new k8s.Provider(`${name}-kuscia`, { kubeconfig: "{}" });
    const alice = new KusciaAutonomyNode("alice", { domainId: "alice", protocol: "TLS" });
    const bob = new KusciaAutonomyNode("bob", { domainId: "bob", protocol: "TLS" });
    return { a: alice.asPeer(kuscia("alice")), b: bob.asPeer(kuscia("bob")) };
  },
  outputs: {
    routes: required(strings("Names of the two routes, `<a>-<b>` and `<b>-<a>`.")),
    created: required(strings("`Kind/name` of the custom resources on a's side, then b's, once created.")),
  },
};

/**
 * Centralized mode: a Kuscia master and its lite nodes, as the upstream manifests deploy them
 * (hack/k8s/master, hack/k8s/lite). The objects and the review are the autonomy node's
 * (buildNode), with the master's and the lite's kuscia.yaml.
 */
import * as pulumi from "@pulumi/pulumi";
import { refused } from "../refusal";
import type * as k8s from "@pulumi/kubernetes";
import type { NodeCapacity, NodeLogLevel, NodeProtocol, NodeRuntime } from "../../policy/expand/autonomy";
import type { ReadinessArgs } from "../children";
import { Domain } from "../domain";
import { buildNode, KusciaNode, NODE_OUTPUTS, type KusciaAutonomyNodeArgs } from "./autonomynode";

/** What a lite node needs to know about its master, plus the provider for the master's Kuscia API server. */
export interface MasterRef {
  /** The master's domain ID (kuscia.yaml `domainID` of the master; upstream's default `kuscia-system`). */
  domainId: string;
  /** The master's gateway URL, e.g. http://kuscia-master.kuscia-master.svc.cluster.local:1080. */
  endpoint: pulumi.Input<string>;
  /**
   * Provider for the master's Kuscia API server (the K3s inside the master pod). When given, the lite
   * node registers itself there: the Domain `<lite>` that add_domain_lite.sh creates, carrying the lite's
   * certificate.
   */
  provider?: k8s.Provider;
}

/** The arguments of an autonomy node that a master takes too, with the same meaning. */
type MasterNodeCommonArgs = Pick<KusciaAutonomyNodeArgs, "createNamespace" | "image" | "datastore" | "protocol" | "domainKey" | "logLevel" | "retainNamespace">;

export interface KusciaMasterNodeArgs extends ReadinessArgs, MasterNodeCommonArgs {
  /** The master's domain ID (kuscia.yaml `domainID`). Default `kuscia-system`, as upstream. Plain: it names the node's objects. */
  domainId?: string;
  /** Namespace of the master. Default `kuscia-master`, as the upstream manifests. Plain. */
  namespace?: string;
}

/**
 * A Kuscia master, as hack/k8s/master deploys it: Namespace `kuscia-master`, the `kuscia.yaml`
 * ConfigMap `kuscia-master-cm` (mode master; its data a secret), Service `kuscia-master`
 * (gateway 1080, KusciaAPI 8082) and Deployment `kuscia-master`. No RBAC: a master runs no tasks.
 * The domain key is generated once unless given; the configuration is reviewed by the rule book.
 * Its `endpoint` (`http(s)://kuscia-master.<namespace>.svc.cluster.local:1080`) is the gateway URL
 * lite nodes connect to (their `masterEndpoint`).
 */
export class KusciaMasterNode extends KusciaNode {
  private readonly plainDomainId: string;

  constructor(name: string, args: KusciaMasterNodeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kuscia-iac:index:KusciaMasterNode", name, {}, opts);
    this.plainDomainId = args.domainId ?? "kuscia-system";
    try {
      this.publish(buildNode(this, name, { ...args, domainId: this.plainDomainId }, opts, { component: "KusciaMasterNode", mode: "master" }));
    } catch (e) {
      refused(this, e, NODE_OUTPUTS);
    }
  }

  /** This master for {@link KusciaLiteNode}'s `master`, its Kuscia API server reached through `provider` if given. */
  asMaster(provider?: k8s.Provider): MasterRef {
    return { domainId: this.plainDomainId, endpoint: this.endpoint, ...(provider ? { provider } : {}) };
  }
}

/** The arguments of an autonomy node that a lite node takes too, with the same meaning. */
type LiteNodeCommonArgs = Pick<KusciaAutonomyNodeArgs, "createNamespace" | "image" | "protocol" | "runtime" | "kubeconfig" | "capacity" | "domainKey" | "dnsServers" | "logLevel" | "retainNamespace">;

export interface KusciaLiteNodeArgs extends ReadinessArgs, LiteNodeCommonArgs {
  /** The node's domain ID (kuscia.yaml `domainID`). Plain: it names the node's objects. */
  domainId: string;
  /** The master the node joins (a {@link KusciaMasterNode}'s `asMaster()`). */
  master: MasterRef;
  /**
   * The deploy token the node registers its certificate with, the first time, at its master
   * (kuscia.yaml `liteDeployToken`): e.g. the token add_domain_lite.sh prints, read from the master's
   * Domain `<domainId>` (`status.deployTokenStatuses`, state `unused`). Kept secret. Default: generated
   * once and kept in the state (see the class comment for how the master then accepts the node).
   */
  deployToken?: pulumi.Input<string>;
  /** Namespace of the node and, with runk, of its task pods. Default `lite-<domainId>`. Plain. */
  namespace?: string;
}

/**
 * A Kuscia lite node joined to a master, as hack/k8s/lite deploys it: Namespace `lite-<id>`, runk
 * Role and RoleBinding, the `kuscia.yaml` ConfigMap `kuscia-lite-<id>-cm` (mode lite, `masterEndpoint`,
 * `liteDeployToken`; its data a secret), Service and Deployment `kuscia-lite-<id>`.
 *
 * Joining. Upstream, the master's operator runs add_domain_lite.sh: it creates the Domain `<id>` on
 * the master, whose domain controller writes a random token into the Domain's
 * `status.deployTokenStatuses`; the lite node sends it, with a CSR for its key, the first time it
 * starts, and the master's register handler accepts the CSR when the token is there and unused
 * (pkg/gateway/controller/register_node.go), or when the Domain's `spec.cert` already holds a
 * certificate of the node's key with subject CN=<id> (isCertMatch). A status cannot be written
 * through the Kubernetes provider, so with `master.provider` the component creates that Domain on the
 * master carrying the node's certificate (generated here, CN = domain ID): the master then knows the
 * node by its key, and the token (given, or generated once) only fills `liteDeployToken`. Without
 * `master.provider`, run add_domain_lite.sh on the master and give its token as `deployToken`.
 *
 * Its `endpoint` is `http(s)://kuscia-lite-<id>.<namespace>.svc.cluster.local:1080`; its `certificate`
 * is the `cert` of its Domain on the master; its `created` also lists that Domain.
 */
export class KusciaLiteNode extends KusciaNode {
  /** The deploy token in kuscia.yaml (`liteDeployToken`). Secret. */
  declare readonly deployToken: pulumi.Output<string>;

  constructor(name: string, args: KusciaLiteNodeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kuscia-iac:index:KusciaLiteNode", name, {}, opts);
    try {
      const { master, deployToken, ...nodeArgs } = args;
      const out = buildNode(this, name, nodeArgs, opts, { component: "KusciaLiteNode", mode: "lite", masterEndpoint: master.endpoint, deployToken });
      const made: pulumi.Output<string[]>[] = [out.created];
      if (master.provider) {
        // add_domain_lite.sh's Domain, on the master, with the node's certificate (see the class comment).
        const domain = new Domain(
          `${name}-registration`,
          {
            name: args.domainId,
            cert: out.certificate,
            master: master.domainId,
            authCenter: { authenticationType: "Token", tokenGenMethod: "RSA-GEN" },
            annotations: { [`domain/${args.domainId}`]: "kuscia.secretflow/domain-type=embedded" },
            emit: "custom-resource",
            skipAwait: args.skipAwait,
            timeoutSeconds: args.timeoutSeconds,
            waitFor: args.waitFor,
          },
          { parent: this, provider: master.provider, dependsOn: opts?.dependsOn },
        );
        made.push(domain.created);
      }
      // `created` also lists `Domain/<id>` on the master.
      this.publish({ ...out, created: pulumi.all(made).apply((l) => l.flat()) }, { deployToken: out.deployToken });
    } catch (e) {
      refused(this, e, [...NODE_OUTPUTS, "deployToken"]);
    }
  }
}

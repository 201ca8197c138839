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
import { buildNode } from "./autonomynode";

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

export interface KusciaMasterNodeArgs extends ReadinessArgs {
  /** The master's domain ID (kuscia.yaml `domainID`). Default `kuscia-system`, as upstream. Plain: it names the node's objects. */
  domainId?: string;
  /** Namespace of the master. Default `kuscia-master`, as the upstream manifests. Plain. */
  namespace?: string;
  /** Create the namespace (default true). */
  createNamespace?: boolean;
  /** Kuscia image; default the upstream `kuscia:latest`. */
  image?: pulumi.Input<string>;
  /** MySQL DSN of the master's store (no `-` in the database name). Kept secret. Unset: the embedded SQLite. */
  datastore?: pulumi.Input<string>;
  /** Gateway and KusciaAPI protocol: NOTLS (default, as upstream), TLS or MTLS. */
  protocol?: pulumi.Input<NodeProtocol>;
  /** The master's RSA private key, PEM or base64, PKCS#1. Kept secret. Default: generated once. */
  domainKey?: pulumi.Input<string>;
  /** Log level; default INFO. */
  logLevel?: pulumi.Input<NodeLogLevel>;
  /** Keep the Namespace when the node is deleted (default true). */
  retainNamespace?: boolean;
}

/**
 * A Kuscia master, as hack/k8s/master deploys it: Namespace `kuscia-master`, the `kuscia.yaml`
 * ConfigMap `kuscia-master-cm` (mode master; its data a secret), Service `kuscia-master`
 * (gateway 1080, KusciaAPI 8082) and Deployment `kuscia-master`. No RBAC: a master runs no tasks.
 * The domain key is generated once unless given; the configuration is reviewed by the rule book.
 */
export class KusciaMasterNode extends pulumi.ComponentResource {
  /** The master's domain ID; depends on the node's objects. */
  readonly domainId!: pulumi.Output<string>;
  /** The master's namespace. */
  readonly namespace!: pulumi.Output<string>;
  /** Gateway URL lite nodes connect to (`masterEndpoint`): `http(s)://kuscia-master.<namespace>.svc.cluster.local:1080`. */
  readonly endpoint!: pulumi.Output<string>;
  /** base64 of the master certificate's PEM. */
  readonly certificate!: pulumi.Output<string>;
  /** The master certificate's PEM. */
  readonly certificatePem!: pulumi.Output<string>;
  /** The domain key's PEM. Secret. */
  readonly domainKeyPem!: pulumi.Output<string>;
  /** The rendered kuscia.yaml. Secret. */
  readonly kusciaYaml!: pulumi.Output<string>;
  /** `Kind/namespace/name` of every Kubernetes object created, once created. */
  readonly created!: pulumi.Output<string[]>;
  private readonly plainDomainId: string;

  constructor(name: string, args: KusciaMasterNodeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kuscia-iac:index:KusciaMasterNode", name, {}, opts);
    this.plainDomainId = args.domainId ?? "kuscia-system";
    try {
      const out = buildNode(this, name, { ...args, domainId: this.plainDomainId }, opts, { component: "KusciaMasterNode", mode: "master" });
      this.domainId = out.domainId;
      this.namespace = out.namespace;
      this.endpoint = out.endpoint;
      this.certificate = out.certificate;
      this.certificatePem = out.certificatePem;
      this.domainKeyPem = out.domainKeyPem;
      this.kusciaYaml = out.kusciaYaml;
      this.created = out.created;
      this.registerOutputs({
        domainId: this.domainId,
        namespace: this.namespace,
        endpoint: this.endpoint,
        certificate: this.certificate,
        certificatePem: this.certificatePem,
        domainKeyPem: this.domainKeyPem,
        kusciaYaml: this.kusciaYaml,
        created: this.created,
      });
    } catch (e) {
      refused(this, e, ["domainId", "namespace", "endpoint", "certificate", "certificatePem", "domainKeyPem", "kusciaYaml", "created"]);
    }
  }

  /** This master for {@link KusciaLiteNode}'s `master`, its Kuscia API server reached through `provider` if given. */
  asMaster(provider?: k8s.Provider): MasterRef {
    return { domainId: this.plainDomainId, endpoint: this.endpoint, ...(provider ? { provider } : {}) };
  }
}

export interface KusciaLiteNodeArgs extends ReadinessArgs {
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
  /** Create the namespace (default true). */
  createNamespace?: boolean;
  /** Kuscia image; default the upstream `kuscia:latest`. */
  image?: pulumi.Input<string>;
  /** Gateway and KusciaAPI protocol: NOTLS (default), TLS or MTLS. */
  protocol?: pulumi.Input<NodeProtocol>;
  /** `runk` (default: pods in `namespace`) or `runp`. Plain: it decides the RBAC objects. */
  runtime?: NodeRuntime;
  /** runk only: a kubeconfig for the cluster tasks run in (no Role is created then). Kept secret. */
  kubeconfig?: pulumi.Input<string>;
  /** Capacity Kuscia schedules against; runk default cpu 4, memory 4Gi, storage 100Gi, ephemeralStorage 200Gi. */
  capacity?: pulumi.Input<NodeCapacity>;
  /** The node's RSA private key, PEM or base64, PKCS#1. Kept secret. Default: generated once. */
  domainKey?: pulumi.Input<string>;
  /** runk only: DNS servers of task pods. Default: the node Service's ClusterIP. */
  dnsServers?: pulumi.Input<pulumi.Input<string>[]>;
  /** Log level; default INFO. */
  logLevel?: pulumi.Input<NodeLogLevel>;
  /** Keep the Namespace when the node is deleted (default true). */
  retainNamespace?: boolean;
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
 */
export class KusciaLiteNode extends pulumi.ComponentResource {
  /** The node's domain ID; depends on the node's objects. */
  readonly domainId!: pulumi.Output<string>;
  /** The node's namespace. */
  readonly namespace!: pulumi.Output<string>;
  /** The node's gateway URL: `http(s)://kuscia-lite-<id>.<namespace>.svc.cluster.local:1080`. */
  readonly endpoint!: pulumi.Output<string>;
  /** base64 of the node certificate's PEM (the `cert` of its Domain on the master). */
  readonly certificate!: pulumi.Output<string>;
  /** The node certificate's PEM. */
  readonly certificatePem!: pulumi.Output<string>;
  /** The domain key's PEM. Secret. */
  readonly domainKeyPem!: pulumi.Output<string>;
  /** The deploy token in kuscia.yaml (`liteDeployToken`). Secret. */
  readonly deployToken!: pulumi.Output<string>;
  /** The rendered kuscia.yaml. Secret: it holds the key and the token. */
  readonly kusciaYaml!: pulumi.Output<string>;
  /** `Kind/namespace/name` of every Kubernetes object created (and `Domain/<id>` on the master), once created. */
  readonly created!: pulumi.Output<string[]>;

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
      this.domainId = out.domainId;
      this.namespace = out.namespace;
      this.endpoint = out.endpoint;
      this.certificate = out.certificate;
      this.certificatePem = out.certificatePem;
      this.domainKeyPem = out.domainKeyPem;
      this.deployToken = out.deployToken;
      this.kusciaYaml = out.kusciaYaml;
      this.created = pulumi.all(made).apply((l) => l.flat());
      this.registerOutputs({
        domainId: this.domainId,
        namespace: this.namespace,
        endpoint: this.endpoint,
        certificate: this.certificate,
        certificatePem: this.certificatePem,
        domainKeyPem: this.domainKeyPem,
        deployToken: this.deployToken,
        kusciaYaml: this.kusciaYaml,
        created: this.created,
      });
    } catch (e) {
      refused(this, e, ["domainId", "namespace", "endpoint", "certificate", "certificatePem", "domainKeyPem", "deployToken", "kusciaYaml", "created"]);
    }
  }
}

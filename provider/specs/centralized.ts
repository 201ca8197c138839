import * as k8s from "@pulumi/kubernetes";
import { KusciaMasterNode, type KusciaLiteNode, type KusciaLiteNodeArgs, type KusciaMasterNodeArgs } from "../../components";
import { any, bool, enumOf, objectOf, required, str, type ComponentSpec, type Plain } from "../spec";
import { CREATED, READINESS, k8sProvider, strings } from "./common";

const plain = { plain: true };
const protocol = enumOf("NodeProtocol", ["NOTLS", "TLS", "MTLS"], "Gateway and KusciaAPI protocol of a Kuscia node.", { doc: "`NOTLS` (default, as upstream), `TLS` or `MTLS`." });
const logLevel = enumOf("NodeLogLevel", ["DEBUG", "INFO", "WARN", "ERROR"], "Log level of a Kuscia node.", { doc: "Log level; default `INFO`." });
const nodeOutputs = {
  domainId: required(str("The domain ID.")),
  namespace: required(str("The node's namespace.")),
  certificate: required(str("base64 of the node certificate's PEM.")),
  certificatePem: required(str("The node certificate's PEM.")),
  domainKeyPem: required(str("The domain key's PEM.", { secret: true })),
  kusciaYaml: required(str("The rendered kuscia.yaml.", { secret: true })),
  created: CREATED,
};

export const kusciaMasterNodeSpec: ComponentSpec<KusciaMasterNodeArgs, KusciaMasterNode> = {
  name: "KusciaMasterNode",
  description:
    "A Kuscia master as hack/k8s/master deploys it: Namespace `kuscia-master`, the `kuscia.yaml` ConfigMap `kuscia-master-cm` (mode master), Service and Deployment `kuscia-master`; no RBAC (a master runs no tasks). The domain key is generated once unless given; `kuscia.yaml` is reviewed by the rule book before anything is created.",
  inputs: {
    ...READINESS,
    retainNamespace: bool("Keep the Namespace when the component is deleted (default true).", plain),
    domainId: str("The master's domain ID. Default `kuscia-system`.", plain),
    namespace: str("Namespace of the master. Default `kuscia-master`.", plain),
    createNamespace: bool("Create the namespace (default true).", plain),
    image: str("Kuscia image; default the upstream `kuscia:latest`."),
    datastore: str("MySQL DSN of the master's store (no `-` in the database name); unset: the embedded SQLite.", { secret: true }),
    protocol,
    domainKey: str("The master's RSA private key, PEM or base64, PKCS#1. Default: generated once.", { secret: true }),
    logLevel,
  },
  example: { protocol: "TLS" },
  outputs: {
    ...nodeOutputs,
    endpoint: required(str("Gateway URL lite nodes connect to: `http(s)://kuscia-master.<namespace>.svc.cluster.local:1080`.")),
  },
};

export const kusciaLiteNodeSpec: ComponentSpec<KusciaLiteNodeArgs, KusciaLiteNode> = {
  name: "KusciaLiteNode",
  description:
    "A Kuscia lite node joined to a master, as hack/k8s/lite deploys it: Namespace `lite-<id>`, runk Role and RoleBinding, the `kuscia.yaml` ConfigMap (mode lite, `masterEndpoint`, `liteDeployToken`), Service and Deployment `kuscia-lite-<id>`. The deploy token is given (as add_domain_lite.sh prints it) or generated once, secret; with the master's provider, the Domain `<id>` is created on the master carrying the node's certificate.",
  inputs: {
    ...READINESS,
    retainNamespace: bool("Keep the Namespace when the component is deleted (default true).", plain),
    domainId: required(str("The node's domain ID (kuscia.yaml `domainID`).", plain)),
    master: required(
      objectOf<Plain<KusciaLiteNodeArgs["master"]>>("MasterRef", "The master a lite node joins (a KusciaMasterNode's `asMaster()`).", {
        domainId: required(str("The master's domain ID (e.g. `kuscia-system`).")),
        endpoint: required(str("The master's gateway URL (a KusciaMasterNode's `endpoint`).")),
        provider: k8sProvider("Provider for the master's Kuscia API server; when given, the node's Domain is created there."),
      }, { plain: true }),
    ),
    deployToken: str("The deploy token (kuscia.yaml `liteDeployToken`), e.g. printed by add_domain_lite.sh on the master. Default: generated once.", { secret: true }),
    namespace: str("Namespace of the node and its task pods. Default `lite-<domainId>`.", plain),
    createNamespace: bool("Create the namespace (default true).", plain),
    image: str("Kuscia image; default the upstream `kuscia:latest`."),
    protocol,
    runtime: enumOf("NodeRuntime", ["runk", "runp"], "Where a Kuscia node runs tasks: `runk` (pods in its namespace) or `runp` (processes in the Kuscia pod).", { ...plain, doc: "`runk` (default) or `runp`; it decides the RBAC objects." }),
    kubeconfig: str("runk only: a kubeconfig for the cluster tasks run in (no Role is created then).", { secret: true }),
    capacity: objectOf<Plain<KusciaLiteNodeArgs["capacity"]>>("NodeCapacity", "Capacity Kuscia schedules against.", {
      cpu: any("CPU: a number of cores or a quantity string, e.g. `4` or `3500m`."),
      memory: str("Memory, e.g. `4Gi`."),
      storage: str("Storage, e.g. `100Gi`."),
      ephemeralStorage: str("Ephemeral storage, e.g. `200Gi`."),
    }, { doc: "Capacity Kuscia schedules against; runk default cpu 4, memory 4Gi, storage 100Gi, ephemeralStorage 200Gi." }),
    domainKey: str("The node's RSA private key, PEM or base64, PKCS#1. Default: generated once.", { secret: true }),
    dnsServers: strings("runk only: DNS servers of task pods. Default: the node Service's ClusterIP."),
    logLevel,
  },
  example: () => {
    const master = new KusciaMasterNode("master", { protocol: "TLS" });
    return { domainId: "alice", protocol: "TLS", master: master.asMaster(new k8s.Provider("master-kuscia", { kubeconfig: "{}" })) };
  },
  outputs: {
    ...nodeOutputs,
    endpoint: required(str("The node's gateway URL: `http(s)://kuscia-lite-<id>.<namespace>.svc.cluster.local:1080`.")),
    deployToken: required(str("The deploy token in kuscia.yaml (`liteDeployToken`).", { secret: true })),
  },
};

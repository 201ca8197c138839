import type { KusciaAutonomyNode, KusciaAutonomyNodeArgs } from "../../components";
import { any, bool, enumOf, objectOf, required, str, type ComponentSpec, type Plain } from "../spec";
import { CREATED, strings, READINESS } from "./common";

// Plain in the Args: they name the node's objects or decide which exist.
const plain = { plain: true };

export const kusciaAutonomyNodeSpec: ComponentSpec<KusciaAutonomyNodeArgs, KusciaAutonomyNode> = {
  name: "KusciaAutonomyNode",
  description:
    "A Kuscia autonomy node as the upstream Kubernetes manifests deploy it: Namespace, runk Role and RoleBinding (or a kubeconfig Secret), the `kuscia.yaml` ConfigMap, Service and Deployment. The domain key is generated once unless given, with a self-signed certificate (CN = domain ID) for partners. `kuscia.yaml` is reviewed by the rule book before anything is created.",
  inputs: {
    ...READINESS,
    retainNamespace: bool("Keep the Namespace when the component is deleted (default true).", { plain: true }),
    domainId: required(str("The node's domain ID (kuscia.yaml `domainID`); names the node's objects.", plain)),
    namespace: str("Namespace of the node and, with runk, of its task pods. Default `autonomy-<domainId>`.", plain),
    createNamespace: bool("Create the namespace (default true); false reuses an existing one.", plain),
    image: str("Kuscia image; default the upstream `kuscia:latest`."),
    datastore: str("MySQL DSN (`mysql://user:password@tcp(host:3306)/database?...`, no `-` in the database name); unset: Kuscia's embedded SQLite.", { secret: true }),
    protocol: enumOf("NodeProtocol", ["NOTLS", "TLS", "MTLS"], "Gateway and KusciaAPI protocol of a Kuscia node.", { doc: "`NOTLS` (default, as upstream), `TLS` or `MTLS`; the endpoint is https unless `NOTLS`." }),
    runtime: enumOf("NodeRuntime", ["runk", "runp"], "Where a Kuscia node runs tasks: `runk` (pods in its namespace) or `runp` (processes in the Kuscia pod).", {
      ...plain,
      doc: "`runk` (default) or `runp`; it decides the RBAC objects.",
    }),
    kubeconfig: str("runk only: a kubeconfig for the cluster tasks run in, instead of the pod's service account (no Role is created then).", { secret: true }),
    capacity: objectOf<Plain<KusciaAutonomyNodeArgs["capacity"]>>("NodeCapacity", "Capacity Kuscia schedules against.", {
      // A number or a string in the Args; the schema has no union of the two.
      cpu: any("CPU: a number of cores or a quantity string, e.g. `4` or `3500m`."),
      memory: str("Memory, e.g. `4Gi`."),
      storage: str("Storage, e.g. `100Gi`."),
      ephemeralStorage: str("Ephemeral storage, e.g. `200Gi`."),
    }, { doc: "Capacity Kuscia schedules against; runk default cpu 4, memory 4Gi, storage 100Gi, ephemeralStorage 200Gi." }),
    domainKey: str("The node's RSA private key, PEM or base64 of the PEM, PKCS#1 only (Kuscia refuses PKCS#8). Default: generated once and kept in the state.", { secret: true }),
    dnsServers: strings("runk only: DNS servers of task pods. Default: the node Service's ClusterIP."),
    logLevel: enumOf("NodeLogLevel", ["DEBUG", "INFO", "WARN", "ERROR"], "Log level of a Kuscia node.", { doc: "Log level; default `INFO`." }),
  },
  example: { domainId: "alice", protocol: "TLS", capacity: { cpu: 8, memory: "16Gi" }, logLevel: "INFO" },
  outputs: {
    domainId: required(str("The domain ID.")),
    namespace: required(str("The node's namespace.")),
    endpoint: required(str("Gateway URL partners route to: `http(s)://kuscia-autonomy-<id>.<namespace>.svc.cluster.local:1080`.")),
    certificate: required(str("base64 of the node certificate's PEM, as a partner Domain's `cert` wants it.")),
    certificatePem: required(str("The node certificate's PEM (Kuscia's domain.crt).")),
    domainKeyPem: required(str("The domain key's PEM.", { secret: true })),
    kusciaYaml: required(str("The rendered kuscia.yaml (it holds the key and the DSN).", { secret: true })),
    created: CREATED,
  },
};

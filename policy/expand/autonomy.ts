/**
 * A Kuscia node on Kubernetes → the objects of the upstream manifests
 * (secretflow/kuscia hack/k8s/{autonomy,lite,master}: configmap.yaml, rbac.yaml,
 * service.yaml, deployment.yaml; master has no rbac.yaml: it runs no tasks), and two nodes peered → what the
 * peer-to-peer guide's scripts create by hand (scripts/deploy/add_domain.sh
 * `<other> p2p`, scripts/deploy/join_to_host.sh `<self> <other> <url>`).
 *
 * Pure: the node's secrets (domain key, datastore DSN, kubeconfig) come in as
 * plain strings so the rule book can review the ConfigMap exactly as it will
 * be applied; components keep them inside secret Outputs.
 */
import { stringify } from "yaml";
import { CONFIG_KEY, CONFIG_LABEL } from "../index";
import type { ObjectMeta } from "./types";
import {
  KUSCIA_API_VERSION,
  type ClusterDomainRouteResource,
  type ConfigMapObject,
  type DeploymentObject,
  type DomainResource,
  type NamespaceObject,
  type RoleBindingObject,
  type RoleObject,
  type ServiceObject,
} from "./types";

export const KUSCIA_IMAGE = "secretflow-registry.cn-hangzhou.cr.aliyuncs.com/secretflow/kuscia:latest";
export const KUSCIA_HOME = "/home/kuscia";
/** The gateway port partners call (Service port `envoy`). */
export const KUSCIA_GATEWAY_PORT = 1080;
export const RUNK_ROLE = "runk-role";
export const RUNK_ROLE_BINDING = "runk-rolebinding";
/** Where a given kubeconfig for runk is mounted (the Secret's only key). */
export const RUNK_KUBECONFIG_PATH = `${KUSCIA_HOME}/etc/conf/runk-kubeconfig`;
/** What the Token ClusterDomainRoute template of join_to_host.sh sets. */
export const TOKEN_ROLLING_UPDATE_SECONDS = 86400;

export type NodeProtocol = "NOTLS" | "TLS" | "MTLS";
/** runc needs a privileged Kuscia pod, which the upstream Kubernetes guide advises against. */
export type NodeRuntime = "runk" | "runp";
export type NodeLogLevel = "DEBUG" | "INFO" | "WARN" | "ERROR";

/** Schedulable capacity Kuscia announces (runk cannot measure it, so it is configured). */
export interface NodeCapacity {
  cpu?: number | string;
  memory?: string;
  storage?: string;
  ephemeralStorage?: string;
}

/** The upstream configmap.yaml's values: Kuscia refuses to schedule with runk when none are set. */
export const DEFAULT_RUNK_CAPACITY: Readonly<NodeCapacity> = { cpu: 4, memory: "4Gi", storage: "100Gi", ephemeralStorage: "200Gi" };

/** The node's deployment mode (kuscia.yaml `mode`). */
export type NodeMode = "autonomy" | "lite" | "master";

/** The public part of a node: everything but its secrets. */
export interface AutonomyNodeSpec {
  /** Default autonomy. */
  mode?: NodeMode;
  domainId: string;
  /** Default `autonomy-<domainId>`, `lite-<domainId>`, or `kuscia-master` (the upstream manifests'). */
  namespace?: string;
  /** lite only: the master's gateway URL (kuscia.yaml `masterEndpoint`). */
  masterEndpoint?: string;
  image?: string;
  /** Default NOTLS, as the upstream manifests (the endpoint is then http://). */
  protocol?: NodeProtocol;
  /** Default runk. */
  runtime?: NodeRuntime;
  logLevel?: NodeLogLevel;
  /** runk only; default {@link DEFAULT_RUNK_CAPACITY}. */
  capacity?: NodeCapacity;
  /** runk only: DNS servers of the task pods (the guide: the node Service's ClusterIP). */
  dnsServers?: string[];
  /** runk with a kubeconfig of its own instead of the pod's service account (no Role then). */
  runkKubeconfig?: boolean;
  /** Create the Namespace (the guide's `kubectl create ns`); default true. */
  createNamespace?: boolean;
}

/** The node's secrets, as plain strings. */
export interface NodeSecrets {
  /** base64 of the PEM private key (kuscia.yaml `domainKeyData`); absent until generated. */
  domainKeyData?: string;
  /** MySQL DSN; absent means Kuscia's embedded SQLite. */
  datastoreEndpoint?: string;
  /** lite only: the token the node registers its certificate with at its master (kuscia.yaml `liteDeployToken`). */
  liteDeployToken?: string;
}

/** Any node's spec (the autonomy node's, with `mode`). */
export type NodeSpec = AutonomyNodeSpec;

export interface AutonomyNames {
  namespace: string;
  /** Deployment, Service and `app` label: `kuscia-autonomy-<id>`. */
  app: string;
  configMap: string;
  kubeconfigSecret: string;
  /** In-cluster DNS name of the gateway. */
  host: string;
}

export function autonomyNames(domainId: string, namespace?: string): AutonomyNames {
  return nodeNames("autonomy", domainId, namespace);
}

/**
 * The names of the upstream manifests: `autonomy-<id>`/`kuscia-autonomy-<id>`,
 * `lite-<id>`/`kuscia-lite-<id>`, and `kuscia-master`/`kuscia-master` for a master.
 */
export function nodeNames(mode: NodeMode, domainId: string, namespace?: string): AutonomyNames {
  const ns = namespace ?? (mode === "master" ? "kuscia-master" : `${mode}-${domainId}`);
  const app = mode === "master" ? "kuscia-master" : `kuscia-${mode}-${domainId}`;
  return { namespace: ns, app, configMap: `${app}-cm`, kubeconfigSecret: `${app}-kubeconfig`, host: `${app}.${ns}.svc.cluster.local` };
}

/** The URL partners use for this node: https unless the gateway speaks plain HTTP. */
export function nodeEndpoint(spec: AutonomyNodeSpec): string {
  const scheme = (spec.protocol ?? "NOTLS") === "NOTLS" ? "http" : "https";
  return `${scheme}://${namesOf(spec).host}:${KUSCIA_GATEWAY_PORT}`;
}

/** The names of a node by its spec. */
export function namesOf(spec: AutonomyNodeSpec): AutonomyNames {
  return nodeNames(spec.mode ?? "autonomy", spec.domainId, spec.namespace);
}

/** kuscia.yaml as a mapping, keys in the order of the upstream template. */
export function kusciaConfig(spec: AutonomyNodeSpec, secrets: NodeSecrets): Record<string, unknown> {
  const mode = spec.mode ?? "autonomy";
  const names = namesOf(spec);
  const runtime = spec.runtime ?? "runk";
  const c: Record<string, unknown> = { mode, domainID: spec.domainId };
  if (secrets.domainKeyData !== undefined) c.domainKeyData = secrets.domainKeyData;
  c.logLevel = spec.logLevel ?? "INFO";
  if (mode === "master") {
    // hack/k8s/master/configmap.yaml: no runtime, no capacity (a master runs no tasks).
    if (secrets.datastoreEndpoint !== undefined) c.datastoreEndpoint = secrets.datastoreEndpoint;
    c.protocol = spec.protocol ?? "NOTLS";
    return c;
  }
  if (mode === "lite") {
    if (secrets.liteDeployToken !== undefined) c.liteDeployToken = secrets.liteDeployToken;
    if (spec.masterEndpoint !== undefined) c.masterEndpoint = spec.masterEndpoint;
  }
  c.runtime = runtime;
  if (runtime === "runk") {
    const runk: Record<string, unknown> = { namespace: names.namespace };
    if (spec.dnsServers && spec.dnsServers.length > 0) runk.dnsServers = [...spec.dnsServers];
    if (spec.runkKubeconfig) runk.kubeconfigFile = RUNK_KUBECONFIG_PATH;
    c.runk = runk;
    c.capacity = { ...(spec.capacity ?? DEFAULT_RUNK_CAPACITY) };
  } else if (spec.capacity) {
    c.capacity = { ...spec.capacity };
  }
  // A lite node keeps no datastore: the master holds the state.
  if (secrets.datastoreEndpoint !== undefined && mode !== "lite") c.datastoreEndpoint = secrets.datastoreEndpoint;
  c.protocol = spec.protocol ?? "NOTLS";
  return c;
}

export function kusciaYaml(spec: AutonomyNodeSpec, secrets: NodeSecrets): string {
  return stringify(kusciaConfig(spec, secrets), { lineWidth: 0 });
}

/** The node ConfigMap, labelled so the webhook and `review()` check it as a node configuration. */
export function nodeConfigMap(spec: AutonomyNodeSpec, secrets: NodeSecrets): ConfigMapObject {
  const names = namesOf(spec);
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: names.configMap, namespace: names.namespace, labels: { [CONFIG_LABEL]: "true" } },
    data: { [CONFIG_KEY]: kusciaYaml(spec, secrets) },
  };
}

/** The Secret holding a kubeconfig for runk; `V` lets a component pass a secret Output in place of the text. */
export interface KubeconfigSecret<V = string> {
  apiVersion: "v1";
  kind: "Secret";
  metadata: ObjectMeta;
  type: "Opaque";
  stringData: { kubeconfig: V };
}

export function kubeconfigSecret<V = string>(spec: AutonomyNodeSpec, kubeconfig: V): KubeconfigSecret<V> {
  const names = namesOf(spec);
  return { apiVersion: "v1", kind: "Secret", metadata: { name: names.kubeconfigSecret, namespace: names.namespace }, type: "Opaque", stringData: { kubeconfig } };
}

export type AutonomyObject = NamespaceObject | RoleObject | RoleBindingObject | ConfigMapObject | ServiceObject | DeploymentObject | KubeconfigSecret;

/**
 * Every object of the node, in the order they can be applied. The ConfigMap
 * embeds `secrets`; the kubeconfig Secret (when `runkKubeconfig`) holds
 * `kubeconfig`.
 */
export function expandAutonomyNode(spec: AutonomyNodeSpec, secrets: NodeSecrets, kubeconfig = ""): AutonomyObject[] {
  const names = namesOf(spec);
  const runtime = spec.mode === "master" ? undefined : spec.runtime ?? "runk";
  const out: AutonomyObject[] = [];
  if (spec.createNamespace !== false) out.push({ apiVersion: "v1", kind: "Namespace", metadata: { name: names.namespace } });
  // With its own kubeconfig runk acts in another cluster; the pod's service account needs no rights here.
  if (runtime === "runk" && !spec.runkKubeconfig) out.push(runkRole(names.namespace), runkRoleBinding(names.namespace));
  if (runtime === "runk" && spec.runkKubeconfig) out.push(kubeconfigSecret(spec, kubeconfig));
  out.push(nodeConfigMap(spec, secrets), nodeService(spec), nodeDeployment(spec));
  return out;
}

function runkRole(namespace: string): RoleObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: { name: RUNK_ROLE, namespace },
    rules: [
      { apiGroups: [""], resources: ["pods", "pods/log", "configmaps", "secrets"], verbs: ["*"] },
      { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["*"] },
    ],
  };
}

function runkRoleBinding(namespace: string): RoleBindingObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: { name: RUNK_ROLE_BINDING, namespace },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: RUNK_ROLE },
    subjects: [{ kind: "ServiceAccount", name: "default", namespace }],
  };
}

export function nodeService(spec: AutonomyNodeSpec): ServiceObject {
  const names = namesOf(spec);
  const port = (name: string, p: number, protocol: "TCP" | "UDP") => ({ name, port: p, protocol, targetPort: p });
  // hack/k8s/master/service.yaml: the gateway and KusciaAPI only (no task pods resolve names through a master).
  const ports =
    spec.mode === "master"
      ? [port("envoy", KUSCIA_GATEWAY_PORT, "TCP"), port("kusciaapi", 8082, "TCP")]
      : [port("envoy", KUSCIA_GATEWAY_PORT, "TCP"), port("envoy-internal", 80, "TCP"), port("dns", 53, "UDP"), port("kusciaapi", 8082, "TCP")];
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: names.app, namespace: names.namespace },
    spec: {
      type: "ClusterIP",
      selector: { app: names.app },
      ports,
    },
  };
}

/** The registry the node pulls application images from: the Kuscia image's own. */
export function registryOf(image: string): string {
  const withoutDigest = image.split("@")[0];
  const slash = withoutDigest.lastIndexOf("/");
  return slash < 0 ? "docker.io/library" : withoutDigest.slice(0, slash);
}

export function nodeDeployment(spec: AutonomyNodeSpec): DeploymentObject {
  const names = namesOf(spec);
  const image = spec.image ?? KUSCIA_IMAGE;
  const labels = { app: names.app };
  const kubeconfig = spec.mode !== "master" && spec.runtime !== "runp" && spec.runkKubeconfig;
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: names.app, namespace: names.namespace },
    spec: {
      // One pod: with the embedded SQLite store a second replica would be a second, diverging node.
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels: { ...labels } },
        spec: {
          automountServiceAccountToken: true,
          containers: [
            {
              // The upstream master manifest names its container `master`; the others the domain ID.
              name: spec.mode === "master" ? "master" : spec.domainId,
              image,
              command: ["tini", "--", "kuscia", "start", "-c", "etc/conf/kuscia.yaml"],
              // add_domain.sh reads the node's own domain ID from NAMESPACE.
              env: [
                { name: "NAMESPACE", value: spec.domainId },
                { name: "REGISTRY_ENDPOINT", value: registryOf(image) },
              ],
              workingDir: KUSCIA_HOME,
              volumeMounts: [
                { name: "kuscia-var-tmp", mountPath: `${KUSCIA_HOME}/var/tmp` },
                { name: "kuscia-config", mountPath: `${KUSCIA_HOME}/etc/conf/kuscia.yaml`, subPath: CONFIG_KEY },
                ...(kubeconfig ? [{ name: "runk-kubeconfig", mountPath: RUNK_KUBECONFIG_PATH, subPath: "kubeconfig", readOnly: true }] : []),
              ],
            },
          ],
          volumes: [
            { name: "kuscia-var-tmp", emptyDir: {} },
            { name: "kuscia-config", configMap: { name: names.configMap, defaultMode: 0o644 } },
            ...(kubeconfig ? [{ name: "runk-kubeconfig", secret: { secretName: names.kubeconfigSecret, defaultMode: 0o600 } }] : []),
          ],
        },
      },
    },
  };
}

// ---- peering (the peer-to-peer guide's scripts) ----

/** What one node tells its partner: its ID, certificate (base64 of the PEM) and gateway URL. */
export interface PeerIdentity {
  domainId: string;
  certificate: string;
  endpoint: string;
}

export interface RouteEndpoint {
  host: string;
  port: number;
  isTLS: boolean;
  pathPrefix: string;
}

/** join_to_host.sh's reading of HOST_ENDPOINT: scheme → isTLS, port 80/443 by default, path prefix `/`. */
export function routeEndpoint(url: string): RouteEndpoint {
  const withScheme = url.includes("://") ? url : `http://${url}`;
  let u: URL;
  try {
    u = new URL(withScheme);
  } catch {
    throw new Error(`endpoint ${JSON.stringify(url)} is not a URL: expected e.g. http://kuscia-autonomy-bob.autonomy-bob.svc.cluster.local:1080`);
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") throw new Error(`endpoint ${JSON.stringify(url)}: scheme must be http or https`);
  const isTLS = u.protocol === "https:";
  return { host: u.hostname, port: u.port ? Number(u.port) : isTLS ? 443 : 80, isTLS, pathPrefix: u.pathname || "/" };
}

/** add_domain.sh `<other> p2p`, run in `self`'s node: the partner Domain carrying the other's certificate. */
export function partnerDomain(other: Pick<PeerIdentity, "domainId" | "certificate">): DomainResource {
  return {
    apiVersion: KUSCIA_API_VERSION,
    kind: "Domain",
    metadata: { name: other.domainId, annotations: { [`domain/${other.domainId}`]: "kuscia.secretflow/domain-type=embedded" } },
    spec: {
      cert: other.certificate,
      role: "partner",
      authCenter: { authenticationType: "Token", tokenGenMethod: "RSA-GEN" },
      interConnProtocols: ["kuscia"],
    },
  };
}

/**
 * join_to_host.sh `<self> <other> <other's endpoint>`, run in `self`'s node:
 * the Token route `<self>-<other>`. The script's template also writes
 * `requestHeadersToAdd: {Authorization: "Bearer "}` with the empty token of
 * the p2p guide; that header carries nothing and is left out.
 */
export function peerRoute(selfId: string, other: Pick<PeerIdentity, "domainId" | "endpoint">): ClusterDomainRouteResource {
  const e = routeEndpoint(other.endpoint);
  return {
    apiVersion: KUSCIA_API_VERSION,
    kind: "ClusterDomainRoute",
    metadata: { name: `${selfId}-${other.domainId}` },
    spec: {
      source: selfId,
      destination: other.domainId,
      interConnProtocol: "kuscia",
      endpoint: { host: e.host, ports: [{ name: "http", protocol: "HTTP", pathPrefix: e.pathPrefix, isTLS: e.isTLS, port: e.port }] },
      authenticationType: "Token",
      tokenConfig: { tokenGenMethod: "RSA-GEN", rollingUpdatePeriod: TOKEN_ROLLING_UPDATE_SECONDS },
    },
  };
}

/** What one side of a peering holds in its own Kuscia API server. */
export interface PeerSide {
  domain: DomainResource;
  route: ClusterDomainRouteResource;
}

/** Both directions: each node gets the other as a partner and a route to it. */
export function peering(a: PeerIdentity, b: PeerIdentity): { a: PeerSide; b: PeerSide } {
  if (a.domainId === b.domainId) throw new Error(`a node cannot peer with itself (${JSON.stringify(a.domainId)})`);
  return {
    a: { domain: partnerDomain(b), route: peerRoute(a.domainId, b) },
    b: { domain: partnerDomain(a), route: peerRoute(b.domainId, a) },
  };
}

/**
 * kuscia.yaml's `domainKeyData` from a key given either as PEM text or already
 * as base64 of it (the form the upstream template asks for).
 */
export function domainKeyData(key: string): string {
  return key.trimStart().startsWith("-----BEGIN") ? Buffer.from(key, "utf8").toString("base64") : key.replace(/\s+/g, "");
}

/** The PEM text of a key given as PEM or as base64 of it. */
export function domainKeyPem(key: string): string {
  return key.trimStart().startsWith("-----BEGIN") ? key : Buffer.from(key.replace(/\s+/g, ""), "base64").toString("utf8");
}

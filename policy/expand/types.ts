/**
 * Shapes of the expansion: the Kuscia custom resources it reads (plain objects,
 * as stored by the API server) and the native Kubernetes objects it produces.
 * Native shapes are the @pulumi/kubernetes input types with every Input
 * unwrapped, so a produced object can be handed to `new k8s.apps.v1.Deployment`
 * as is and read back in tests without Output plumbing.
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";

type Plain<T> = pulumi.Unwrap<T>;

export const KUSCIA_API_VERSION = "kuscia.secretflow/v1alpha1";

/** Metadata as the expansion writes it: always named, labels and annotations as plain maps. */
export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

type Native<T, A extends string, K extends string> = Omit<Plain<T>, "apiVersion" | "kind" | "metadata"> & { apiVersion: A; kind: K; metadata: ObjectMeta };

export type NamespaceObject = Native<k8s.types.input.core.v1.Namespace, "v1", "Namespace">;
export type ResourceQuotaObject = Native<k8s.types.input.core.v1.ResourceQuota, "v1", "ResourceQuota">;
export type ConfigMapObject = Native<k8s.types.input.core.v1.ConfigMap, "v1", "ConfigMap">;
export type ServiceAccountObject = Native<k8s.types.input.core.v1.ServiceAccount, "v1", "ServiceAccount">;
export type ServiceObject = Native<k8s.types.input.core.v1.Service, "v1", "Service">;
export type DeploymentObject = Native<k8s.types.input.apps.v1.Deployment, "apps/v1", "Deployment">;
export type RoleObject = Native<k8s.types.input.rbac.v1.Role, "rbac.authorization.k8s.io/v1", "Role">;
export type RoleBindingObject = Native<k8s.types.input.rbac.v1.RoleBinding, "rbac.authorization.k8s.io/v1", "RoleBinding">;
export type ClusterRoleBindingObject = Native<k8s.types.input.rbac.v1.ClusterRoleBinding, "rbac.authorization.k8s.io/v1", "ClusterRoleBinding">;

/** Every kind the expansion can produce. */
export type NativeObject =
  | NamespaceObject
  | ResourceQuotaObject
  | ConfigMapObject
  | ServiceAccountObject
  | ServiceObject
  | DeploymentObject
  | RoleObject
  | RoleBindingObject
  | ClusterRoleBindingObject;

export type PolicyRule = Plain<k8s.types.input.rbac.v1.PolicyRule>;
export type Subject = Plain<k8s.types.input.rbac.v1.Subject>;
export type EnvVar = Plain<k8s.types.input.core.v1.EnvVar>;
export type Affinity = Plain<k8s.types.input.core.v1.Affinity>;
export type ResourceRequirements = Plain<k8s.types.input.core.v1.ResourceRequirements>;
export type DeploymentStrategy = Plain<k8s.types.input.apps.v1.DeploymentStrategy>;
export type Container = Plain<k8s.types.input.core.v1.Container>;

/** What an expansion yields: the objects, plus findings that only show up once objects are combined. */
export interface Expansion {
  objects: NativeObject[];
  /** The input is usable but something in it is probably not what was meant. */
  warnings: string[];
  /** The input cannot be expanded (e.g. a referenced AppImage was not given); `objects` is then empty. */
  errors: string[];
}

// ---- Kuscia custom resources, as the API server stores them (CRD defaults may be absent). ----

/** An owner reference as Kuscia's controllers write it (metav1.NewControllerRef). */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller: boolean;
  blockOwnerDeletion: boolean;
}

export interface KusciaMeta {
  name: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
}

export type InterConnProtocol = "kuscia" | "bfia";

export interface DomainSpec {
  role?: "" | "partner";
  master?: string;
  interConnProtocols?: InterConnProtocol[];
  cert?: string;
  authCenter?: { authenticationType: "Token" | "MTLS" | "None"; tokenGenMethod?: "RSA-GEN" | "RAND-GEN" | "UID-RSA-GEN" };
  resourceQuota?: { podMaxCount?: number };
}

export interface DomainResource {
  apiVersion: typeof KUSCIA_API_VERSION;
  kind: "Domain";
  metadata: KusciaMeta;
  spec: DomainSpec;
}

export type PortScope = "Cluster" | "Domain" | "Local";
export type PortProtocol = "HTTP" | "GRPC";

export interface KusciaContainerPort {
  name: string;
  port?: number;
  protocol?: PortProtocol;
  scope?: PortScope;
}

/** A container of an AppImage deploy template (Kuscia's own container type, not core/v1 Container). */
export interface KusciaContainer {
  name: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  configVolumeMounts?: { mountPath: string; subPath: string }[];
  ports?: KusciaContainerPort[];
  env?: EnvVar[];
  envFrom?: Container["envFrom"];
  resources?: ResourceRequirements;
  livenessProbe?: Container["livenessProbe"];
  readinessProbe?: Container["readinessProbe"];
  startupProbe?: Container["startupProbe"];
  metricProbe?: { path?: string; port?: string };
  imagePullPolicy?: string;
  securityContext?: Container["securityContext"];
}

export interface KusciaPodSpec {
  restartPolicy?: string;
  containers?: KusciaContainer[];
  affinity?: Affinity;
}

export interface NetworkPolicy {
  ingresses: { from: { roles: string[] }; ports: { port: string }[] }[];
}

export interface DeployTemplate {
  name: string;
  role?: string;
  replicas?: number;
  networkPolicy?: NetworkPolicy;
  spec: KusciaPodSpec;
}

export interface AppImageSpec {
  image: { name: string; tag: string; id?: string; sign?: string };
  configTemplates?: Record<string, string>;
  deployTemplates: DeployTemplate[];
}

export interface AppImageResource {
  apiVersion: typeof KUSCIA_API_VERSION;
  kind: "AppImage";
  metadata: KusciaMeta;
  spec: AppImageSpec;
}

/** A party's overrides. Only replicas, strategy, and per-container resources and affinity are used by Kuscia. */
export interface PartyTemplate {
  replicas?: number;
  strategy?: DeploymentStrategy;
  spec?: { containers?: (Partial<KusciaContainer> & { name: string })[]; affinity?: Affinity; restartPolicy?: string };
}

export interface KusciaDeploymentParty {
  domainID: string;
  appImageRef: string;
  role?: string;
  serviceNamePrefix?: string;
  template?: PartyTemplate;
}

export interface KusciaDeploymentSpec {
  initiator: string;
  inputConfig?: string;
  parties: KusciaDeploymentParty[];
}

export interface KusciaDeploymentResource {
  apiVersion: typeof KUSCIA_API_VERSION;
  kind: "KusciaDeployment";
  metadata: KusciaMeta;
  spec: KusciaDeploymentSpec;
}

export interface InteropConfigResource {
  apiVersion: typeof KUSCIA_API_VERSION;
  kind: "InteropConfig";
  metadata: KusciaMeta;
  spec: { host: string; members: string[] };
}

export interface ClusterDomainRouteSpec {
  source: string;
  destination: string;
  interConnProtocol?: InterConnProtocol;
  authenticationType: "Token" | "MTLS" | "None";
  tokenConfig?: { tokenGenMethod: "RSA-GEN" | "UID-RSA-GEN"; rollingUpdatePeriod?: number; sourcePublicKey?: string; destinationPublicKey?: string };
  mTLSConfig?: { sourceClientCert?: string; sourceClientPrivateKey?: string; tlsCA?: string };
  endpoint?: { host?: string; ports?: { name: string; port: number; protocol: PortProtocol; isTLS?: boolean; pathPrefix?: string }[] };
  transit?: { transitMethod?: "THIRD-DOMAIN" | "REVERSE-TUNNEL"; domain?: { domainID: string } };
  bodyEncryption?: { algorithm: "AES" | "SM4" };
  requestHeadersToAdd?: Record<string, string>;
  sourceWhiteIPList?: string[];
}

export interface ClusterDomainRouteResource {
  apiVersion: typeof KUSCIA_API_VERSION;
  kind: "ClusterDomainRoute";
  metadata: KusciaMeta;
  spec: ClusterDomainRouteSpec;
}

export type KusciaResource = DomainResource | AppImageResource | KusciaDeploymentResource | InteropConfigResource | ClusterDomainRouteResource;

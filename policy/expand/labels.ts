/**
 * Label, annotation and environment names the Kuscia controllers write
 * (secretflow/kuscia pkg/common/constants.go at e909d9f6). Objects that differ
 * in one of these are not recognised by Kuscia as its own, so they are spelled
 * exactly, including the underscore in `owner_namespace`.
 */
export const LABEL = {
  controller: "kuscia.secretflow/controller",
  portScope: "kuscia.secretflow/port-scope",
  loadBalancer: "kuscia.secretflow/loadbalancer",
  communicationRoleServer: "kuscia.secretflow/communication-role-server",
  communicationRoleClient: "kuscia.secretflow/communication-role-client",
  domainName: "kuscia.secretflow/domain-name",
  domainAuth: "kuscia.secretflow/domain-auth",
  nodeNamespace: "kuscia.secretflow/namespace",
  domainDeleted: "kuscia.secretflow/deleted",
  domainRole: "kuscia.secretflow/role",
  interConnProtocols: "kuscia.secretflow/interconn-protocols",
  appType: "kuscia.secretflow/app-type",
  kdUid: "kuscia.secretflow/kd-uid",
  kdName: "kuscia.secretflow/kd-name",
  deploymentName: "kuscia.secretflow/deployment-name",
  ownerNamespace: "kuscia.secretflow/owner_namespace",
} as const;

export const ANNOTATION = {
  initiator: "kuscia.secretflow/initiator",
  protocol: "kuscia.secretflow/protocol",
  accessDomain: "kuscia.secretflow/access-domain",
  stickySessionCookie: "kuscia.secretflow/sticky-session-cookie",
  stickySessionTtl: "kuscia.secretflow/sticky-session-ttl",
  configTemplateVolumes: "kuscia.secretflow/config-template-volumes",
  allocatedPorts: "kuscia.secretflow/allocated-ports",
  imageId: "kuscia.secretflow/image-id",
  affinityMode: "kuscia.secretflow/affinity-mode",
  metric: "kuscia.secretflow/should_be_scraped",
  metricPath: "kuscia.secretflow/metric_path",
  metricPort: "kuscia.secretflow/metric_port",
} as const;

export const ENV = {
  domainId: "KUSCIA_DOMAIN_ID",
  clusterDefine: "CLUSTER_DEFINE",
  allocatedPorts: "ALLOCATED_PORTS",
  inputConfig: "INPUT_CONFIG",
  servingId: "SERVING_ID",
} as const;

/** `KUSCIA_PORT_<NAME>_NUMBER`, upper-cased with `-` as `_`, as the controller names it. */
export function portNumberEnv(portName: string): string {
  return `KUSCIA_PORT_${portName}_NUMBER`.toUpperCase().replace(/-/g, "_");
}

export const CROSS_DOMAIN = "cross-domain";
export const KUSCIA_SCHEDULER = "kuscia-scheduler";
export const TAINT_TOLERATION_KEY = "kuscia.secretflow/agent";
export const CONFIG_TEMPLATE_VOLUME = "config-template";
export const STICKY_SESSION_COOKIE = "KUSCIA_SESSION";
export const STICKY_SESSION_TTL_SECONDS = 86400;

/** Objects this project creates that Kuscia itself never would (the InteropConfig RBAC) carry this. */
export const MANAGED_BY = { "app.kubernetes.io/managed-by": "kuscia-iac" } as const;

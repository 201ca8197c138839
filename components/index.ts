/**
 * The kuscia-iac Pulumi components (the package's main entry). Every component
 * takes plain, serialisable arguments (Inputs of data, `emit` a plain string)
 * so the component provider can construct them by name.
 */
export { Domain, domainResource, type DomainArgs, type DomainAuthCenterArgs, type DomainResourceQuotaArgs } from "./domain";
export {
  KusciaDeployment,
  kusciaDeploymentResource,
  statusFromCustomResource,
  type KusciaDeploymentArgs,
  type KusciaDeploymentPartyArgs,
  type PartyTemplateArgs,
  type PartyPodSpecArgs,
  type PartyContainerArgs,
} from "./kusciadeployment";
export {
  AppImage,
  appImageResource,
  type AppImageArgs,
  type AppImageImageArgs,
  type AppImageDeployTemplateArgs,
  type AppImageContainerArgs,
  type AppImagePortArgs,
  type AppImageConfigMountArgs,
  type AppImageNetworkPolicyArgs,
} from "./appimage";
export { InteropConfig, interopConfigResource, type InteropConfigArgs } from "./interopconfig";
export {
  ClusterDomainRoute,
  clusterDomainRouteResource,
  type ClusterDomainRouteArgs,
  type ClusterDomainRouteTokenConfigArgs,
  type ClusterDomainRouteMtlsArgs,
  type ClusterDomainRouteEndpointArgs,
} from "./clusterdomainroute";
export {
  DomainDataSource,
  DomainData,
  DomainDataGrant,
  type DomainDataSourceArgs,
  type DataSourceInfoArgs,
  type DataSourceType,
  type DomainDataArgs,
  type DomainDataColumnArgs,
  type DomainDataGrantArgs,
  type DomainDataGrantLimitArgs,
  type DataResource,
} from "./data";
export { KusciaJob, type KusciaJobArgs, type KusciaJobTaskArgs, type KusciaJobPartyArgs } from "./kusciajob";
export { EMIT_MODES, type Emit } from "./emit";
export { KusciaValidationError } from "./validate";
export { configurePolicy, componentPolicy, PolicyConfigError } from "./policy";
export type { PartyStatus, PartyPhase, KusciaDeploymentPhase, AppImageResource, DomainResource, KusciaDeploymentResource, InteropConfigResource, ClusterDomainRouteResource, MemberIdentity } from "../policy/expand";
export * from "./nodes";

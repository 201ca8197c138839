/** The components this provider hosts: one line each; their descriptions live in specs/. */
import {
  AdmissionWebhook,
  AppImage,
  ClusterDomainRoute,
  Domain,
  IflearnerFederation,
  IflearnerJob,
  InteropConfig,
  KusciaAutonomyNode,
  KusciaDeployment,
  NodePeering,
  DomainDataSource,
  DomainData,
  DomainDataGrant,
  KusciaJob,
  KusciaMasterNode,
  KusciaLiteNode,
} from "../components";
import { component, type ComponentEntry } from "./registry";
import { admissionWebhookSpec } from "./specs/admissionwebhook";
import { appImageSpec } from "./specs/appimage";
import { kusciaAutonomyNodeSpec } from "./specs/autonomynode";
import { clusterDomainRouteSpec } from "./specs/clusterdomainroute";
import { domainSpec } from "./specs/domain";
import { iflearnerFederationSpec } from "./specs/iflearnerfederation";
import { iflearnerJobSpec } from "./specs/iflearnerjob";
import { interopConfigSpec } from "./specs/interopconfig";
import { kusciaDeploymentSpec } from "./specs/kusciadeployment";
import { nodePeeringSpec } from "./specs/peering";
import { domainDataGrantSpec, domainDataSourceSpec, domainDataSpec } from "./specs/data";
import { kusciaJobSpec } from "./specs/kusciajob";
import { kusciaLiteNodeSpec, kusciaMasterNodeSpec } from "./specs/centralized";

export const COMPONENTS: readonly ComponentEntry[] = [
  component(Domain, domainSpec),
  component(InteropConfig, interopConfigSpec),
  component(KusciaDeployment, kusciaDeploymentSpec),
  component(AppImage, appImageSpec),
  component(ClusterDomainRoute, clusterDomainRouteSpec),
  component(KusciaAutonomyNode, kusciaAutonomyNodeSpec),
  component(NodePeering, nodePeeringSpec),
  component(IflearnerJob, iflearnerJobSpec),
  component(IflearnerFederation, iflearnerFederationSpec),
  component(AdmissionWebhook, admissionWebhookSpec),
  component(DomainDataSource, domainDataSourceSpec),
  component(DomainData, domainDataSpec),
  component(DomainDataGrant, domainDataGrantSpec),
  component(KusciaJob, kusciaJobSpec),
  component(KusciaMasterNode, kusciaMasterNodeSpec),
  component(KusciaLiteNode, kusciaLiteNodeSpec),
];

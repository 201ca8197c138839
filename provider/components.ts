/** The components this provider hosts: one line each; their descriptions live in specs/. */
import { AppImage, ClusterDomainRoute, Domain, InteropConfig, KusciaDeployment } from "../components";
import { component, type ComponentEntry } from "./registry";
import { appImageSpec } from "./specs/appimage";
import { clusterDomainRouteSpec } from "./specs/clusterdomainroute";
import { domainSpec } from "./specs/domain";
import { interopConfigSpec } from "./specs/interopconfig";
import { kusciaDeploymentSpec } from "./specs/kusciadeployment";

export const COMPONENTS: readonly ComponentEntry[] = [
  component(Domain, domainSpec),
  component(InteropConfig, interopConfigSpec),
  component(KusciaDeployment, kusciaDeploymentSpec),
  component(AppImage, appImageSpec),
  component(ClusterDomainRoute, clusterDomainRouteSpec),
];

import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { NodeProtocol } from "kuscia-iac";
import { autonomyPeering } from "./program";

const config = new pulumi.Config();
const kuscia = (name: string, kubeconfig: pulumi.Output<string> | undefined) => (kubeconfig ? new k8s.Provider(name, { kubeconfig }) : undefined);

const out = autonomyPeering({
  aliceDatastore: config.getSecret("aliceDatastore"),
  bobDatastore: config.getSecret("bobDatastore"),
  aliceKuscia: kuscia("alice-kuscia", config.getSecret("aliceKusciaKubeconfig")),
  bobKuscia: kuscia("bob-kuscia", config.getSecret("bobKusciaKubeconfig")),
  image: config.get("kusciaImage"),
  protocol: config.get("protocol") as NodeProtocol | undefined,
  skipAwait: config.getBoolean("skipAwait"),
});

export const endpoints = out.endpoints;
export const certificates = out.certificates;
export const nodeObjects = out.nodeObjects;
export const routes = out.routes;

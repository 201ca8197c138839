import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { NodeProtocol } from "kuscia-iac";
import { centralized } from "./program";

const config = new pulumi.Config();
const masterKubeconfig = config.getSecret("masterKusciaKubeconfig");
const tokens: Record<string, pulumi.Output<string>> = {};
for (const id of ["alice", "bob"]) {
  const t = config.getSecret(`${id}DeployToken`);
  if (t) tokens[id] = t;
}

const out = centralized({
  masterDatastore: config.getSecret("masterDatastore"),
  deployTokens: tokens,
  masterKuscia: masterKubeconfig ? new k8s.Provider("master-kuscia", { kubeconfig: masterKubeconfig }) : undefined,
  image: config.get("kusciaImage"),
  protocol: config.get("protocol") as NodeProtocol | undefined,
  skipAwait: config.getBoolean("skipAwait"),
});

export const masterEndpoint = out.masterEndpoint;
export const endpoints = out.endpoints;
export const certificates = out.certificates;
export const deployTokens = out.deployTokens;
export const objects = out.objects;

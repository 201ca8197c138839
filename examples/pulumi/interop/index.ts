import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { interop } from "./program";

const config = new pulumi.Config();
const provider = (name: string, kubeconfig: string | undefined) => (kubeconfig ? new k8s.Provider(name, { kubeconfig }) : undefined);

const out = interop({
  aliceCert: config.requireSecret("aliceCert"),
  bobCert: config.requireSecret("bobCert"),
  hostProvider: provider("bob-cluster", config.get("hostKubeconfig")),
  memberProvider: provider("alice-cluster", config.get("memberKubeconfig")),
  hostGateway: config.get("hostGateway"),
});

export const hostObjects = out.hostObjects;
export const memberObjects = out.memberObjects;

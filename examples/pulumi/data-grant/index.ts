import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { dataGrant } from "./program";

const config = new pulumi.Config();
const kubeconfig = config.getSecret("kusciaKubeconfig");

const out = dataGrant({
  aliceCertificate: config.require("aliceCertificate"),
  accessKeyId: config.requireSecret("ossAccessKeyId"),
  accessKeySecret: config.requireSecret("ossAccessKeySecret"),
  kuscia: kubeconfig ? new k8s.Provider("kuscia", { kubeconfig }) : undefined,
  expirationTime: config.get("grantExpirationTime"),
});

export const datasourceId = out.datasourceId;
export const domainDataId = out.domainDataId;
export const grantId = out.grantId;
export const objects = out.objects;

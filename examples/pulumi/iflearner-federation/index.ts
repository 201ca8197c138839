import * as pulumi from "@pulumi/pulumi";
import { iflearnerFederation } from "./program";

const config = new pulumi.Config();
const out = iflearnerFederation({
  image: config.get("iflearnerImage"),
  domain: config.get("domain"),
  ingressAddresses: config.getObject<Record<string, string>>("ingressAddresses"),
  skipAwait: config.getBoolean("skipAwait"),
});

export const serverHost = out.serverHost;
export const partyHosts = out.partyHosts;
export const coreDnsTemplates = out.coreDnsTemplates;
export const caCertPem = out.caCertPem;
export const objects = out.objects;

import * as pulumi from "@pulumi/pulumi";
import { webhook } from "./program";

const config = new pulumi.Config();
const out = webhook({
  image: config.get("image"),
  namespace: config.get("namespace"),
  failurePolicy: config.get("failurePolicy") as "Fail" | "Ignore" | undefined,
  skipAwait: config.getBoolean("skipAwait"),
});

export const serviceHost = out.serviceHost;
export const caBundle = out.caBundle;
export const objects = out.objects;

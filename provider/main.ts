#!/usr/bin/env node
/**
 * `pulumi-resource-kuscia-iac`: the engine starts this with its address and
 * talks gRPC to the port it prints. Also the `main` of provider/package.json,
 * for loading as a source plugin through PulumiPlugin.yaml.
 */
import * as pulumi from "@pulumi/pulumi";
import { COMPONENTS } from "./components";
import { ComponentProvider } from "./provider";
import { packageVersion } from "./schema";
import { hostSecretsInProvider } from "../components/secrets/host";

// A program in another language has no node_modules for the engine's Node.js dynamic-provider
// host: keys and certificates of the components built here are this plugin's own resources.
hostSecretsInProvider(true);
void pulumi.provider.main(new ComponentProvider(COMPONENTS, packageVersion()), process.argv.slice(2));

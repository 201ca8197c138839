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

void pulumi.provider.main(new ComponentProvider(COMPONENTS, packageVersion()), process.argv.slice(2));

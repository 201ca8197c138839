import * as pulumi from "@pulumi/pulumi";
import type { Emit } from "kuscia-iac";
import { secretflowServing } from "./program";

const config = new pulumi.Config();
const out = secretflowServing({ emit: (config.get("emit") ?? "native") as Emit });

export const domains = out.domains;
export const objects = out.objects;
export const phase = out.phase;
export const partyStatuses = out.partyStatuses;

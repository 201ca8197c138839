import type { InteropConfig, InteropConfigArgs } from "../../components";
import { enumOf, required, str, type ComponentSpec } from "../spec";
import { CREATED, EMIT, OBJECT, annotations, labels, strings, READINESS } from "./common";

export const interopConfigSpec: ComponentSpec<InteropConfigArgs, InteropConfig> = {
  name: "InteropConfig",
  description:
    "Interconnection between a host and member domains. `native` creates, on the host's cluster, per member a Role and RoleBinding `kuscia-interop-<name>` in namespace `<member>`; `custom-resource` creates the InteropConfig, which belongs to the member's cluster.",
  inputs: {
    ...READINESS,
    name: str("Name of the InteropConfig. Default: the resource name. Avoid `<member>-2-<host>`, a name Kuscia manages itself."),
    host: required(str("Domain ID of the host, whose API server the members watch and which schedules jobs for them.")),
    members: required(strings("Domain IDs of the members whose namespaces on the host are synchronised into their own cluster.")),
    memberIdentity: enumOf("MemberIdentity", ["ServiceAccount", "User"], "How members authenticate to the host (`native`): ServiceAccount `<member>` in `<member>` (default) or User `<member>` (certificate CN)."),
    labels: labels("InteropConfig"),
    annotations: annotations("InteropConfig"),
    emit: EMIT,
  },
  example: { host: "alice", members: ["bob", "carol"], memberIdentity: "ServiceAccount" },
  outputs: { object: OBJECT, created: CREATED },
};

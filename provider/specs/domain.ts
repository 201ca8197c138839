import type { Domain, DomainArgs } from "../../components";
import { arrayOf, enumOf, int, objectOf, required, str, type ComponentSpec, type Plain, bool } from "../spec";
import { AUTHENTICATION_TYPE, CREATED, EMIT, INTERCONN_PROTOCOL, OBJECT, annotations, labels, READINESS } from "./common";

export const domainSpec: ComponentSpec<DomainArgs, Domain> = {
  name: "Domain",
  description:
    "A Kuscia domain. `native` creates what Kuscia's domain controller creates (the domain's Namespace, kept on delete; its Role, ServiceAccount and RoleBindings; for local domains ConfigMap `domain-config` and ResourceQuota `resource-limitation`); `custom-resource` creates the Domain for Kuscia to reconcile.",
  inputs: {
    ...READINESS,
    retainNamespace: bool("Keep the Namespace when the component is deleted (default true).", { plain: true }),
    name: str("The domain ID (Domain and Namespace name): an RFC 1123 label, not a reserved name. Default: the resource name."),
    role: str("`partner` for a peer-to-peer partner node; empty or unset for a domain of this cluster."),
    cert: str("Base64 of the domain's PEM certificate (RSA, at least 2048 bits); required for partners."),
    interConnProtocols: arrayOf(INTERCONN_PROTOCOL, "Interconnection protocols; only the first is used. Default `[kuscia]`."),
    master: str("Master domain ID of a partner that is not its own master. Kuscia fills it for partners when unset."),
    authCenter: objectOf<Plain<DomainArgs["authCenter"]>>("DomainAuthCenter", "Authentication of this domain's nodes by the master; makes Kuscia create a ClusterDomainRoute to it.", {
      authenticationType: required(AUTHENTICATION_TYPE),
      tokenGenMethod: enumOf("DomainTokenGenMethod", ["RSA-GEN", "RAND-GEN", "UID-RSA-GEN"], "How tokens are generated."),
    }),
    resourceQuota: objectOf<Plain<DomainArgs["resourceQuota"]>>("DomainResourceQuota", "Pod quota of the domain's namespace.", {
      podMaxCount: int("Most pods the domain's namespace may run; becomes ResourceQuota `resource-limitation` (local domains only)."),
    }),
    labels: labels("Domain"),
    annotations: annotations("Domain"),
    emit: EMIT,
  },
  example: { name: "alice", interConnProtocols: ["kuscia"], resourceQuota: { podMaxCount: 20 }, labels: { team: "alice" } },
  outputs: {
    domainId: required(str("The domain ID.")),
    namespace: required(str("The domain's namespace (named after the domain).")),
    object: OBJECT,
    created: CREATED,
  },
};

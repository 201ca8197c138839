import type { IflearnerJob, IflearnerJobArgs } from "../../components";
import { any, bool, enumOf, required, str, type ComponentSpec } from "../spec";
import { CREATED, EMIT, annotations, k8sObject, labels, READINESS } from "./common";

export const IFLEARNER_ROLE = enumOf("IflearnerRole", ["server", "client"], "Role of an Iflearner job: `server` (the aggregator) or `client` (a party).");

export const IFLEARNER_IMAGE = "ghcr.io/iflytek/iflearner:v0.1.0";

export const iflearnerJobSpec: ComponentSpec<IflearnerJobArgs, IflearnerJob> = {
  name: "IflearnerJob",
  description:
    "An Iflearner job. `native` creates what the Iflearner operator creates, in current APIs: Pod `<name>`, Service `<name>` (grpc 80→50001, and http 82→50002 for the server) and a `networking.k8s.io/v1` Ingress for ingress-nginx with the role's TLS Secret; `custom-resource` creates the IflearnerJob for the operator. The job is reviewed by the rule book first.",
  inputs: {
    ...READINESS,
    name: str("Job name (Pod, Service and Ingress are named after it): a DNS-1035 label. Default: the resource name."),
    namespace: str("Namespace; default the provider's."),
    role: required(IFLEARNER_ROLE),
    host: required(str("Host the Ingress serves, e.g. `job1.server.iflearner.com` or `job1.a.party.iflearner.com`.")),
    template: required(k8sObject("PodTemplateSpec", "The pod: at least one container; the aggregator listens on 50001 (gRPC) and 50002 (HTTP).")),
    labels: labels("IflearnerJob"),
    annotations: annotations("IflearnerJob"),
    emit: EMIT,
  },
  example: {
    name: "job1-server",
    namespace: "fl",
    role: "server",
    host: "job1.server.iflearner.com",
    template: { spec: { containers: [{ name: "aggregator", image: IFLEARNER_IMAGE, args: ["python", "iflearner/business/homo/aggregate_server.py", "-n=2"] }] } },
  },
  outputs: {
    object: required(any("The IflearnerJob as admitted by the rule book.")),
    host: required(str("The host the Ingress serves.")),
    created: CREATED,
    ingressAddress: str("Address the ingress controller reports for the Ingress (IP or host name), when it does."),
  },
};

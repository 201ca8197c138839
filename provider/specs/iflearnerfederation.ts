import type { IflearnerFederation, IflearnerFederationArgs, IflearnerMemberArgs } from "../../components";
import { bool, int, mapOf, objectOf, required, str, type ComponentSpec } from "../spec";
import { CREATED, k8sObject, k8sProvider, READINESS } from "./common";
import { IFLEARNER_IMAGE } from "./iflearnerjob";

// Plain in the Args: they name hosts, certificates and objects.
const plain = { plain: true };

const member = objectOf<IflearnerMemberArgs>("IflearnerMember", "The server or a party of an Iflearner federation.", {
  namespace: str("Namespace of the member's job, TLS Secret (and, for a party, trust ConfigMaps); default `default`.", plain),
  provider: k8sProvider("Provider of the member's cluster; default the component's."),
  template: required(k8sObject("PodTemplateSpec", "The member's pod: the aggregator for the server, the training client for a party.")),
});

const template = (args: string[]) => ({ spec: { containers: [{ name: "main", image: IFLEARNER_IMAGE, args }] } });

export const iflearnerFederationSpec: ComponentSpec<IflearnerFederationArgs, IflearnerFederation> = {
  name: "IflearnerFederation",
  description:
    "An Iflearner federation from one declaration: a CA; per member a certificate for its zone in the TLS Secret its Ingress serves; in each party's namespace the ConfigMaps clients mount to trust the server and the other parties; the server job and one job per party (IflearnerJob); and the CoreDNS `template` blocks that send the federation's names to the ingress controllers.",
  inputs: {
    ...READINESS,
    domain: str("DNS domain of the federation; default `iflearner.com`.", plain),
    job: str("First label of every host (`<job>.server.<domain>`, `<job>.<party>.party.<domain>`) and prefix of the job names; default the resource name.", plain),
    // Plain, as in the Args: the members decide which resources exist, and through which provider.
    server: required({ ...member, ...plain, doc: "The server (the aggregator)." }),
    parties: required(mapOf(member, "Parties by name; a name is a DNS label (it becomes `<party>.party.<domain>`).", plain)),
    ingressAddresses: mapOf({ kind: "string", description: "IP address" }, "Address (IP) of each member's ingress controller, keyed `server` or the party name, for the CoreDNS blocks. Default: the address the member's Ingress reports."),
    caDays: int("Validity of the CA in days; default 3650.", plain),
    certDays: int("Validity of the Ingress certificates in days (capped at the CA's); default 3650.", plain),
  },
  example: {
    job: "job1",
    server: { namespace: "fl-server", template: template(["python", "iflearner/business/homo/aggregate_server.py", "-n=2"]) },
    parties: {
      a: { namespace: "fl-a", template: template(["python", "quickstart_pytorch.py", "--name=a"]) },
      b: { namespace: "fl-b", template: template(["python", "quickstart_pytorch.py", "--name=b"]) },
    },
    ingressAddresses: { server: "10.0.0.1", a: "10.0.0.2", b: "10.0.0.3" },
  },
  outputs: {
    caCertPem: required(str("The federation CA's PEM certificate (what the trust ConfigMaps hold).")),
    serverHost: required(str("Host of the server's job.")),
    partyHosts: required(mapOf({ kind: "string", description: "host" }, "Host of each party's job, by party name.")),
    coreDnsTemplates: required(str("CoreDNS `template` blocks to add to the Corefile of every member cluster.")),
    created: CREATED,
  },
};

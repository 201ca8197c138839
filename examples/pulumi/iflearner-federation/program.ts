/**
 * The program body, separate from index.ts so tests and the end-to-end suite
 * can run it inline.
 *
 * The federation of the Iflearner operator's README (server `job1` and
 * parties a and b, which also talk to each other), created natively: what the
 * operator would create plus what its README makes by hand (certificates, TLS
 * Secrets, trust ConfigMaps, CoreDNS templates). Each member has its own
 * namespace here; give providers to put them in separate clusters.
 */
import type * as k8s from "@pulumi/kubernetes";
import { IflearnerFederation } from "kuscia-iac";

export interface IflearnerFederationOptions {
  image?: string;
  domain?: string;
  /** Ingress controller address per member (`server`, `a`, `b`); default: what each Ingress reports. */
  ingressAddresses?: Record<string, string>;
  /** Providers of the members' clusters; default: the ambient kubeconfig for all. */
  clusters?: { server?: k8s.Provider; a?: k8s.Provider; b?: k8s.Provider };
  skipAwait?: boolean;
}

const JOB = "job1";

export function iflearnerFederation(opts: IflearnerFederationOptions = {}) {
  const image = opts.image ?? "ghcr.io/iflytek/iflearner:v0.1.0";
  const domain = opts.domain ?? "iflearner.com";
  // Parties reach the server and each other through the ingress controllers, on 443.
  const party = (name: string, peer: string) => ({
    namespace: `iflearner-${name}`,
    provider: opts.clusters?.[name as "a" | "b"],
    template: {
      spec: {
        restartPolicy: "Never",
        containers: [
          {
            name: "iflearner-client",
            image,
            imagePullPolicy: "IfNotPresent",
            workingDir: "/iflearner/examples/homo/quickstart_pytorch",
            args: [
              "python",
              "-u",
              "quickstart_pytorch.py",
              `--name=client-${name}`,
              "--epochs=10",
              `--server=${JOB}.server.${domain}:443`,
              "--cert=/etc/server-iflearner-secret.crt",
              `--peers=0.0.0.0:50001;${JOB}.${peer}.party.${domain}:443`,
              "--peer-cert=/etc/party-iflearner-secret.crt",
            ],
          },
        ],
      },
    },
  });
  const federation = new IflearnerFederation(JOB, {
    job: JOB,
    domain,
    server: {
      namespace: "iflearner-server",
      provider: opts.clusters?.server,
      template: {
        spec: {
          containers: [
            { name: "iflearner-server", image, imagePullPolicy: "IfNotPresent", args: ["python", "iflearner/business/homo/aggregate_server.py", "-n=2", "--epochs=10"] },
          ],
        },
      },
    },
    parties: { a: party("a", "b"), b: party("b", "a") },
    ingressAddresses: opts.ingressAddresses,
    skipAwait: opts.skipAwait,
  });
  return {
    serverHost: federation.serverHost,
    partyHosts: federation.partyHosts,
    coreDnsTemplates: federation.coreDnsTemplates,
    caCertPem: federation.caCertPem,
    objects: federation.created,
  };
}

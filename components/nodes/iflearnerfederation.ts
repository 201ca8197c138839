import * as pulumi from "@pulumi/pulumi";
import { refused } from "../refusal";
import type * as k8s from "@pulumi/kubernetes";
import { coreDnsTemplates, iflearnerTlsSecret, iflearnerTrustConfigMaps, partyZone, serverZone, zoneSans, type IflearnerRole } from "../../policy/expand/iflearner";
import { family, objectRef, pairNaming, whenCreated, type ReadinessArgs } from "../children";
import { namedCertificateAuthority, namedIssuedKeyPair, DEFAULT_CERT_DAYS } from "../secrets";
import { KusciaValidationError, admitOrThrow } from "../validate";
import { isKnown } from "../known";
import { IflearnerJob, iflearnerJobResource, type IflearnerJobArgs } from "./iflearnerjob";
import { createObject, type KubeObject } from "./objects";

const COMPONENT = "IflearnerFederation";

export interface IflearnerMemberArgs {
  /** Namespace of the member's job, TLS Secret (and, for a party, trust ConfigMaps); default `default`. Plain: it names objects. */
  namespace?: string;
  /** Provider of the member's cluster; default the ambient one. */
  provider?: k8s.Provider;
  /** The member's pod: the aggregator for the server, the training client for a party. */
  template: pulumi.Input<k8s.types.input.core.v1.PodTemplateSpec>;
}

export interface IflearnerFederationArgs extends ReadinessArgs {
  /** DNS domain of the federation; default `iflearner.com`. Plain: it names hosts and certificates. */
  domain?: string;
  /** First label of every host (`<job>.server.<domain>`, `<job>.<party>.party.<domain>`) and prefix of the job names; default the resource name. */
  job?: string;
  server: IflearnerMemberArgs;
  /** Parties by name; a name is a DNS label (it becomes `<party>.party.<domain>`). */
  parties: Record<string, IflearnerMemberArgs>;
  /**
   * Address (IP) of each member's ingress controller, keyed `server` or the party name, for the CoreDNS blocks.
   * Default: the address the member's Ingress reports.
   */
  ingressAddresses?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Validity of the CA in days; default 3650. */
  caDays?: number;
  /** Validity of the Ingress certificates in days (capped at the CA's); default 3650, as the operator's README. */
  certDays?: number;
}

interface Member {
  /** `server` or the party name: names the member's resources. */
  label: string;
  role: IflearnerRole;
  /** DNS zone the member's certificate covers. */
  zone: string;
  args: IflearnerMemberArgs;
  jobName: string;
}

/**
 * An Iflearner federation from one declaration: a CA; per member a certificate
 * for its zone (`*.server.<domain>` and `server.<domain>`, or
 * `*.<party>.party.<domain>` and `<party>.party.<domain>`) in the TLS Secret its
 * Ingress serves; in each party's namespace the ConfigMaps clients mount to
 * trust the server and the other parties; the server job and one job per
 * party (see {@link IflearnerJob}); and the CoreDNS `template` blocks that
 * send the federation's names to the ingress controllers.
 */
export class IflearnerFederation extends pulumi.ComponentResource {
  /** The federation CA's PEM certificate (what the trust ConfigMaps hold). */
  readonly caCertPem!: pulumi.Output<string>;
  readonly serverHost!: pulumi.Output<string>;
  /** Host of each party's job, by party name. */
  readonly partyHosts!: pulumi.Output<Record<string, string>>;
  /** CoreDNS `template` blocks to add to the Corefile of every member cluster. */
  readonly coreDnsTemplates!: pulumi.Output<string>;
  /** `Kind/namespace/name` of every Kubernetes object created, once created. */
  readonly created!: pulumi.Output<string[]>;

  constructor(name: string, args: IflearnerFederationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("kuscia-iac:index:IflearnerFederation", name, {}, opts);
    try {
      const domain = args.domain ?? "iflearner.com";
      const job = args.job ?? name;
      const parties = Object.keys(args.parties);
      checkMembers(name, args, this);
      const fam = family(this, name, opts, args);
      const members: Member[] = [
        { label: "server", role: "server", zone: serverZone(domain), args: args.server, jobName: `${job}-server` },
        ...parties.map((p): Member => ({ label: p, role: "client", zone: partyZone(p, domain), args: args.parties[p], jobName: `${job}-${p}` })),
      ];
      const jobArgs = (m: Member): IflearnerJobArgs => ({
        name: m.jobName,
        namespace: m.args.namespace ?? "default",
        role: m.role,
        host: `${job}.${m.zone}`,
        template: m.args.template,
        skipAwait: args.skipAwait,
        timeoutSeconds: args.timeoutSeconds,
        waitFor: args.waitFor,
      });
      // Every job the rule book can judge now is judged before anything is created, not one at a time.
      for (const m of members) {
        const a = jobArgs(m);
        if (isKnown(a)) admitOrThrow("IflearnerJob", `${name}-${m.label}`, iflearnerJobResource(`${name}-${m.label}`, a as pulumi.Unwrap<IflearnerJobArgs>));
      }

      // Keys and certificates are named after what they certify, not after the component (see children.ts).
      const child = { parent: this, dependsOn: fam.dependsOn };
      const certDays = args.certDays ?? DEFAULT_CERT_DAYS;
      // These never carried the provider's name.
      const ca = namedCertificateAuthority(pairNaming(fam, `${job}.${domain}/ca`, "SelfSignedCertificate", `${name}-ca`, false), { commonName: `Iflearner federation CA (${domain})`, days: args.caDays ?? DEFAULT_CERT_DAYS }, child);
      const caPem = ca.cert.certPem;

      const resources: pulumi.CustomResource[] = [];
      const refs: string[] = [];
      const jobs: IflearnerJob[] = [];

      const member = (m: Member) => {
        const namespace = m.args.namespace ?? "default";
        const at = { parent: this, ...(m.args.provider ? { provider: m.args.provider } : {}) };
        // Members in other clusters may use the same namespace: their objects are told apart by the member.
        const mf = { ...fam, component: `${name}-${m.label}`, label: m.label, provider: m.args.provider ?? fam.provider };
        const tls = namedIssuedKeyPair(pairNaming(fam, `${job}.${m.zone}/tls`, "IssuedCertificate", `${name}-${m.label}-tls`, false), { ca, commonName: `*.${m.zone}`, sans: zoneSans(m.zone), days: certDays }, child);
        const objects: KubeObject[] = [iflearnerTlsSecret(m.role, namespace, tls.cert.certPem, tls.key.privateKeyPem) as unknown as KubeObject];
        if (m.role === "client") objects.push(...(iflearnerTrustConfigMaps(namespace, caPem) as unknown as KubeObject[]));
        const made = objects.map((o) => {
          const r = createObject(mf, o, m.args.provider ? { provider: m.args.provider } : {}, o.kind === "Secret" ? ["stringData", "data"] : []);
          resources.push(r);
          refs.push(objectRef(o));
          return r;
        });
        // The pod mounts the trust ConfigMaps and the Ingress serves the Secret: have them first.
        const j = new IflearnerJob(`${name}-${m.label}`, jobArgs(m), { ...at, dependsOn: [...made, ...(Array.isArray(fam.dependsOn) ? fam.dependsOn : fam.dependsOn ? [fam.dependsOn as pulumi.Input<pulumi.Resource>] : [])] });
        jobs.push(j);
        return j;
      };

      const [server, ...partyJobs] = members.map(member);

      const reported = pulumi.all([server.ingressAddress, ...partyJobs.map((j) => j.ingressAddress)]);
      this.coreDnsTemplates = pulumi.all([pulumi.output(args.ingressAddresses ?? {}), reported]).apply(([given, [serverIp, ...partyIps]]) =>
        coreDnsTemplates(domain, parties, {
          server: given.server ?? serverIp,
          parties: Object.fromEntries(parties.map((p, i) => [p, given[p] ?? partyIps[i]])),
        }),
      );
      this.caCertPem = caPem;
      this.serverHost = server.host;
      this.partyHosts = pulumi.all(partyJobs.map((j) => j.host)).apply((hosts) => Object.fromEntries(parties.map((p, i) => [p, hosts[i]])));
      this.created = pulumi.all([whenCreated(resources, refs), ...jobs.map((j) => j.created)]).apply(([own, ...rest]) => [...own, ...rest.flat()]);
      this.registerOutputs({ caCertPem: this.caCertPem, serverHost: this.serverHost, partyHosts: this.partyHosts, coreDnsTemplates: this.coreDnsTemplates, created: this.created });
    } catch (e) {
      refused(this, e, ["caCertPem", "serverHost", "partyHosts", "coreDnsTemplates", "created"]);
    }
  }
}

/**
 * The TLS Secret and trust ConfigMaps have fixed names (the operator's), so
 * two parties cannot share a namespace of one cluster; the server may share
 * one with a party (its Secret has another name).
 */
function checkMembers(name: string, args: IflearnerFederationArgs, on: pulumi.Resource): void {
  const findings: string[] = [];
  const parties = Object.entries(args.parties);
  if (parties.length === 0) findings.push("parties: needs at least one party");
  const seen = new Map<string, string>();
  const clusterIds = new Map<k8s.Provider | undefined, number>();
  for (const [party, m] of parties) {
    if (!clusterIds.has(m.provider)) clusterIds.set(m.provider, clusterIds.size);
    const key = `${clusterIds.get(m.provider)}/${m.namespace ?? "default"}`;
    const other = seen.get(key);
    if (other !== undefined) {
      findings.push(
        `parties.${party}.namespace: ${JSON.stringify(m.namespace ?? "default")} is also party ${JSON.stringify(other)}'s in the same cluster; each party needs its own namespace (its Ingress serves Secret party-iflearner-secret, made for that party's names)`,
      );
    }
    seen.set(key, party);
  }
  if (findings.length > 0) throw new KusciaValidationError(COMPONENT, name, findings, on);
}

/**
 * IflearnerJob → what the Iflearner operator (iflytek/iflearner-operator,
 * controllers/iflearnerjob_controller.go) creates for it, in today's APIs:
 * Pod `<name>`, Service `<name>` and an Ingress for ingress-nginx, as
 * `networking.k8s.io/v1` (the operator still writes the removed
 * `extensions/v1beta1`, so its Ingress no longer applies on current clusters).
 *
 * Also the trust material and DNS the operator's README makes by hand: the
 * TLS Secrets the Ingresses serve, the ConfigMaps clients mount to trust them,
 * and the CoreDNS `template` blocks that send the federation's names to each
 * ingress controller.
 *
 * Pure: plain objects in and out.
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as k8s from "@pulumi/kubernetes";
import type { KusciaMeta, ObjectMeta, ServiceObject } from "./types";

type Plain<T> = pulumi.Unwrap<T>;

export const IFLEARNER_API_VERSION = "git.iflytek.com/v1";
export type IflearnerRole = "server" | "client";

export const IFLEARNER = {
  podGrpcPort: 50001,
  podHttpPort: 50002,
  serviceGrpcPort: 80,
  serviceHttpPort: 82,
  serverTlsSecret: "server-iflearner-secret",
  partyTlsSecret: "party-iflearner-secret",
  /** ConfigMap → the file clients pass as `--cert` (server) and `--peer-cert` (parties). */
  serverTrust: { configMap: "server-iflearner-crt", file: "server-iflearner-secret.crt" },
  partyTrust: { configMap: "party-iflearner-crt", file: "party-iflearner-secret.crt" },
  ingressClassName: "nginx",
} as const;

/** The operator's Ingress annotations; `kubernetes.io/ingress.class` is replaced by `spec.ingressClassName`. */
export const IFLEARNER_INGRESS_ANNOTATIONS: Readonly<Record<string, string>> = {
  "nginx.ingress.kubernetes.io/ssl-redirect": "true",
  "nginx.ingress.kubernetes.io/backend-protocol": "GRPC",
  "nginx.ingress.kubernetes.io/proxy-body-size": "1024m",
};

export type PodTemplateSpec = Plain<k8s.types.input.core.v1.PodTemplateSpec>;

export interface IflearnerJobResource {
  apiVersion: typeof IFLEARNER_API_VERSION;
  kind: "IflearnerJob";
  metadata: KusciaMeta;
  spec: { role: IflearnerRole; host: string; template: PodTemplateSpec };
}

export type PodObject = Omit<Plain<k8s.types.input.core.v1.Pod>, "apiVersion" | "kind" | "metadata"> & { apiVersion: "v1"; kind: "Pod"; metadata: ObjectMeta };
export type IngressObject = Omit<Plain<k8s.types.input.networking.v1.Ingress>, "apiVersion" | "kind" | "metadata"> & {
  apiVersion: "networking.k8s.io/v1";
  kind: "Ingress";
  metadata: ObjectMeta;
};
export type IflearnerObject = PodObject | ServiceObject | IngressObject;

export function tlsSecretName(role: IflearnerRole): string {
  return role === "server" ? IFLEARNER.serverTlsSecret : IFLEARNER.partyTlsSecret;
}

/** Pod, Service and Ingress of an admitted job (run `review()` first: this trusts its input). */
export function expandIflearnerJob(job: IflearnerJobResource): IflearnerObject[] {
  const name = job.metadata.name;
  const namespace = job.metadata.namespace;
  const meta = (extra: Partial<ObjectMeta> = {}): ObjectMeta => ({ name, ...(namespace ? { namespace } : {}), ...extra });
  return [pod(job, meta), service(job, meta), ingress(job, meta)];
}

function pod(job: IflearnerJobResource, meta: (extra?: Partial<ObjectMeta>) => ObjectMeta): PodObject {
  const name = job.metadata.name;
  const t = job.spec.template;
  const spec = structuredClone(t.spec ?? { containers: [] });
  if (job.spec.role === "client" && spec.containers.length > 0) {
    // The operator mounts the trust files into the first container only.
    const first = spec.containers[0];
    first.volumeMounts = [...(first.volumeMounts ?? [])];
    spec.volumes = [...(spec.volumes ?? [])];
    for (const trust of [IFLEARNER.serverTrust, IFLEARNER.partyTrust]) {
      first.volumeMounts.push({ name: trust.configMap, mountPath: `/etc/${trust.file}`, subPath: trust.file, readOnly: true });
      spec.volumes.push({ name: trust.configMap, configMap: { name: trust.configMap } });
    }
  }
  // Template labels are applied over app=<name>, as the operator does (the rule book refuses a different app label).
  const labels = { app: name, ...(t.metadata?.labels ?? {}) };
  const annotations = t.metadata?.annotations;
  return { apiVersion: "v1", kind: "Pod", metadata: meta({ labels, ...(annotations ? { annotations: { ...annotations } } : {}) }), spec };
}

function service(job: IflearnerJobResource, meta: (extra?: Partial<ObjectMeta>) => ObjectMeta): ServiceObject {
  const name = job.metadata.name;
  const ports: { name: string; port: number; protocol: string; targetPort: number }[] = [{ name: "grpc", port: IFLEARNER.serviceGrpcPort, protocol: "TCP", targetPort: IFLEARNER.podGrpcPort }];
  if (job.spec.role === "server") ports.push({ name: "http", port: IFLEARNER.serviceHttpPort, protocol: "TCP", targetPort: IFLEARNER.podHttpPort });
  return { apiVersion: "v1", kind: "Service", metadata: meta({ labels: { app: name } }), spec: { type: "ClusterIP", selector: { app: name }, ports } };
}

function ingress(job: IflearnerJobResource, meta: (extra?: Partial<ObjectMeta>) => ObjectMeta): IngressObject {
  const host = job.spec.host;
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: meta({ annotations: { ...IFLEARNER_INGRESS_ANNOTATIONS } }),
    spec: {
      ingressClassName: IFLEARNER.ingressClassName,
      tls: [{ hosts: [host], secretName: tlsSecretName(job.spec.role) }],
      rules: [
        {
          host,
          http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: job.metadata.name, port: { number: IFLEARNER.serviceGrpcPort } } } }] },
        },
      ],
    },
  };
}

// ---- a federation: names, trust material, DNS ----

/** `server.<domain>` and `<party>.party.<domain>`: the zones the certificates and the CoreDNS templates cover. */
export function serverZone(domain: string): string {
  return `server.${domain}`;
}

export function partyZone(party: string, domain: string): string {
  return `${party}.party.${domain}`;
}

/** Subject alternative names of a zone's certificate: the zone and every name under it. */
export function zoneSans(zone: string): string[] {
  return [`*.${zone}`, zone];
}

/** A TLS Secret; `V` lets a component pass secret Outputs in place of the PEM text. */
export interface TlsSecretObject<V = string> {
  apiVersion: "v1";
  kind: "Secret";
  metadata: ObjectMeta;
  type: "kubernetes.io/tls";
  stringData: { "tls.crt": V; "tls.key": V };
}

export function iflearnerTlsSecret<V = string>(role: IflearnerRole, namespace: string, certPem: V, keyPem: V): TlsSecretObject<V> {
  return { apiVersion: "v1", kind: "Secret", metadata: { name: tlsSecretName(role), namespace }, type: "kubernetes.io/tls", stringData: { "tls.crt": certPem, "tls.key": keyPem } };
}

export interface TrustConfigMapObject<V = string> {
  apiVersion: "v1";
  kind: "ConfigMap";
  metadata: ObjectMeta;
  data: Record<string, V>;
}

/** The two ConfigMaps a client mounts; both hold the federation CA, which signed every Ingress certificate. */
export function iflearnerTrustConfigMaps<V = string>(namespace: string, caPem: V): TrustConfigMapObject<V>[] {
  return [IFLEARNER.serverTrust, IFLEARNER.partyTrust].map((t) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: t.configMap, namespace }, data: { [t.file]: caPem } }));
}

const REGEX_SPECIAL = /[\\^$.*+?()[\]{}|]/g;

/**
 * The README's CoreDNS `template` block for one zone, answering every name in
 * it (and the zone itself) with the ingress controller's address. The match
 * is anchored on the fully qualified name CoreDNS matches against.
 */
export function coreDnsTemplate(zone: string, ip: string): string {
  const type = ip.includes(":") ? "AAAA" : "A";
  const re = `^(.*\\.)?${zone.replace(REGEX_SPECIAL, "\\$&")}\\.$`;
  return [`template IN ${type} ${zone} {`, `    match ${re}`, `    answer "{{ .Name }} 60 IN ${type} ${ip}"`, `    fallthrough`, `}`].join("\n");
}

/**
 * Blocks for the server and every party whose ingress address is known, in
 * that order; a zone without an address gets a comment saying so, so the
 * text can be pasted into the Corefile either way.
 */
export function coreDnsTemplates(domain: string, parties: readonly string[], ips: { server?: string; parties?: Readonly<Record<string, string | undefined>> }): string {
  const zones: [string, string | undefined][] = [[serverZone(domain), ips.server], ...parties.map((p): [string, string | undefined] => [partyZone(p, domain), ips.parties?.[p]])];
  return zones.map(([zone, ip]) => (ip ? coreDnsTemplate(zone, ip) : `# ${zone}: no ingress address known yet`)).join("\n") + "\n";
}

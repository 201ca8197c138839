/**
 * The certificate inventory: every Domain certificate and route mTLS certificate
 * with its notAfter, as the Prometheus gauge
 * `kuscia_iac_certificate_expiry_timestamp_seconds{kind,namespace,name,field}`
 * (`audit --metrics-file` writes it in the node exporter's textfile-collector format).
 */
import { renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { Gauge, Registry } from "prom-client";
import { at } from "../policy/checks/values";
import { parseCertificate } from "../policy/checks/pem";

export interface CertificateEntry {
  kind: string;
  namespace: string;
  name: string;
  /** Dotted field, e.g. `spec.cert`. */
  field: string;
  notAfter: Date;
}

const KUSCIA = "kuscia.secretflow/v1alpha1";

/** Where certificates are, per kind. */
const FIELDS: Record<string, string[][]> = {
  [`${KUSCIA}/Domain`]: [["spec", "cert"]],
  [`${KUSCIA}/ClusterDomainRoute`]: [["spec", "mTLSConfig", "sourceClientCert"], ["spec", "mTLSConfig", "tlsCA"]],
  [`${KUSCIA}/DomainRoute`]: [["spec", "mTLSConfig", "sourceClientCert"], ["spec", "mTLSConfig", "tlsCA"]],
};

/** The parseable certificates of one object (unparseable ones are the rule book's findings). */
export function certificatesOf(obj: unknown): CertificateEntry[] {
  const apiVersion = at(obj, "apiVersion");
  const kind = at(obj, "kind");
  const fields = FIELDS[`${String(apiVersion)}/${String(kind)}`];
  if (!fields) return [];
  const name = at(obj, "metadata", "name");
  const ns = at(obj, "metadata", "namespace");
  const out: CertificateEntry[] = [];
  for (const f of fields) {
    const v = at(obj, ...f);
    if (typeof v !== "string" || v === "") continue;
    const c = parseCertificate(v);
    if ("cert" in c && !Number.isNaN(c.cert.notAfter.getTime())) {
      out.push({ kind: String(kind), namespace: typeof ns === "string" ? ns : "", name: String(name ?? ""), field: f.join("."), notAfter: c.cert.notAfter });
    }
  }
  return out;
}

export const CERTIFICATE_EXPIRY_METRIC = "kuscia_iac_certificate_expiry_timestamp_seconds";

/** A gauge of `entries` in `registry` (a new one by default). */
export function certificateGauge(entries: Iterable<CertificateEntry>, registry = new Registry()): Registry {
  const g = (registry.getSingleMetric(CERTIFICATE_EXPIRY_METRIC) as Gauge<string> | undefined) ??
    new Gauge({
      name: CERTIFICATE_EXPIRY_METRIC,
      help: "notAfter of each Kuscia Domain and route mTLS certificate, as a Unix timestamp",
      labelNames: ["kind", "namespace", "name", "field"],
      registers: [registry],
    });
  g.reset();
  for (const e of entries) g.set({ kind: e.kind, namespace: e.namespace, name: e.name, field: e.field }, Math.floor(e.notAfter.getTime() / 1000));
  return registry;
}

/** Text exposition of the certificate gauge, sorted so the same inventory gives the same bytes. */
export async function certificateMetricsText(entries: readonly CertificateEntry[]): Promise<string> {
  const sorted = [...entries].sort((a, b) => `${a.kind}\u0000${a.namespace}\u0000${a.name}\u0000${a.field}`.localeCompare(`${b.kind}\u0000${b.namespace}\u0000${b.name}\u0000${b.field}`));
  return certificateGauge(sorted).metrics();
}

/** Writes the file atomically (a textfile collector must never read half a file). */
export async function writeMetricsFile(file: string, entries: readonly CertificateEntry[]): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  writeFileSync(tmp, await certificateMetricsText(entries));
  renameSync(tmp, file);
}

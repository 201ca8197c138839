/**
 * One audit of a cluster: every kind the rule book knows, listed page by page in
 * every namespace the caller may read, each object reviewed as it arrives and
 * dropped; only findings, names for the reference checks and the certificate
 * inventory are kept, so memory follows the findings, not the cluster.
 */
import { CONFIG_LABEL, ReferenceIndex, defaultPolicyConfiguration, knownKinds, referencedKinds, review, type PolicyConfig } from "../policy";
import { at } from "../policy/checks/values";
import type { Finding, ObjectResult, Report } from "../review/run";
import { ApiError, KubeClient, type ApiResource, type Json } from "./kube";
import { certificatesOf, type CertificateEntry } from "./certificates";
import { plural } from "../policy/plural";

export interface AuditResult extends ObjectResult {
  uid?: string;
  /** The kind policy's id (`domain`, `kd`, ...): a PolicyReport result's `policy`. */
  policy: string;
}

export interface AuditReport extends Report {
  results: AuditResult[];
}

export interface ScanOptions {
  config?: PolicyConfig;
  now?: Date;
  pageSize?: number;
  /** Cross-object reference checks (default true). */
  references?: boolean;
  /** Progress lines (standard error). */
  progress?: (line: string) => void;
  /** Problems that do not stop the audit (a 403 on one kind, a kind the API server does not serve). */
  notice?: (line: string) => void;
}

export interface ScanOutcome {
  report: AuditReport;
  certificates: CertificateEntry[];
  /** Objects without findings, per namespace ("" cluster-scoped): the reports' `pass` counts. */
  clean: Map<string, number>;
  /** `kind` or `kind in namespace` that could not be read (403). */
  forbidden: string[];
  /** True when some kind could not be read in some namespace: reports must not be pruned. */
  incomplete: boolean;
  /** The kubeconfig context. */
  context: string;
}

const NODE_CONFIG_SELECTOR = `${CONFIG_LABEL}=true`;

/** Runs the audit. Throws on connection errors and answers other than 403 (exit status 2). */
export async function scanCluster(client: KubeClient, opts: ScanOptions = {}): Promise<ScanOutcome> {
  const now = opts.now ?? new Date();
  const pageSize = opts.pageSize ?? 500;
  const file = `cluster:${client.context}`;
  const results: AuditResult[] = [];
  const certificates: CertificateEntry[] = [];
  const clean = new Map<string, number>();
  const forbidden: string[] = [];
  const refs = new ReferenceIndex();
  const complete = new Set<string>();
  const policyIds = new Map(knownKinds().map((k) => [`${k.apiVersion}/${k.kind}`, k.id]));
  let incomplete = false;
  let objects = 0;
  let index = 0;
  let namespaces: string[] | undefined;

  const visit = (item: Json, apiVersion: string, kind: string) => {
    // List items of built-in kinds come without apiVersion and kind.
    const obj: Json = { ...item, apiVersion: item.apiVersion ?? apiVersion, kind: item.kind ?? kind };
    objects++;
    if (opts.references !== false) refs.add(obj);
    certificates.push(...certificatesOf(obj));
    const r = review(obj, { config: opts.config, now });
    if (!r.known) return;
    const ns = at(obj, "metadata", "namespace");
    const namespace = typeof ns === "string" ? ns : "";
    if (r.violations.length + r.warnings.length + r.audits.length === 0) {
      clean.set(namespace, (clean.get(namespace) ?? 0) + 1);
      return;
    }
    const line0 = (f: { path: string; rule: string; message: string }): Finding => ({ path: f.path, rule: f.rule, message: f.message, line: 0 });
    const uid = at(obj, "metadata", "uid");
    results.push({
      file,
      index: index++,
      line: 0,
      apiVersion: String(obj.apiVersion),
      kind: String(obj.kind),
      name: String(at(obj, "metadata", "name") ?? ""),
      namespace: namespace || undefined,
      ...(typeof uid === "string" ? { uid } : {}),
      policy: policyIds.get(`${String(obj.apiVersion)}/${String(obj.kind)}`) ?? String(obj.kind).toLowerCase(),
      allowed: r.allowed,
      violations: [...r.violations.map(line0), ...truncated(r.omitted?.violations, "violations")],
      warnings: [...r.warnings.map(line0), ...truncated(r.omitted?.warnings, "warnings")],
      audits: r.audits.map((a) => ({ ...line0(a), reason: a.reason })),
      patch: [],
    });
  };

  const seen = new Set<string>();
  // The kinds the rule book reviews, then those only the cross-object checks read (ResourceQuotas): listed for the index alone.
  const known = new Set(knownKinds().map((k) => `${k.apiVersion}/${k.kind}`));
  const extra = opts.references !== false ? referencedKinds().filter((k) => !known.has(`${k.apiVersion}/${k.kind}`)) : [];
  for (const k of [...knownKinds(), ...extra]) {
    const key = `${k.apiVersion}/${k.kind}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const onlyReferences = !known.has(key);
    const resource = await client.resource(k.apiVersion, k.kind);
    if (!resource) {
      opts.notice?.(`${key}: not served by this API server (its CRD is not installed): skipped`);
      complete.add(key); // nothing of it can exist
      continue;
    }
    const labelSelector = k.apiVersion === "v1" && k.kind === "ConfigMap" ? NODE_CONFIG_SELECTOR : undefined;
    const listAll = async (namespace?: string) => {
      let cont: string | undefined;
      let n = 0;
      let last = 0;
      do {
        const page = await client.listPage(KubeClient.collection(k.apiVersion, resource, namespace), { limit: pageSize, continue: cont, labelSelector });
        for (const item of page.items) {
          if (onlyReferences) refs.add({ ...item, apiVersion: item.apiVersion ?? k.apiVersion, kind: item.kind ?? k.kind });
          else visit(item, k.apiVersion, k.kind);
        }
        n += page.items.length;
        cont = page.continue;
        if (opts.progress && (cont || n >= pageSize) && Date.now() - last > 1000) {
          last = Date.now();
          opts.progress(`listing ${resource.name}${namespace ? ` in ${namespace}` : ""}: ${plural(n, "object")}${cont ? " so far" : ""}`);
        }
      } while (cont);
    };
    try {
      await listAll();
      complete.add(key);
      continue;
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 403)) throw e;
      if (onlyReferences) {
        // Read for the cross-object checks only (no findings of its own): they do without it.
        opts.notice?.(`${key}: forbidden (403): the checks that read it do without it`);
        continue;
      }
      if (!resource.namespaced) {
        forbidden.push(key);
        incomplete = true;
        opts.notice?.(`${key}: forbidden (403): the credentials may not list it; skipped`);
        continue;
      }
    }
    // Not allowed cluster-wide: one namespace at a time, those the caller may read.
    namespaces ??= await readableNamespaces(client, pageSize, opts.notice);
    let all = true;
    for (const ns of namespaces) {
      try {
        await listAll(ns);
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 403)) throw e;
        forbidden.push(`${key} in ${ns}`);
        all = false;
      }
    }
    incomplete = true;
    if (all && namespaces.length > 0) opts.notice?.(`${key}: not listable cluster-wide; read namespace by namespace (${namespaces.length})`);
    else opts.notice?.(`${key}: forbidden (403) in ${forbidden.filter((f) => f.startsWith(`${key} in `)).length} of ${plural(namespaces.length, "namespace")}; those were skipped`);
  }

  if (opts.references !== false) {
    const listed = new Set(referencedKinds().map((k) => `${k.apiVersion}/${k.kind}`).filter((k) => complete.has(k)));
    const byObject = new Map(results.map((r) => [resultKey(r), r]));
    for (const r of refs.results({ config: opts.config ?? defaultPolicyConfiguration(), now, complete: listed })) {
      mergeReferenceFindings(results, byObject, r, file, policyIds, () => index++, clean);
    }
  }

  let refused = 0;
  let warnings = 0;
  let audits = 0;
  for (const r of results) {
    if (!r.allowed) refused++;
    warnings += r.warnings.length;
    audits += r.audits.length;
  }
  return {
    report: { results, summary: { files: 1, objects, refused, warnings, audits, skipped: 0 } },
    certificates,
    clean,
    forbidden,
    incomplete,
    context: client.context,
  };
}

export function resultKey(r: { apiVersion: string; kind: string; namespace?: string; name: string }): string {
  return `${r.apiVersion}/${r.kind}\u0000${r.namespace ?? ""}\u0000${r.name}`;
}

function truncated(omitted: number | undefined, what: string): Finding[] {
  return omitted ? [{ path: "", rule: "review.truncated", message: `${omitted} more ${what} not shown (at most 100 per object); fix these first`, line: 0 }] : [];
}

/** Adds one object's reference findings to its result (creating it when the object had none). */
export function mergeReferenceFindings(
  results: AuditResult[],
  byObject: Map<string, AuditResult>,
  r: import("../policy").ReferenceResult,
  file: string,
  policyIds: Map<string, string>,
  nextIndex: () => number,
  clean?: Map<string, number>,
): void {
  const o = r.object;
  let target = byObject.get(resultKey({ ...o, namespace: o.namespace || undefined }));
  if (!target) {
    target = {
      file,
      index: nextIndex(),
      line: 0,
      apiVersion: o.apiVersion,
      kind: o.kind,
      name: o.name,
      namespace: o.namespace || undefined,
      ...(o.uid ? { uid: o.uid } : {}),
      policy: policyIds.get(`${o.apiVersion}/${o.kind}`) ?? o.kind.toLowerCase(),
      allowed: true,
      violations: [],
      warnings: [],
      audits: [],
      patch: [],
    };
    results.push(target);
    byObject.set(resultKey(target), target);
    if (clean) clean.set(o.namespace, Math.max(0, (clean.get(o.namespace) ?? 0) - 1));
  }
  const at0 = <T extends { path: string; rule: string; message: string }>(f: T) => ({ ...f, line: 0 });
  target.violations.push(...r.violations.map(at0));
  target.warnings.push(...r.warnings.map(at0));
  target.audits.push(...r.audits.map(at0));
  target.allowed = target.violations.length === 0;
}

/** Namespaces to read one by one: all of them if the caller may list namespaces, else the context's. */
async function readableNamespaces(client: KubeClient, pageSize: number, notice?: (l: string) => void): Promise<string[]> {
  const out: string[] = [];
  try {
    let cont: string | undefined;
    do {
      const page = await client.listPage("/api/v1/namespaces", { limit: pageSize, continue: cont });
      for (const n of page.items) {
        const name = at(n, "metadata", "name");
        if (typeof name === "string") out.push(name);
      }
      cont = page.continue;
    } while (cont);
    return out;
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 403)) throw e;
    notice?.(`namespaces: forbidden (403): reading only the context's namespace "${client.namespace()}"`);
    return [client.namespace()];
  }
}

export type { ApiResource };

/**
 * `audit --write-reports`: the findings as `wgpolicyk8s.io/v1alpha2` PolicyReports
 * (one per namespace) and a ClusterPolicyReport (cluster-scoped objects), the format
 * Kyverno writes and policy-reporter reads. Building is pure and deterministic (same
 * findings, same bytes); writing compares with what is stored and only writes what
 * changed, so a scan that finds nothing new leaves every resourceVersion as it was.
 */
import type { AuditResult } from "./scan";
import { ApiError, KubeClient, type Json } from "./kube";

export const REPORT_API_VERSION = "wgpolicyk8s.io/v1alpha2";
export const REPORT_NAME = "kuscia-iac";
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY = "kuscia-iac";
export const SOURCE = "kuscia-iac";

export interface ReportResult {
  source: string;
  policy: string;
  rule: string;
  result: "pass" | "fail" | "warn" | "error" | "skip";
  severity: "high" | "medium";
  category: string;
  scored: boolean;
  message: string;
  resources: { apiVersion: string; kind: string; name: string; namespace?: string; uid?: string }[];
  properties: Record<string, string>;
}

export interface PolicyReport {
  apiVersion: typeof REPORT_API_VERSION;
  kind: "PolicyReport" | "ClusterPolicyReport";
  metadata: { name: string; namespace?: string; labels: Record<string, string> };
  scope?: { apiVersion: string; kind: string; name: string };
  summary: { pass: number; fail: number; warn: number; error: number; skip: number };
  results: ReportResult[];
}

/** Where a finding lands: deny → fail, warn → warn, audit → warn (properties.action audit), exception → skip. */
function resultsOf(r: AuditResult): ReportResult[] {
  const resource = { apiVersion: r.apiVersion, kind: r.kind, name: r.name, ...(r.namespace ? { namespace: r.namespace } : {}), ...(r.uid ? { uid: r.uid } : {}) };
  const one = (f: { path: string; rule: string; message: string }, result: ReportResult["result"], severity: ReportResult["severity"], properties: Record<string, string>): ReportResult => ({
    source: SOURCE,
    policy: r.policy,
    rule: f.rule,
    result,
    severity,
    category: "Kuscia",
    scored: true,
    message: f.message,
    resources: [resource],
    properties: { ...(f.path ? { path: f.path } : {}), ...properties },
  });
  return [
    ...r.violations.map((v) => one(v, "fail", "high", { action: "deny" })),
    ...r.warnings.map((w) => one(w, "warn", "medium", { action: "warn" })),
    ...r.audits.map((a) => (a.reason.startsWith("exception ") ? one(a, "skip", "medium", { action: "exception", reason: a.reason }) : one(a, "warn", "medium", { action: "audit" }))),
  ];
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function sortKey(x: ReportResult): string {
  const r = x.resources[0];
  return [r.kind, r.name, x.rule, x.properties.path ?? "", x.message].join("\u0000");
}

/**
 * The reports for one scan: a PolicyReport per namespace with findings, a ClusterPolicyReport
 * when cluster-scoped objects have findings. `clean` gives the objects without findings per
 * namespace (the `pass` counts). Results are sorted, so the same findings give the same bytes.
 */
export function buildReports(results: readonly AuditResult[], clean: ReadonlyMap<string, number> = new Map(), name = REPORT_NAME): PolicyReport[] {
  const byNs = new Map<string, ReportResult[]>();
  for (const r of results) {
    const ns = r.namespace ?? "";
    const list = byNs.get(ns) ?? [];
    for (const x of resultsOf(r)) list.push(x);
    byNs.set(ns, list);
  }
  const out: PolicyReport[] = [];
  for (const ns of [...byNs.keys()].sort(cmp)) {
    const list = byNs.get(ns)!.sort((a, b) => cmp(sortKey(a), sortKey(b)));
    if (list.length === 0) continue;
    const count = (k: ReportResult["result"]) => list.filter((x) => x.result === k).length;
    out.push({
      apiVersion: REPORT_API_VERSION,
      kind: ns ? "PolicyReport" : "ClusterPolicyReport",
      metadata: { name, ...(ns ? { namespace: ns } : {}), labels: { [MANAGED_BY_LABEL]: MANAGED_BY } },
      ...(ns ? { scope: { apiVersion: "v1", kind: "Namespace", name: ns } } : {}),
      summary: { pass: clean.get(ns) ?? 0, fail: count("fail"), warn: count("warn"), error: count("error"), skip: count("skip") },
      results: list,
    });
  }
  return out;
}

/** JSON with keys sorted: what the API server returns compares equal to what was built. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v as Json)
      .filter((k) => (v as Json)[k] !== undefined)
      .sort(cmp)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Json)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

/** The part of a report this tool owns: compared to decide whether to write. */
function owned(r: Json): string {
  const meta = (r.metadata ?? {}) as Json;
  return canonical({ labels: meta.labels ?? {}, scope: r.scope, summary: r.summary, results: r.results ?? [] });
}

export interface SyncOutcome {
  created: string[];
  updated: string[];
  deleted: string[];
  unchanged: string[];
}

/**
 * Makes the stored reports named `name` and labelled as this tool's equal to `desired`:
 * creates, replaces what differs (with the stored resourceVersion), deletes the rest, unless
 * `prune` is false (the scan could not read everything). Throws ApiError/Error (exit status 2).
 */
export async function syncReports(client: KubeClient, desired: readonly PolicyReport[], opts: { name?: string; prune?: boolean } = {}): Promise<SyncOutcome> {
  const name = opts.name ?? REPORT_NAME;
  const out: SyncOutcome = { created: [], updated: [], deleted: [], unchanged: [] };
  const kinds = { PolicyReport: await client.resource(REPORT_API_VERSION, "PolicyReport"), ClusterPolicyReport: await client.resource(REPORT_API_VERSION, "ClusterPolicyReport") };
  if (!kinds.PolicyReport || !kinds.ClusterPolicyReport) {
    throw new Error(`${REPORT_API_VERSION} PolicyReport and ClusterPolicyReport are not served by this API server: install the CRDs first (kubectl apply -f crds/wgpolicyk8s/)`);
  }
  const stored = new Map<string, Json>();
  for (const kind of ["PolicyReport", "ClusterPolicyReport"] as const) {
    let cont: string | undefined;
    do {
      const page = await client.listPage(KubeClient.collection(REPORT_API_VERSION, kinds[kind]!), { limit: 500, continue: cont, labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY}` });
      for (const item of page.items) {
        const meta = (item.metadata ?? {}) as Json;
        if (meta.name === name) stored.set(`${kind}/${String(meta.namespace ?? "")}`, item);
      }
      cont = page.continue;
    } while (cont);
  }
  const label = (kind: string, ns: string) => (ns ? `${kind} ${ns}/${name}` : `${kind} ${name}`);
  for (const want of desired) {
    const ns = want.metadata.namespace ?? "";
    const key = `${want.kind}/${ns}`;
    const have = stored.get(key);
    stored.delete(key);
    const body = { ...want, metadata: { ...want.metadata, name } };
    const collection = KubeClient.collection(REPORT_API_VERSION, kinds[want.kind]!, ns || undefined);
    if (!have) {
      await client.request("POST", collection, body);
      out.created.push(label(want.kind, ns));
    } else if (owned(have) !== owned(body)) {
      const meta = have.metadata as Json;
      await client.request("PUT", `${collection}/${encodeURIComponent(name)}`, { ...body, metadata: { ...meta, labels: body.metadata.labels } });
      out.updated.push(label(want.kind, ns));
    } else {
      out.unchanged.push(label(want.kind, ns));
    }
  }
  if (opts.prune !== false) {
    for (const [key, have] of stored) {
      const kind = key.slice(0, key.indexOf("/")) as PolicyReport["kind"];
      const ns = key.slice(key.indexOf("/") + 1);
      try {
        await client.request("DELETE", `${KubeClient.collection(REPORT_API_VERSION, kinds[kind]!, ns || undefined)}/${encodeURIComponent(name)}`, { apiVersion: "v1", kind: "DeleteOptions", preconditions: { uid: (have.metadata as Json).uid } });
        out.deleted.push(label(kind, ns));
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 404)) throw e;
      }
    }
  }
  return out;
}

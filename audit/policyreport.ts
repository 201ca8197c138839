/**
 * `audit --write-reports` and the background audit: the findings as policy reports, in the
 * two APIs today's tools read:
 *
 * - `wgpolicyk8s.io/v1alpha2` PolicyReport / ClusterPolicyReport (the Kubernetes Policy WG's
 *   API: Kyverno before 1.15, policy-reporter), CRDs in crds/wgpolicyk8s/;
 * - `openreports.io/v1alpha1` Report / ClusterReport (OpenReports, its successor: Kyverno 1.15+
 *   and Kubewarden write it, policy-reporter reads it), CRDs in crds/openreports/.
 *
 * Which API is written is chosen (`--report-api`) or detected from the CRDs the API server
 * serves (resolveReportApis). Report volume is bounded: one report per namespace with findings
 * and one cluster report, each holding at most `maxResults` results (default 1000) and about
 * 1 MiB of them, the last of which (`report.truncated`) says what was left out; the summary
 * counts every finding. Building is pure and deterministic (same findings, same bytes);
 * writing compares with what is stored and only writes what changed, so a scan that finds
 * nothing new leaves every resourceVersion as it was.
 */
import type { AuditResult } from "./scan";
import { ApiError, KubeClient, type ApiResource, type Json } from "./kube";
import { plural } from "../policy/plural";

export const REPORT_NAME = "kuscia-iac";
export const MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
export const MANAGED_BY = "kuscia-iac";
export const SOURCE = "kuscia-iac";
/** Default cap of results per report (the last may be the `report.truncated` entry). */
export const DEFAULT_MAX_RESULTS = 1000;
/**
 * Cap of the results' JSON per report, in bytes. etcd refuses a write over 1.5 MiB by default
 * (--max-request-bytes); 1 MiB of results leaves room for the metadata and managedFields.
 */
export const MAX_RESULT_BYTES = 1024 * 1024;
/** Rule id of the entry that stands for the results left out of a report. */
export const TRUNCATED_RULE = "report.truncated";

/** The two report APIs, as the API server serves them. */
export const REPORT_APIS = {
  wgpolicyk8s: { apiVersion: "wgpolicyk8s.io/v1alpha2", namespaced: "PolicyReport", cluster: "ClusterPolicyReport", crds: "crds/wgpolicyk8s/" },
  openreports: { apiVersion: "openreports.io/v1alpha1", namespaced: "Report", cluster: "ClusterReport", crds: "crds/openreports/" },
} as const;
export type ReportApi = keyof typeof REPORT_APIS;
/** `auto`: OpenReports when the API server serves its CRDs, else wgpolicyk8s. `both`: each of them. */
export type ReportApiChoice = ReportApi | "both" | "auto";
export const REPORT_API_CHOICES: readonly ReportApiChoice[] = ["auto", "openreports", "wgpolicyk8s", "both"];

/** Kept for callers of the wgpolicyk8s-only API. */
export const REPORT_API_VERSION = REPORT_APIS.wgpolicyk8s.apiVersion;

export interface ReportResult {
  source: string;
  policy: string;
  rule: string;
  result: "pass" | "fail" | "warn" | "error" | "skip";
  severity: "high" | "medium" | "info";
  category: string;
  scored: boolean;
  message: string;
  /** Absent on the `report.truncated` entry: it is about the report's scope (OpenReports: "the result is assumed to be for the policy report scope"). */
  resources?: { apiVersion: string; kind: string; name: string; namespace?: string; uid?: string }[];
  properties: Record<string, string>;
}

export interface Summary {
  pass: number;
  fail: number;
  warn: number;
  error: number;
  skip: number;
}

/** A PolicyReport / ClusterPolicyReport (wgpolicyk8s) or a Report / ClusterReport (OpenReports). */
export interface PolicyReport {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels: Record<string, string> };
  /** OpenReports only: the report-level source. */
  source?: string;
  scope?: { apiVersion: string; kind: string; name: string };
  /** OpenReports only: the contract with consumers (the cap on results). */
  configuration?: { limits: { maxResults: number } };
  /** Every finding counted, shown or not; the `report.truncated` entry is not counted. */
  summary: Summary;
  results: ReportResult[];
}

export interface BuildOptions {
  name?: string;
  api?: ReportApi;
  /** Results per report, at least 2 (default 1000): past it the last is the `report.truncated` entry. */
  maxResults?: number;
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
  const r = x.resources?.[0];
  return [r?.kind ?? "", r?.name ?? "", x.rule, x.properties.path ?? "", x.message].join("\u0000");
}

/** Which results a full report keeps first: refusals, then warnings, then exceptions. */
const PRIORITY: Record<ReportResult["result"], number> = { fail: 0, error: 1, warn: 2, skip: 3, pass: 4 };

export interface Truncation {
  kept: ReportResult[];
  omitted: ReportResult[];
}

/**
 * Splits one report's results (sorted) into those kept and those left out: refusals first,
 * then warnings, then exceptions, at most `maxResults - 1` when some must go (the last place is
 * the `report.truncated` entry) and at most MAX_RESULT_BYTES of JSON. The kept ones stay in
 * sorted order.
 */
export function truncateResults(sorted: readonly ReportResult[], maxResults: number): Truncation {
  if (sorted.length <= maxResults && JSON.stringify(sorted).length <= MAX_RESULT_BYTES) return { kept: [...sorted], omitted: [] };
  const byPriority = sorted.map((x, i) => ({ x, i })).sort((a, b) => PRIORITY[a.x.result] - PRIORITY[b.x.result] || a.i - b.i);
  const room = maxResults - 1;
  // Room for the truncated entry itself (its message is short: a few hundred bytes).
  let bytes = 2048;
  let n = 0;
  for (; n < byPriority.length && n < room; n++) {
    const size = JSON.stringify(byPriority[n].x).length + 1;
    if (bytes + size > MAX_RESULT_BYTES) break;
    bytes += size;
  }
  const keep = new Set(byPriority.slice(0, n).map((e) => e.i));
  return { kept: sorted.filter((_, i) => keep.has(i)), omitted: sorted.filter((_, i) => !keep.has(i)) };
}

/** The entry that stands for the results left out: how many, by outcome and by rule (the ten most frequent). */
function truncatedEntry(omitted: readonly ReportResult[], total: number, maxResults: number): ReportResult {
  const by = (k: ReportResult["result"]) => omitted.filter((x) => x.result === k).length;
  const rules = new Map<string, number>();
  for (const x of omitted) rules.set(x.rule, (rules.get(x.rule) ?? 0) + 1);
  const top = [...rules].sort((a, b) => b[1] - a[1] || cmp(a[0], b[0]));
  const shown = top.slice(0, 10).map(([r, c]) => `${r} ${c}`).join(", ") + (top.length > 10 ? `, and ${top.length - 10} more rules` : "");
  const counts = (["fail", "warn", "skip"] as const).filter((k) => by(k) > 0).map((k) => `${by(k)} ${k}`).join(", ");
  return {
    source: SOURCE,
    policy: SOURCE,
    rule: TRUNCATED_RULE,
    result: "warn",
    severity: "info",
    category: "Kuscia",
    scored: false,
    message: `${omitted.length} of ${plural(total, "result")} not shown (a report holds at most ${maxResults}; refusals are kept first): ${counts}; by rule: ${shown}. The summary counts them all; kuscia-iac audit lists every finding`,
    properties: { omitted: String(omitted.length), total: String(total), omittedFail: String(by("fail")), omittedWarn: String(by("warn")), omittedSkip: String(by("skip")) },
  };
}

/**
 * The reports for one scan in one API: a namespaced report per namespace with findings, a
 * cluster report when cluster-scoped objects have findings. `clean` gives the objects without
 * findings per namespace (the `pass` counts). Results are sorted, so the same findings give the
 * same bytes. Throws RangeError when maxResults is below 2.
 */
export function buildReports(results: readonly AuditResult[], clean: ReadonlyMap<string, number> = new Map(), opts: BuildOptions = {}): PolicyReport[] {
  const name = opts.name ?? REPORT_NAME;
  const api = REPORT_APIS[opts.api ?? "wgpolicyk8s"];
  const maxResults = opts.maxResults ?? DEFAULT_MAX_RESULTS;
  if (!Number.isSafeInteger(maxResults) || maxResults < 2) throw new RangeError(`the results per report must be a whole number of at least 2, got ${maxResults}`);
  const openreports = api === REPORT_APIS.openreports;
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
    const { kept, omitted } = truncateResults(list, maxResults);
    out.push({
      apiVersion: api.apiVersion,
      kind: ns ? api.namespaced : api.cluster,
      metadata: { name, ...(ns ? { namespace: ns } : {}), labels: { [MANAGED_BY_LABEL]: MANAGED_BY } },
      ...(openreports ? { source: SOURCE } : {}),
      ...(ns ? { scope: { apiVersion: "v1", kind: "Namespace", name: ns } } : {}),
      ...(openreports ? { configuration: { limits: { maxResults } } } : {}),
      summary: { pass: clean.get(ns) ?? 0, fail: count("fail"), warn: count("warn"), error: count("error"), skip: count("skip") },
      results: omitted.length > 0 ? [...kept, truncatedEntry(omitted, list.length, maxResults)] : kept,
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
  return canonical({ labels: meta.labels ?? {}, source: r.source, scope: r.scope, configuration: r.configuration, summary: r.summary, results: r.results ?? [] });
}

export interface SyncOutcome {
  created: string[];
  updated: string[];
  deleted: string[];
  unchanged: string[];
}

/** The two kinds of one API as the API server serves them, or undefined when either is not served. */
async function servedKinds(client: KubeClient, api: ReportApi): Promise<{ namespaced: ApiResource; cluster: ApiResource } | undefined> {
  const a = REPORT_APIS[api];
  const namespaced = await client.resource(a.apiVersion, a.namespaced);
  const cluster = await client.resource(a.apiVersion, a.cluster);
  return namespaced && cluster ? { namespaced, cluster } : undefined;
}

/**
 * Makes the stored reports of one API named `name` and labelled as this tool's equal to
 * `desired`: creates, replaces what differs (with the stored resourceVersion), deletes the rest,
 * unless `prune` is false (the scan could not read everything). With `desired` empty it removes
 * this tool's reports from that API. Throws ApiError/Error (exit status 2), and Error when the
 * API server does not serve the API.
 */
export async function syncReports(client: KubeClient, desired: readonly PolicyReport[], opts: { name?: string; prune?: boolean; api?: ReportApi } = {}): Promise<SyncOutcome> {
  const name = opts.name ?? REPORT_NAME;
  const api = REPORT_APIS[opts.api ?? "wgpolicyk8s"];
  const out: SyncOutcome = { created: [], updated: [], deleted: [], unchanged: [] };
  const served = await servedKinds(client, opts.api ?? "wgpolicyk8s");
  if (!served) throw new Error(`${api.apiVersion} ${api.namespaced} and ${api.cluster} are not served by this API server: install the CRDs first (kubectl apply -f ${api.crds})`);
  const kinds: Record<string, ApiResource> = { [api.namespaced]: served.namespaced, [api.cluster]: served.cluster };
  const stored = new Map<string, Json>();
  for (const kind of [api.namespaced, api.cluster]) {
    let cont: string | undefined;
    do {
      const page = await client.listPage(KubeClient.collection(api.apiVersion, kinds[kind]), { limit: 500, continue: cont, labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY}` });
      for (const item of page.items) {
        const meta = (item.metadata ?? {}) as Json;
        if (meta.name === name) stored.set(`${kind}/${String(meta.namespace ?? "")}`, item);
      }
      cont = page.continue;
    } while (cont);
  }
  const label = (kind: string, ns: string) => (ns ? `${kind} ${ns}/${name}` : `${kind} ${name}`);
  for (const want of desired) {
    if (want.apiVersion !== api.apiVersion) throw new Error(`syncReports: a ${want.apiVersion} report given for ${api.apiVersion}`);
    const ns = want.metadata.namespace ?? "";
    const key = `${want.kind}/${ns}`;
    const have = stored.get(key);
    stored.delete(key);
    const body = { ...want, metadata: { ...want.metadata, name } };
    const collection = KubeClient.collection(api.apiVersion, kinds[want.kind], ns || undefined);
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
      const kind = key.slice(0, key.indexOf("/"));
      const ns = key.slice(key.indexOf("/") + 1);
      try {
        await client.request("DELETE", `${KubeClient.collection(api.apiVersion, kinds[kind], ns || undefined)}/${encodeURIComponent(name)}`, { apiVersion: "v1", kind: "DeleteOptions", preconditions: { uid: (have.metadata as Json).uid } });
        out.deleted.push(label(kind, ns));
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 404)) throw e;
      }
    }
  }
  return out;
}

export interface ResolvedApis {
  /** The APIs written. */
  write: ReportApi[];
  /** Served APIs not written: this tool's reports there are removed (so one API holds them). */
  clear: ReportApi[];
}

/**
 * The report APIs to write for a choice, from the CRDs the API server serves (discovery):
 * `auto` writes OpenReports when served, else wgpolicyk8s; `openreports`, `wgpolicyk8s` and
 * `both` need theirs served. Throws Error naming the CRDs to install when a needed API is not
 * served (exit status 2).
 */
export async function resolveReportApis(client: KubeClient, choice: ReportApiChoice = "auto"): Promise<ResolvedApis> {
  const served: Record<ReportApi, boolean> = {
    openreports: (await servedKinds(client, "openreports")) !== undefined,
    wgpolicyk8s: (await servedKinds(client, "wgpolicyk8s")) !== undefined,
  };
  const missing = (apis: ReportApi[]) =>
    new Error(
      `${apis.map((a) => `${REPORT_APIS[a].apiVersion} ${REPORT_APIS[a].namespaced}/${REPORT_APIS[a].cluster}`).join(" and ")} ${apis.length > 1 ? "are" : "is"} not served by this API server: install the CRDs first (kubectl apply -f ${apis.map((a) => REPORT_APIS[a].crds).join(" -f ")})`,
    );
  let write: ReportApi[];
  if (choice === "auto") {
    write = served.openreports ? ["openreports"] : served.wgpolicyk8s ? ["wgpolicyk8s"] : [];
    if (write.length === 0) {
      throw new Error(
        `neither ${REPORT_APIS.openreports.apiVersion} (Report, ClusterReport) nor ${REPORT_APIS.wgpolicyk8s.apiVersion} (PolicyReport, ClusterPolicyReport) is served by this API server: install one (kubectl apply -f ${REPORT_APIS.openreports.crds}, or -f ${REPORT_APIS.wgpolicyk8s.crds}), or choose with --report-api`,
      );
    }
  } else {
    write = choice === "both" ? ["openreports", "wgpolicyk8s"] : [choice];
    const absent = write.filter((a) => !served[a]);
    if (absent.length > 0) throw missing(absent);
  }
  const clear = (Object.keys(REPORT_APIS) as ReportApi[]).filter((a) => served[a] && !write.includes(a));
  return { write, clear };
}

export interface WriteOptions {
  choice?: ReportApiChoice;
  name?: string;
  maxResults?: number;
  /** False when the scan could not read everything: nothing is deleted. */
  prune?: boolean;
  /** Problems that do not stop the write (no permission to clear the other API). */
  notice?: (line: string) => void;
}

export interface WriteOutcome {
  /** Per API written, and per API cleared (its `created`, `updated`, `unchanged` empty). */
  apis: { api: ReportApi; apiVersion: string; cleared: boolean; outcome: SyncOutcome }[];
  /** Reports that left results out: `Kind ns/name`, with the counts. */
  truncated: { report: string; total: number; omitted: number }[];
}

/**
 * The findings of one scan written as reports (see the file comment): resolves the APIs, builds
 * and syncs each, then removes this tool's reports from a served API not chosen (unless `prune`
 * is false). Throws as resolveReportApis and syncReports do.
 */
export async function writeReports(client: KubeClient, results: readonly AuditResult[], clean: ReadonlyMap<string, number>, opts: WriteOptions = {}): Promise<WriteOutcome> {
  const { write, clear } = await resolveReportApis(client, opts.choice ?? "auto");
  const out: WriteOutcome = { apis: [], truncated: [] };
  for (const api of write) {
    const reports = buildReports(results, clean, { name: opts.name, api, maxResults: opts.maxResults });
    if (api === write[0]) {
      for (const r of reports) {
        const t = r.results.find((x) => x.rule === TRUNCATED_RULE && !x.resources);
        if (t) out.truncated.push({ report: `${r.kind} ${r.metadata.namespace ? `${r.metadata.namespace}/` : ""}${r.metadata.name}`, total: Number(t.properties.total), omitted: Number(t.properties.omitted) });
      }
    }
    out.apis.push({ api, apiVersion: REPORT_APIS[api].apiVersion, cleared: false, outcome: await syncReports(client, reports, { name: opts.name, prune: opts.prune, api }) });
  }
  if (opts.prune !== false) {
    for (const api of clear) {
      try {
        out.apis.push({ api, apiVersion: REPORT_APIS[api].apiVersion, cleared: true, outcome: await syncReports(client, [], { name: opts.name, api }) });
      } catch (e) {
        if (!(e instanceof ApiError && e.status === 403)) throw e;
        opts.notice?.(`${REPORT_APIS[api].apiVersion}: forbidden (403): this tool's reports there (from an earlier --report-api) could not be removed`);
      }
    }
  }
  return out;
}

/** One line per API for standard error or the log: `openreports.io/v1alpha1 reports: 3 created, ...`. */
export function describeWrite(w: WriteOutcome): string[] {
  return w.apis.map(({ apiVersion, cleared, outcome: s }) =>
    cleared
      ? `${apiVersion} reports: ${s.deleted.length} deleted (reports are written to ${w.apis.filter((x) => !x.cleared).map((x) => x.apiVersion).join(" and ")} now)`
      : `${apiVersion} reports: ${s.created.length} created, ${s.updated.length} updated, ${s.deleted.length} deleted, ${s.unchanged.length} unchanged`,
  );
}

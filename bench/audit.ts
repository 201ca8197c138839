/**
 * bench/audit: `kuscia-iac audit --write-reports` over BENCH_OBJECTS (default 10,000) Kuscia
 * objects in the e2e kube-apiserver (test/e2e/harness/cluster.ts; build-tools.sh `kube`, cached):
 * copies of the accepted examples of every Kuscia kind (the originals too, so references hold),
 * plus the refused examples the API server stores (semantic findings), spread over their
 * namespaces. Each scan runs in a process of its own (bench/audit-scan.ts): its wall time, peak
 * RSS, the HTTP requests it made by method and the list pages (limit/continue, BENCH_PAGE_SIZE,
 * default 500), the report writes; against the baseline, the same kinds listed page by page by the
 * same client with nothing reviewed, in the same run. The first audit writes the reports; each
 * rescan (BENCH_ROUNDS, default 3) finds nothing changed and must write nothing (target 0 writes).
 *
 * Before the figures it checks the audit's findings against the slow path: every object listed
 * whole (no pages) and reviewed by the rule book in this process, with the cross-object checks
 * over all of them: `verdicts` says whether they are equal, and the bench exits 1 otherwise.
 *
 *   npm run bench:audit
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { CONFIG_LABEL, ReferenceIndex, defaultPolicyConfiguration, knownKinds, referencedKinds, review } from "../policy";
import { KubeClient, connect, type Json } from "../audit/kube";
import { loadExamples } from "../test/helpers/examples";
import { startCluster } from "../test/e2e/harness/cluster";
import { REPO, toolsDir } from "../test/e2e/harness/tools";

const COUNT = Number(process.env.BENCH_OBJECTS ?? 10_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PAGE = Number(process.env.BENCH_PAGE_SIZE ?? 500);

interface Scan {
  mode: string;
  exit: number;
  seconds: number;
  peakRssMiB: number;
  objects: number;
  requests: Record<string, number>;
  listPages: number;
  reports?: { created: number; updated: number; deleted: number; unchanged: number };
}

function scan(mode: "audit" | "list", kubeconfig: string, reportFile: string): Promise<Scan> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [path.join(__dirname, "audit-scan.js"), mode, kubeconfig, reportFile, String(PAGE)], { maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (err && !stdout.trim()) return reject(new Error(`audit-scan ${mode}: ${err.message}\n${stderr}`));
      resolve(JSON.parse(stdout.trim().split("\n").pop()!) as Scan);
    }),
  );
}

type Obj = Record<string, any>;

/** The objects to store: every accepted Kuscia example once as it is, then renamed copies up to COUNT, and the refused ones. */
function objects(): Obj[] {
  const kuscia = (d: { object: unknown }) => String((d.object as Obj)?.apiVersion ?? "").startsWith("kuscia.secretflow/");
  const accepted = loadExamples("accepted").filter(kuscia).map((d) => d.object as Obj);
  const refused = loadExamples("refused").filter(kuscia).map((d) => d.object as Obj);
  const out: Obj[] = [...accepted];
  for (let i = 0; out.length < COUNT - refused.length; i++) {
    const o = structuredClone(accepted[i % accepted.length]);
    o.metadata = { ...o.metadata, name: `${String(o.metadata.name).slice(0, 40)}-c${i}` };
    out.push(o);
  }
  return [...out, ...refused];
}

/** Creates the objects, `parallel` requests at a time; returns how many the API server stored. */
async function store(client: KubeClient, objs: Obj[], parallel = 16): Promise<number> {
  let stored = 0;
  let next = 0;
  const refusals = new Map<string, number>();
  let last = Date.now();
  const worker = async () => {
    while (next < objs.length) {
      const o = objs[next++];
      const r = await client.resource(o.apiVersion, o.kind);
      if (!r) continue;
      const ns = o.metadata.namespace;
      try {
        await client.request("POST", KubeClient.collection(o.apiVersion, r, r.namespaced ? (ns ?? "default") : undefined), o);
        stored++;
      } catch (e) {
        // Refused by the CRD's schema or a duplicate example name: not part of the cluster.
        refusals.set(String((e as Error).message).slice(0, 160), (refusals.get(String((e as Error).message).slice(0, 160)) ?? 0) + 1);
      }
      if (Date.now() - last > 10_000) {
        last = Date.now();
        process.stderr.write(`stored ${stored} of ${objs.length}\n`);
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  for (const [m, n] of refusals) process.stderr.write(`not stored (${n}): ${m}\n`);
  return stored;
}

/** `kind ns/name rule message` of every finding. */
function lines(results: { kind: string; namespace?: string; name: string; violations: Obj[]; warnings: Obj[]; audits: Obj[] }[]): string[] {
  const out: string[] = [];
  for (const r of results) for (const f of [...r.violations, ...r.warnings, ...r.audits]) out.push(`${r.kind} ${r.namespace ?? ""}/${r.name} ${f.rule} ${f.message}`);
  return out.sort();
}

/** The slow path: every kind listed whole in one request, each object reviewed, the references over all. */
async function slowPath(kubeconfig: string): Promise<string[]> {
  const client = connect({ kubeconfig });
  const config = defaultPolicyConfiguration();
  const now = new Date();
  const byObject = new Map<string, { kind: string; namespace?: string; name: string; violations: Obj[]; warnings: Obj[]; audits: Obj[] }>();
  const refs = new ReferenceIndex();
  const known = new Set(knownKinds().map((k) => `${k.apiVersion}/${k.kind}`));
  const seen = new Set<string>();
  for (const k of [...knownKinds(), ...referencedKinds()]) {
    const key = `${k.apiVersion}/${k.kind}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const r = await client.resource(k.apiVersion, k.kind);
    if (!r) continue;
    const all = await client.listPage(KubeClient.collection(k.apiVersion, r), { limit: 0, ...(key === "v1/ConfigMap" ? { labelSelector: `${CONFIG_LABEL}=true` } : {}) });
    for (const item of all.items as Obj[]) {
      const obj: Obj = { ...item, apiVersion: item.apiVersion ?? k.apiVersion, kind: item.kind ?? k.kind };
      refs.add(obj);
      if (!known.has(key)) continue;
      const res = review(obj, { config, now });
      const entry = { kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name, violations: res.violations as Obj[], warnings: res.warnings as Obj[], audits: res.audits as Obj[] };
      byObject.set(`${key}/${entry.namespace ?? ""}/${entry.name}`, entry);
    }
  }
  for (const r of refs.results({ config, now, complete: new Set(referencedKinds().map((k) => `${k.apiVersion}/${k.kind}`)) })) {
    const o = r.object;
    const key = `${o.apiVersion}/${o.kind}/${o.namespace || ""}/${o.name}`;
    const e = byObject.get(key) ?? { kind: o.kind, namespace: o.namespace || undefined, name: o.name, violations: [], warnings: [], audits: [] };
    e.violations = [...e.violations, ...r.violations];
    e.warnings = [...e.warnings, ...r.warnings];
    e.audits = [...e.audits, ...r.audits];
    byObject.set(key, e);
  }
  return lines([...byObject.values()]);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "kuscia-iac-bench-audit-"));
  const cluster = await startCluster(toolsDir("kube"));
  try {
    await cluster.kubectlOk(["apply", "--server-side", "-f", path.join(REPO, "crds", "openreports")]);
    await cluster.kubectlOk(["wait", "--for", "condition=established", "--timeout=60s", "crd", "reports.openreports.io", "clusterreports.openreports.io"]);
    const objs = objects();
    const client = connect({ kubeconfig: cluster.kubeconfig });
    for (const ns of new Set(objs.map((o) => o.metadata.namespace).filter((n): n is string => typeof n === "string"))) await cluster.kubectl(["create", "namespace", ns]);
    const t0 = Date.now();
    const stored = await store(client, objs);
    process.stderr.write(`stored ${stored} objects in ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);

    const report = path.join(dir, "report.json");
    const baseline0 = await scan("list", cluster.kubeconfig, "-");
    const first = await scan("audit", cluster.kubeconfig, report);
    const got = lines((JSON.parse(readFileSync(report, "utf8")) as { results: Parameters<typeof lines>[0] }).results);
    const want = await slowPath(cluster.kubeconfig);
    const missing = want.filter((x) => !got.includes(x));
    const extra = got.filter((x) => !want.includes(x));
    const verdicts = missing.length === 0 && extra.length === 0 ? "equal" : "DIFFERENT";

    const lists: Scan[] = [baseline0];
    const rescans: Scan[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      lists.push(await scan("list", cluster.kubeconfig, "-"));
      rescans.push(await scan("audit", cluster.kubeconfig, report));
    }
    const writes = (s: Scan) => (s.requests.POST ?? 0) + (s.requests.PUT ?? 0) + (s.requests.PATCH ?? 0) + (s.requests.DELETE ?? 0);
    const ratios = rescans.map((s, i) => s.seconds / lists[i + 1].seconds);
    const out = {
      objects: stored,
      pageSize: PAGE,
      rounds: ROUNDS,
      verdicts,
      findings: got.length,
      ...(verdicts === "equal" ? {} : { missing: missing.slice(0, 10), extra: extra.slice(0, 10) }),
      baselineListOnly: { seconds: +median(lists.map((s) => s.seconds)).toFixed(2), peakRssMiB: Math.round(median(lists.map((s) => s.peakRssMiB))), requests: baseline0.requests, listPages: baseline0.listPages, objects: baseline0.objects },
      firstAudit: { seconds: +first.seconds.toFixed(2), peakRssMiB: Math.round(first.peakRssMiB), requests: first.requests, listPages: first.listPages, objects: first.objects, reports: first.reports, exit: first.exit },
      rescan: {
        seconds: +median(rescans.map((s) => s.seconds)).toFixed(2),
        peakRssMiB: Math.round(median(rescans.map((s) => s.peakRssMiB))),
        requests: rescans[0]?.requests,
        listPages: rescans[0]?.listPages,
        reports: rescans.map((s) => s.reports),
        writeRequests: rescans.map(writes),
      },
      rescanToListOnly: { wallTime: +median(ratios).toFixed(2), peakRss: +(median(rescans.map((s) => s.peakRssMiB)) / median(lists.map((s) => s.peakRssMiB))).toFixed(2) },
      target: `rescan writes 0: ${rescans.every((s) => writes(s) === 0) ? "OK" : "MISSED"}`,
    };
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    if (verdicts !== "equal") process.exitCode = 1;
  } finally {
    await cluster.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

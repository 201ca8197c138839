/**
 * The child process of bench/audit.ts: one scan of the cluster its kubeconfig names, in a
 * process of its own so its peak memory (VmHWM) is its own. Every HTTP exchange of the
 * KubeClient is counted by method (and the lists by page). Prints one JSON line.
 *
 *   node dist/bench/audit-scan.js audit KUBECONFIG REPORT_FILE [PAGE_SIZE]
 *     `kuscia-iac audit --write-reports -f json` as the CLI runs it (runAudit); the report to REPORT_FILE
 *   node dist/bench/audit-scan.js list KUBECONFIG - [PAGE_SIZE]
 *     the baseline: the same kinds listed page by page with the same client, nothing reviewed
 */
import { readFileSync, writeFileSync } from "node:fs";
import { knownKinds, referencedKinds, CONFIG_LABEL } from "../policy";
import { runAudit } from "../audit/command";
import { KubeClient, connect } from "../audit/kube";

const [mode, kubeconfig, reportFile, pageArg] = process.argv.slice(2);
const pageSize = Number(pageArg ?? 500);

const requests: Record<string, number> = {};
let listPages = 0;
const proto = KubeClient.prototype as unknown as { fetch: (this: unknown, method: string, urlPath: string, body?: unknown) => Promise<unknown> };
const fetch = proto.fetch;
proto.fetch = function (method, urlPath, body) {
  requests[method] = (requests[method] ?? 0) + 1;
  if (method === "GET" && /[?&]limit=/.test(urlPath)) listPages++;
  return fetch.call(this, method, urlPath, body);
};

function peakRssMiB(): number {
  return Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? 0) / 1024;
}

async function listOnly(): Promise<number> {
  const client = connect({ kubeconfig });
  let objects = 0;
  const seen = new Set<string>();
  for (const k of [...knownKinds(), ...referencedKinds()]) {
    const key = `${k.apiVersion}/${k.kind}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const resource = await client.resource(k.apiVersion, k.kind);
    if (!resource) continue;
    const labelSelector = key === "v1/ConfigMap" ? `${CONFIG_LABEL}=true` : undefined;
    let cont: string | undefined;
    do {
      const page = await client.listPage(KubeClient.collection(k.apiVersion, resource), { limit: pageSize, continue: cont, labelSelector });
      objects += page.items.length;
      cont = page.continue;
    } while (cont);
  }
  return objects;
}

async function main(): Promise<void> {
  const t0 = process.hrtime.bigint();
  let exit = 0;
  let objects = 0;
  let stderr = "";
  if (mode === "list") objects = await listOnly();
  else {
    let out = "";
    exit = await runAudit(
      { format: "json", kubeconfig, writeReports: true, reportApi: "openreports", pageSize, maxReportResults: 1000, requestTimeout: 60_000 },
      { stdout: (s) => void (out += s), stderr: (s) => void (stderr += s), stdoutIsTTY: false, stderrIsTTY: false },
    );
    objects = (JSON.parse(out) as { summary: { objects: number } }).summary.objects;
    writeFileSync(reportFile, out);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const writes = /reports: (\d+) created, (\d+) updated, (\d+) deleted, (\d+) unchanged/.exec(stderr);
  process.stdout.write(
    `${JSON.stringify({
      mode,
      exit,
      seconds,
      peakRssMiB: peakRssMiB(),
      objects,
      requests,
      listPages,
      ...(writes ? { reports: { created: +writes[1], updated: +writes[2], deleted: +writes[3], unchanged: +writes[4] } } : {}),
    })}\n`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(2);
});

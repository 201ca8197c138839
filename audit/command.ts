/**
 * `kuscia-iac audit`: the rule book over what already runs. Same rules, same
 * policy configuration and same output formats as `review`, read from the API
 * server instead of files; exit codes like review's (0 nothing refused, 1 refused
 * or --fail-on-warning, 2 usage, kubeconfig or connection error).
 */
import { formatReport } from "../review/format";
import { Command, InvalidArgumentError, Option } from "commander";
import type { PolicyConfig } from "../policy";
import { readPolicyConfigFile, PolicyConfigError } from "../policyfile/read";
import type { Io } from "../review/command";
import { ConfigError, NotApiServerError, connect } from "./kube";
import { scanCluster } from "./scan";
import { describeWrite, writeReports, DEFAULT_MAX_RESULTS, REPORT_API_CHOICES, REPORT_NAME, type ReportApiChoice } from "./policyreport";
import { writeMetricsFile } from "./certificates";
import { plural } from "../policy/plural";

export interface AuditCommandOptions {
  format: "text" | "json" | "junit" | "sarif";
  failOnWarning?: boolean;
  config?: string;
  kubeconfig?: string;
  context?: string;
  pageSize?: number;
  /** Commander's --no-references: false turns the cross-object checks off. */
  references?: boolean;
  writeReports?: boolean;
  reportName?: string;
  reportApi?: ReportApiChoice;
  maxReportResults?: number;
  metricsFile?: string;
  requestTimeout?: number;
  now?: Date;
}

const processIo = (): Io => ({
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  stdoutIsTTY: !!process.stdout.isTTY,
  stderrIsTTY: !!process.stderr.isTTY,
});

export async function runAudit(opts: AuditCommandOptions, io: Io = processIo()): Promise<number> {
  const say = (s: string) => io.stderr(`kuscia-iac audit: ${s}\n`);
  let config: PolicyConfig | undefined;
  if (opts.config) {
    try {
      const loaded = readPolicyConfigFile(opts.config);
      config = loaded.config;
      for (const w of loaded.warnings) say(w);
    } catch (e) {
      say(e instanceof PolicyConfigError ? e.errors.join("\n") : (e as Error).message);
      return 2;
    }
  }
  let outcome;
  try {
    const client = connect({ kubeconfig: opts.kubeconfig, context: opts.context, timeoutMs: opts.requestTimeout });
    outcome = await scanCluster(client, {
      config,
      now: opts.now,
      pageSize: opts.pageSize,
      references: opts.references,
      progress: (l) => say(l),
      notice: (l) => say(l),
    });
    if (opts.writeReports) {
      if (outcome.incomplete) say("some kinds could not be read everywhere: stored reports are updated but none is deleted");
      const w = await writeReports(client, outcome.report.results, outcome.clean, {
        choice: opts.reportApi,
        name: opts.reportName,
        maxResults: opts.maxReportResults,
        prune: !outcome.incomplete,
        notice: (l) => say(l),
      });
      for (const t of w.truncated) say(`${t.report}: ${plural(t.total, "result")}, ${t.omitted} left out (at most ${opts.maxReportResults ?? DEFAULT_MAX_RESULTS} per report; the summary counts them all)`);
      for (const l of describeWrite(w)) say(l);
    }
    if (opts.metricsFile) await writeMetricsFile(opts.metricsFile, outcome.certificates);
  } catch (e) {
    say(e instanceof ConfigError || e instanceof NotApiServerError ? e.message : `cannot audit the cluster: ${(e as Error).message}`);
    return 2;
  }
  const report = outcome.report;
  io.stdout(formatReport(report, opts.format, io.stdoutIsTTY && !process.env.NO_COLOR, config));
  if (report.summary.refused > 0) return 1;
  if (opts.failOnWarning && report.summary.warnings > 0) return 1;
  return 0;
}

function positive(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError("must be a positive whole number");
  return n;
}

function atLeastTwo(v: string): number {
  const n = positive(v);
  if (n < 2) throw new InvalidArgumentError("must be at least 2 (one finding and the entry that counts those left out)");
  return n;
}

export function register(program: Command): void {
  program
    .command("audit")
    .description("Review what already runs: every object of the kinds the rule book knows, read from the API server")
    .addOption(new Option("-f, --format <format>", "output format").choices(["text", "json", "junit", "sarif"]).default("text"))
    .option("--fail-on-warning", "exit 1 when any object has warnings, not only when one is refused")
    .option("--config <file>", "policy configuration (YAML): per-rule actions, parameters, exceptions, kusciaVersion; see docs/policy-configuration.md")
    .option("--kubeconfig <file>", "kubeconfig file (default: KUBECONFIG, then ~/.kube/config, then the in-cluster service account)")
    .option("--context <name>", "kubeconfig context (default: the current context)")
    .option("--no-references", "skip the cross-object checks (a KusciaDeployment's AppImage and Domains, a route's Domains, an InteropConfig's Domains)")
    .option("--write-reports", "write the findings as policy reports: one per namespace with findings and one cluster report (see --report-api)")
    .addOption(new Option("--report-api <api>", "with --write-reports: openreports.io/v1alpha1 Report/ClusterReport (crds/openreports/), wgpolicyk8s.io/v1alpha2 PolicyReport/ClusterPolicyReport (crds/wgpolicyk8s/), both, or auto: OpenReports when the API server serves its CRDs, else wgpolicyk8s").choices([...REPORT_API_CHOICES]).default("auto"))
    .option("--max-report-results <n>", "with --write-reports: results per report at most (at least 2); past it the last one says how many were left out, by outcome and rule", atLeastTwo, DEFAULT_MAX_RESULTS)
    .option("--report-name <name>", "name of the reports written", REPORT_NAME)
    .option("--metrics-file <file>", "write kuscia_iac_certificate_expiry_timestamp_seconds for every Domain and route certificate (Prometheus textfile-collector format)")
    .option("--page-size <n>", "objects per list request (limit/continue)", positive, 500)
    .option("--request-timeout <ms>", "timeout of each API request, in milliseconds", positive, 30_000)
    .addHelpText(
      "after",
      `
Reads the kubeconfig as kubectl does: --kubeconfig, else KUBECONFIG (files joined with ':'),
else ~/.kube/config, else the in-cluster service account; the current context or --context.
Lists every kind the rule book knows (Kuscia node ConfigMaps only with the label
kuscia.secretflow/config=true) in every namespace it may read; a kind it may not list is
reported on standard error and skipped. Objects are reviewed page by page; only findings are kept.

--write-reports writes one report per namespace with findings and one cluster report, named
--report-name and labelled app.kubernetes.io/managed-by=kuscia-iac, in the API of --report-api;
a report holds at most --max-report-results results (refusals first, then warnings, then
exceptions; at most 1 MiB of them), the last of which (rule report.truncated) counts those left
out; the summary counts every finding. Only reports whose content changed are written; the
report of a namespace without findings any more is deleted, and so are this tool's reports in a
served API not written (after a change of --report-api). Nothing is deleted when some kind could
not be read everywhere (403).

Exit status:
  0  no object refused
  1  at least one object refused (or warned, with --fail-on-warning)
  2  usage error, invalid --config, no usable kubeconfig, the API server cannot be reached,
     or what answers at the kubeconfig's server is not a Kubernetes API server (an HTML
     page, a login redirect: checked with GET /version before anything is read)

Examples:
  kuscia-iac audit
  kuscia-iac audit --context prod --config kuscia-iac-policy.yaml --format sarif > audit.sarif
  kuscia-iac audit --write-reports                # then: kubectl get reports -A (or policyreports -A)
  kuscia-iac audit --metrics-file /var/lib/node_exporter/textfile/kuscia-iac.prom
  KUBECONFIG=a.yaml:b.yaml kuscia-iac audit --context b --fail-on-warning`,
    )
    .action(async (opts: AuditCommandOptions) => {
      process.exitCode = await runAudit(opts);
    });
}

/**
 * `kuscia-iac webhook`: the admission webhook server, plus two one-shot helpers
 * for installing it (print the certificates' caBundle, print the webhook
 * configurations).
 */
import { readFileSync } from "node:fs";
import { Command, InvalidArgumentError, Option } from "commander";
import { stringify } from "yaml";
import { caBundleOf } from "../pki";
import { exemptionMatchConditions, webhookConfigurations, DEFAULT_SERVICE } from "./configurations";
import { createLogger, defaultReviewWorkers, startWebhook, MAX_QUEUED_REVIEWS, type RunningWebhook, type WebhookOptions } from "./server";
import { ensureEmbeddedCerts } from "./state";
import { readPolicyConfigFile, PolicyConfigError } from "../policyfile/read";
import { ConfigError, NotApiServerError, connect } from "../audit/kube";
import { MAX_BODY_BYTES, MAX_BUFFERED_BYTES } from "./body";
import { parseDuration } from "./backgroundaudit";
import { DEFAULT_MAX_RESULTS, REPORT_API_CHOICES, REPORT_NAME, type ReportApiChoice } from "../audit/policyreport";

export interface WebhookCommandOptions {
  host: string;
  port: number;
  probePort?: number;
  tlsCert?: string;
  tlsKey?: string;
  clientCa?: string;
  jwks?: string;
  audience?: string;
  issuer?: string;
  stateDir?: string;
  san: string[];
  logLevel: string;
  drainTimeout: number;
  requestTimeout: number;
  maxRequestBytes: number;
  reviewWorkers?: number;
  maxQueuedReviews: number;
  maxBufferedBytes?: number;
  certsOnly?: boolean;
  printConfigurations?: boolean;
  url?: string;
  caBundleFile?: string;
  failurePolicy: "Fail" | "Ignore";
  config?: string;
  kubeVersion?: string;
  references?: boolean;
  kubeconfig?: string;
  context?: string;
  auditInterval?: number;
  leaseNamespace?: string;
  reportName?: string;
  reportApi?: ReportApiChoice;
  maxReportResults?: number;
}

function port(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("expected a port number 0-65535");
  return n;
}

function seconds(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 600) throw new InvalidArgumentError("expected seconds between 0 and 600");
  return n;
}

function positiveSeconds(v: string): number {
  const n = seconds(v);
  if (n < 1) throw new InvalidArgumentError("expected seconds between 1 and 600");
  return n;
}

function bytes(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 1024) throw new InvalidArgumentError("expected a whole number of bytes, at least 1024");
  return n;
}

function count(max: number, min = 0) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
    return n;
  };
}

function duration(v: string): number {
  const ms = parseDuration(v);
  if (ms === undefined || ms < 1000) throw new InvalidArgumentError("expected a duration of at least 1s, e.g. 10m, 1h, 90s");
  return ms;
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, ...v.split(",").map((s) => s.trim()).filter(Boolean)];
}

const HELP_AFTER = `
Endpoints (HTTPS only, TLS 1.2 or later):
  POST /validate   AdmissionReview v1 -> allowed, or 403 with each finding and its rule id
  POST /mutate     AdmissionReview v1 -> JSONPatch filling documented defaults; refuses what /validate refuses
  GET  /healthz    liveness        GET /readyz   ready while a valid certificate is loaded
                   (both also on --probe-port: there /healthz fails once the event loop has
                   not run for 5 s, and neither waits behind the requests on --port)
  GET  /metrics    Prometheus

Certificates:
  Without --tls-cert/--tls-key the webhook makes a CA and a serving certificate for
  localhost and 127.0.0.1 (plus --san names), keeps them in --state-dir (default: a
  private folder under the OS temp dir) and prints the CA file and the base64
  caBundle to paste into a webhook configuration. Certificate files are reloaded
  when they change; a broken new pair is refused and the current one kept.

Policy configuration (--config):
  Which rules deny, warn, audit or are off; rule parameters; exceptions; requesters
  admitted without review (e.g. Kuscia's own controllers) and the target Kuscia
  release. An invalid file stops the start (exit 2); while serving, the file is
  re-read when it changes and an invalid new version is logged and ignored.

Reviews off the main thread (--review-workers, --max-queued-reviews):
  Request bodies are parsed and reviewed in worker threads, so one expensive object
  (tens of thousands of findings, a kuscia.yaml at every parsing limit) never stops
  /healthz or the other reviews. When every worker is busy, up to --max-queued-reviews
  reviews wait; more get 503. A review that outlasts the request timeout (15 s) or whose
  worker crashes is refused (500, fail closed) and the worker replaced.

References (--references):
  A watch cache (list + watch) of Domains, AppImages, DomainData and DomainDataSources
  (in-cluster service account by default; --kubeconfig/--context otherwise). Each CREATE
  or UPDATE of a KusciaDeployment, KusciaJob, route, InteropConfig, DomainDataGrant or
  DomainData is checked against it: a missing object is a warning (ref.* rules; deny
  through --config). Kinds whose cache has not synced are not checked. The cache also
  feeds kuscia_iac_certificate_expiry_timestamp_seconds (Domain certificates) in /metrics.

Background audit (--audit-interval):
  Every interval, the scan of \`kuscia-iac audit --write-reports\`: every object of the kinds
  the rule book knows, reviewed under the policy configuration in force (reloads included),
  cross-object references checked, findings written as reports named --report-name in the
  API of --report-api (OpenReports or wgpolicyk8s PolicyReports; one per namespace with
  findings and one cluster report, each at most --max-report-results results). With several replicas one scans: the holder of the Lease
  kuscia-iac-audit in --lease-namespace (default: the pod's namespace); the others take
  over within three renew periods when it stops. Cluster access as for --references.
  Both refuse to start (exit 2) when what answers at the kubeconfig's server is not a
  Kubernetes API server (an HTML page, a login redirect); an API server that cannot be
  reached at start is retried in the background.
  Metrics: kuscia_iac_webhook_audit_scans_total{result}, ..._audit_last_scan_timestamp_seconds,
  ..._audit_leader.

Callers:
  --client-ca and/or --jwks make every review request authenticate (either a client
  certificate from that CA or a bearer JWT with the right issuer, audience and
  expiry); anything else gets 401. Without them callers are not authenticated.

Examples:
  npx kuscia-iac webhook
  kuscia-iac webhook --host 0.0.0.0 --tls-cert /tls/tls.crt --tls-key /tls/tls.key --client-ca /tls/apiserver-ca.crt
  kuscia-iac webhook --certs-only --state-dir ./webhook-certs --san kuscia-iac-webhook.kuscia-iac-system.svc
  kuscia-iac webhook --print-configurations --state-dir ./webhook-certs --url https://10.0.0.5:8443 > webhook-configurations.yaml

SIGTERM stops accepting connections, finishes the reviews in flight and exits 0.
See deploy/README.md for installing it in a cluster or in a Kuscia node's K3s.`;

export function register(program: Command): Command {
  const cmd = program
    .command("webhook")
    .description("serve the Kubernetes admission webhook that reviews Kuscia, SecretFlow and Iflearner objects on kubectl apply")
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .option("--port <port>", "port to listen on (0: any free port)", port, 8443)
    .option("--probe-port <port>", "also serve GET /healthz and /readyz on this port, from a thread of their own, so that probes are answered while --port is flooded (the manifests' probes use it)", port)
    .option("--tls-cert <file>", "serving certificate (PEM); reloaded when it changes")
    .option("--tls-key <file>", "serving private key (PEM); reloaded when it changes")
    .option("--client-ca <file>", "require client certificates signed by this CA (PEM)")
    .option("--jwks <file|url>", "require bearer JWTs signed by a key of this JWK Set (file or https URL)")
    .option("--audience <aud>", "audience the bearer JWTs must carry (required with --jwks)")
    .option("--issuer <iss>", "issuer the bearer JWTs must carry")
    .option("--state-dir <dir>", "where the embedded CA and certificate are kept (default: under the OS temp dir)")
    .option("--san <name>", "extra DNS name or IP for the embedded serving certificate (repeatable, comma-separated)", collect, [] as string[])
    .addOption(new Option("--log-level <level>", "log level").choices(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"))
    .option("--drain-timeout <seconds>", "on SIGTERM, how long to wait for reviews in flight", seconds, 20)
    .option("--request-timeout <seconds>", "time a caller has to send a whole request, headers and body (408 and closed after it); a review may run as long", positiveSeconds, 15)
    .option("--max-request-bytes <bytes>", "largest AdmissionReview body accepted (413 above it); an UPDATE carries two objects of up to 3 MiB each", bytes, MAX_BODY_BYTES)
    .option("--review-workers <n>", `worker threads that parse and review requests (default: ${defaultReviewWorkers()}, min(2, CPUs under the cgroup quota); 0: on the main thread)`, count(64))
    .option("--max-queued-reviews <n>", "reviews that may wait for a busy worker; more get 503 with Retry-After, which the API server retries", count(100_000), MAX_QUEUED_REVIEWS)
    .option("--max-buffered-bytes <bytes>", `request bodies held in memory at once, across every request (read, queued or under review); a request that would pass it gets 503 with Retry-After, its body unread (default: ${MAX_BUFFERED_BYTES}, or --max-request-bytes if larger)`, bytes)
    .option("--certs-only", "create (or reuse) the embedded CA and certificate in --state-dir, print the caBundle and exit")
    .option("--print-configurations", "print the Validating/MutatingWebhookConfiguration YAML and exit")
    .option("--url <url>", "with --print-configurations: the webhook's base URL (e.g. for a Kuscia node's K3s); default: the in-cluster Service")
    .option("--ca-bundle-file <file>", "with --print-configurations: the CA (PEM) that signed the serving certificate; default: the embedded CA")
    .option("--config <file>", "policy configuration (YAML): per-rule actions, parameters, exceptions, exempt requesters, kusciaVersion; followed while serving (reloaded on change, a bad new file is logged and the current one kept)")
    .option("--kube-version <version>", "with --print-configurations: the API server's Kubernetes version; matchConditions for exempt requesters are generated from 1.28", "1.30")
    .addOption(new Option("--failure-policy <policy>", "with --print-configurations: what the API server does when the webhook is unreachable").choices(["Fail", "Ignore"]).default("Fail"))
    .option("--references", "also check references across objects (a KusciaDeployment's AppImage and Domains, ...) against a watch cache of Domains, AppImages, DomainData and DomainDataSources; warnings unless the policy configuration says deny (ref.* rules); needs get, list and watch on those kinds")
    .option("--audit-interval <duration>", "also audit what already runs every <duration> (e.g. 10m): the scan of `audit --write-reports`, run by the replica holding a Lease; needs list on the reviewed kinds, PolicyReport writes and the Lease (see deploy/)", duration)
    .option("--lease-namespace <namespace>", "with --audit-interval: namespace of the Lease kuscia-iac-audit (default: POD_NAMESPACE, the service account's namespace, then the context's)")
    .option("--report-name <name>", "with --audit-interval: name of the reports written", REPORT_NAME)
    .addOption(new Option("--report-api <api>", "with --audit-interval: the report API, as for `audit --report-api`: openreports, wgpolicyk8s, both, or auto (OpenReports when its CRDs are served, else wgpolicyk8s)").choices([...REPORT_API_CHOICES]).default("auto"))
    .option("--max-report-results <n>", "with --audit-interval: results per report at most (at least 2), as for `audit --max-report-results`", count(1_000_000, 2), DEFAULT_MAX_RESULTS)
    .option("--kubeconfig <file>", "with --references or --audit-interval: kubeconfig to watch with (default: KUBECONFIG, ~/.kube/config, then the in-cluster service account)")
    .option("--context <name>", "with --references or --audit-interval: kubeconfig context")
    .addHelpText("after", HELP_AFTER)
    .action(async (o: WebhookCommandOptions) => {
      try {
        if (o.certsOnly) return await certsOnly(o);
        if (o.printConfigurations) return await printConfigurations(o);
        await serve(o);
      } catch (e) {
        if (e instanceof ConfigError || e instanceof NotApiServerError) {
          process.stderr.write(`kuscia-iac webhook: ${o.references ? "--references" : "--audit-interval"}: ${e.message}\n`);
          process.exitCode = 2;
          return;
        }
        if (!(e instanceof PolicyConfigError)) throw e;
        process.stderr.write(`kuscia-iac webhook: ${e.errors.join("\n")}\n`);
        process.exitCode = 2;
      }
    });
  return cmd;
}

async function certsOnly(o: WebhookCommandOptions): Promise<void> {
  const c = await ensureEmbeddedCerts({ stateDir: o.stateDir, sans: o.san });
  process.stdout.write(
    [`CA certificate:      ${c.caFile}`, `serving certificate: ${c.certFile}`, `serving key:         ${c.keyFile}`, `(${c.reused === "all" ? "reused" : c.reused === "ca" ? "CA reused, certificate issued" : "created"})`, `caBundle: ${c.caBundle}`, ""].join("\n"),
  );
}

async function printConfigurations(o: WebhookCommandOptions): Promise<void> {
  const caBundle = o.caBundleFile ? caBundleOf(readFileSync(o.caBundleFile, "utf8")) : (await ensureEmbeddedCerts({ stateDir: o.stateDir, sans: o.san })).caBundle;
  const { validating, mutating } = webhookConfigurations({
    caBundle,
    ...(o.url ? { url: o.url } : { service: DEFAULT_SERVICE }),
    failurePolicy: o.failurePolicy,
    exemptRequesters: o.config ? readPolicyConfigFile(o.config).config.document.exemptRequesters : undefined,
    kubeVersion: o.kubeVersion,
  });
  const exempt = JSON.stringify(validating).includes("matchConditions");
  if (o.config && !exempt && exemptionMatchConditions(readPolicyConfigFile(o.config).config.document.exemptRequesters).length > 0) {
    process.stderr.write(`kuscia-iac webhook: Kubernetes ${o.kubeVersion} has no webhook matchConditions (1.28 and later): the exempt requesters are left to the webhook itself, which admits them unreviewed\n`);
  }
  process.stdout.write(`${stringify(validating)}---\n${stringify(mutating)}`);
}

/**
 * --references / --audit-interval: refuses to start (NotApiServerError, exit status 2) when what
 * answers at the kubeconfig's server is not a Kubernetes API server (an HTML page, a login
 * redirect), which would otherwise look like a cluster without objects. A server that cannot be
 * reached now is only logged: the watch and the scans retry in the background.
 */
async function checkApiServer(o: WebhookCommandOptions, logger: ReturnType<typeof createLogger>): Promise<void> {
  const client = connect({ kubeconfig: o.kubeconfig, context: o.context, timeoutMs: 10_000 }); // throws ConfigError
  try {
    await client.verify();
  } catch (e) {
    if (e instanceof NotApiServerError) throw e;
    logger.warn({ error: (e as Error).message }, "the API server cannot be reached now; --references and --audit-interval retry in the background");
  }
}

async function serve(o: WebhookCommandOptions): Promise<RunningWebhook> {
  const logger = createLogger(o.logLevel);
  const options: WebhookOptions = {
    host: o.host,
    port: o.port,
    probePort: o.probePort,
    tlsCert: o.tlsCert,
    tlsKey: o.tlsKey,
    clientCa: o.clientCa,
    jwks: o.jwks,
    audience: o.audience,
    issuer: o.issuer,
    stateDir: o.stateDir,
    sans: o.san,
    logger,
    drainTimeoutMs: o.drainTimeout * 1000,
    requestTimeoutMs: o.requestTimeout * 1000,
    // The headers come first: at most the request's time, and 10 s as before.
    headersTimeoutMs: Math.min(10_000, o.requestTimeout * 1000),
    policyConfigFile: o.config,
    maxRequestBytes: o.maxRequestBytes,
    reviewWorkers: o.reviewWorkers,
    maxQueuedReviews: o.maxQueuedReviews,
    maxBufferedBytes: o.maxBufferedBytes,
    ...(o.references ? { references: { kubeconfig: o.kubeconfig, context: o.context } } : {}),
    ...(o.auditInterval ? { audit: { intervalMs: o.auditInterval, kubeconfig: o.kubeconfig, context: o.context, leaseNamespace: o.leaseNamespace, reportName: o.reportName, reportApi: o.reportApi, maxReportResults: o.maxReportResults } } : {}),
  };
  // The handlers are in place before anything starts: the "listening" line is logged inside
  // startWebhook, and a SIGTERM sent on seeing it (a supervisor, a test, a rolling update)
  // must not meet the default action, which kills the process without draining.
  let running: Awaited<ReturnType<typeof startWebhook>> | undefined;
  let stopping: string | undefined;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = signal;
    if (running) close(running, signal);
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
  if (o.references || o.auditInterval) await checkApiServer(o, logger);
  running = await startWebhook(options);
  if (running.caBundleFile) {
    // Humans read stderr; stdout stays one JSON log line per event.
    process.stderr.write(`kuscia-iac webhook: serving ${running.url}\n  CA bundle file: ${running.caBundleFile}\n  caBundle: ${running.caBundle}\n`);
  }
  // A signal that came while starting: stop now that there is something to stop.
  if (stopping) close(running, stopping);
  return running;

  function close(r: NonNullable<typeof running>, signal: string): void {
    logger.info({ signal }, "stopping: no new connections, finishing reviews in flight");
    r.close().then(
      () => {
        logger.info({}, "stopped");
        logger.flush();
        process.exit(0);
      },
      (e: unknown) => {
        logger.error({ error: String(e) }, "stop failed");
        logger.flush();
        process.exit(1);
      },
    );
  }
}

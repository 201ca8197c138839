/**
 * Prometheus metrics of one webhook server. Each server has its own registry so
 * several servers in one process (tests, the e2e harness) do not collide.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export type RequestVerdict = "allowed" | "denied" | "error" | "bad_request" | "unauthorized" | "client_abort" | "overloaded";

export class WebhookMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<"endpoint" | "kind" | "operation" | "verdict">;
  private readonly duration: Histogram<"endpoint" | "verdict">;
  private readonly reloads: Counter<"result">;
  private readonly certExpiry: Gauge;
  private readonly configReloads: Counter<"result">;
  private readonly configInfo: Gauge<"digest">;
  private readonly configChecks: Counter;
  private readonly configCompiles: Counter;
  private readonly audits: Counter<"kind" | "rule" | "reason">;
  private readonly deniedRules: Counter<"kind" | "rule">;
  private readonly workers: Gauge;
  private readonly workersBusy: Gauge;
  private readonly queued: Gauge;
  private readonly rejected: Counter;
  private readonly buffered: Gauge;
  private readonly bodyBytes: Counter<"disposition">;
  private readonly restarts: Counter<"reason">;
  private readonly auditScans: Counter<"result">;
  private readonly auditLast: Gauge;
  private readonly auditLeading: Gauge;

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.requests = new Counter({
      name: "kuscia_iac_webhook_requests_total",
      help: "Admission requests by endpoint, reviewed kind (rule-book key or unknown), operation and verdict: allowed, denied, error (refused fail-closed: an internal error or a review past its deadline), bad_request, unauthorized, client_abort, overloaded (503: every review worker busy and the queue full)",
      labelNames: ["endpoint", "kind", "operation", "verdict"],
      registers,
    });
    this.duration = new Histogram({
      name: "kuscia_iac_webhook_request_duration_seconds",
      help: "Time from the request's arrival to its answer, body reading included",
      labelNames: ["endpoint", "verdict"],
      // The API server gives a webhook timeoutSeconds (5 s); reviews take well under a millisecond.
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.reloads = new Counter({
      name: "kuscia_iac_webhook_certificate_reloads_total",
      help: "Serving certificate reloads from disk, by result (loaded or rejected)",
      labelNames: ["result"],
      registers,
    });
    this.certExpiry = new Gauge({
      name: "kuscia_iac_webhook_certificate_expiry_timestamp_seconds",
      help: "notAfter of the serving certificate in use, as a Unix timestamp",
      registers,
    });
    this.configReloads = new Counter({
      name: "kuscia_iac_webhook_policy_config_reloads_total",
      help: "Policy configuration reloads from disk, by result (loaded, or rejected: the file was invalid and the configuration in force was kept)",
      labelNames: ["result"],
      registers,
    });
    this.configChecks = new Counter({
      name: "kuscia_iac_webhook_policy_config_checks_total",
      help: "Reads of the policy configuration file (each poll or file event), in the configuration loader's thread",
      registers,
    });
    this.configCompiles = new Counter({
      name: "kuscia_iac_webhook_policy_config_compiles_total",
      help: "Parses and validations of the policy configuration file: only when its bytes changed and two reads agree",
      registers,
    });
    this.configInfo = new Gauge({
      name: "kuscia_iac_webhook_policy_config_info",
      help: "The policy configuration in force: 1 for its digest (first 12 hex digits of sha256)",
      labelNames: ["digest"],
      registers,
    });
    this.audits = new Counter({
      name: "kuscia_iac_webhook_audit_findings_total",
      help: "Findings allowed silently by the policy configuration (rule action audit, or an exception), by kind and rule",
      labelNames: ["kind", "rule", "reason"],
      registers,
    });
    this.deniedRules = new Counter({
      name: "kuscia_iac_webhook_denied_rules_total",
      help: "Refused reviews by kind and rule: a refusal counts once for each distinct rule among its violations (internal.rule-error: a rule could not evaluate the object, refused fail-closed)",
      labelNames: ["kind", "rule"],
      registers,
    });
    this.workers = new Gauge({
      name: "kuscia_iac_webhook_review_workers",
      help: "Review worker threads (--review-workers; 0: reviews run on the main thread)",
      registers,
    });
    this.workersBusy = new Gauge({
      name: "kuscia_iac_webhook_review_workers_busy",
      help: "Review worker threads reviewing a request now",
      registers,
    });
    this.queued = new Gauge({
      name: "kuscia_iac_webhook_review_queue_length",
      help: "Reviews waiting for a free review worker",
      registers,
    });
    this.rejected = new Counter({
      name: "kuscia_iac_webhook_reviews_rejected_total",
      help: "Reviews answered 503 with Retry-After: every review worker was busy and the queue full (--max-queued-reviews), or the bodies in memory at --max-buffered-bytes",
      registers,
    });
    this.buffered = new Gauge({
      name: "kuscia_iac_webhook_buffered_bytes",
      help: "Bytes of request bodies held now (being read, queued or under review), against --max-buffered-bytes",
      registers,
    });
    this.bodyBytes = new Counter({
      name: "kuscia_iac_webhook_request_body_bytes_total",
      help: "Bytes of request bodies read, by disposition: buffered (kept in memory for a review, within --max-buffered-bytes) or discarded (the rest of a body answered 503 past the budget, read and dropped as it arrived)",
      labelNames: ["disposition"],
      registers,
    });
    this.restarts = new Counter({
      name: "kuscia_iac_webhook_review_worker_restarts_total",
      help: "Review workers replaced, by reason: exit (crashed or ran out of memory) or deadline (a review ran too long and its worker was terminated); the review was refused (500)",
      labelNames: ["reason"],
      registers,
    });
    this.auditScans = new Counter({
      name: "kuscia_iac_webhook_audit_scans_total",
      help: "Background audits (--audit-interval) run by this replica, by result: success, error, or abandoned (the Lease was lost during the scan)",
      labelNames: ["result"],
      registers,
    });
    this.auditLast = new Gauge({
      name: "kuscia_iac_webhook_audit_last_scan_timestamp_seconds",
      help: "When this replica's last background audit ended, as a Unix timestamp",
      registers,
    });
    this.auditLeading = new Gauge({
      name: "kuscia_iac_webhook_audit_leader",
      help: "1 while this replica holds the background audit's Lease (it runs the scans), else 0",
      registers,
    });
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: "kuscia_iac_webhook_" });
  }

  observe(endpoint: string, kind: string, operation: string, verdict: RequestVerdict, seconds: number): void {
    this.requests.inc({ endpoint, kind, operation, verdict });
    this.duration.observe({ endpoint, verdict }, seconds);
  }

  certificateLoaded(notAfter: Date): void {
    this.certExpiry.set(Math.floor(notAfter.getTime() / 1000));
  }

  policyConfigLoaded(digest: string): void {
    this.configInfo.reset();
    this.configInfo.set({ digest: digest.slice(0, 12) }, 1);
  }

  policyConfigChecked(): void {
    this.configChecks.inc();
  }

  policyConfigCompiled(): void {
    this.configCompiles.inc();
  }

  policyConfigReload(result: "loaded" | "rejected", digest?: string): void {
    this.configReloads.inc({ result });
    if (digest) this.policyConfigLoaded(digest);
  }

  /** `reason` is `audit` or `exception` (never the exception's free text: bounded cardinality). */
  audited(kind: string, rule: string, reason: "audit" | "exception"): void {
    this.audits.inc({ kind, rule, reason });
  }

  /** A refused review's distinct rule ids (rule-book ids: bounded cardinality). */
  denied(kind: string, rules: readonly string[]): void {
    for (const rule of rules) this.deniedRules.inc({ kind, rule });
  }

  reviewPool(workers: number, busy: number, queued: number): void {
    this.workers.set(workers);
    this.workersBusy.set(busy);
    this.queued.set(queued);
  }

  bufferedBytes(n: number): void {
    this.buffered.set(n);
  }

  /** Bytes of a request body read: kept for a review, or read and dropped after a 503. */
  bodyBytesRead(disposition: "buffered" | "discarded", n: number): void {
    this.bodyBytes.inc({ disposition }, n);
  }

  reviewRejected(): void {
    this.rejected.inc();
  }

  reviewWorkerRestart(reason: "exit" | "deadline"): void {
    this.restarts.inc({ reason });
  }

  reload(result: "loaded" | "rejected"): void {
    this.reloads.inc({ result });
  }

  auditScan(result: "success" | "error" | "abandoned"): void {
    this.auditScans.inc({ result });
  }

  auditScanned(endMs: number): void {
    this.auditLast.set(Math.floor(endMs / 1000));
  }

  auditLeader(leading: boolean): void {
    this.auditLeading.set(leading ? 1 : 0);
  }
}

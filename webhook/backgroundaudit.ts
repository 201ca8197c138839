/**
 * `webhook --audit-interval`: the scan of `audit --write-reports` (audit/scan.ts and
 * audit/policyreport.ts: OpenReports or wgpolicyk8s PolicyReports, bounded), run every interval by the one replica holding the Lease
 * (audit/lease.ts), under the policy configuration in force (reloads included). So
 * with several replicas the PolicyReports are written once per interval, and when the
 * holder stops another replica takes over within the Lease duration.
 */
import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import type { KubeConfig } from "@kubernetes/client-node";
import type { Logger } from "pino";
import type { PolicyConfig } from "../policy";
import { KubeClient, loadKubeConfig, type KubeOptions } from "../audit/kube";
import { LeaseLock } from "../audit/lease";
import { scanCluster } from "../audit/scan";
import { describeWrite, writeReports, type ReportApiChoice } from "../audit/policyreport";
import type { WebhookMetrics } from "./metrics";

export const DEFAULT_LEASE_NAME = "kuscia-iac-audit";
const SA_NAMESPACE = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";
/** Longest renew period: a 10-minute interval still renews every 10 s (a 30 s Lease). */
const MAX_RENEW_MS = 10_000;

export interface BackgroundAuditOptions extends KubeOptions {
  /** Time between the end of one scan and the start of the next, in ms. */
  intervalMs: number;
  /** Namespace of the Lease: default POD_NAMESPACE, else the service account's, else the context's. */
  leaseNamespace?: string;
  leaseName?: string;
  /** Holder identity: default POD_NAME (or the host name) and the process id. */
  identity?: string;
  /** Renew period, in ms: default min(interval, 10 s). The Lease lasts 3 renew periods. */
  renewMs?: number;
  reportName?: string;
  /** The report API (audit --report-api): default auto, from the CRDs the API server serves. */
  reportApi?: ReportApiChoice;
  /** Results per report at most (audit --max-report-results); default 1000. */
  maxReportResults?: number;
  pageSize?: number;
  /** Test hook: a client instead of one from the kubeconfig. */
  kubeConfig?: KubeConfig;
}

export interface ScanSummary {
  objects: number;
  findings: number;
  refused: number;
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
  /** The report APIs written (apiVersions). */
  apis: string[];
  /** Reports that left results out (the volume cap). */
  truncated: number;
  /** Some kind could not be read everywhere (403): reports were not pruned. */
  incomplete: boolean;
  durationMs: number;
}

/** Parses `10m`, `1h30m`, `45s`, `500ms` (a Go duration, positive) into milliseconds; undefined when invalid. */
export function parseDuration(v: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let end = 0;
  if (!v) return undefined;
  while ((m = re.exec(v))) {
    total += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as "ms" | "s" | "m" | "h"];
    end = re.lastIndex;
  }
  return end === v.length && total > 0 ? Math.round(total) : undefined;
}

export function defaultIdentity(): string {
  return `${process.env.POD_NAME || hostname()}_${process.pid}`;
}

function defaultLeaseNamespace(client: KubeClient): string {
  if (process.env.POD_NAMESPACE) return process.env.POD_NAMESPACE;
  try {
    return readFileSync(SA_NAMESPACE, "utf8").trim() || client.namespace();
  } catch {
    return client.namespace();
  }
}

export class BackgroundAudit {
  readonly lease: LeaseLock;
  private readonly client: KubeClient;
  private readonly renewMs: number;
  private renewTimer?: NodeJS.Timeout;
  private scanTimer?: NodeJS.Timeout;
  private scanning?: Promise<void>;
  private stopped = false;
  private lastScanEnd = 0;
  /** Summaries of the scans run (tests). */
  readonly scans: ScanSummary[] = [];

  constructor(
    private readonly opts: BackgroundAuditOptions,
    private readonly deps: { logger: Logger; metrics: WebhookMetrics; policy: () => PolicyConfig },
  ) {
    if (!Number.isFinite(opts.intervalMs) || opts.intervalMs <= 0) throw new Error(`--audit-interval must be positive, got ${String(opts.intervalMs)}`);
    if (opts.kubeConfig) {
      this.client = new KubeClient(opts.kubeConfig, opts.kubeConfig.getCurrentContext() || "in-cluster", opts.timeoutMs);
    } else {
      const { kc, context } = loadKubeConfig(opts); // throws ConfigError: refuse to start
      this.client = new KubeClient(kc, context, opts.timeoutMs);
    }
    this.renewMs = opts.renewMs ?? Math.min(opts.intervalMs, MAX_RENEW_MS);
    this.lease = new LeaseLock(this.client, {
      namespace: opts.leaseNamespace ?? defaultLeaseNamespace(this.client),
      name: opts.leaseName ?? DEFAULT_LEASE_NAME,
      identity: opts.identity ?? defaultIdentity(),
      leaseDurationSeconds: Math.max(1, Math.ceil((3 * this.renewMs) / 1000)),
    });
  }

  private renewing?: Promise<void>;

  start(): void {
    this.deps.metrics.auditLeader(false);
    this.tick();
  }

  private tick(): void {
    this.renewing = this.renew().finally(() => (this.renewing = undefined));
  }

  isLeader(): boolean {
    return this.lease.isLeader();
  }

  private async renew(): Promise<void> {
    if (this.stopped) return;
    const was = this.lease.isLeader();
    let now = was;
    try {
      now = await this.lease.tryAcquireOrRenew();
    } catch (e) {
      now = false;
      this.deps.logger.warn({ lease: this.leaseName(), error: (e as Error).message }, "background audit: cannot read or write the Lease");
    }
    if (this.stopped) return;
    if (now !== was) {
      this.deps.metrics.auditLeader(now);
      this.deps.logger.info({ lease: this.leaseName(), identity: this.lease.opts.identity }, now ? "background audit: leading (holding the Lease): scans run here" : "background audit: not leading any more");
    }
    if (now && !this.scanning && !this.scanTimer) {
      const wait = Math.max(0, this.lastScanEnd + this.opts.intervalMs - Date.now());
      this.scanTimer = setTimeout(() => {
        this.scanTimer = undefined;
        this.scanning = this.scan().finally(() => (this.scanning = undefined));
      }, wait);
    }
    this.renewTimer = setTimeout(() => this.tick(), this.renewMs);
  }

  private leaseName(): string {
    return `${this.lease.opts.namespace}/${this.lease.opts.name}`;
  }

  /** One scan and report sync, when still leading. */
  private async scan(): Promise<void> {
    if (this.stopped || !this.lease.isLeader()) return;
    const started = Date.now();
    // CRDs installed or removed since the last scan (a reviewed kind, a report API under auto).
    this.client.resetDiscovery();
    try {
      const outcome = await scanCluster(this.client, { config: this.deps.policy(), pageSize: this.opts.pageSize, notice: (l) => this.deps.logger.warn({}, `background audit: ${l}`) });
      if (this.stopped || !this.lease.isLeader()) {
        this.deps.metrics.auditScan("abandoned");
        return;
      }
      const w = await writeReports(this.client, outcome.report.results, outcome.clean, {
        choice: this.opts.reportApi,
        name: this.opts.reportName,
        maxResults: this.opts.maxReportResults,
        prune: !outcome.incomplete,
        notice: (l) => this.deps.logger.warn({}, `background audit: ${l}`),
      });
      const written = w.apis.map((a) => a.outcome);
      const total = (k: keyof (typeof written)[number]) => written.reduce((n, o) => n + o[k].length, 0);
      const r = outcome.report;
      const summary: ScanSummary = {
        objects: r.summary.objects,
        findings: r.results.reduce((n, x) => n + x.violations.length + x.warnings.length + x.audits.length, 0),
        refused: r.summary.refused,
        created: total("created"),
        updated: total("updated"),
        deleted: total("deleted"),
        unchanged: total("unchanged"),
        apis: w.apis.filter((a) => !a.cleared).map((a) => a.apiVersion),
        truncated: w.truncated.length,
        incomplete: outcome.incomplete,
        durationMs: Date.now() - started,
      };
      this.scans.push(summary);
      this.deps.metrics.auditScan("success");
      this.deps.logger.info({ ...summary, incomplete: summary.incomplete || undefined, reports: describeWrite(w) }, "background audit");
    } catch (e) {
      this.deps.metrics.auditScan("error");
      this.deps.logger.error({ error: (e as Error).message, durationMs: Date.now() - started }, "background audit failed");
    } finally {
      this.lastScanEnd = Date.now();
      this.deps.metrics.auditScanned(this.lastScanEnd);
    }
  }

  /** Stops the timers, waits for a scan in flight, and gives the Lease up. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.renewTimer);
    clearTimeout(this.scanTimer);
    await this.renewing;
    await this.scanning?.catch(() => undefined);
    try {
      await this.lease.release();
    } catch (e) {
      this.deps.logger.warn({ lease: this.leaseName(), error: (e as Error).message }, "background audit: cannot release the Lease; it expires on its own");
    }
    this.deps.metrics.auditLeader(false);
  }
}

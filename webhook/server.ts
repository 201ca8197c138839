/**
 * The admission webhook server: HTTPS only, one AdmissionReview per request,
 * answered by the rule book. `startWebhook` is what the CLI, the tests and the
 * e2e harness call.
 */
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { IncomingMessage, ServerResponse } from "node:http";
import { usableCpus } from "../platform/cpus";
import express, { type Request, type Response } from "express";
import pino, { type Logger } from "pino";
import { redactRecord } from "../policy/redact";
import { defaultPolicyConfiguration, review, type PolicyConfig } from "../policy";
import { configOfSource, sourceOf, type PolicySource } from "../policy/config/compile";
import { PolicyFileLoader } from "../policyfile/loader";
import { loadPolicyConfigStable, watchPolicyConfigFile, type ConfigWatcher } from "../policyfile/watch";
import { BadAdmissionReview, errorWhere, type Endpoint, type Reviewer, type ReviewSummary } from "./admission";
import { createAuthenticator, type AuthResult } from "./auth";
import { BodyBudget, BodyLease, ClientAbort, HttpError, MAX_BODY_BYTES, MAX_BUFFERED_BYTES, OverBudget, checkContentType, checkJsonDepth, readBody } from "./body";
import { LogLimiter } from "./loglimit";
import { WebhookMetrics } from "./metrics";
import { CallerGone, QueueFull, ReviewFailed, ReviewPool, type WorkerHooks } from "./pool";
import { reviewBody } from "./reviewbody";
import { ReferenceCache, withReferences } from "./references";
import { BackgroundAudit, type BackgroundAuditOptions } from "./backgroundaudit";
import { startProbeListener, type ProbeListener } from "./probes";
import { ensureEmbeddedCerts } from "./state";
import { checkMaterial, materialHash, readMaterial, secureContextOptions, watchFiles, type LoadedCertificate, type TlsFiles } from "./tls";

export interface WebhookOptions {
  /** Default 127.0.0.1: exposing the webhook beyond this machine is a deliberate choice (--host 0.0.0.0). */
  host?: string;
  /** Default 8443; 0 picks a free port (tests). */
  port?: number;
  /** Serving certificate and key files (PEM); both or neither. Neither: the embedded CA and certificate. */
  tlsCert?: string;
  tlsKey?: string;
  /** Require client certificates signed by this CA bundle (PEM file). */
  clientCa?: string;
  /** Accept bearer JWTs signed by this JWKS (file or https URL), with this audience and issuer. */
  jwks?: string;
  audience?: string;
  issuer?: string;
  /** Where the embedded CA and certificate are kept; default a private folder under the OS temp dir. */
  stateDir?: string;
  /** Extra DNS names / IPs for the embedded serving certificate (besides localhost and 127.0.0.1). */
  sans?: string[];
  logger?: Logger;
  logLevel?: string;
  /** The rule book by default; injectable so tests can exercise the fail-closed path. Implies reviewWorkers 0. */
  reviewer?: Reviewer;
  /**
   * Worker threads that parse and review request bodies, so an expensive review never holds
   * the event loop that serves TLS, /healthz and the other reviews. Default min(2, available
   * parallelism); 0 reviews on the main thread.
   */
  reviewWorkers?: number;
  /**
   * Reviews that may wait for a free worker (default 256, more than the API server's default
   * --max-mutating-requests-inflight of 200, so a burst from one API server waits rather than
   * being refused); past it, 503 with Retry-After. Their bodies count in maxBufferedBytes.
   */
  maxQueuedReviews?: number;
  /**
   * Bytes of request bodies held at once across every request, read, queued or under review
   * (default MAX_BUFFERED_BYTES, 64 MiB). A request whose declared length does not fit is
   * answered 503 with Retry-After before any of its body is read; one without a length is
   * refused as soon as it would pass. At least maxRequestBytes.
   */
  maxBufferedBytes?: number;
  /** Repeated log lines (unauthenticated callers, bad requests, 503s): at most one per kind per this many ms; default 10 s. */
  repeatedLogIntervalMs?: number;
  /** Test-only: arms a review's deadline instead of setTimeout (the test decides when it passes). Returns a cancel function. */
  reviewDeadlineTimer?: (ms: number, fire: () => void) => () => void;
  /** How long one review may run in a worker before the worker is terminated and the request refused (500). Default requestTimeoutMs. */
  reviewTimeoutMs?: number;
  /**
   * Heap limit (old generation) of each review worker, in MiB; default 256. A review that needs
   * more stops its worker alone and is refused (500) instead of taking the process down.
   * A KusciaDeployment with 140,000 schema findings (3 MB) needs about 100.
   */
  reviewWorkerHeapMb?: number;
  /**
   * Bodies larger than this many bytes are reviewed one at a time (default 1 MiB), smaller ones
   * passing them on the other workers: one large review can fill its worker's heap, and the
   * process then holds one such heap, not one per worker (webhook/pool.ts).
   */
  largeReviewBytes?: number;
  /** Test-only: make the review workers crash or hang on a named object. */
  reviewWorkerHooks?: WorkerHooks;
  /**
   * Policy configuration file (YAML): actions, parameters, exceptions, exempt requesters.
   * Read at start (an invalid file stops the start) and followed while serving: a valid
   * new version takes effect for the next review; an invalid one is logged and the one in force kept.
   */
  policyConfigFile?: string;
  /** A compiled configuration instead of a file (tests, embedding); ignored when policyConfigFile is set. */
  policyConfig?: PolicyConfig;
  /** Poll period of the configuration file, in ms (default 2000). */
  policyConfigPollMs?: number;
  /**
   * A changed configuration file is applied once two reads this far apart (ms, default 500)
   * find the same bytes, so a file caught half-written is never applied.
   */
  policyConfigSettleMs?: number;
  /** Test-only: replaces the wait between the two reads (the test decides when the second read happens). */
  policyConfigSettle?: (hash: string) => Promise<void>;
  /** Serve POST /baseline: same stack, answers allowed without review. For bench/ only. */
  baseline?: boolean;
  /** How long close() waits for requests in flight before cutting connections. Default 20 s. */
  drainTimeoutMs?: number;
  /** Certificate file watching; defaults suit production. */
  watch?: { pollMs?: number; debounceMs?: number };
  /** Node process metrics (event loop, memory) in /metrics; default true. */
  defaultMetrics?: boolean;
  /** Time allowed to receive the request headers (default 10 s) and the whole request (default 15 s). */
  headersTimeoutMs?: number;
  /** Time allowed for a TLS handshake (default 10 s). */
  handshakeTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Time allowed to fetch a --jwks URL (default 3 s). */
  jwksTimeoutMs?: number;
  /**
   * --probe-port: also serve GET /healthz and GET /readyz on this port (0: a free one), from a
   * thread of their own, so that the kubelet's probes are answered while the webhook port is
   * flooded (webhook/probes.ts). Same certificate; no caller authentication, as on the webhook port.
   */
  probePort?: number;
  /** Test-only: the probe port's /healthz fails once the event loop has not run for this long (ms; default 5 s). */
  probeStaleMs?: number;
  /**
   * Largest request body accepted, in bytes (default MAX_BODY_BYTES, 7 MiB: an UPDATE
   * carries object and oldObject, each up to the API server's 3 MiB). Larger bodies get
   * 413, checked while streaming. Throws at start when not a positive integer.
   */
  maxRequestBytes?: number;
  /**
   * Cross-object reference checks against a watch cache of the referenced kinds (--references):
   * the kubeconfig to use (in-cluster by default). Findings are warnings unless the policy
   * configuration says otherwise; kinds not yet synced are not checked.
   */
  references?: { kubeconfig?: string; context?: string; retryMs?: number };
  /**
   * Background audit (--audit-interval): every interval, the replica holding the Lease scans
   * the cluster as `audit --write-reports` does, under the policy configuration in force.
   */
  audit?: Omit<BackgroundAuditOptions, "timeoutMs">;
}

export interface RunningWebhook {
  /** https://host:port, without a path. */
  url: string;
  host: string;
  port: number;
  /** https://host:probePort, with --probe-port. */
  probeUrl?: string;
  /** The embedded CA, when no certificate was given: trust it, or paste `caBundle` into a webhook configuration. */
  caBundlePem?: string;
  caBundle?: string;
  caBundleFile?: string;
  stateDir?: string;
  /** The serving certificate in use now. */
  certificate(): LoadedCertificate;
  ready(): boolean;
  /** Re-reads the certificate files now; true when a new pair was put in use. */
  reloadCertificates(): boolean;
  metrics: WebhookMetrics;
  /** The watch cache, with --references. */
  references?: ReferenceCache;
  /** The background audit, with --audit-interval. */
  audit?: BackgroundAudit;
  server: Server;
  logger: Logger;
  /** Stops accepting, lets requests in flight finish (up to drainTimeoutMs), then resolves. */
  close(): Promise<void>;
}

const HEADERS_TIMEOUT_MS = 10_000;
const REQUEST_TIMEOUT_MS = 15_000;
const HANDSHAKE_TIMEOUT_MS = 10_000;
const KEEP_ALIVE_TIMEOUT_MS = 30_000;
export const MAX_QUEUED_REVIEWS = 256;
const REVIEW_WORKER_HEAP_MB = 256;
/** Admission bodies are a few KiB; past this, a body (a list of a million items) may need a whole worker heap. */
const LARGE_REVIEW_BYTES = 1024 * 1024;

/** The default --review-workers: two threads, one where the machine or the cgroup CPU quota allows only one. */
export function defaultReviewWorkers(): number {
  return Math.min(2, usableCpus());
}

/**
 * The webhook's logger: JSON lines on `destination` (default standard output), every string
 * of a log call masked by policy/redact.ts (a logger passed to startWebhook instead should
 * come from here too).
 */
export function createLogger(level = "info", destination?: pino.DestinationStream): Logger {
  return pino({
    name: "kuscia-iac-webhook",
    level,
    timestamp: pino.stdTimeFunctions.isoTime,
    // Nothing below logs these; the redaction is a second line of defence for whoever adds a log call.
    redact: { paths: ["authorization", "*.authorization", "token", "*.token", "password", "*.password", "keyPem", "*.keyPem", "key", "*.key"], censor: "[redacted]" },
    // Every string a log call is given is masked as messages are: names, uids and kinds are the
    // caller's values, and a caller can put a DSN or a key in any of them.
    hooks: {
      logMethod(args, method) {
        return method.apply(this, args.map((a) => redactRecord(a)) as Parameters<typeof method>);
      },
    },
  }, destination);
}

function hostForUrl(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}

export async function startWebhook(opts: WebhookOptions = {}): Promise<RunningWebhook> {
  if (!!opts.tlsCert !== !!opts.tlsKey) throw new Error("--tls-cert and --tls-key go together");
  if ((opts.audience || opts.issuer) && !opts.jwks) throw new Error("--audience and --issuer need --jwks");
  const maxRequestBytes = opts.maxRequestBytes ?? MAX_BODY_BYTES;
  if (!Number.isSafeInteger(maxRequestBytes) || maxRequestBytes <= 0) throw new Error(`--max-request-bytes must be a positive whole number of bytes, got ${String(opts.maxRequestBytes)}`);
  const workers = opts.reviewWorkers ?? (opts.reviewer ? 0 : defaultReviewWorkers());
  if (!Number.isSafeInteger(workers) || workers < 0 || workers > 64) throw new Error(`--review-workers must be a whole number from 0 to 64, got ${String(opts.reviewWorkers)}`);
  if (workers > 0 && opts.reviewer) throw new Error("a custom reviewer runs on the main thread: it needs reviewWorkers 0");
  const maxQueued = opts.maxQueuedReviews ?? MAX_QUEUED_REVIEWS;
  if (!Number.isSafeInteger(maxQueued) || maxQueued < 0) throw new Error(`--max-queued-reviews must be a whole number, got ${String(opts.maxQueuedReviews)}`);
  const maxBuffered = opts.maxBufferedBytes ?? Math.max(MAX_BUFFERED_BYTES, maxRequestBytes);
  if (!Number.isSafeInteger(maxBuffered) || maxBuffered < maxRequestBytes) throw new Error(`--max-buffered-bytes must be a whole number of bytes of at least --max-request-bytes (${maxRequestBytes}), got ${String(opts.maxBufferedBytes)}`);
  const budget = new BodyBudget(maxBuffered, (n) => metrics.bufferedBytes(n));
  const repeated = new LogLimiter(opts.repeatedLogIntervalMs);
  const log = opts.logger ?? createLogger(opts.logLevel);
  const metrics = new WebhookMetrics({ defaultMetrics: opts.defaultMetrics });
  // --references: the reference findings are merged into each review's result (webhook/references.ts).
  const refCache = opts.references ? new ReferenceCache({ ...opts.references, logger: log, registry: metrics.registry }) : undefined;
  // On the main thread (--review-workers 0) the reviewer asks the cache; the workers get its names posted (below).
  // Made before anything starts, so a kubeconfig problem stops the start (ConfigError).
  const backgroundAudit = opts.audit ? new BackgroundAudit(opts.audit, { logger: log, metrics, policy: () => currentPolicy() }) : undefined;
  const reviewer = refCache ? withReferences(opts.reviewer ?? review, refCache) : (opts.reviewer ?? review);
  // Swapped whole on reload: a review in flight keeps the configuration it started with. The
  // main thread holds the validated document (`source`) and builds its own PolicyConfig only
  // when it needs one (--review-workers 0, the background audit): with review workers, a
  // reload costs the event loop no parsing, validation nor compiling.
  const loader = opts.policyConfigFile ? new PolicyFileLoader() : undefined;
  let source: PolicySource;
  let policyBuilt: PolicyConfig | undefined;
  let fileHash = "";
  if (opts.policyConfigFile) {
    try {
      // Throws PolicyConfigError: refuse to start on a bad file.
      const loaded = await loadPolicyConfigStable(opts.policyConfigFile, { loader: loader!, settle: opts.policyConfigSettle, settleMs: opts.policyConfigSettleMs });
      source = loaded.source;
      fileHash = loaded.hash;
      for (const w of loaded.warnings) log.warn({ config: opts.policyConfigFile }, w);
    } catch (e) {
      await loader!.close();
      throw e;
    }
  } else {
    policyBuilt = opts.policyConfig ?? defaultPolicyConfiguration();
    source = sourceOf(policyBuilt);
  }
  const currentPolicy = (): PolicyConfig => (policyBuilt ??= configOfSource(source));
  metrics.policyConfigLoaded(source.digest);
  let configWatcher: ConfigWatcher | undefined;
  const closeConfig = (): void => {
    configWatcher?.close();
    void loader?.close();
  };

  let embedded: Awaited<ReturnType<typeof ensureEmbeddedCerts>> | undefined;
  let files: TlsFiles;
  let material: ReturnType<typeof readMaterial>;
  let certificate: LoadedCertificate;
  let auth: ReturnType<typeof createAuthenticator>;
  try {
    if (!opts.tlsCert) embedded = await ensureEmbeddedCerts({ stateDir: opts.stateDir, sans: opts.sans });
    files = {
      cert: opts.tlsCert ?? embedded!.certFile,
      key: opts.tlsKey ?? embedded!.keyFile,
      ...(opts.clientCa ? { clientCa: opts.clientCa } : {}),
    };
    material = readMaterial(files);
    certificate = checkMaterial(material);
    auth = createAuthenticator({ clientCertificates: !!opts.clientCa, jwks: opts.jwks, audience: opts.audience, issuer: opts.issuer, jwksTimeoutMs: opts.jwksTimeoutMs }, log);
  } catch (e) {
    closeConfig();
    throw e;
  }
  let currentHash = materialHash(material);
  metrics.certificateLoaded(certificate.notAfter);

  let draining = false;

  const app = express();
  // Routes are exact: /VALIDATE and /validate/ are not /validate (a proxy rule or a
  // webhook configuration that spells them differently should fail loudly, with 404).
  app.set("case sensitive routing", true);
  app.set("strict routing", true);
  app.disable("x-powered-by");
  app.set("etag", false);

  app.get("/healthz", (_req, res) => {
    res.type("text/plain").send("ok");
  });
  const ready = (): boolean => !draining && Date.now() < certificate.notAfter.getTime();
  app.get("/readyz", (_req, res) => {
    res.status(ready() ? 200 : 503).json({
      ready: ready(),
      draining,
      certificate: { subject: certificate.subject, notAfter: certificate.notAfter.toISOString() },
    });
  });
  app.get("/metrics", async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  function sendJson(res: Response, status: number, body: unknown): void {
    // While draining, every answer closes its connection so the server can finish closing.
    if (draining) res.setHeader("Connection", "close");
    res.status(status).json(body);
  }

  /** As sendJson, for JSON already serialized (by a review worker): the same bytes and headers. */
  function sendJsonText(res: Response, status: number, text: string): void {
    if (draining) res.setHeader("Connection", "close");
    res.status(status).type("application/json").send(text);
  }

  function logReview(s: ReviewSummary, endpoint: Endpoint, ms: number, who: AuthResult): void {
    const line = {
      uid: s.uid,
      endpoint,
      kind: s.kind,
      namespace: s.namespace,
      name: s.name,
      operation: s.operation,
      dryRun: s.dryRun || undefined,
      verdict: s.verdict,
      rules: s.rules,
      warnings: s.warnings || undefined,
      audits: s.audits,
      exempt: s.exempt,
      patchOps: s.patchOps || undefined,
      droppedPatch: s.droppedPatch,
      caller: who.ok && who.method !== "none" ? { method: who.method, subject: who.subject } : undefined,
      durationMs: Math.round(ms * 1000) / 1000,
    };
    if (s.verdict === "error") log.error({ ...line, error: s.error }, "review failed; refused (fail closed)");
    else if (s.droppedPatch) log.error(line, "review patch dropped by the safety net");
    else log.info(line, "review");
  }

  /** A 503 with Retry-After, which the API server's client retries within its timeout (test/e2e/backpressure.test.ts). */
  function overloaded(res: Response, endpoint: Endpoint, message: string, seconds: number, unread: boolean): void {
    metrics.reviewRejected();
    metrics.observe(endpoint, "unknown", "", "overloaded", seconds);
    res.setHeader("Retry-After", "1");
    // A body left unread is read and thrown away as it arrives, never buffered. The connection
    // stays open until the caller has sent it: closing it with bytes unread would reset it
    // (RST), and the caller could lose the 503 and its Retry-After. A caller that asked for
    // "Connection: close" (agent-less Node clients, curl -H) would otherwise get exactly that:
    // Node's server destroys such a connection as soon as the answer is written, so this
    // answer keeps it alive and the caller closes it once its body is sent. The request and
    // keep-alive timeouts still bound how long this takes.
    // A caller that asked for `100 Continue` and was not sent one has no body on the way: its
    // connection is closed rather than kept for a body that never comes.
    if (unread && continueWanted.has(res.req)) unread = false;
    if (unread && !draining) res.shouldKeepAlive = true;
    sendJson(res, 503, { error: "ServiceUnavailable", message });
    if (unread) {
      res.req.on("data", (chunk: Buffer) => metrics.bodyBytesRead("discarded", chunk.length));
      res.req.resume();
    }
  }

  function handler(endpoint: Endpoint) {
    return async (req: Request, res: Response): Promise<void> => {
      const started = process.hrtime.bigint();
      const elapsed = (): number => Number(process.hrtime.bigint() - started) / 1e9;
      let who: AuthResult = { ok: false, reason: "not checked" };
      const lease = new BodyLease(budget);
      try {
        who = await auth.authenticate(req);
        if (!who.ok) {
          if (draining) res.setHeader("Connection", "close");
          if (auth.methods.includes("bearer")) res.setHeader("WWW-Authenticate", 'Bearer realm="kuscia-iac-webhook"');
          repeated.log(`401 ${who.reason}`, (suppressed) => log.warn({ endpoint, remote: req.socket.remoteAddress, reason: who.ok ? undefined : who.reason, suppressed: suppressed || undefined }, "refused an unauthenticated caller"));
          metrics.observe(endpoint, "unknown", "", "unauthorized", elapsed());
          res.status(401).json({ error: "Unauthorized", message: who.reason });
          return;
        }
        checkContentType(req);
        const raw = await readBody(req, maxRequestBytes, {
          lease,
          // Expect: 100-continue: the body is asked for only now, once the caller is
          // authenticated and its declared length is within the limit and the budget.
          onAccepted: () => {
            if (!continueWanted.has(req)) return;
            res.removeHeader("Connection");
            res.writeContinue();
          },
          onBytes: (n) => metrics.bodyBytesRead("buffered", n),
        });
        let summary: ReviewSummary;
        if (pool) {
          // The depth check (a pass over every byte) runs in the worker, before JSON.parse.
          const r = await pool.review(endpoint, raw, () => req.socket.destroyed);
          if (r.status === 400) throw new HttpError(400, "BadRequest", r.message);
          sendJsonText(res, 200, r.text);
          summary = r.summary;
        } else {
          checkJsonDepth(raw);
          const r = reviewBody(raw, endpoint, reviewer, currentPolicy());
          sendJson(res, 200, r.body);
          summary = r.summary;
        }
        const seconds = elapsed();
        metrics.observe(endpoint, summary.kind, summary.operation, summary.verdict, seconds);
        for (const a of summary.audits ?? []) metrics.audited(summary.kind, a.rule, a.exception ? "exception" : "audit");
        if (summary.verdict === "denied" && summary.rules) metrics.denied(summary.kind, summary.rules);
        logReview(summary, endpoint, seconds * 1000, who);
      } catch (e) {
        if (e instanceof ClientAbort || e instanceof CallerGone) {
          // Nobody is left to answer; a caller's timeout or cancel is not our failure.
          const msg = e instanceof CallerGone ? e.message : "client closed the connection before the body was complete";
          repeated.log(msg, (suppressed) => log.info({ endpoint, remote: req.socket.remoteAddress, suppressed: suppressed || undefined }, msg));
          metrics.observe(endpoint, "unknown", "", "client_abort", elapsed());
          return;
        }
        if (e instanceof QueueFull) {
          repeated.log("queue full", (suppressed) => log.warn({ endpoint, remote: req.socket.remoteAddress, queued: e.limit, suppressed: suppressed || undefined }, "every review worker is busy and the queue is full: answered 503"));
          overloaded(res, endpoint, e.message, elapsed(), false);
          return;
        }
        if (e instanceof OverBudget) {
          repeated.log("over budget", (suppressed) => log.warn({ endpoint, remote: req.socket.remoteAddress, bufferedBytes: budget.inUse, limit: e.limit, suppressed: suppressed || undefined }, "request bodies in memory are at --max-buffered-bytes: answered 503 without reading the body"));
          overloaded(res, endpoint, e.message, elapsed(), true);
          return;
        }
        const status = e instanceof HttpError ? e.status : e instanceof BadAdmissionReview ? 400 : 500;
        const code = e instanceof HttpError ? e.code : e instanceof BadAdmissionReview ? "BadRequest" : "InternalError";
        const message = status === 500 ? "internal error; see the webhook log" : (e as Error).message;
        // The rest of an oversized body is not worth reading; closing is cheaper and bounds the work.
        if (status === 413) res.setHeader("Connection", "close");
        if (status === 500) log.error({ endpoint, error: e instanceof ReviewFailed ? e.where : errorWhere(e) }, "request failed");
        else repeated.log(`${status} ${message}`, (suppressed) => log.warn({ endpoint, status, remote: req.socket.remoteAddress, reason: message, suppressed: suppressed || undefined }, "bad request"));
        metrics.observe(endpoint, "unknown", "", status === 500 ? "error" : "bad_request", elapsed());
        if (!res.headersSent) sendJson(res, status, { error: code, message });
      } finally {
        lease.release();
      }
    };
  }

  const endpoints: [string, Endpoint][] = [["/validate", "validate"], ["/mutate", "mutate"]];
  if (opts.baseline) endpoints.push(["/baseline", "baseline"]);
  for (const [path, endpoint] of endpoints) {
    app.post(path, handler(endpoint));
    app.all(path, (_req, res) => {
      res.setHeader("Allow", "POST");
      sendJson(res, 405, { error: "MethodNotAllowed", message: `${path} takes POST with an AdmissionReview` });
    });
  }
  app.use((_req: Request, res: Response) => {
    sendJson(res, 404, { error: "NotFound", message: "endpoints: POST /validate, POST /mutate, GET /healthz, GET /readyz, GET /metrics" });
  });
  // Express calls this only for errors outside the handlers above (which catch their own).
  app.use((err: unknown, _req: Request, res: Response, _next: (e?: unknown) => void) => {
    log.error({ error: errorWhere(err) }, "request failed");
    if (!res.headersSent) sendJson(res, 500, { error: "InternalError", message: "internal error; see the webhook log" });
  });

  const server = createServer(
    {
      ...secureContextOptions(material),
      // Verification happens in TLS; rejection happens in HTTP so the caller gets a 401 that says why.
      requestCert: !!opts.clientCa,
      rejectUnauthorized: false,
      handshakeTimeout: opts.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS,
      // A slow or stalled sender holds a connection only this long (answered 408, then closed).
      headersTimeout: opts.headersTimeoutMs ?? HEADERS_TIMEOUT_MS,
      requestTimeout: opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS,
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      connectionsCheckingInterval: 1000,
    },
    app,
  );
  // `Expect: 100-continue`: Node's server would send `100 Continue` before any handler runs,
  // asking the caller for a body the handler may then refuse (413 over --max-request-bytes,
  // 503 past --max-buffered-bytes, 401). With this listener the handler decides: readBody
  // sends it once the body is wanted, and a refusal goes out as the only answer.
  const continueWanted = new WeakSet<IncomingMessage>();
  server.on("checkContinue", (req: IncomingMessage, res: ServerResponse) => {
    continueWanted.add(req);
    // Until the body is asked for, any answer is final and the body never comes: the
    // connection closes after it (onAccepted takes this back when it sends 100 Continue).
    res.setHeader("Connection", "close");
    server.emit("request", req, res);
  });
  server.on("tlsClientError", (err: Error & { code?: string }) => {
    log.debug({ code: err.code }, "TLS handshake failed");
  });

  const host = opts.host ?? "127.0.0.1";
  // Started last, so that nothing above can fail and leave threads running; ready before the first request.
  const pool: ReviewPool | undefined = workers > 0 ? new ReviewPool({ size: workers, maxQueued, deadlineMs: opts.reviewTimeoutMs ?? opts.requestTimeoutMs ?? REQUEST_TIMEOUT_MS, source, log, metrics, hooks: opts.reviewWorkerHooks, heapMb: opts.reviewWorkerHeapMb ?? REVIEW_WORKER_HEAP_MB, largeBodyBytes: opts.largeReviewBytes ?? LARGE_REVIEW_BYTES, timer: opts.reviewDeadlineTimer }) : undefined;
  if (pool && refCache) refCache.onChange(() => pool.setReferences(refCache.snapshot()));
  configWatcher = opts.policyConfigFile
    ? watchPolicyConfigFile(opts.policyConfigFile, { hash: fileHash, digest: source.digest }, {
        loader: loader!,
        pollMs: opts.policyConfigPollMs,
        settle: opts.policyConfigSettle,
        settleMs: opts.policyConfigSettleMs,
        onCheck: () => metrics.policyConfigChecked(),
        onCompile: () => metrics.policyConfigCompiled(),
        onChanging: () => log.debug({ config: opts.policyConfigFile }, "policy configuration file changed; applying it once two reads agree"),
        onChange: (loaded) => {
          source = loaded.source;
          policyBuilt = undefined;
          pool?.setConfig(source);
          metrics.policyConfigReload("loaded", source.digest);
          log.info({ config: opts.policyConfigFile, digest: source.digest.slice(0, 12) }, "policy configuration reloaded");
          for (const w of loaded.warnings) log.warn({ config: opts.policyConfigFile }, w);
        },
        onError: (errors) => {
          metrics.policyConfigReload("rejected");
          log.error({ config: opts.policyConfigFile, errors }, "policy configuration not reloaded: the file is invalid; keeping the configuration in force");
        },
      })
    : undefined;
  try {
    await pool?.ready();
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(opts.port ?? 8443, host, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (e) {
    auth.close();
    closeConfig();
    await pool?.close();
    throw e;
  }
  let probes: ProbeListener | undefined;
  if (opts.probePort !== undefined) {
    try {
      probes = await startProbeListener({
        host, port: opts.probePort, material, staleMs: opts.probeStaleMs, handshakeTimeoutMs: opts.handshakeTimeoutMs,
        ready: () => ready(), draining: () => draining,
        onError: (e) => log.error({ error: errorWhere(e) }, "the probe listener failed: the probe port no longer answers"),
      });
    } catch (e) {
      server.close();
      auth.close();
      closeConfig();
      await pool?.close();
      throw e;
    }
  }
  refCache?.start();
  backgroundAudit?.start();
  const port = (server.address() as AddressInfo).port;
  const url = `https://${hostForUrl(host)}:${port}`;
  const probeUrl = probes ? `https://${hostForUrl(host)}:${probes.port}` : undefined;

  function reloadCertificates(): boolean {
    let next;
    try {
      next = readMaterial(files);
    } catch (e) {
      metrics.reload("rejected");
      log.error({ error: (e as NodeJS.ErrnoException).code ?? "read error", files: { cert: files.cert, key: files.key } }, "kept the current certificate: the new files cannot be read");
      return false;
    }
    const hash = materialHash(next);
    if (hash === currentHash) return false;
    let info: LoadedCertificate;
    try {
      info = checkMaterial(next);
      server.setSecureContext(secureContextOptions(next));
      probes?.setTls(next);
    } catch (e) {
      metrics.reload("rejected");
      log.error({ reason: (e as Error).message, files: { cert: files.cert, key: files.key } }, "kept the current certificate: the new pair is not usable");
      return false;
    }
    certificate = info;
    currentHash = hash;
    metrics.reload("loaded");
    metrics.certificateLoaded(info.notAfter);
    log.info({ subject: info.subject, serialNumber: info.serialNumber, notAfter: info.notAfter.toISOString(), fingerprint256: info.fingerprint256 }, "serving a new certificate");
    return true;
  }
  const watcher = watchFiles(Object.values(files) as string[], () => void reloadCertificates(), opts.watch);

  log.info(
    {
      url,
      ...(probeUrl ? { probeUrl } : {}),
      endpoints: endpoints.map(([p]) => p),
      certificate: { subject: certificate.subject, notAfter: certificate.notAfter.toISOString(), files: { cert: files.cert, key: files.key } },
      authentication: auth.methods.length ? auth.methods : "none",
    },
    "kuscia-iac webhook listening",
  );
  if (auth.methods.length === 0) {
    log.warn({ url }, "callers are not authenticated: anyone who reaches this port can ask for reviews; use --client-ca or --jwks for a shared network");
  }
  if (embedded) {
    // The base64 caBundle itself goes to people once, on standard error (the CLI prints it);
    // the log names the file, so `npm start` does not print 2 KB of base64 twice.
    log.info({ caBundleFile: embedded.caFile, stateDir: embedded.dir, reused: embedded.reused }, "embedded CA: trust caBundleFile, or paste its base64 (printed on standard error) as caBundle into the webhook configurations");
  }

  let closing: Promise<void> | undefined;
  function close(): Promise<void> {
    if (closing) return closing;
    draining = true;
    probes?.publish();
    watcher.close();
    closeConfig();
    auth.close();
    void refCache?.stop();
    const auditStopped = backgroundAudit?.stop() ?? Promise.resolve();
    closing = new Promise<void>((resolve) => {
      const cut = setTimeout(() => {
        log.warn({}, "drain timeout: closing connections with requests still in flight");
        server.closeAllConnections();
      }, opts.drainTimeoutMs ?? 20_000);
      cut.unref();
      server.close(() => {
        clearTimeout(cut);
        // Every request has been answered by now (or cut): the workers have nothing left to do.
        void Promise.all([pool ? pool.close() : Promise.resolve(), auditStopped, probes?.close()]).then(() => resolve());
      });
      server.closeIdleConnections();
    });
    return closing;
  }

  return {
    url,
    host,
    port,
    ...(probeUrl ? { probeUrl } : {}),
    ...(embedded ? { caBundlePem: embedded.caPem, caBundle: embedded.caBundle, caBundleFile: embedded.caFile, stateDir: embedded.dir } : {}),
    certificate: () => certificate,
    ready,
    reloadCertificates,
    metrics,
    ...(refCache ? { references: refCache } : {}),
    ...(backgroundAudit ? { audit: backgroundAudit } : {}),
    server,
    logger: log,
    close,
  };
}

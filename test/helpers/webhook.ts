/**
 * The webhook under test, as the webhook suites start it: over real HTTPS on 127.0.0.1, a free
 * port, the run's test certificate (made once per run), no process-wide default metrics, a log
 * the test can read, no deadline the test did not set (UNHURRIED). Call `webhookFixture()` inside a `describe`: it adds the hooks that make
 * the certificate before the suite and close every webhook it started after it.
 */
import type { RunningWebhook, WebhookOptions } from "../../webhook/server";
import { startWebhook } from "../../webhook/server";
import { call, captureLogger, testPki, type CallOptions, type Pki, type Reply } from "../unit/webhook/helpers";

/** A day: longer than any test run. */
const DAY_MS = 86_400_000;

/**
 * The server's own deadlines (handshake, headers, whole request, a JWKS fetch, a review in its
 * worker) pushed past any test run: on a busy machine a test must wait for what it waits for,
 * not lose a request to a deadline it did not set. A test about a deadline sets its own.
 */
export const UNHURRIED: Partial<WebhookOptions> = {
  handshakeTimeoutMs: DAY_MS,
  headersTimeoutMs: DAY_MS,
  requestTimeoutMs: DAY_MS,
  jwksTimeoutMs: DAY_MS,
  reviewDeadlineTimer: () => () => undefined,
};

export interface WebhookFixture {
  /** The run's CA and serving certificate; set once the suite's `before` hooks ran. */
  readonly pki: Pki;
  /**
   * Starts a webhook with the fixture's defaults, overridden by `o`; closed after the suite.
   * The log goes to a captured logger unless `o.logger` is given.
   */
  start(o?: Partial<WebhookOptions>): Promise<RunningWebhook>;
  /** POSTs `body` (a string as is, anything else as JSON) to `path` (default /validate), trusting the run's CA. */
  post(wh: RunningWebhook, body: unknown, path?: string, o?: Omit<CallOptions, "ca" | "body">): Promise<Reply>;
  /** The value of a metric without labels (a gauge or a counter) in `wh`'s registry; 0 when it has none yet. */
  metric(wh: RunningWebhook, name: string): Promise<number>;
}

export function webhookFixture(): WebhookFixture {
  let pki: Pki | undefined;
  const started: RunningWebhook[] = [];
  before(async () => {
    pki = await testPki();
  });
  after(async () => {
    await Promise.all(started.splice(0).map((w) => w.close()));
  });
  const certs = (): Pki => {
    if (!pki) throw new Error("webhookFixture: the certificate is made in the suite's before hook; use the fixture inside tests and hooks");
    return pki;
  };
  return {
    get pki() {
      return certs();
    },
    async start(o = {}) {
      const p = certs();
      const wh = await startWebhook({ ...UNHURRIED, port: 0, tlsCert: p.certFile, tlsKey: p.keyFile, defaultMetrics: false, logger: captureLogger().logger, ...o });
      started.push(wh);
      return wh;
    },
    post(wh, body, path = "/validate", o = {}) {
      return call(wh.url, path, { ...o, ca: certs().ca.certPem, body: typeof body === "string" ? body : JSON.stringify(body) });
    },
    async metric(wh, name) {
      return (await wh.metrics.registry.getSingleMetric(name)?.get())?.values[0]?.value ?? 0;
    },
  };
}

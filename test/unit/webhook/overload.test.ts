/**
 * Callers cannot exhaust the webhook: the bytes of request bodies held at once are bounded
 * across all requests (--max-buffered-bytes), and past the budget a request is answered 503
 * with Retry-After before a byte of its body is read; repeated log lines are rate-limited.
 * Real HTTPS on 127.0.0.1; every wait is for an event (a response, a gauge), none for a time.
 */
import { strict as assert } from "node:assert";
import { Agent, request } from "node:https";
import type { ClientRequest, IncomingMessage } from "node:http";
import type { RunningWebhook } from "../../../webhook/server";
import { LogLimiter } from "../../../webhook/loglimit";
import { issueCert } from "../../../pki";
import { admissionReview, call, captureLogger, waitFor } from "./helpers";
import { webhookFixture } from "../../helpers/webhook";

const domain = (name: string) => ({ apiVersion: "kuscia.secretflow/v1alpha1", kind: "Domain", metadata: { name }, spec: {} });

interface Open {
  req: ClientRequest;
  response: Promise<{ status: number; headers: IncomingMessage["headers"]; text: string }>;
}

describe("webhook under callers that would exhaust it", () => {
  const fx = webhookFixture();
  const start = fx.start;
  const gauge = fx.metric;

  /** A POST whose headers are sent now and whose body the test writes when it wants. */
  function open(wh: RunningWebhook, headers: Record<string, string>, agent: Agent | false = false): Open {
    let req!: ClientRequest;
    const response = new Promise<{ status: number; headers: IncomingMessage["headers"]; text: string }>((resolve, reject) => {
      req = request(new URL("/validate", wh.url), { method: "POST", ca: fx.pki.ca.certPem, agent, headers: { "content-type": "application/json", ...headers } }, (res) => {
        let text = "";
        res.on("data", (d: Buffer) => (text += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      });
      req.on("error", reject);
    });
    req.flushHeaders();
    return { req, response };
  }

  /** A body of exactly `n` bytes that is a valid AdmissionReview (padded with a long label value). */
  function bodyOf(n: number, name: string): string {
    const base = JSON.stringify(admissionReview({ ...domain(name), metadata: { name, annotations: { pad: "" } } }));
    const padded = base.replace('"pad":""', `"pad":"${"x".repeat(n - base.length)}"`);
    assert.equal(Buffer.byteLength(padded), n);
    return padded;
  }

  it("answers 503 with Retry-After, before reading its body, a request whose declared length does not fit the budget; admits it once others finish", async () => {
    const KiB = 1024;
    const wh = await start({ maxRequestBytes: 40 * KiB, maxBufferedBytes: 100 * KiB, reviewWorkers: 1 });
    const a = bodyOf(40 * KiB, "a");
    const b = bodyOf(40 * KiB, "b");
    const c = bodyOf(40 * KiB, "c");
    // a and b hold 80 KiB of the 100: their bodies are half sent, so they stay in flight.
    const first = open(wh, { "content-length": String(a.length) });
    first.req.write(a.slice(0, 100));
    const second = open(wh, { "content-length": String(b.length) });
    second.req.write(b.slice(0, 100));
    await waitFor(async () => (await gauge(wh, "kuscia_iac_webhook_buffered_bytes")) === 80 * KiB, undefined, "a and b to hold their declared lengths");
    // c's headers alone are enough for the answer: its body is never written.
    const third = open(wh, { "content-length": String(c.length) });
    const refused = await third.response;
    assert.equal(refused.status, 503);
    assert.equal(refused.headers["retry-after"], "1");
    assert.match(JSON.parse(refused.text).message, /holds 102400 bytes of request bodies already; retry shortly/);
    third.req.destroy();
    // The two in flight finish normally, and their bytes are given back: c, retried, is reviewed.
    first.req.end(a.slice(100));
    second.req.end(b.slice(100));
    assert.equal((await first.response).status, 200);
    assert.equal((await second.response).status, 200);
    const retried = await call(wh.url, "/validate", { ca: fx.pki.ca.certPem, body: c });
    assert.equal(retried.status, 200);
    assert.equal(retried.json.response.allowed, true);
    assert.match(await wh.metrics.registry.metrics(), /verdict="overloaded"\} 1/);
  });

  it("answers 503 to a caller that sends its whole body at once and asked to close the connection, without resetting it under the caller", async () => {
    const MiB = 1024 * 1024;
    const wh = await start({ maxRequestBytes: 7 * MiB, maxBufferedBytes: 7 * MiB, reviewWorkers: 1 });
    const held = open(wh, { "content-length": String(7 * MiB) });
    held.req.write("x");
    await waitFor(async () => (await gauge(wh, "kuscia_iac_webhook_buffered_bytes")) === 7 * MiB, undefined, "the first request to hold the whole budget");
    // agent: false sends "Connection: close"; the body is written in full, as most clients do,
    // so the 503 arrives while it is still being sent.
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => {
        const body = bodyOf(7 * MiB, `big-${i}`);
        const o = open(wh, { "content-length": String(body.length), connection: "close" });
        o.req.end(body);
        return o.response.then((r) => r.status, (e: NodeJS.ErrnoException) => `error ${e.code ?? e.message}`);
      }),
    );
    assert.deepEqual(results, Array(8).fill(503));
    held.req.destroy();
    await waitFor(async () => (await gauge(wh, "kuscia_iac_webhook_buffered_bytes")) === 0, undefined, "the budget given back");
  });

  it("refuses a body without Content-Length (chunked) as soon as it would pass the budget, and keeps serving", async () => {
    const KiB = 1024;
    const wh = await start({ maxRequestBytes: 64 * KiB, maxBufferedBytes: 64 * KiB, reviewWorkers: 1 });
    const held = open(wh, { "content-length": String(48 * KiB) });
    held.req.write("x".repeat(1024));
    await waitFor(async () => (await gauge(wh, "kuscia_iac_webhook_buffered_bytes")) === 48 * KiB, undefined, "the first request to hold its declared length");
    const chunked = open(wh, { "transfer-encoding": "chunked" });
    // Chunks until the webhook answers: it must refuse before the 16 KiB left are passed by much.
    let sent = 0;
    let answered = false;
    void chunked.response.then(() => (answered = true), () => (answered = true));
    while (!answered && sent < 1024 * KiB) {
      await new Promise<void>((resolve) => chunked.req.write("y".repeat(4 * KiB), () => resolve()));
      sent += 4 * KiB;
      await new Promise((r) => setImmediate(r));
    }
    const r = await chunked.response;
    assert.equal(r.status, 503);
    held.req.destroy();
    chunked.req.destroy();
    assert.equal((await call(wh.url, "/validate", { ca: fx.pki.ca.certPem, body: JSON.stringify(admissionReview(domain("after"))) })).status, 200);
  });

  /** The body bytes the webhook counted as read, by disposition (buffered for a review, or discarded after a 503). */
  async function bodyBytes(wh: RunningWebhook): Promise<Record<string, number>> {
    const values = (await wh.metrics.registry.getSingleMetric("kuscia_iac_webhook_request_body_bytes_total")?.get())?.values ?? [];
    return Object.fromEntries(values.map((v) => [String(v.labels.disposition), v.value]));
  }

  it("counts the body bytes it reads: buffered for a review, and discarded after a 503 past the budget", async () => {
    const KiB = 1024;
    const wh = await start({ maxRequestBytes: 40 * KiB, maxBufferedBytes: 40 * KiB, reviewWorkers: 1 });
    const reviewed = bodyOf(10 * KiB, "counted");
    assert.equal((await call(wh.url, "/validate", { ca: fx.pki.ca.certPem, body: reviewed })).status, 200);
    assert.deepEqual(await bodyBytes(wh), { buffered: 10 * KiB });
    // Hold the whole budget with 100 bytes of a 40 KiB body; the next body is answered 503 and
    // then sent anyway: the webhook reads it and throws it away, keeping none of it.
    const held = open(wh, { "content-length": String(40 * KiB) });
    held.req.write("x".repeat(100));
    await waitFor(async () => (await gauge(wh, "kuscia_iac_webhook_buffered_bytes")) === 40 * KiB, undefined, "the held request to take the budget");
    // Over a kept-alive connection: the caller sends its whole body whatever the answer, and
    // keeps the connection afterwards (one that asked to close it could cut its own body short).
    const agent = new Agent({ keepAlive: true, ca: fx.pki.ca.certPem });
    const refused = open(wh, { "content-length": String(20 * KiB) }, agent);
    assert.equal((await refused.response).status, 503);
    refused.req.end("y".repeat(20 * KiB));
    await waitFor(async () => (await bodyBytes(wh)).discarded === 20 * KiB, undefined, "the refused body to be read and dropped");
    await waitFor(async () => (await bodyBytes(wh)).buffered === 10 * KiB + 100, undefined, "the held request's first bytes counted");
    assert.equal(await gauge(wh, "kuscia_iac_webhook_buffered_bytes"), 40 * KiB, "the discarded body took no share of the budget");
    held.req.destroy();
    agent.destroy();
  });

  describe("Expect: 100-continue", () => {
    interface Asked {
      /** "continue" when the webhook sent 100 Continue, then the final status. */
      events: string[];
      status: number;
      headers: IncomingMessage["headers"];
    }

    /**
     * A POST that declares `length` bytes and asks for 100 Continue; on it, sends `body` (when
     * given). `creds`: a client certificate to present.
     */
    function ask(wh: RunningWebhook, length: number, body?: string, creds: { cert?: string; key?: string } = {}): Promise<Asked> {
      return new Promise((resolve, reject) => {
        const events: string[] = [];
        const req = request(
          new URL("/validate", wh.url),
          { method: "POST", ca: fx.pki.ca.certPem, ...creds, agent: false, headers: { "content-type": "application/json", "content-length": String(length), expect: "100-continue" } },
          (res) => {
            events.push(String(res.statusCode));
            res.resume();
            res.on("end", () => {
              // A refusal before the body: this caller never sends it, and is done with the connection.
              req.destroy();
              resolve({ events, status: res.statusCode ?? 0, headers: res.headers });
            });
          },
        );
        req.on("continue", () => {
          events.push("continue");
          if (body !== undefined) req.end(body);
          else req.destroy(new Error("100 Continue sent for a request the test expected refused"));
        });
        req.on("error", reject);
        req.flushHeaders();
      });
    }

    it("answers 413 without 100 Continue when Content-Length is over --max-request-bytes", async () => {
      const wh = await start({ maxRequestBytes: 1024, reviewWorkers: 1 });
      const r = await ask(wh, 1025);
      assert.deepEqual(r.events, ["413"]);
      assert.equal(r.headers.connection, "close");
      assert.equal(await gauge(wh, "kuscia_iac_webhook_buffered_bytes"), 0);
      assert.deepEqual(await bodyBytes(wh), {}, "no byte of the body was read");
    });

    it("answers 503 with Retry-After without 100 Continue when Content-Length does not fit the byte budget", async () => {
      const KiB = 1024;
      const wh = await start({ maxRequestBytes: 40 * KiB, maxBufferedBytes: 50 * KiB, reviewWorkers: 1 });
      const held = open(wh, { "content-length": String(40 * KiB) });
      held.req.write("x");
      await waitFor(async () => (await gauge(wh, "kuscia_iac_webhook_buffered_bytes")) === 40 * KiB, undefined, "the held request to take its share");
      await waitFor(async () => (await bodyBytes(wh)).buffered === 1, undefined, "the held request's first byte read");
      const r = await ask(wh, 20 * KiB);
      assert.deepEqual(r.events, ["503"]);
      assert.equal(r.headers["retry-after"], "1");
      // No body is on its way: the connection is closed rather than kept for one.
      assert.equal(r.headers.connection, "close");
      // Only the held request's one byte was read; nothing was read or discarded for this one.
      assert.deepEqual(await bodyBytes(wh), { buffered: 1 });
      held.req.destroy();
    });

    it("answers 401 without 100 Continue a caller without a client certificate, and sends 100 Continue to one with", async () => {
      const wh = await start({ clientCa: fx.pki.caFile, reviewWorkers: 1 });
      const body = JSON.stringify(admissionReview(domain("authenticated")));
      const refused = await ask(wh, Buffer.byteLength(body));
      assert.deepEqual(refused.events, ["401"]);
      assert.equal(refused.headers.connection, "close");
      assert.deepEqual(await bodyBytes(wh), {}, "no byte of the unauthenticated body was read");
      // A client certificate from the CA the webhook trusts (--client-ca).
      const client = await issueCert({ ca: fx.pki.ca, cn: "kube-apiserver", client: true, days: 1 });
      const r = await ask(wh, Buffer.byteLength(body), body, { cert: client.certPem, key: client.keyPem });
      assert.deepEqual(r.events, ["continue", "200"]);
      assert.deepEqual(await bodyBytes(wh), { buffered: Buffer.byteLength(body) });
    });

    it("sends 100 Continue, then reviews, a request within the limit and the budget", async () => {
      const wh = await start({ maxRequestBytes: 40 * 1024, reviewWorkers: 1 });
      const body = JSON.stringify(admissionReview(domain("continued")));
      const r = await ask(wh, Buffer.byteLength(body), body);
      assert.deepEqual(r.events, ["continue", "200"]);
      assert.deepEqual(await bodyBytes(wh), { buffered: Buffer.byteLength(body) });
    });
  });

  it("rate-limits repeated log lines: one line per kind per interval, and the next says how many were left out", async () => {
    const logs = captureLogger();
    let now = 0;
    const limiter = new LogLimiter(1000, () => now);
    const seen: number[] = [];
    for (let i = 0; i < 5; i++) limiter.log("k", (s) => seen.push(s));
    now = 1000;
    limiter.log("k", (s) => seen.push(s));
    limiter.log("other", (s) => seen.push(s));
    assert.deepEqual(seen, [0, 4, 0]);

    const wh = await start({ logger: logs.logger, repeatedLogIntervalMs: 3_600_000, clientCa: fx.pki.caFile });
    const replies = await Promise.all(Array.from({ length: 20 }, () => call(wh.url, "/validate", { ca: fx.pki.ca.certPem, body: JSON.stringify(admissionReview(domain("x"))) })));
    assert.ok(replies.every((r) => r.status === 401));
    assert.equal(logs.lines().filter((l) => l.msg === "refused an unauthenticated caller").length, 1);
    assert.match(await wh.metrics.registry.metrics(), /verdict="unauthorized"\} 20/);
  });
});

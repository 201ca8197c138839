import { strict as assert } from "node:assert";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { connect } from "node:tls";
import { startWebhook, type RunningWebhook } from "../../../webhook/server";
import { admissionReview, call, captureLogger, testPki, waitFor, type Pki } from "./helpers";
import { UNHURRIED } from "../../helpers/webhook";

const MiB = 1024 * 1024;
const domain = { apiVersion: "kuscia.secretflow/v1alpha1", kind: "Domain", metadata: { name: "alice" }, spec: {} };

describe("webhook transport: bad requests never crash it and never pass silently", () => {
  let pki: Pki;
  let wh: RunningWebhook;
  let logs: ReturnType<typeof captureLogger>;

  before(async () => {
    pki = await testPki();
    logs = captureLogger();
    // Default timeouts: a short request timeout is also the review deadline, which a busy
    // machine would run into on the large bodies below. The stall test has its own webhook.
    wh = await startWebhook({ ...UNHURRIED, port: 0, tlsCert: pki.certFile, tlsKey: pki.keyFile, logger: logs.logger, defaultMetrics: false, repeatedLogIntervalMs: 0 });
  });
  after(() => wh.close());

  const post = (body: string | Buffer, headers: Record<string, string> = {}, path = "/validate") => call(wh.url, path, { ca: pki.ca.certPem, body, headers });

  async function stillServes(): Promise<void> {
    const r = await post(JSON.stringify(admissionReview(domain)));
    assert.equal(r.status, 200);
    assert.equal(r.json.response.allowed, true);
  }

  it("answers 400 with a JSON error for a body that is not JSON", async () => {
    const r = await post("{not json");
    assert.equal(r.status, 400);
    assert.deepEqual(r.json, { error: "BadRequest", message: "body is not valid JSON" });
    await stillServes();
  });

  it("masks a secret the caller put in a kind, a name or a uid, in its answers and in every log line", async () => {
    const r = await post(JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "mysql://root:KindLeak55@db/x" }));
    assert.equal(r.status, 400);
    assert.match(r.json.message, /kind must be AdmissionReview, got "mysql:\/\/root:\*\*\*@db\/x"/);
    const named = { ...domain, metadata: { name: "mysql://root:NameLeak33@db/x" } };
    for (const path of ["/validate", "/mutate"]) {
      const a = await post(JSON.stringify(admissionReview(named, { uid: "password=UidLeak99" })), {}, path);
      assert.equal(a.status, 200);
      assert.equal(a.json.response.allowed, false);
    }
    await waitFor(() => /UidLeak|\*\*\*/.test(logs.text()) && logs.lines().some((l) => JSON.stringify(l).includes("root:***@db")));
    const text = logs.text();
    for (const secret of ["KindLeak55", "NameLeak33", "UidLeak99"]) assert.ok(!text.includes(secret), `${secret} in the log: ${text.split("\n").find((l) => l.includes(secret))}`);
  });

  const notReviews: [string, unknown, RegExp][] = [
    ["a JSON array", [1, 2], /not a JSON object/],
    ["another kind", { apiVersion: "v1", kind: "Pod" }, /kind must be AdmissionReview/],
    ["AdmissionReview v1beta1", { ...admissionReview(domain), apiVersion: "admission.k8s.io/v1beta1" }, /apiVersion must be admission\.k8s\.io\/v1/],
    ["a review without request", { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview" }, /request is missing/],
    ["a request without uid", { apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", request: { operation: "CREATE", object: domain } }, /request\.uid/],
    ["an unknown operation", admissionReview(domain, { operation: "PATCH" }), /request\.operation/],
    ["a CREATE without object", admissionReview(null, { operation: "CREATE" }), /request\.object must be an object for CREATE/],
    ["an UPDATE without oldObject", admissionReview(domain, { operation: "UPDATE" }), /oldObject must be an object for UPDATE/],
  ];
  for (const [what, body, message] of notReviews) {
    it(`answers 400 for ${what}`, async () => {
      for (const path of ["/validate", "/mutate"]) {
        const r = await post(JSON.stringify(body), {}, path);
        assert.equal(r.status, 400);
        assert.equal(r.json.error, "BadRequest");
        assert.match(r.json.message, message);
      }
    });
  }

  it("refuses a body nested deeper than 10,000 levels before parsing it (strings do not count)", async () => {
    const deep = JSON.stringify(admissionReview({ ...domain, spec: { x: "[[[[" } })).replace('"spec":{', `"spec":{"y":${"[".repeat(1_000_000)}${"]".repeat(1_000_000)},`);
    const t0 = Date.now();
    const r = await post(deep);
    assert.equal(r.status, 400);
    assert.match(r.json.message, /nests deeper than 10000 levels/);
    const ok = await post(JSON.stringify(admissionReview({ ...domain, metadata: { name: "alice", annotations: { a: "[".repeat(20_000) } } })));
    assert.equal(ok.status, 200, `${Date.now() - t0}`);
    await stillServes();
  });

  it("accepts an UPDATE of two 1.6 MB objects (object and oldObject), under the 7 MiB default", async () => {
    const image = (tag: string) => ({ apiVersion: "kuscia.secretflow/v1alpha1", kind: "AppImage", metadata: { name: "big", annotations: { blob: "x".repeat(1_600_000) } }, spec: { image: { name: "secretflow/app", tag }, deployTemplates: [{ spec: { containers: [{ name: "c" }] } }] } });
    const body = JSON.stringify(admissionReview(image("2"), { operation: "UPDATE", oldObject: image("1") }));
    assert.ok(body.length > 3.2e6 && body.length < 7 * MiB, `${body.length} bytes`);
    const r = await post(body);
    assert.equal(r.status, 200, r.text.slice(0, 300));
    assert.equal(r.json.response.uid, (JSON.parse(body) as { request: { uid: string } }).request.uid);
  });

  it("answers 413 for a body over 7 MiB, declared or chunked, then keeps serving", async () => {
    const body = JSON.stringify(admissionReview({ ...domain, metadata: { name: "alice", annotations: { blob: "x".repeat(7 * MiB) } } }));
    const declared = await post(body);
    assert.equal(declared.status, 413);
    assert.equal(declared.json.error, "RequestEntityTooLarge");
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest(new URL("/validate", wh.url), { method: "POST", ca: pki.ca.certPem, agent: false, headers: { "content-type": "application/json", "transfer-encoding": "chunked" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      // The server may close while we still write; the status already arrived by then.
      req.on("error", (e) => (e as NodeJS.ErrnoException).code === "EPIPE" || (e as NodeJS.ErrnoException).code === "ECONNRESET" ? undefined : reject(e));
      // Written in pieces with no Content-Length: the limit must hold while streaming.
      for (let i = 0; i < 8; i++) req.write(body.slice(i * MiB, (i + 1) * MiB));
      req.end(body.slice(8 * MiB));
    });
    assert.equal(chunked, 413);
    await stillServes();
  });

  it("takes a smaller limit from maxRequestBytes", async () => {
    const small = await startWebhook({ ...UNHURRIED, port: 0, tlsCert: pki.certFile, tlsKey: pki.keyFile, logger: captureLogger().logger, defaultMetrics: false, maxRequestBytes: 4096 });
    try {
      const ok = await call(small.url, "/validate", { ca: pki.ca.certPem, body: JSON.stringify(admissionReview(domain)) });
      assert.equal(ok.status, 200);
      const big = await call(small.url, "/validate", { ca: pki.ca.certPem, body: JSON.stringify(admissionReview({ ...domain, metadata: { name: "alice", annotations: { a: "x".repeat(5000) } } })) });
      assert.equal(big.status, 413);
      assert.match(big.json.message, /larger than 4096 bytes/);
    } finally {
      await small.close();
    }
    await assert.rejects(startWebhook({ ...UNHURRIED, port: 0, tlsCert: pki.certFile, tlsKey: pki.keyFile, maxRequestBytes: 0 }), /--max-request-bytes must be a positive/);
  });

  it("counts a client that disconnects mid-body as a client abort, not an internal error", async () => {
    await new Promise<void>((resolve) => {
      const req = httpsRequest(new URL("/validate", wh.url), { method: "POST", ca: pki.ca.certPem, agent: false, headers: { "content-type": "application/json", "content-length": "100000" } });
      req.on("error", () => resolve());
      // Cut once the webhook is reading this body (its bytes are held), not after a guessed delay.
      req.write('{"apiVersion":"admission.k8s.io/v1",', () => {
        void waitFor(async () => ((await wh.metrics.registry.getSingleMetric("kuscia_iac_webhook_buffered_bytes")?.get())?.values[0]?.value ?? 0) > 0, undefined, "the webhook to read the body").then(() => req.destroy());
      });
    });
    await waitFor(() => logs.lines().some((l) => l.msg === "client closed the connection before the body was complete"), undefined, "the abort log line");
    const abort = logs.lines().find((l) => l.msg === "client closed the connection before the body was complete")!;
    assert.equal(abort.level, 30);
    assert.ok(!logs.lines().some((l) => l.msg === "request failed"), "an abort was logged as a failure");
    const m = await wh.metrics.registry.metrics();
    assert.match(m, /verdict="client_abort"\} 1/);
    assert.doesNotMatch(m, /verdict="error"/);
    await stillServes();
  });

  it("answers 415 for a wrong or missing content type, or a compressed body", async () => {
    const body = JSON.stringify(admissionReview(domain));
    const wrong: Record<string, string>[] = [{ "content-type": "text/plain" }, { "content-type": "application/yaml" }, { "content-type": "application/json; charset=latin1" }, { "content-type": "application/json", "content-encoding": "gzip" }];
    for (const headers of wrong) {
      const r = await post(body, headers);
      assert.equal(r.status, 415, JSON.stringify(headers));
      assert.equal(r.json.error, "UnsupportedMediaType");
    }
    const none = await call(wh.url, "/validate", { ca: pki.ca.certPem, method: "POST", body, headers: { "content-type": "" } });
    assert.equal(none.status, 415);
    const ok = await post(body, { "content-type": "application/json; charset=utf-8" });
    assert.equal(ok.status, 200);
  });

  it("answers 405 for other methods on review paths and 404 elsewhere, as JSON", async () => {
    const g = await call(wh.url, "/validate", { ca: pki.ca.certPem });
    assert.equal(g.status, 405);
    assert.equal(g.headers.allow, "POST");
    const n = await call(wh.url, "/nope", { ca: pki.ca.certPem });
    assert.equal(n.status, 404);
    assert.equal(n.json.error, "NotFound");
    // Routing is exact: another case or a trailing slash is not the review endpoint.
    for (const p of ["/VALIDATE", "/validate/", "/Mutate", "/mutate/", "/HEALTHZ"]) {
      const r = await call(wh.url, p, { ca: pki.ca.certPem, ...(p.startsWith("/H") ? {} : { body: JSON.stringify(admissionReview(domain)) }) });
      assert.equal(r.status, 404, p);
    }
    // The bench's no-review endpoint is off unless asked for.
    const b = await post(JSON.stringify(admissionReview(domain)), {}, "/baseline");
    assert.equal(b.status, 404);
  });

  it("serves /healthz, and /readyz with the certificate in use", async () => {
    const h = await call(wh.url, "/healthz", { ca: pki.ca.certPem });
    assert.equal(h.status, 200);
    const r = await call(wh.url, "/readyz", { ca: pki.ca.certPem });
    assert.equal(r.status, 200);
    assert.equal(r.json.ready, true);
    assert.equal(r.json.certificate.subject, "CN=localhost");
  });

  it("cuts off a sender that stalls mid-body (request timeout) and keeps serving", async () => {
    // Its own webhook with 1 s header and request timeouts: the sender below stalls for good, so
    // the timeout is the event waited for, whatever the machine's speed.
    const strict = await startWebhook({ ...UNHURRIED, port: 0, tlsCert: pki.certFile, tlsKey: pki.keyFile, logger: captureLogger().logger, defaultMetrics: false, headersTimeoutMs: 1000, requestTimeoutMs: 1000 });
    try {
      const outcome = await new Promise<string>((resolve) => {
        const req = httpsRequest(new URL("/validate", strict.url), { method: "POST", ca: pki.ca.certPem, agent: false, headers: { "content-type": "application/json", "content-length": "1000" } }, (res) => {
          res.resume();
          resolve(`status ${res.statusCode}`);
        });
        req.on("error", (e: NodeJS.ErrnoException) => resolve(`error ${e.code}`));
        req.write('{"apiVersion":'); // and then nothing more
      });
      assert.match(outcome, /^(status 408|error ECONNRESET)$/);
    } finally {
      await strict.close();
    }
    await stillServes();
  });

  it("speaks only TLS: a plain HTTP request gets no answer", async () => {
    const port = new URL(wh.url).port;
    await assert.rejects(
      new Promise((resolve, reject) => {
        const req = httpRequest({ host: "127.0.0.1", port, path: "/healthz" }, (res) => {
          res.resume();
          resolve(res.statusCode);
        });
        req.on("error", reject);
        req.end();
      }),
    );
  });

  it("refuses TLS 1.1 at the server (protocol_version alert)", async () => {
    const port = Number(new URL(wh.url).port);
    const err = await new Promise<Error>((resolve) => {
      // The client is opened up to TLS 1.0/1.1 so that a refusal can only come from the server.
      const s = connect({ host: "127.0.0.1", port, ca: pki.ca.certPem, minVersion: "TLSv1", maxVersion: "TLSv1.1", ciphers: "DEFAULT:@SECLEVEL=0" }, () => {
        s.destroy();
        resolve(new Error("handshake succeeded"));
      });
      s.on("error", resolve);
    });
    assert.match(err.message, /alert protocol version|alert number 70/i);
    const ok = await new Promise<string>((resolve, reject) => {
      const s = connect({ host: "127.0.0.1", port, ca: pki.ca.certPem, minVersion: "TLSv1.2", maxVersion: "TLSv1.2" }, () => {
        const v = s.getProtocol() ?? "";
        s.destroy();
        resolve(v);
      });
      s.on("error", reject);
    });
    assert.equal(ok, "TLSv1.2");
  });

  it("logged each bad request as a warning without its body", () => {
    const bad = logs.lines().filter((l) => l.msg === "bad request");
    assert.ok(bad.length >= 10, `${bad.length} bad-request lines`);
    assert.ok(bad.every((l) => l.level === 40 && typeof l.status === "number"));
    assert.ok(!logs.text().includes("xxxxxxxxxx"), "a request body reached the log");
  });
});

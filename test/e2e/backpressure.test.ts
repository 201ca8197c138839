/**
 * What a real kube-apiserver does when a webhook answers 503 or 429, which the webhook's
 * overload answers rely on (docs/webhook.md, "Overload"): its client (client-go rest,
 * with_retry.go checkWait, 10 retries by default) retries a 429 or a 5xx that carries
 * Retry-After, after that many seconds, within the webhook's timeoutSeconds; without
 * Retry-After, or with a wait past the timeout, the call fails and failurePolicy decides.
 * Then the webhook itself, at one review worker and no queue, under a burst of creates
 * through the API server: every verdict is the rule book's, overload only delays them.
 */
import { strict as assert } from "node:assert";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { caBundleOf, issueCert, selfSignedCert } from "../../pki";
import { startCluster, type Cluster } from "./harness/cluster";
import { startGatedCluster, type Gated } from "./harness/gated";
import { waitFor } from "./harness/procs";
import { toolsDir } from "./harness/tools";

interface Hit {
  uid: string;
  name: string;
  at: number;
}

describe("e2e: the API server's client under 503 and 429 from a webhook", function () {
  this.timeout(600_000);
  let cluster: Cluster;
  let server: Server;
  const hits: Hit[] = [];
  // What the fake webhook answers to the first call for an object, by name; later calls are allowed.
  const first: Record<string, { status: number; retryAfter?: string }> = {
    "retry-503": { status: 503, retryAfter: "1" },
    "retry-429": { status: 429, retryAfter: "1" },
    "no-retry-after": { status: 503 },
    "wait-past-timeout": { status: 503, retryAfter: "30" },
  };

  before(async function () {
    this.timeout(0);
    cluster = await startCluster(toolsDir("kube"));
    const ca = await selfSignedCert({ cn: "e2e-fake-webhook-ca", isCA: true, days: 1 });
    const serving = await issueCert({ ca, cn: "127.0.0.1", sans: ["127.0.0.1"], days: 1 });
    server = createServer({ cert: serving.certPem, key: serving.keyPem }, (req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d));
      req.on("end", () => {
        const review = JSON.parse(body) as { request: { uid: string; name: string } };
        const { uid, name } = review.request;
        const seen = hits.some((h) => h.uid === uid);
        hits.push({ uid, name, at: Date.now() });
        const once = first[name];
        if (once && !seen) {
          res.writeHead(once.status, { "content-type": "application/json", ...(once.retryAfter ? { "retry-after": once.retryAfter } : {}) });
          res.end(JSON.stringify({ error: "ServiceUnavailable", message: "busy" }));
          return;
        }
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response: { uid, allowed: true } }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/validate`;
    await cluster.kubectlOk(["create", "namespace", "bp"]);
    await cluster.kubectlOk(
      ["apply", "-f", "-"],
      JSON.stringify({
        apiVersion: "admissionregistration.k8s.io/v1",
        kind: "ValidatingWebhookConfiguration",
        metadata: { name: "fake-busy" },
        webhooks: [
          {
            name: "busy.fake.kuscia-iac",
            clientConfig: { url, caBundle: caBundleOf(ca.certPem) },
            rules: [{ apiGroups: [""], apiVersions: ["v1"], operations: ["CREATE"], resources: ["configmaps"], scope: "Namespaced" }],
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "bp" } },
            failurePolicy: "Fail",
            sideEffects: "None",
            timeoutSeconds: 5,
            admissionReviewVersions: ["v1"],
          },
        ],
      }),
    );
    // Registration is asynchronous: wait until the fake sees a call.
    let probe = 0;
    await waitFor("the fake webhook's registration", async () => {
      await cluster.kubectl(["create", "configmap", `probe-${probe++}`, "-n", "bp", "--dry-run=server"]);
      return hits.length > 0;
    });
  });
  after(async () => {
    server?.close();
    await cluster?.stop();
  });

  const create = (name: string) => cluster.kubectl(["create", "configmap", name, "-n", "bp"]);
  const callsFor = (name: string) => hits.filter((h) => h.name === name);

  for (const status of [503, 429]) {
    it(`retries a ${status} with Retry-After: 1 after about a second, within timeoutSeconds, and the create succeeds`, async () => {
      const r = await create(`retry-${status}`);
      assert.equal(r.code, 0, r.stderr);
      const calls = callsFor(`retry-${status}`);
      assert.equal(calls.length, 2, "one answer of the webhook, then one retry");
      assert.equal(calls[0].uid, calls[1].uid, "the retry is the same AdmissionReview");
      assert.ok(calls[1].at - calls[0].at >= 900, `waited ${calls[1].at - calls[0].at} ms`);
    });
  }

  it("does not retry a 503 without Retry-After: the call fails and failurePolicy Fail refuses", async () => {
    const r = await create("no-retry-after");
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /failed calling webhook/);
    assert.equal(callsFor("no-retry-after").length, 1);
  });

  it("gives up when Retry-After would pass the webhook's timeout", async () => {
    const r = await create("wait-past-timeout");
    assert.notEqual(r.code, 0);
    assert.equal(callsFor("wait-past-timeout").length, 1);
  });
});

describe("e2e: the webhook under a burst from the API server", function () {
  this.timeout(600_000);
  let g: Gated;
  before(async function () {
    this.timeout(0);
    // One review worker, the default queue: a burst waits in the queue rather than being refused.
    g = await startGatedCluster([], { webhook: { reviewWorkers: 1 } });
  });
  after(async () => {
    await g?.stop();
  });

  it("answers every create of a concurrent burst with the rule book's verdict, none with 503", async () => {
    const K = "kuscia.secretflow/v1alpha1";
    const n = 16;
    const objects = Array.from({ length: n }, (_, i) => ({ apiVersion: K, kind: "InteropConfig", metadata: { name: `burst-${i}` }, spec: { host: "bob", members: i % 2 ? ["bob"] : ["carol"] } }));
    const results = await Promise.all(objects.map((o) => g.apply(o)));
    for (const [i, r] of results.entries()) {
      if (i % 2) {
        assert.notEqual(r.code, 0, `burst-${i} breaks interop.members`);
        assert.match(r.stderr, /\[interop\.members\]/, `burst-${i}: ${r.stderr}`);
      } else assert.equal(r.code, 0, `burst-${i}: ${r.stderr}`);
    }
    assert.equal(await g.requests({ verdict: "overloaded" }), 0, "the queue holds a burst of the API server's size");
  });
});

/**
 * Reviews in worker threads (webhook/pool.ts), over real HTTPS on 127.0.0.1. No timing
 * thresholds: the tests assert which answer comes first, and what each answer is.
 */
import { strict as assert } from "node:assert";
import { Agent } from "node:https";
import { readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { getPriority } from "node:os";
import { LOADER_NICE_DELTA, REVIEW_NICE_DELTA, lowerThreadPriority } from "../../../platform/priority";
import * as path from "node:path";
import { describeDoc, loadExamples } from "../../helpers/examples";
import type { RunningWebhook } from "../../../webhook/server";
import { admissionReview, call, captureLogger, tempDir, waitFor, type Reply } from "./helpers";
import { webhookFixture } from "../../helpers/webhook";

const domain = (name: string) => ({ apiVersion: "kuscia.secretflow/v1alpha1", kind: "Domain", metadata: { name }, spec: {} });

/** A KusciaDeployment of `n` parties (35,000: about 3 MB), each wrong four ways: four schema findings each. */
function worstCase(n = 35_000): string {
  const parties = Array.from({ length: n }, (_, i) => ({ domainID: `B_${i}`, appImageRef: `B_${i}`, role: 5, template: { replicas: "x" } }));
  const kd = { apiVersion: "kuscia.secretflow/v1alpha1", kind: "KusciaDeployment", metadata: { name: "worst", namespace: "cross-domain" }, spec: { initiator: "B_0", inputConfig: "{}", parties } };
  return JSON.stringify(admissionReview(kd, { uid: "worst" }));
}

describe("webhook review workers", () => {
  // The fixture's webhooks have no review deadline unless a test sets its own (UNHURRIED): a
  // review slowed by a busy machine must not turn these tests into deadline tests.
  const fx = webhookFixture();
  const start = fx.start;
  const gauge = fx.metric;
  const post = (wh: RunningWebhook, body: unknown, p = "/validate", agent?: Agent) => fx.post(wh, body, p, { agent });

  it("answers /healthz and a small review while a worst-case review is running, and close() waits for it", async () => {
    const wh = await start({ reviewWorkers: 2 });
    const order: string[] = [];
    const big = post(wh, worstCase()).then((r) => {
      order.push("worst case");
      return r;
    });
    await waitFor(async () => (await gauge(wh, "kuscia_iac_webhook_review_workers_busy")) === 1, undefined, "the worst case to reach a worker");
    const [health, small] = await Promise.all([
      call(wh.url, "/healthz", { ca: fx.pki.ca.certPem }).then((r) => (order.push("healthz"), r)),
      post(wh, admissionReview(domain("alice"))).then((r) => (order.push("small review"), r)),
    ]);
    assert.equal(health.status, 200);
    assert.equal(small.json.response.allowed, true);
    assert.deepEqual(order.slice().sort(), ["healthz", "small review"], `order: ${order.join(", ")}`);
    // Closing now drains: the review in flight is still answered, then the workers stop.
    let closed = false;
    const closing = wh.close().then(() => (closed = true));
    const r = await big;
    assert.equal(closed, false, "close() resolved before the review in flight was answered");
    await closing;
    assert.equal(order.length, 3);
    assert.equal(order[2], "worst case");
    assert.equal(r.status, 200);
    assert.equal(r.json.response.allowed, false);
    // 20 findings listed; the rest counted, including those the rule book kept out of its lists
    // (kd.schema alone finds over 1,000 here, and keeps 1,000).
    const more = /\[kd\.schema\].*; and (\d+) more$/s.exec(r.json.response.status.message);
    assert.ok(more && Number(more[1]) >= 1_000 - 20, r.json.response.status.message.slice(-80));
  });

  describe("answer exactly as a review on the main thread", () => {
    let pooled: RunningWebhook;
    let inline: RunningWebhook;
    let agent: Agent;
    before(async () => {
      [pooled, inline] = await Promise.all([start({ reviewWorkers: 2 }), start({ reviewWorkers: 0 })]);
      agent = new Agent({ keepAlive: true, ca: fx.pki.ca.certPem });
    });
    after(() => agent.destroy());

    async function same(body: string, p: string): Promise<Reply> {
      const [a, b] = await Promise.all([post(pooled, body, p, agent), post(inline, body, p, agent)]);
      assert.equal(a.status, b.status);
      assert.equal(a.headers["content-type"], b.headers["content-type"]);
      assert.equal(a.text, b.text);
      return a;
    }

    const examples = [...loadExamples("accepted"), ...loadExamples("refused")];
    it(`for every example manifest (${examples.length}), on /validate and /mutate, patches included`, async () => {
      let patched = 0;
      let refused = 0;
      for (const d of examples) {
        const body = JSON.stringify(admissionReview(d.object, { uid: `same-${describeDoc(d)}` }));
        const v = await same(body, "/validate");
        const m = await same(body, "/mutate");
        if (m.json.response.patch) patched++;
        if (!v.json.response.allowed) refused++;
      }
      assert.ok(patched > 0 && refused > 30, `${patched} patched, ${refused} refused`);
    });

    it("for bad requests (400) and UPDATE/DELETE", async () => {
      for (const body of ["{not json", "[1]", JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview" })]) await same(body, "/validate");
      await same(JSON.stringify(admissionReview(domain("a"), { operation: "UPDATE", oldObject: domain("a"), uid: "u" })), "/mutate");
      await same(JSON.stringify(admissionReview(null, { operation: "DELETE", oldObject: domain("a"), uid: "d" })), "/validate");
    });
  });

  it("applies a reloaded policy configuration from the very next review", async () => {
    const file = path.join(tempDir("kuscia-iac-pool-policy-"), "policy.yaml");
    const write = (text: string) => {
      writeFileSync(`${file}.tmp`, text);
      renameSync(`${file}.tmp`, file);
    };
    const head = "apiVersion: kuscia-iac.secretflow/v1alpha1\nkind: PolicyConfiguration\n";
    write(head);
    const logs = captureLogger();
    const wh = await start({ reviewWorkers: 1, policyConfigFile: file, policyConfigPollMs: 50, logger: logs.logger });
    const interop = admissionReview({ apiVersion: "kuscia.secretflow/v1alpha1", kind: "InteropConfig", metadata: { name: "x" }, spec: { host: "bob", members: ["bob"] } });
    assert.equal((await post(wh, interop)).json.response.allowed, false);
    write(`${head}rules:\n  interop.members: warn\n`);
    await waitFor(() => logs.lines().some((l) => l.msg === "policy configuration reloaded"), undefined, "the reload");
    const r = await post(wh, interop);
    assert.equal(r.json.response.allowed, true);
    assert.match(r.json.response.warnings[0], /\[interop\.members\]/);
  });

  it("runs its review workers and its configuration loader below the main thread's CPU priority (Linux: per thread)", async () => {
    if (process.platform !== "linux") {
      // Elsewhere a thread has no nice value of its own: nothing may change the process's.
      assert.equal(lowerThreadPriority(REVIEW_NICE_DELTA), undefined);
      return;
    }
    const niceOf = (): Map<string, number> =>
      new Map(
        readdirSync("/proc/self/task").flatMap((t) => {
          try {
            const stat = readFileSync(`/proc/self/task/${t}/stat`, "utf8");
            return [[t, Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16])] as [string, number]];
          } catch {
            return []; // a thread that ended meanwhile
          }
        }),
      );
    const file = path.join(tempDir("kuscia-iac-pool-policy-"), "policy.yaml");
    writeFileSync(file, "apiVersion: kuscia-iac.secretflow/v1alpha1\nkind: PolicyConfiguration\n");
    const before = niceOf();
    const main = getPriority(0);
    const wh = await start({ reviewWorkers: 2, policyConfigFile: file });
    // The threads this start made that run below the main thread: two review workers, one loader.
    const lowered = [...niceOf()].filter(([t, n]) => !before.has(t) && n > main).map(([, n]) => n);
    const expected = [REVIEW_NICE_DELTA, REVIEW_NICE_DELTA, LOADER_NICE_DELTA].map((d) => Math.min(19, main + d)).filter((n) => n > main);
    assert.deepEqual(lowered.sort((a, b) => a - b), expected.sort((a, b) => a - b));
    assert.equal(getPriority(0), main, "the main thread keeps its priority");
    assert.equal((await post(wh, admissionReview(domain("niced")))).json.response.allowed, true);
  });

  it("answers 503 past --max-queued-reviews, and refuses (500) a review that outruns its deadline", async () => {
    const logs = captureLogger();
    // The test decides when a deadline passes: the hanging review's, and no other (a review
    // slowed by a busy machine must not run into a deadline the test did not mean).
    const armed: { fire: () => void; cancelled: boolean }[] = [];
    const reviewDeadlineTimer = (_ms: number, fire: () => void) => {
      const t = { fire, cancelled: false };
      armed.push(t);
      return () => void (t.cancelled = true);
    };
    const wh = await start({ reviewWorkers: 1, maxQueuedReviews: 1, reviewTimeoutMs: 1500, reviewDeadlineTimer, reviewWorkerHooks: { hangOn: "hang" }, logger: logs.logger });
    const hung = post(wh, admissionReview(domain("hang")));
    await waitFor(async () => (await gauge(wh, "kuscia_iac_webhook_review_workers_busy")) === 1, undefined, "the hanging review to reach the worker");
    const queued = post(wh, admissionReview(domain("queued")));
    await waitFor(async () => (await gauge(wh, "kuscia_iac_webhook_review_queue_length")) === 1, undefined, "a queued review");
    const full = await post(wh, admissionReview(domain("refused")));
    assert.equal(full.status, 503);
    assert.equal(full.headers["retry-after"], "1");
    assert.deepEqual(full.json, { error: "ServiceUnavailable", message: "too many reviews waiting (1); retry shortly" });
    assert.equal(armed.length, 1, "one review is running: one deadline armed");
    armed[0].fire();
    const h = await hung;
    assert.equal(h.status, 500);
    assert.deepEqual(h.json, { error: "InternalError", message: "internal error; see the webhook log" });
    const q = await queued;
    assert.equal(q.status, 200, "the queued review is answered by the replacement worker");
    assert.equal(q.json.response.allowed, true);
    assert.equal(armed[1]?.cancelled, true, "the queued review's deadline was disarmed when it was answered");
    const m = await wh.metrics.registry.metrics();
    assert.match(m, /kuscia_iac_webhook_reviews_rejected_total 1/);
    assert.match(m, /kuscia_iac_webhook_review_worker_restarts_total\{reason="deadline"\} 1/);
    assert.match(m, /verdict="overloaded"\} 1/);
    assert.match(m, /kuscia_iac_webhook_review_queue_length 0/);
    assert.ok(logs.lines().some((l) => l.msg === "request failed" && /deadline \(1500 ms\)/.test(String(l.error))));
  });

  it("reviews large bodies one at a time, smaller ones passing them on the other worker", async () => {
    // The test decides when the hanging large review ends (its deadline), and nothing else does.
    const armed: (() => void)[] = [];
    const reviewDeadlineTimer = (_ms: number, fire: () => void) => (armed.push(fire), () => undefined);
    const wh = await start({ reviewWorkers: 2, largeReviewBytes: 4096, reviewDeadlineTimer, reviewWorkerHooks: { hangOn: "hang" } });
    // A Domain padded past largeReviewBytes by an annotation.
    const large = (name: string) => admissionReview({ ...domain(name), metadata: { name, annotations: { pad: "x".repeat(8192) } } });
    const hung = post(wh, large("hang"));
    await waitFor(async () => (await gauge(wh, "kuscia_iac_webhook_review_workers_busy")) === 1, undefined, "the hanging large review to reach a worker");
    const second = post(wh, large("second"));
    // Either way an event: queued behind the first (this change), or taken by the free worker.
    await waitFor(async () => (await gauge(wh, "kuscia_iac_webhook_review_queue_length")) === 1 || (await gauge(wh, "kuscia_iac_webhook_review_workers_busy")) === 2, undefined, "the second large review to reach the pool");
    const small = await post(wh, admissionReview(domain("small")));
    assert.equal(small.json.response.allowed, true, "a small review passes the waiting large one");
    assert.equal(await gauge(wh, "kuscia_iac_webhook_review_workers_busy"), 1, "a second large review ran beside the first");
    assert.equal(await gauge(wh, "kuscia_iac_webhook_review_queue_length"), 1);
    armed[0]();
    assert.equal((await hung).status, 500);
    const r = await second;
    assert.equal(r.status, 200);
    assert.equal(r.json.response.allowed, true);
  });

  it("answers the largest objects with their findings (capped) in a worker of the default heap: a 3 MiB list of {} and a 1.4 MB KusciaDeployment UPDATE", async () => {
    const wh = await start({ reviewWorkers: 1 });
    const K = "kuscia.secretflow/v1alpha1";
    // 3 MiB of {} items: two million schema errors, which ajv alone held in 500 MiB before findings were bounded.
    const parties = Array.from({ length: 1_050_000 }, () => ({}));
    const wide = { apiVersion: K, kind: "KusciaDeployment", metadata: { name: "wide", namespace: "cross-domain" }, spec: { initiator: "alice", inputConfig: "{}", parties } };
    const wideBody = JSON.stringify(admissionReview(wide));
    assert.ok(wideBody.length > 3 * 1024 * 1024 && wideBody.length < 3.2 * 1024 * 1024, String(wideBody.length));
    const a = await post(wh, wideBody);
    assert.equal(a.status, 200);
    assert.equal(a.json.response.allowed, false);
    assert.match(a.json.response.status.message, /too large to check error by error.*\[kd\.schema\]/);
    // A 1.4 MB KusciaDeployment, each party wrong four ways, updated (object and oldObject).
    const kd = JSON.parse(worstCase(17_000)).request.object;
    const update = JSON.stringify(admissionReview(kd, { operation: "UPDATE", oldObject: kd }));
    assert.ok(update.length > 2_800_000, String(update.length));
    const b = await post(wh, update);
    assert.equal(b.status, 200);
    assert.equal(b.json.response.allowed, false, "capped findings never pass as existing violations");
    assert.doesNotMatch(await wh.metrics.registry.metrics(), /kuscia_iac_webhook_review_worker_restarts_total\{/);
  });

  it("refuses (500) the review of a worker that crashes, replaces the worker and keeps serving", async () => {
    const logs = captureLogger();
    const wh = await start({ reviewWorkers: 1, reviewWorkerHooks: { exitOn: "crash" }, logger: logs.logger });
    const r = await post(wh, admissionReview(domain("crash")));
    assert.equal(r.status, 500);
    assert.equal(r.json.error, "InternalError");
    for (const p of ["/validate", "/mutate"]) {
      const ok = await post(wh, admissionReview(domain("after")), p);
      assert.equal(ok.status, 200);
      assert.equal(ok.json.response.allowed, true);
    }
    assert.match(await wh.metrics.registry.metrics(), /kuscia_iac_webhook_review_worker_restarts_total\{reason="exit"\} 1/);
    assert.ok(logs.lines().some((l) => l.msg === "request failed" && l.level === 50 && /exited \(code 70\)/.test(String(l.error))));
  });

  it("refuses (500) a review that exhausts its worker's heap, and keeps serving", async () => {
    const wh = await start({ reviewWorkers: 1, reviewWorkerHeapMb: 32 });
    // A million objects: JSON.parse alone needs more than a 32 MiB heap.
    const r = await post(wh, JSON.stringify(admissionReview({ ...domain("big"), spec: { filler: Array.from({ length: 1_000_000 }, () => ({})) } })));
    assert.equal(r.status, 500);
    assert.equal(r.json.error, "InternalError");
    assert.equal((await post(wh, admissionReview(domain("after")))).json.response.allowed, true);
    assert.match(await wh.metrics.registry.metrics(), /kuscia_iac_webhook_review_worker_restarts_total\{reason="exit"\} 1/);
  });

  it("refuses impossible settings at start", async () => {
    await assert.rejects(start({ reviewWorkers: -1 }), /--review-workers must be a whole number/);
    await assert.rejects(start({ reviewWorkers: 1, reviewer: () => ({ allowed: true, known: false, violations: [], warnings: [], audits: [], patch: [] }) }), /custom reviewer/);
  });
});

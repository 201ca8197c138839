/**
 * A review worker (node:worker_threads): JSON.parse, the envelope check and the rule book
 * for one AdmissionReview at a time, off the main thread, which keeps TLS, authentication,
 * the body limits, /healthz and the other reviews answering meanwhile. Started by pool.ts.
 *
 * Messages are handled in order: the main thread posts a configuration before any review
 * that must use it, and each review names the digest it expects; a mismatch fails closed.
 */
// First: the rest loads at the worker's lower priority (workerData.niceDelta, set by pool.ts).
import "../platform/worker-priority";
import { parentPort, workerData } from "node:worker_threads";
import { review, type PolicyConfig, type ReviewOptions } from "../policy";
import { configOfSource } from "../policy/config/compile";
import { BadAdmissionReview, errorWhere } from "./admission";
import { HttpError, checkJsonDepth } from "./body";
import { reviewBody } from "./reviewbody";
import { ReferenceSnapshot, withReferences } from "./referencecheck";
import type { ToWorker, FromWorker, WorkerHooks } from "./pool";

const port = parentPort;
if (!port) throw new Error("webhook/reviewworker.js runs as a worker thread of the webhook");

const hooks: WorkerHooks = (workerData as { hooks?: WorkerHooks } | undefined)?.hooks ?? {};
let config: { digest: string; compiled?: PolicyConfig } | undefined;
// webhook --references: the watch cache's names, posted by the main thread.
let references: ReferenceSnapshot | undefined;

function post(m: FromWorker): void {
  port!.postMessage(m);
}

function nameOf(obj: unknown): unknown {
  return (obj as { metadata?: { name?: unknown } } | null)?.metadata?.name;
}

// Test-only: hooks are set only by tests (WebhookOptions.reviewWorkerHooks), to crash or hang on a named object.
const reviewer = (obj: unknown, opts?: ReviewOptions) => {
  if (hooks.exitOn !== undefined && nameOf(obj) === hooks.exitOn) process.exit(70);
  if (hooks.hangOn !== undefined && nameOf(obj) === hooks.hangOn) for (;;);
  return review(obj, opts);
};
const withRefs = (obj: unknown, opts?: ReviewOptions) => (references ? withReferences(reviewer, references)(obj, opts) : reviewer(obj, opts));

port.on("message", (m: ToWorker) => {
  if (m.type === "references") {
    references = new ReferenceSnapshot(m.snapshot);
    return;
  }
  if (m.type === "config") {
    // Validated by the webhook's configuration loader already: built, not checked again.
    try {
      config = { digest: m.source.digest, compiled: configOfSource(m.source) };
    } catch (e) {
      config = { digest: m.source.digest };
      post({ type: "config-error", digest: m.source.digest, errors: [errorWhere(e)] });
    }
    return;
  }
  const { id } = m;
  try {
    if (!config || config.digest !== m.digest || !config.compiled) {
      post({ type: "done", id, status: 500, error: `review worker has no compiled policy configuration ${m.digest.slice(0, 12)}` });
      return;
    }
    const body = Buffer.from(m.body.buffer, m.body.byteOffset, m.body.byteLength);
    // Here rather than on the main thread: a pass over up to 7 MiB, before JSON.parse builds anything.
    checkJsonDepth(body);
    const { body: out, summary } = reviewBody(body, m.endpoint, withRefs, config.compiled);
    post({ type: "done", id, status: 200, text: JSON.stringify(out), summary });
  } catch (e) {
    if (e instanceof HttpError || e instanceof BadAdmissionReview) post({ type: "done", id, status: 400, message: e.message });
    else post({ type: "done", id, status: 500, error: errorWhere(e) });
  }
});
post({ type: "ready" });

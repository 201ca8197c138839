/**
 * The review pool: a few worker threads (reviewworker.ts) that parse and review
 * AdmissionReview bodies, so one expensive request (100,000 schema findings, a
 * kuscia.yaml at every parsing limit, a 7 MiB body) never holds the event loop that
 * serves TLS, /healthz and every other review.
 *
 * - At most `size` reviews run at once; up to `maxQueued` more wait, in arrival order;
 *   past that, review() rejects with QueueFull (the server answers 503). Nothing grows without bound.
 * - A review that runs past `deadlineMs` terminates its worker and fails (500, fail closed);
 *   a worker that dies (crash, out of memory) fails its review the same way. Either way a
 *   new worker takes its place.
 * - The policy configuration goes to every worker as its validated document (JSON text) on
 *   start and on every setConfig(); each review carries the digest it must run under. A worker handles
 *   its messages in order, so a review sent after setConfig() never runs under the old one.
 */
import { Worker } from "node:worker_threads";
import * as path from "node:path";
import type { Logger } from "pino";
import type { PolicySource } from "../policy/config/compile";
import type { ReferenceSnapshotData } from "./referencecheck";
import { errorWhere, type Endpoint, type ReviewSummary } from "./admission";
import { REVIEW_NICE_DELTA } from "../platform/priority";
import type { WebhookMetrics } from "./metrics";

/** Test-only behaviour of the workers, to exercise the crash and deadline paths. */
export interface WorkerHooks {
  /** Exit the worker (as a crash would) when reviewing an object with this metadata.name. */
  exitOn?: string;
  /** Loop forever when reviewing an object with this metadata.name. */
  hangOn?: string;
}

export type ToWorker =
  | { type: "config"; source: PolicySource }
  | { type: "references"; snapshot: ReferenceSnapshotData }
  | { type: "review"; id: number; endpoint: Endpoint; digest: string; body: Uint8Array };

export type FromWorker =
  | { type: "ready" }
  | { type: "config-error"; digest: string; errors: readonly string[] }
  | { type: "done"; id: number; status: 200; text: string; summary: ReviewSummary }
  | { type: "done"; id: number; status: 400; message: string }
  | { type: "done"; id: number; status: 500; error: string };

/** 200 with the AdmissionReview response as JSON text, or 400 with the reason (not JSON, not an AdmissionReview v1). */
export type PoolAnswer = { status: 200; text: string; summary: ReviewSummary } | { status: 400; message: string };

/** Every worker is busy and the queue is full: answer 503. */
export class QueueFull extends Error {
  constructor(readonly limit: number) {
    super(`too many reviews waiting (${limit}); retry shortly`);
  }
}

/** The review could not be completed (worker crashed, deadline passed, internal error): answer 500, fail closed. `where` is safe to log. */
export class ReviewFailed extends Error {
  constructor(readonly where: string) {
    super(where);
  }
}

/** The caller left while its review waited in the queue; the review was never started. */
export class CallerGone extends Error {
  constructor() {
    super("the client closed the connection before its review started");
  }
}

export interface PoolOptions {
  size: number;
  maxQueued: number;
  /** How long one review may run in a worker before the worker is terminated. */
  deadlineMs: number;
  /** The validated configuration document for the first reviews (setConfig() replaces it). */
  source: PolicySource;
  log: Logger;
  metrics: WebhookMetrics;
  hooks?: WorkerHooks;
  /** Old-generation heap limit of each worker, in MiB: past it the worker alone stops (its review refused), not the process. */
  heapMb: number;
  /**
   * Bodies larger than this (bytes) are reviewed one at a time: a second one waits in the queue,
   * in order, while smaller reviews pass it on the other workers. A large body can fill its
   * worker's heap (a 7 MiB UPDATE of millions of `{}`: hundreds of MiB while parsed), so with it
   * the process holds at most one full worker heap, not one per worker (deploy/: 768Mi limit).
   */
  largeBodyBytes: number;
  /** Arms a review's deadline (default setTimeout, unref'd); returns a cancel function. Tests pass one they fire themselves. */
  timer?: (ms: number, fire: () => void) => () => void;
}

interface Job {
  endpoint: Endpoint;
  body: Buffer;
  /** The body's length in bytes (the body itself is transferred to the worker, and empty afterwards). */
  size: number;
  gone: () => boolean;
  resolve: (a: PoolAnswer) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  job?: Job & { id: number; cancel: () => void };
  /** Set when we terminate it ourselves (deadline, close), so its exit is not counted as a crash. */
  ending?: "deadline" | "close";
  ready: Promise<void>;
}

const WORKER_FILE = path.join(__dirname, "reviewworker.js");

function defaultTimer(ms: number, fire: () => void): () => void {
  const t = setTimeout(fire, ms);
  t.unref();
  return () => clearTimeout(t);
}

/** The body as a Uint8Array this thread may give away: transferred when it owns its whole ArrayBuffer, else copied. */
function transferable(buf: Buffer): Uint8Array {
  if (buf.byteOffset === 0 && buf.byteLength === buf.buffer.byteLength && buf.buffer instanceof ArrayBuffer) return buf;
  // Small bodies live in Node's shared 8 KiB pool: giving that away would detach other buffers.
  return Uint8Array.prototype.slice.call(buf);
}

export class ReviewPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private source: PolicySource;
  private closed = false;
  private restartsInRow = 0;

  constructor(private readonly o: PoolOptions) {
    this.source = o.source;
    for (let i = 0; i < o.size; i++) this.slots.push(this.spawn());
    o.metrics.reviewPool(o.size, 0, 0);
  }

  /** Resolves when every worker has loaded the rule book (or failed to: then its replacement takes over). */
  async ready(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.ready));
  }

  get queued(): number {
    return this.queue.length;
  }

  get busy(): number {
    return this.slots.filter((s) => s.job).length;
  }

  /** The configuration for every review dispatched from now on (a document already validated: workers build it without checking it again). */
  setConfig(source: PolicySource): void {
    this.source = source;
    for (const s of this.slots) this.post(s, this.configMessage());
  }

  private references?: ReferenceSnapshotData;

  /**
   * The reference watch cache's names (webhook --references), for the reviews dispatched from
   * now on. Eventually consistent, as the cache itself is: reference findings are warnings by
   * default because apply order is not guaranteed anyway.
   */
  setReferences(snapshot: ReferenceSnapshotData): void {
    this.references = snapshot;
    for (const s of this.slots) this.post(s, { type: "references", snapshot });
  }

  /** Reviews one body (size-checked already; the worker checks its depth). Takes ownership of `body`: it may be transferred. */
  review(endpoint: Endpoint, body: Buffer, gone: () => boolean = () => false): Promise<PoolAnswer> {
    if (this.closed) return Promise.reject(new ReviewFailed("webhook closing"));
    if (!this.slots.some((s) => !s.job && !s.ending) && this.queue.length >= this.o.maxQueued) return Promise.reject(new QueueFull(this.o.maxQueued));
    return new Promise<PoolAnswer>((resolve, reject) => {
      this.queue.push({ endpoint, body, size: body.byteLength, gone, resolve, reject });
      this.dispatch();
    });
  }

  /** Terminates every worker; reviews still queued or running fail (close the server first: it waits for them). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const j of this.queue.splice(0)) j.reject(new ReviewFailed("webhook closing"));
    await Promise.all(
      this.slots.map((s) => {
        s.ending = "close";
        if (s.job) this.finish(s, () => s.job!.reject(new ReviewFailed("webhook closing")));
        return s.worker.terminate();
      }),
    );
    this.gauges();
  }

  private configMessage(): ToWorker {
    return { type: "config", source: this.source };
  }

  private post(s: Slot, m: ToWorker, transfer?: ArrayBuffer[]): void {
    s.worker.postMessage(m, transfer);
  }

  private spawn(): Slot {
    const worker = new Worker(WORKER_FILE, {
      // Below the main thread, which serves TLS and /healthz: a long review (or a configuration
      // compile) competing for a CPU delays other reviews, not the event loop (platform/priority.ts).
      workerData: { hooks: this.o.hooks, niceDelta: REVIEW_NICE_DELTA },
      resourceLimits: { maxOldGenerationSizeMb: this.o.heapMb } });
    let onReady!: () => void;
    const slot: Slot = { worker, ready: new Promise<void>((r) => (onReady = r)) };
    // Posted before any review: the worker compiles it first.
    this.post(slot, this.configMessage());
    if (this.references) this.post(slot, { type: "references", snapshot: this.references });
    worker.on("message", (m: FromWorker) => {
      if (m.type === "ready") {
        this.restartsInRow = 0;
        onReady();
      } else if (m.type === "config-error") {
        this.o.log.error({ digest: m.digest.slice(0, 12), errors: m.errors }, "review worker could not compile the policy configuration; its reviews fail closed");
      } else this.done(slot, m);
    });
    worker.on("error", (e) => {
      // Type and code location only: a message may quote the object under review.
      this.o.log.error({ error: errorWhere(e) }, "review worker failed");
    });
    worker.on("exit", (code) => {
      onReady();
      if (slot.ending === "close") return;
      const reason = slot.ending === "deadline" ? "deadline" : "exit";
      if (slot.job) {
        const where = `review worker exited (code ${code})`;
        this.finish(slot, () => slot.job!.reject(new ReviewFailed(where)));
      }
      if (this.closed) return;
      this.o.metrics.reviewWorkerRestart(reason);
      if (reason === "exit") this.o.log.error({ code }, "review worker exited; starting another");
      const i = this.slots.indexOf(slot);
      // A worker that cannot even start (a broken install) must not become a busy loop of restarts.
      const delay = this.restartsInRow++ > 2 ? 1000 : 0;
      const replace = (): void => {
        if (this.closed) return;
        this.slots[i] = this.spawn();
        this.dispatch();
      };
      if (delay) setTimeout(replace, delay).unref();
      else replace();
    });
    return slot;
  }

  /** The next job a free worker may take: the first in the queue, passing large bodies while one is under review. */
  private next(): Job | undefined {
    const largeRunning = this.slots.some((s) => s.job && s.job.size > this.o.largeBodyBytes);
    for (let i = 0; i < this.queue.length; ) {
      const job = this.queue[i];
      if (job.gone()) {
        this.queue.splice(i, 1);
        job.reject(new CallerGone());
        continue;
      }
      if (!largeRunning || job.size <= this.o.largeBodyBytes) {
        this.queue.splice(i, 1);
        return job;
      }
      i++;
    }
    return undefined;
  }

  private dispatch(): void {
    for (const s of this.slots) {
      if (s.job || s.ending) continue;
      const job = this.next();
      if (!job) break;
      const id = this.nextId++;
      const cancel = (this.o.timer ?? defaultTimer)(this.o.deadlineMs, () => this.overrun(s, id));
      s.job = { ...job, id, cancel };
      const body = transferable(job.body);
      // The configuration in force now: posted to this worker (setConfig) before this message.
      this.post(s, { type: "review", id, endpoint: job.endpoint, digest: this.source.digest, body }, [body.buffer as ArrayBuffer]);
    }
    this.gauges();
  }

  private done(s: Slot, m: Extract<FromWorker, { type: "done" }>): void {
    const job = s.job;
    if (!job || job.id !== m.id) return;
    this.finish(s, () => {
      if (m.status === 500) job.reject(new ReviewFailed(m.error));
      else job.resolve(m.status === 200 ? { status: 200, text: m.text, summary: m.summary } : { status: 400, message: m.message });
    });
    this.dispatch();
  }

  private overrun(s: Slot, id: number): void {
    if (!s.job || s.job.id !== id || s.ending) return;
    this.o.log.error({ deadlineMs: this.o.deadlineMs }, "review ran past its deadline; terminating its worker");
    s.ending = "deadline";
    const where = `review ran past its deadline (${this.o.deadlineMs} ms); worker terminated`;
    this.finish(s, () => s.job!.reject(new ReviewFailed(where)));
    void s.worker.terminate();
  }

  private finish(s: Slot, settle: () => void): void {
    s.job!.cancel();
    settle();
    s.job = undefined;
    this.gauges();
  }

  private gauges(): void {
    this.o.metrics.reviewPool(this.slots.length, this.busy, this.queue.length);
  }
}

/**
 * The main thread's side of the policy configuration loader (loadworker.ts): reading,
 * hashing, parsing and validating a configuration file happen in a worker thread, one
 * request at a time. What comes back is the file's hash and, after a compile, the validated
 * document as a PolicySource, which the webhook turns into a PolicyConfig without checking it
 * again (policy/config/compile.ts buildPolicyConfig).
 */
import { Worker } from "node:worker_threads";
import * as path from "node:path";
import type { PolicySource } from "../policy/config/compile";
import { LOADER_NICE_DELTA } from "../platform/priority";

export type LoaderRequest = { id: number; file: string; type: "read" } | { id: number; file: string; type: "compile"; expect: string; now?: number };

/** `hash` is the sha256 of the file's bytes ("" when it could not be read); `changed` when a compile found other bytes than `expect`. */
export interface LoaderReply {
  id: number;
  hash: string;
  changed?: true;
  errors?: string[];
  source?: PolicySource;
  warnings?: string[];
}

const WORKER_FILE = path.join(__dirname, "loadworker.js");

/** Heap of the loader thread, in MiB: a 1 MiB configuration needs well under a tenth of it to parse. */
const LOADER_HEAP_MB = 256;

export class PolicyFileLoader {
  private worker?: Worker;
  private readonly pending = new Map<number, (r: LoaderReply) => void>();
  private nextId = 1;
  private closed = false;

  /** Reads `file` and returns its hash (or why it cannot be read). */
  read(file: string): Promise<LoaderReply> {
    return this.request({ id: 0, file, type: "read" });
  }

  /** Reads `file` again and, when its bytes still hash to `expect`, parses and validates it. */
  compile(file: string, expect: string, now?: Date): Promise<LoaderReply> {
    return this.request({ id: 0, file, type: "compile", expect, ...(now ? { now: now.getTime() } : {}) });
  }

  async close(): Promise<void> {
    this.closed = true;
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }

  private request(m: LoaderRequest): Promise<LoaderReply> {
    if (this.closed) return Promise.resolve({ id: 0, hash: "", errors: [`${m.file}: the configuration loader is closed`] });
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.spawned().postMessage({ ...m, id });
    });
  }

  private spawned(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(WORKER_FILE, {
      // Background work: a configuration takes effect a moment later on a busy CPU, and the
      // event loop that serves requests goes first (platform/priority.ts).
      workerData: { niceDelta: LOADER_NICE_DELTA },
      resourceLimits: { maxOldGenerationSizeMb: LOADER_HEAP_MB },
    });
    // An idle loader must not keep the process alive.
    w.unref();
    w.on("message", (r: LoaderReply) => {
      const done = this.pending.get(r.id);
      this.pending.delete(r.id);
      done?.(r);
    });
    w.on("error", () => undefined);
    w.on("exit", (code) => {
      if (this.worker === w) this.worker = undefined;
      // A request in flight when the thread stopped (out of memory on a hostile file) fails like an invalid file.
      for (const [id, done] of this.pending) done({ id, hash: "", errors: [`the policy configuration loader stopped (code ${code}) while reading the file; the configuration in force is kept`] });
      this.pending.clear();
    });
    this.worker = w;
    return w;
  }
}

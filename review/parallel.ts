/**
 * `review --jobs N`: the review of a large input on several cores, with the output of the
 * single-threaded run. The main thread reads the files in order and cuts each stream at
 * `---` document markers (the cuts splitYamlStream makes anyway) into chunks of about
 * CHUNK_CHARS, each knowing how many lines come before it; worker threads
 * (reviewworker.ts) parse and review the chunks; the main thread shifts each chunk's lines
 * and document indexes and merges the results in input order. A file's first LoadError
 * ends that file, as it does single-threaded: later chunks of it are dropped.
 *
 * Memory stays bounded: at most a few chunks per worker are in flight, and the main thread
 * holds one file's text, as the single-threaded run does.
 */
import { Worker } from "node:worker_threads";
import * as path from "node:path";
import { canSplitYamlStream, type YamlLimits } from "../policy/yaml";
import type { PolicyConfig } from "../policy";
import { LoadError, NotAManifest } from "./load";
import type { SelectedFile } from "./select";
import type { ObjectResult, ReportBuilder } from "./run";

/** Characters of text per chunk: large enough that messages cost little, small enough to share the work evenly. */
export const CHUNK_CHARS = 256 * 1024;

export interface ChunkWorkerData {
  config?: { document: unknown; origin: string; digest: string };
  limits?: Partial<YamlLimits>;
}

export interface ChunkResult {
  /** Lines and indexes relative to the chunk. */
  results: ObjectResult[];
  objects: number;
  skipped: number;
  /** The chunk's first LoadError (line relative to the chunk); the documents before it are in results. */
  error?: { line: number | undefined; detail: string; document?: number; notAManifest?: NotAManifest["reason"] };
}

/** `discovered`: the chunk is a whole file found by walking a directory (LoadOptions.discovered). */
export type ToChunkWorker = { id: number; chunks: { file: string; text: string; discovered?: boolean }[] };
export type FromChunkWorker = { type: "done"; id: number; results: ChunkResult[] } | { type: "failed"; id: number; error: string };

const WORKER_FILE = path.join(__dirname, "reviewworker.js");

interface Chunk {
  fileIndex: number;
  file: string;
  /** Absent when the file could not be read: then `error` is set. */
  text?: string;
  /** The whole of a file found by walking (one chunk): it may turn out not to be a manifest. */
  discovered?: boolean;
  error?: LoadError;
  /** Lines of the file before the chunk. */
  lineBase: number;
  last: boolean;
}

/**
 * A file's text in chunks cut at document markers. A text the splitter does not take
 * (directives, `...`, JSON) or a small one is a single chunk: readDocs reads it whole.
 */
export function* chunksOf(text: string, target = CHUNK_CHARS): Generator<{ text: string; lineBase: number }> {
  const t = text.trimStart();
  if (text.length <= target || t.startsWith("{") || t.startsWith("[") || !canSplitYamlStream(text)) {
    yield { text, lineBase: 0 };
    return;
  }
  const marker = /^---(?=[ \t\r\n]|$)/gm;
  let pos = 0;
  let lineBase = 0;
  while (pos < text.length) {
    marker.lastIndex = pos + target;
    const m = pos + target < text.length ? marker.exec(text) : null;
    const cut = m ? m.index : text.length;
    yield { text: text.slice(pos, cut), lineBase };
    for (let nl = text.indexOf("\n", pos); nl >= 0 && nl < cut; nl = text.indexOf("\n", nl + 1)) lineBase++;
    pos = cut;
  }
}

interface Job {
  id: number;
  chunks: ToChunkWorker["chunks"];
  resolve: (r: ChunkResult[]) => void;
  reject: (e: Error) => void;
}

class ChunkPool {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job>();
  private readonly queue: Job[] = [];
  private failure?: Error;
  private nextId = 1;

  constructor(size: number, data: ChunkWorkerData) {
    for (let i = 0; i < size; i++) {
      const w = new Worker(WORKER_FILE, { workerData: data });
      w.on("message", (m: FromChunkWorker) => {
        const job = this.busy.get(w);
        if (!job || job.id !== m.id) return;
        this.busy.delete(w);
        if (m.type === "done") job.resolve(m.results);
        else this.fail(new Error(m.error));
        this.idle.push(w);
        this.dispatch();
      });
      w.on("error", (e) => this.fail(new Error(`review worker failed: ${e.message}`)));
      w.on("exit", (code) => {
        if (this.busy.has(w) || code !== 0) this.fail(new Error(`review worker exited (code ${code})`));
      });
      this.idle.push(w);
    }
  }

  run(chunks: ToChunkWorker["chunks"]): Promise<ChunkResult[]> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, chunks, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0 && !this.failure) {
      const w = this.idle.pop()!;
      const job = this.queue.shift()!;
      this.busy.set(w, job);
      w.postMessage({ id: job.id, chunks: job.chunks } satisfies ToChunkWorker);
    }
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    for (const j of [...this.busy.values(), ...this.queue.splice(0)]) j.reject(e);
    this.busy.clear();
  }

  async close(): Promise<void> {
    this.failure ??= new Error("review pool closed");
    await Promise.all([...this.idle, ...this.busy.keys()].map((w) => w.terminate()));
  }
}

export interface ParallelOptions {
  jobs: number;
  limits?: Partial<YamlLimits>;
  config?: PolicyConfig;
  /** Reads a file's text; throws LoadError as readSource does. */
  read: (file: string) => Promise<string>;
  progress: (filesDone: number) => void;
  /** Characters per chunk (tests make it small). */
  chunkChars?: number;
}

/**
 * Reviews `files` in worker threads into `builder`, in input order; returns the LoadErrors,
 * in file order (NotAManifest for a discovered file that is no manifest: a skip, not an
 * error). A file found by walking is judged a non-manifest only when it is one chunk (every
 * JSON file, and YAML up to `chunkChars`); a longer stream whose first document is no object
 * stays an error. Rejects when a worker fails (crash, out of memory): the caller exits 2.
 */
export async function reviewInWorkers(input: readonly (string | SelectedFile)[], builder: ReportBuilder, o: ParallelOptions): Promise<LoadError[]> {
  const files = input.map((f) => (typeof f === "string" ? { path: f, discovered: false } : f));
  const pool = new ChunkPool(o.jobs, { config: o.config ? { document: o.config.document, origin: o.config.origin, digest: o.config.digest } : undefined, limits: o.limits });
  const target = o.chunkChars ?? CHUNK_CHARS;
  const errors: LoadError[] = [];
  // Merge state: the file being merged, the documents of it merged so far, whether it failed.
  let file = -1;
  let indexBase = 0;
  let failed = false;
  const merge = (batch: Chunk[], results: ChunkResult[]): void => {
    let k = 0;
    for (const c of batch) {
      if (c.fileIndex !== file) {
        file = c.fileIndex;
        indexBase = 0;
        failed = false;
      }
      if (c.error) {
        errors.push(c.error);
        failed = true;
      } else {
        const r = results[k++];
        if (!failed) {
          builder.merge(r.results.map((x) => shifted(x, c.lineBase, indexBase)), r.objects, r.skipped);
          if (r.error) {
            const e = r.error;
            errors.push(e.notAManifest ? new NotAManifest(c.file, e.notAManifest, e.detail) : new LoadError(c.file, e.line === undefined ? undefined : e.line + c.lineBase, e.detail, e.document === undefined ? undefined : e.document + indexBase));
            failed = true;
          }
          indexBase += r.objects;
        }
      }
      if (c.last) o.progress(c.fileIndex + 1);
    }
  };
  const inFlight: { batch: Chunk[]; results: Promise<ChunkResult[]> }[] = [];
  const maxInFlight = 2 * o.jobs + 1;
  const settleOldest = async (): Promise<void> => {
    const { batch, results } = inFlight.shift()!;
    merge(batch, await results);
  };
  let batch: Chunk[] = [];
  let batchChars = 0;
  const send = async (): Promise<void> => {
    const texts = batch.filter((c) => !c.error).map((c) => ({ file: c.file, text: c.text!, ...(c.discovered ? { discovered: true } : {}) }));
    const results = texts.length > 0 ? pool.run(texts) : Promise.resolve([]);
    results.catch(() => undefined); // awaited in order below; not an unhandled rejection meanwhile
    inFlight.push({ batch, results });
    batch = [];
    batchChars = 0;
    while (inFlight.length >= maxInFlight) await settleOldest();
  };
  try {
    for (const [i, { path: f, discovered }] of files.entries()) {
      let text: string;
      try {
        text = await o.read(f);
      } catch (e) {
        batch.push({ fileIndex: i, file: f, error: e instanceof LoadError ? e : new LoadError(f, undefined, (e as Error).message), lineBase: 0, last: true });
        continue;
      }
      const chunks = chunksOf(text, target);
      let next = chunks.next();
      let first = true;
      while (!next.done) {
        const c = next.value;
        next = chunks.next();
        const whole = first && !!next.done;
        first = false;
        batch.push({ fileIndex: i, file: f, text: c.text, lineBase: c.lineBase, last: !!next.done, ...(discovered && whole ? { discovered: true } : {}) });
        batchChars += c.text.length;
        if (batchChars >= target) await send();
      }
    }
    if (batch.length > 0) await send();
    while (inFlight.length > 0) await settleOldest();
  } finally {
    await pool.close();
  }
  return errors;
}

/** `r` with its lines moved down by the lines before its chunk and its index by the documents before it. */
function shifted(r: ObjectResult, lines: number, index: number): ObjectResult {
  if (lines === 0 && index === 0) return r;
  r.index += index;
  r.line += lines;
  for (const f of r.violations) f.line += lines;
  for (const f of r.warnings) f.line += lines;
  for (const f of r.audits) f.line += lines;
  return r;
}

/**
 * A `review --jobs` worker (node:worker_threads): parses and reviews the chunks of input
 * the main thread posts (review/parallel.ts), each as readDocs and ReportBuilder would in
 * the single-threaded run, and posts back the results with chunk-relative lines and
 * document indexes; the main thread shifts and merges them in input order.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { PolicyConfig } from "../policy";
import { buildPolicyConfig } from "../policy/config/compile";
import { LoadError, NotAManifest, readDocs } from "./load";
import { ReportBuilder } from "./run";
import type { ChunkResult, FromChunkWorker, ToChunkWorker, ChunkWorkerData } from "./parallel";

const port = parentPort;
if (!port) throw new Error("review/reviewworker.js runs as a worker thread of review --jobs");

const data = workerData as ChunkWorkerData;
let config: PolicyConfig | undefined;
let configErrors: readonly string[] | undefined;
if (data.config) {
  // Validated by the main thread already: built, not checked again, in every worker.
  try {
    config = buildPolicyConfig(data.config.document as PolicyConfig["document"], data.config.origin, data.config.digest);
  } catch (e) {
    configErrors = [(e as Error).message];
  }
}

function reviewChunk(file: string, text: string, discovered: boolean): ChunkResult {
  const builder = new ReportBuilder(undefined, config);
  let error: ChunkResult["error"];
  try {
    for (const d of readDocs(file, text, { limits: data.limits, discovered })) builder.add(d);
  } catch (e) {
    error = e instanceof NotAManifest ? { line: undefined, detail: e.detail, notAManifest: e.reason } : e instanceof LoadError ? { line: e.line, detail: e.detail, document: e.document } : { line: undefined, detail: (e as Error).message };
  }
  const { results, summary } = builder.report(0);
  return { results, objects: summary.objects, skipped: summary.skipped, error };
}

port.on("message", (m: ToChunkWorker) => {
  let out: FromChunkWorker;
  if (configErrors) out = { type: "failed", id: m.id, error: `review worker could not compile the policy configuration: ${configErrors.join("; ")}` };
  else out = { type: "done", id: m.id, results: m.chunks.map((c) => reviewChunk(c.file, c.text, !!c.discovered)) };
  port.postMessage(out);
});

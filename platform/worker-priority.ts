/**
 * Imported first by a worker thread's entry file (webhook/reviewworker.ts,
 * policyfile/loadworker.ts): lowers the thread's CPU priority by `workerData.niceDelta`
 * (platform/priority.ts) before the entry's other imports load. Loading the rule book is most
 * of a worker's start-up CPU, and a review worker restarted under load (after a crash or a
 * deadline) would otherwise load it at the main thread's priority, beside the event loop.
 */
import { workerData } from "node:worker_threads";
import { lowerThreadPriority } from "./priority";

const delta = (workerData as { niceDelta?: unknown } | null | undefined)?.niceDelta;
if (typeof delta === "number") lowerThreadPriority(delta);

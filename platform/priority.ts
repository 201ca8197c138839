/**
 * CPU priority of helper threads. The webhook's main thread serves TLS, /healthz and every
 * request's I/O; its work per request is small and its latency is what the kubelet's probes
 * and the API server see. The review workers and the policy configuration loader do the
 * heavy work (a 3 MiB review, compiling a 1 MiB configuration: about a second of CPU). When
 * they compete for a CPU with the main thread (two cores, a pod's CPU share), a lower
 * priority makes the scheduler run the main thread first, so the heavy work delays other
 * heavy work, never the event loop.
 *
 * Linux keeps the nice value per thread (setpriority(2), "NOTES": under NPTL the nice value
 * is a per-thread attribute), and `os.setPriority(0, n)` called in a worker thread sets that
 * thread's alone. Elsewhere (macOS, Windows) it would change the whole process: nothing is done.
 * Raising a nice value needs no privilege, so this works in a pod that drops every capability.
 */
import { getPriority, setPriority } from "node:os";

/** The nice value the loader thread runs at, relative to the thread that started it. */
export const LOADER_NICE_DELTA = 10;
/** The nice value the review workers run at, relative to the main thread. */
export const REVIEW_NICE_DELTA = 5;

/**
 * Lowers the calling thread's priority by `delta` nice steps (capped at 19, the lowest).
 * Returns the thread's nice value afterwards, or undefined where threads have no priority
 * of their own (not Linux) or the call failed (the thread then runs at its old priority).
 */
export function lowerThreadPriority(delta: number, platform: NodeJS.Platform = process.platform): number | undefined {
  if (platform !== "linux" || !(delta > 0)) return undefined;
  try {
    const now = getPriority(0);
    const next = Math.min(19, now + Math.floor(delta));
    if (next !== now) setPriority(0, next);
    return getPriority(0);
  } catch {
    return undefined;
  }
}

/**
 * Follows a policy configuration file while the webhook serves.
 *
 * - Cost: the file is read, hashed, parsed and validated in a worker thread (loader.ts); the
 *   event loop only trades messages. It is compiled only when its bytes changed since the
 *   last version applied or refused, so neither a large valid file nor an invalid one is
 *   compiled again on every poll.
 * - Completeness: a changed file is applied only once two reads a moment apart (`settle`)
 *   find the same bytes. A file caught half-written by an in-place writer (`>`, an editor
 *   saving in place) is read again until it stops changing; a file replaced atomically (a
 *   rename, a Kubernetes ConfigMap volume's `..data` symlink swap) is whole at the first read.
 *   A writer that pauses longer than `settle` between two writes can still be caught: update
 *   plain files by writing a temporary file and renaming it over the old one.
 * - Detection: a ConfigMap volume is updated by an atomic swap of the `..data` symlink, which
 *   inotify on the file itself misses, so the file is polled (by content hash, not mtime: a
 *   swap can keep the mtime), and fs.watch on its folder only shortens the wait.
 * - A broken new file is reported once and the configuration in force kept: reviews never run
 *   without one.
 */
import { watch, type FSWatcher } from "node:fs";
import * as path from "node:path";
import type { PolicySource } from "../policy/config/compile";
import { PolicyConfigError } from "./read";
import { PolicyFileLoader } from "./loader";

export interface ConfigWatcher {
  close(): void;
  /** Checks done (one per poll or file event that found the loader idle) and compiles run: for tests and the debug log. */
  stats(): { checks: number; compiles: number };
}

export interface StableLoadOptions {
  loader: PolicyFileLoader;
  /**
   * Waits between the two reads that must agree before a changed file is applied. Default:
   * `settleMs`. Tests pass their own, to decide when the second read happens.
   */
  settle?: (hash: string) => Promise<void>;
  /** Default 500 ms. */
  settleMs?: number;
  /** Called once a read found new bytes, before the settle wait (for the log). */
  onChanging?: (hash: string) => void;
}

export interface WatchOptions extends StableLoadOptions {
  /** Poll period in ms (default 2000). */
  pollMs?: number;
  onChange(loaded: { source: PolicySource; warnings: string[] }): void;
  onError(errors: readonly string[]): void;
  /** Told of each check (a read of the file) and each compile (a parse and validation), for the metrics. */
  onCheck?(): void;
  onCompile?(): void;
}

/** A validated configuration and the hash of the bytes it was read from. */
export interface StableLoad {
  hash: string;
  source: PolicySource;
  warnings: string[];
}

const DEFAULT_SETTLE_MS = 500;
/** How many times a start-up read follows a file that keeps changing before giving up. */
const MAX_START_ATTEMPTS = 20;

function settler(o: StableLoadOptions): (hash: string) => Promise<void> {
  return o.settle ?? ((): Promise<void> => new Promise((r) => setTimeout(r, o.settleMs ?? DEFAULT_SETTLE_MS)));
}

/**
 * Reads `file` until two reads a settle apart agree, then compiles it (all in the loader's
 * thread). Throws PolicyConfigError for a file that cannot be read, is invalid, or never
 * stops changing.
 */
export async function loadPolicyConfigStable(file: string, o: StableLoadOptions): Promise<StableLoad> {
  const settle = settler(o);
  for (let attempt = 0; attempt < MAX_START_ATTEMPTS; attempt++) {
    const first = await o.loader.read(file);
    if (first.errors) throw new PolicyConfigError(first.errors);
    await settle(first.hash);
    const r = await o.loader.compile(file, first.hash);
    if (r.changed) continue;
    if (r.errors) throw new PolicyConfigError(r.errors);
    return { hash: r.hash, source: r.source!, warnings: r.warnings ?? [] };
  }
  throw new PolicyConfigError([`${file}: kept changing over ${MAX_START_ATTEMPTS} reads; write it to a temporary file and rename that over it`]);
}

/**
 * Follows `file`, whose bytes hashing to `hash` (from loadPolicyConfigStable) are in force
 * with the configuration digest `digest`.
 */
export function watchPolicyConfigFile(file: string, current: { hash: string; digest: string }, o: WatchOptions): ConfigWatcher {
  const settle = settler(o);
  let seen = current.hash; // the bytes last applied or refused
  let digest = current.digest;
  let failed = ""; // the read error last reported
  let running = false;
  let again = false;
  let closed = false;
  let checks = 0;
  let compiles = 0;

  const report = (errors: readonly string[]): void => {
    const key = errors.join("\n");
    if (key !== failed) o.onError(errors); // once per distinct failure, not every poll
    failed = key;
  };

  const check = async (): Promise<void> => {
    if (closed) return;
    if (running) {
      again = true;
      return;
    }
    running = true;
    checks++;
    o.onCheck?.();
    try {
      for (;;) {
        const first = await o.loader.read(file);
        if (closed) return;
        if (first.errors) {
          report(first.errors);
          return;
        }
        if (first.hash === seen) {
          failed = "";
          return;
        }
        o.onChanging?.(first.hash);
        await settle(first.hash);
        if (closed) return;
        const r = await o.loader.compile(file, first.hash);
        if (closed) return;
        if (r.changed) continue; // still being written: read it again
        compiles++;
        o.onCompile?.();
        seen = r.hash;
        if (r.errors) {
          report(r.errors);
          return;
        }
        failed = "";
        if (r.source!.digest === digest) return; // comments or formatting only
        digest = r.source!.digest;
        o.onChange({ source: r.source!, warnings: r.warnings ?? [] });
        return;
      }
    } catch (e) {
      report([`${file}: ${(e as Error).message}`]);
    } finally {
      running = false;
      if (again && !closed) {
        again = false;
        void check();
      }
    }
  };

  const timer = setInterval(() => void check(), o.pollMs ?? 2000);
  timer.unref();
  let watcher: FSWatcher | undefined;
  let debounce: NodeJS.Timeout | undefined;
  try {
    watcher = watch(path.dirname(file), () => {
      clearTimeout(debounce);
      debounce = setTimeout(() => void check(), 100);
      debounce.unref();
    });
    watcher.on("error", () => watcher?.close());
  } catch {
    // Polling alone still works.
  }
  return {
    close() {
      closed = true;
      clearInterval(timer);
      clearTimeout(debounce);
      watcher?.close();
    },
    stats: () => ({ checks, compiles }),
  };
}

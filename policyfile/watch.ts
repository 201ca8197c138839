/**
 * Follows a mounted configuration file. A ConfigMap volume is updated by an
 * atomic swap of the `..data` symlink, which inotify on the file itself misses,
 * so the file is polled (content digest, not mtime: a swap can keep the mtime)
 * and fs.watch on its folder only shortens the wait. A broken new file is
 * reported and the configuration in force kept: reviews never run without one.
 */
import { watch, type FSWatcher } from "node:fs";
import * as path from "node:path";
import { readPolicyConfigFile, PolicyConfigError, type LoadedPolicyConfig } from "./read";

export interface ConfigWatcher {
  close(): void;
}

export interface WatchOptions {
  /** Poll period in ms (default 2000). */
  pollMs?: number;
  onChange(loaded: LoadedPolicyConfig): void;
  onError(errors: readonly string[]): void;
}

export function watchPolicyConfigFile(file: string, current: string, o: WatchOptions): ConfigWatcher {
  let digest = current;
  let failed = "";
  const check = (): void => {
    let loaded: LoadedPolicyConfig;
    try {
      loaded = readPolicyConfigFile(file);
    } catch (e) {
      const errors = e instanceof PolicyConfigError ? e.errors : [(e as Error).message];
      const key = errors.join("\n");
      if (key !== failed) o.onError(errors); // once per distinct failure, not every poll
      failed = key;
      return;
    }
    failed = "";
    if (loaded.config.digest === digest) return;
    digest = loaded.config.digest;
    o.onChange(loaded);
  };
  const timer = setInterval(check, o.pollMs ?? 2000);
  timer.unref();
  let watcher: FSWatcher | undefined;
  let debounce: NodeJS.Timeout | undefined;
  try {
    watcher = watch(path.dirname(file), () => {
      clearTimeout(debounce);
      debounce = setTimeout(check, 100);
      debounce.unref();
    });
    watcher.on("error", () => watcher?.close());
  } catch {
    // Polling alone still works.
  }
  return {
    close() {
      clearInterval(timer);
      clearTimeout(debounce);
      watcher?.close();
    },
  };
}

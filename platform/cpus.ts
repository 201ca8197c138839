/**
 * How many CPUs this process may use: `os.availableParallelism()`, lowered by a cgroup CPU
 * quota. In a pod with `resources.limits.cpu: 500m` on a 16-core node, Node.js still
 * reports 16, and a worker pool sized from that only adds context switches and memory.
 */
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";

/**
 * The CPU quota of a cgroup, in CPUs (e.g. 0.5), or undefined when there is none.
 * `files` maps a path to its text (tests pass their own); cgroup v2's `cpu.max`
 * ("max 100000" or "50000 100000") is read first, then v1's cfs_quota_us / cfs_period_us.
 */
export function cgroupCpuQuota(read: (file: string) => string | undefined = readOrUndefined): number | undefined {
  const v2 = read("/sys/fs/cgroup/cpu.max")?.trim().split(/\s+/);
  if (v2 && v2.length === 2) return ratio(v2[0], v2[1]);
  const quota = read("/sys/fs/cgroup/cpu/cpu.cfs_quota_us") ?? read("/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us");
  const period = read("/sys/fs/cgroup/cpu/cpu.cfs_period_us") ?? read("/sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us");
  return quota !== undefined && period !== undefined ? ratio(quota.trim(), period.trim()) : undefined;
}

/** CPUs usable by this process: at least 1, at most `availableParallelism()`. */
export function usableCpus(quota = cgroupCpuQuota(), available = availableParallelism()): number {
  return quota === undefined ? available : Math.max(1, Math.min(available, Math.ceil(quota)));
}

function ratio(quota: string, period: string): number | undefined {
  if (quota === "max" || quota === "-1") return undefined;
  const q = Number(quota);
  const p = Number(period);
  return Number.isFinite(q) && Number.isFinite(p) && q > 0 && p > 0 ? q / p : undefined;
}

function readOrUndefined(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

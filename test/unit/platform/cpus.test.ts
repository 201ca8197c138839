import { strict as assert } from "node:assert";
import { cgroupCpuQuota, usableCpus } from "../../../platform/cpus";

const files = (m: Record<string, string>) => (f: string) => m[f];

describe("usable CPUs under a cgroup quota", () => {
  it("reads cgroup v2 cpu.max", () => {
    assert.equal(cgroupCpuQuota(files({ "/sys/fs/cgroup/cpu.max": "50000 100000\n" })), 0.5);
    assert.equal(cgroupCpuQuota(files({ "/sys/fs/cgroup/cpu.max": "max 100000\n" })), undefined);
  });

  it("reads cgroup v1 cfs quota and period", () => {
    assert.equal(cgroupCpuQuota(files({ "/sys/fs/cgroup/cpu/cpu.cfs_quota_us": "150000\n", "/sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000\n" })), 1.5);
    assert.equal(cgroupCpuQuota(files({ "/sys/fs/cgroup/cpu/cpu.cfs_quota_us": "-1\n", "/sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000\n" })), undefined);
  });

  it("has no quota when no file is readable or a file is garbage", () => {
    assert.equal(cgroupCpuQuota(files({})), undefined);
    assert.equal(cgroupCpuQuota(files({ "/sys/fs/cgroup/cpu.max": "lots of cpus" })), undefined);
  });

  it("rounds a fractional quota up, caps it at the machine and never goes below one", () => {
    assert.equal(usableCpus(0.5, 16), 1);
    assert.equal(usableCpus(1.5, 16), 2);
    assert.equal(usableCpus(8, 4), 4);
    assert.equal(usableCpus(undefined, 16), 16);
  });
});

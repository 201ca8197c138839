import { strict as assert } from "node:assert";
import { getPriority } from "node:os";
import { Worker } from "node:worker_threads";
import * as path from "node:path";
import { lowerThreadPriority } from "../../../platform/priority";

const MODULE = path.resolve(__dirname, "..", "..", "..", "platform", "priority.js");

/** The nice value a worker thread reports after lowerThreadPriority(delta). */
function inWorker(delta: number): Promise<number | undefined> {
  const code = `const { parentPort } = require("node:worker_threads");
const { lowerThreadPriority } = require(${JSON.stringify(MODULE)});
parentPort.postMessage(lowerThreadPriority(${delta}) ?? null);`;
  return new Promise((resolve, reject) => {
    const w = new Worker(code, { eval: true });
    w.once("message", (m: number | null) => {
      void w.terminate();
      resolve(m ?? undefined);
    });
    w.once("error", reject);
  });
}

describe("thread priority (platform/priority.ts)", () => {
  it("lowers the calling worker thread's priority alone on Linux, capped at 19", async () => {
    const main = getPriority(0);
    const got = await inWorker(5);
    if (process.platform === "linux") assert.equal(got, Math.min(19, main + 5));
    else assert.equal(got, undefined);
    assert.equal(getPriority(0), main, "the main thread's priority changed");
    if (process.platform === "linux") assert.equal(await inWorker(100), 19);
  });

  it("does nothing where the nice value belongs to the whole process, or for no change", () => {
    const main = getPriority(0);
    assert.equal(lowerThreadPriority(5, "darwin"), undefined);
    assert.equal(lowerThreadPriority(5, "win32"), undefined);
    assert.equal(lowerThreadPriority(0), undefined);
    assert.equal(lowerThreadPriority(-3), undefined);
    assert.equal(getPriority(0), main);
  });
});

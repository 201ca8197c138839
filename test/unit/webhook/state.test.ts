/**
 * The embedded CA's state directory is locked while certificates are made: two webhooks
 * started at once on a fresh --state-dir end up with one CA (the caBundle pasted into a
 * webhook configuration stays valid for both), and a lock left by a dead process is taken over.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureEmbeddedCerts } from "../../../webhook/state";
import { tempDir } from "./helpers";

describe("webhook state directory", function () {
  // Making a CA is CPU work a busy machine slows down: no time limit of mocha's.
  this.timeout(0);

  it("two starts at once on a fresh directory share one CA", async () => {
    const dir = join(tempDir("kuscia-iac-state-"), "fresh");
    const [a, b] = await Promise.all([ensureEmbeddedCerts({ stateDir: dir }), ensureEmbeddedCerts({ stateDir: dir })]);
    assert.equal(a.caPem, b.caPem, "each made its own CA");
    assert.equal(readFileSync(join(dir, "ca.crt"), "utf8"), a.caPem);
    assert.deepEqual([a.reused, b.reused].sort(), ["all", "none"], "the second reused what the first made");
    assert.equal(existsSync(join(dir, ".lock")), false, "the lock is released");
  });

  it("takes over a lock whose holder has died", async () => {
    const dir = join(tempDir("kuscia-iac-state-"), "stale");
    mkdirSync(dir, { mode: 0o700 });
    // The pid of a process that has exited.
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" }).stdout;
    writeFileSync(join(dir, ".lock"), dead);
    const c = await ensureEmbeddedCerts({ stateDir: dir });
    assert.equal(c.reused, "none");
    assert.equal(existsSync(join(dir, ".lock")), false);
  });
});

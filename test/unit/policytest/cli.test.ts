/**
 * `kuscia-iac test` as CI runs it, through the real executable: `--help`, and the exit codes
 * CI relies on (0 every case passed, 1 a case failed, 2 a usage or input error).
 */
import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const MAIN = path.resolve(__dirname, "..", "..", "..", "cli", "main.js");
const REPO = path.resolve(__dirname, "..", "..", "..", "..");

/** Runs the CLI and waits for it to exit (no deadline of its own: mocha's timeout bounds it). */
function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [MAIN, ...args], { cwd: REPO, env: { ...process.env, NO_COLOR: "1" } });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d: Buffer) => (stdout += d.toString("utf8")));
    p.stderr.on("data", (d: Buffer) => (stderr += d.toString("utf8")));
    p.on("error", reject);
    p.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const suite = (expect: string) => {
  const d = mkdtempSync(path.join(tmpdir(), "kuscia-iac-test-cli-"));
  writeFileSync(
    path.join(d, "kuscia-iac-test.yaml"),
    "apiVersion: kuscia-iac.secretflow/v1alpha1\nkind: PolicyTest\ncases:\n" +
      `  - name: bad name\n    object: {apiVersion: kuscia.secretflow/v1alpha1, kind: Domain, metadata: {name: Alice_1}, spec: {}}\n    expect: ${expect}\n`,
  );
  return d;
};

describe("kuscia-iac test (the real executable)", function () {
  // Process start-up on a loaded machine: generous, since the assertions are about output and codes.
  this.timeout(120_000);

  it("--help documents the file, the front ends and the exit status, and exits 0", async () => {
    const r = await run(["test", "--help"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Usage: kuscia-iac test \[options\] <path\.\.\.>/);
    for (const opt of ["--format <format>", "--frontend <name>", "--update", "--kubeconfig <file>", "--context <name>", "--mutating-beta"]) assert.ok(r.stdout.includes(opt), opt);
    assert.match(r.stdout, /kind: PolicyTest/);
    assert.match(r.stdout, /Exit status:\n {2}0 .*\n {2}1 .*\n(.*\n)* {2}2 /);
    // Listed by the top-level help too.
    const top = await run(["--help"]);
    assert.match(top.stdout, /\n {2}test \[options\] <path\.\.\.> /);
  });

  it("exits 0 when every case passes, 1 when one fails", async () => {
    const ok = await run(["test", suite("{outcome: refused, violations: [domain.name]}")]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /1 case: 1 passed, 0 failed/);
    const bad = await run(["test", suite("{outcome: allowed}")]);
    assert.equal(bad.code, 1, bad.stdout + bad.stderr);
    assert.match(bad.stdout, /FAIL bad name/);
  });

  it("exits 2 on usage errors: no path, an unknown front end or format, a path that does not exist", async () => {
    const none = await run(["test"]);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /missing required argument 'path'/);
    // Not silently taken as another front end (commander's choices check is replaced by a custom parser).
    const fe = await run(["test", "--frontend", "webhok", "examples/policy-tests"]);
    assert.equal(fe.code, 2, fe.stdout + fe.stderr);
    assert.match(fe.stderr, /--frontend <name>' argument 'webhok' is invalid\. Allowed choices are webhook, vap, pack\./);
    assert.equal(fe.stdout, "");
    const fmt = await run(["test", "-f", "xml", "examples/policy-tests"]);
    assert.equal(fmt.code, 2);
    assert.match(fmt.stderr, /Allowed choices are text, json, junit/);
    const missing = await run(["test", path.join(tmpdir(), "kuscia-iac-no-such-dir")]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /kuscia-iac-no-such-dir: no such file or directory/);
  });
});

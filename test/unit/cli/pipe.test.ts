import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as path from "node:path";
import { EXAMPLES_DIR } from "../../helpers/examples";

const MAIN = path.resolve(__dirname, "..", "..", "..", "cli", "main.js");

/**
 * Runs the real executable with standard output a pipe whose read end is closed
 * before the child can write (what `| head` does once it has its line): every write
 * then fails with EPIPE, deterministically, whatever the size of the output.
 */
function runWithClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [MAIN, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1" } });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stderr }));
  });
}

describe("kuscia-iac with its output closed early (| head)", function () {
  const cases = [
    ["rules"],
    ["vap"],
    ["vap", "--list"],
    ["render", path.join(EXAMPLES_DIR, "accepted", "domains.yaml")],
    ["webhook", "--help"],
    ["review", "-f", "json", path.join(EXAMPLES_DIR, "accepted")],
  ];
  for (const args of cases) {
    it(`${args.map((a) => path.basename(a)).join(" ")}: exits 141 (broken pipe) with no stack trace`, async () => {
      const r = await runWithClosedStdout(args);
      assert.doesNotMatch(r.stderr, /EPIPE|Unhandled 'error' event|\n\s+at /, r.stderr);
      assert.equal(r.code, 141, r.stderr);
    });
  }
});

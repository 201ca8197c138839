import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { runReview, type ReviewCommandOptions } from "../../../review/command";

const tmp = () => mkdtempSync(path.join(tmpdir(), "kuscia-iac-inputs-"));
async function rev(paths: string[], opts: Partial<ReviewCommandOptions> = {}) {
  let stdout = "";
  let stderr = "";
  const code = await runReview(paths, { format: "text", ...opts }, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), stdoutIsTTY: false, stderrIsTTY: false });
  return { code, stdout, stderr };
}

describe("review: inputs users hand it", () => {
  it("reviews the items of a typed list as the API returns it (items without apiVersion/kind)", async () => {
    const f = path.join(tmp(), "raw.yaml");
    writeFileSync(f, "apiVersion: kuscia.secretflow/v1alpha1\nkind: DomainList\nitems:\n  - metadata: {name: alice}\n    spec: {role: Partner}\n");
    const r = await rev([f]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /raw\.yaml:5: error Domain\/alice: spec\.role: found "Partner"/);
  });

  it("unwraps a List inside a List", async () => {
    const f = path.join(tmp(), "nested.yaml");
    writeFileSync(f, "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: kuscia.secretflow/v1alpha1\n    kind: DomainList\n    items:\n      - metadata: {name: bob}\n        spec: {role: Partner}\n");
    const r = await rev([f]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /nested\.yaml:8: error Domain\/bob: spec\.role/);
  });

  it("exits 2 on an input with no object at all, unless --allow-empty", async () => {
    const f = path.join(tmp(), "empty.yaml");
    writeFileSync(f, "# nothing here\n---\n");
    const r = await rev([f]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no Kubernetes objects in .*empty\.yaml; an empty input often means the command that produced it failed/);
    assert.equal((await rev([f], { allowEmpty: true })).code, 0);
  });

  it("refuses a device or a FIFO named on the command line instead of reading it forever", async () => {
    const dir = tmp();
    const zero = path.join(dir, "zero.yaml");
    symlinkSync("/dev/zero", zero);
    const fifo = path.join(dir, "fifo.yaml");
    execFileSync("mkfifo", [fifo]);
    for (const p of [zero, fifo]) {
      const r = await rev([p]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /is not a regular file or a directory \(a device, FIFO or socket\)/);
    }
  });
});

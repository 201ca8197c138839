/**
 * A file that does not parse, or a document that is no object, is an input error: every output
 * format of `kuscia-iac review` carries it where it is (file and line), and the exit status is 2,
 * whatever the format. Before, only standard error said so: SARIF claimed a successful run and
 * JSON, JUnit and the GitHub annotations had nothing.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const MAIN = path.resolve(__dirname, "..", "..", "..", "cli", "main.js");

function review(format: string, ...files: string[]) {
  const r = spawnSync(process.execPath, [MAIN, "review", "--format", format, ...files], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("review: input errors in every output format", function () {
  const dir = mkdtempSync(path.join(tmpdir(), "kuscia-iac-input-errors-"));
  // Line 5 does not parse (its key is indented less than the one before).
  const broken = path.join(dir, "broken.yaml");
  writeFileSync(broken, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n bad: 1\ndata: {}\n");
  // Document 2, on line 6, is plain text; document 1 is reviewed (and refused: host among members).
  const notObject = path.join(dir, "not-object.yaml");
  writeFileSync(notObject, "apiVersion: kuscia.secretflow/v1alpha1\nkind: InteropConfig\nmetadata: {name: x}\nspec: {host: bob, members: [bob]}\n---\njust some text\n");
  const files = [broken, notObject];

  it("text: each on standard error with its file and line, counted in the summary, exit 2", () => {
    const r = review("text", ...files);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /broken\.yaml:5: not valid YAML/);
    assert.match(r.stderr, /not-object\.yaml:6: document 2 is not a Kubernetes object: expected a mapping with apiVersion and kind, found plain text/);
    assert.match(r.stdout, /not-object\.yaml:4: error InteropConfig\/x: spec\.members\[0\]/, "the document before the bad one is still reviewed");
    assert.match(r.stdout, /; 2 input errors \(on standard error\)$/m);
  });

  it("json: an entry each under errors, counted in the summary, exit 2", () => {
    const r = review("json", ...files);
    assert.equal(r.code, 2, r.stderr);
    const report = JSON.parse(r.stdout) as { errors: unknown[]; summary: { inputErrors: number } };
    assert.equal(report.summary.inputErrors, 2);
    assert.deepEqual(
      report.errors.map((e) => ({ ...(e as object), message: (e as { message: string }).message.split(":")[0] })),
      [
        { file: broken, line: 5, message: "not valid YAML" },
        { file: notObject, line: 6, document: 2, message: "is not a Kubernetes object" },
      ],
    );
    assert.match(r.stderr, /broken\.yaml:5: not valid YAML/, "said on standard error too, as the JSON usually goes to a file");
  });

  it("sarif: a located error notification each, and the run not successful, exit 2", () => {
    const r = review("sarif", ...files);
    assert.equal(r.code, 2, r.stderr);
    const invocation = JSON.parse(r.stdout).runs[0].invocations[0];
    assert.equal(invocation.executionSuccessful, false);
    const errors = (invocation.toolExecutionNotifications as { level: string; descriptor: { id: string }; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region?: { startLine: number } } }[] }[]).filter((n) => n.level === "error");
    assert.deepEqual(
      errors.map((n) => [n.descriptor.id, path.basename(decodeURIComponent(n.locations[0].physicalLocation.artifactLocation.uri)), n.locations[0].physicalLocation.region?.startLine, n.message.text.slice(0, 14)]),
      [
        ["review.input", "broken.yaml", 5, "not valid YAML"],
        ["review.input", "not-object.yaml", 6, "document 2 is "],
      ],
    );
  });

  it("sarif: a run without input errors stays successful", () => {
    const ok = path.join(dir, "ok.yaml");
    writeFileSync(ok, "apiVersion: kuscia.secretflow/v1alpha1\nkind: InteropConfig\nmetadata: {name: x}\nspec: {host: bob, members: [alice]}\n");
    const r = review("sarif", ok);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).runs[0].invocations[0].executionSuccessful, true);
  });

  it("junit: an erroring test case each, counted in errors, exit 2", () => {
    const r = review("junit", ...files);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stdout, /<testsuites name="kuscia-iac review" tests="3" failures="1" errors="2">/);
    assert.match(r.stdout, /<testsuite name="input errors" tests="2" failures="0" errors="2">/);
    const errors = r.stdout.match(/<error message="[^"]*" type="review\.input">[^<]*<\/error>/g) ?? [];
    assert.equal(errors.length, 2, r.stdout);
    assert.match(errors[0], /broken\.yaml:5: not valid YAML/);
    assert.match(errors[1], /not-object\.yaml:6: document 2 is not a Kubernetes object/);
  });

  it("github: an ::error annotation at the file and line of each, exit 2", () => {
    const r = review("github", ...files);
    assert.equal(r.code, 2, r.stderr);
    const annotations = r.stdout.split("\n").filter((l) => l.includes("title=kuscia-iac review.input"));
    assert.equal(annotations.length, 2, r.stdout);
    assert.match(annotations[0], /^::error file=[^,]*broken\.yaml,line=5,title=kuscia-iac review\.input::not valid YAML/);
    assert.match(annotations[1], /^::error file=[^,]*not-object\.yaml,line=6,title=kuscia-iac review\.input::document 2 is not a Kubernetes object/);
    assert.match(r.stdout, /, 2 input errors$/m);
  });
});

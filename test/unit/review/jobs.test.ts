import { strict as assert } from "node:assert";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { runReview, type Io, type ReviewCommandOptions } from "../../../review/command";
import { chunksOf, reviewInWorkers } from "../../../review/parallel";
import { LoadError, readDocs, readSource } from "../../../review/load";
import { listFiles } from "../../../review/select";
import { ReportBuilder } from "../../../review/run";
import { readPolicyConfigFile } from "../../../policyfile/read";
import { EXAMPLES_DIR } from "../../helpers/examples";

async function reviewed(paths: string[], opts: Partial<ReviewCommandOptions>) {
  let stdout = "";
  let stderr = "";
  const io: Io = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), stdoutIsTTY: false, stderrIsTTY: false };
  const code = await runReview(paths, { format: "json", ...opts }, io);
  return { code, stdout, stderr };
}

/** Every document of the accepted and refused examples (findings with lines, warnings, skipped kinds). */
function exampleDocs(): string[] {
  const out: string[] = [];
  for (const dir of ["accepted", "refused"]) {
    const d = path.join(EXAMPLES_DIR, dir);
    for (const f of readdirSync(d).sort()) {
      for (const doc of readFileSync(path.join(d, f), "utf8").split(/^---$/m)) {
        if (doc.split("\n").some((l) => l.trim() !== "" && !l.trim().startsWith("#"))) out.push(doc.trim());
      }
    }
  }
  return out;
}

describe("review --jobs (worker threads)", function () {
  const dir = mkdtempSync(path.join(tmpdir(), "kuscia-iac-jobs-"));
  const docs = exampleDocs();
  // A multi-thousand-document stream (several chunks), a non-object document in the middle of
  // a second one (its first LoadError ends that file), a YAML error, comments between documents.
  const big = path.join(dir, "a-big.yaml");
  writeFileSync(big, Array.from({ length: 3000 }, (_, i) => `# doc ${i}\n${docs[i % docs.length]}`).join("\n---\n") + "\n");
  const broken = path.join(dir, "b-broken.yaml");
  const brokenDocs = Array.from({ length: 2000 }, (_, i) => docs[(i * 7) % docs.length]);
  brokenDocs.splice(1234, 0, "just: a mapping");
  brokenDocs.splice(1600, 0, "also: [not, an object]");
  writeFileSync(broken, brokenDocs.join("\n---\n") + "\n");
  const badYaml = path.join(dir, "c-bad.yaml");
  writeFileSync(badYaml, docs.slice(0, 300).join("\n---\n") + "\n---\nkey: [unclosed\n---\n" + docs[0] + "\n");
  const config = path.join(dir, "policy.yaml");
  writeFileSync(config, "apiVersion: kuscia-iac.secretflow/v1alpha1\nkind: PolicyConfiguration\nrules:\n  domain.*: warn\n  interop.*: audit\n");

  it("prints what the single-threaded run prints, for the examples", async () => {
    const one = await reviewed([EXAMPLES_DIR], { jobs: 1 });
    const two = await reviewed([EXAMPLES_DIR], { jobs: 2 });
    assert.equal(one.code, 1);
    assert.deepEqual(two, one);
  });

  it("prints what the single-threaded run prints, for a large stream with findings, warnings, audits and LoadErrors", async () => {
    for (const opts of [{}, { config }] as Partial<ReviewCommandOptions>[]) {
      const one = await reviewed([big, broken, badYaml], { ...opts, jobs: 1 });
      const two = await reviewed([big, broken, badYaml], { ...opts, jobs: 2 });
      assert.equal(one.code, 2);
      assert.deepEqual(two, one);
      const report = JSON.parse(one.stdout);
      assert.ok(report.summary.objects > 4000 && report.summary.refused > 0 && report.summary.warnings > 0);
      if (opts.config) assert.ok(report.summary.audits > 0);
      assert.match(one.stderr, /b-broken\.yaml:\d+: document 1235 is not a Kubernetes object/);
      assert.doesNotMatch(one.stderr, /document 1601/);
      assert.match(one.stderr, /c-bad\.yaml:\d+: /);
    }
  });

  it("cuts chunks at document markers and keeps every line and document number with small chunks", async () => {
    const text = readFileSync(broken, "utf8");
    const chunks = [...chunksOf(text, 5000)];
    assert.ok(chunks.length > 100);
    assert.equal(chunks.map((c) => c.text).join(""), text);
    for (const c of chunks.slice(1)) assert.ok(c.text.startsWith("---"));
    const files = await listFiles([big, broken, badYaml]);
    const cfg = readPolicyConfigFile(config).config;
    const single = new ReportBuilder(undefined, cfg);
    const singleErrors: string[] = [];
    for (const f of files) {
      try {
        for (const d of readDocs(f, await readSource(f))) single.add(d);
      } catch (e) {
        singleErrors.push((e as LoadError).message);
      }
    }
    const builder = new ReportBuilder(undefined, cfg);
    const errors = await reviewInWorkers(files, builder, { jobs: 2, config: cfg, read: readSource, progress: () => undefined, chunkChars: 5000 });
    assert.deepEqual(errors.map((e) => e.message), singleErrors);
    assert.deepEqual(builder.report(files.length), single.report(files.length));
  });

  it("--jobs 1 and auto still review small inputs on the main thread", async () => {
    const r = await reviewed([path.join(EXAMPLES_DIR, "accepted")], { jobs: 1 });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await reviewed([path.join(EXAMPLES_DIR, "accepted")], {}), r);
    assert.deepEqual(await reviewed([path.join(EXAMPLES_DIR, "accepted")], { jobs: "auto" }), r);
  });

  it("reports a file that cannot be read in order among the others", async () => {
    const missing = path.join(dir, "b-missing.yaml");
    writeFileSync(missing, Buffer.from([0x1f, 0x8b, 0, 0]));
    const one = await reviewed([big, missing, badYaml], { jobs: 1 });
    const two = await reviewed([big, missing, badYaml], { jobs: 2 });
    assert.deepEqual(two, one);
    assert.match(one.stderr, /gzip/);
  });
});

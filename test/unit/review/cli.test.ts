import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { EXAMPLES_DIR, loadExamples } from "../../helpers/examples";

const MAIN = path.resolve(__dirname, "..", "..", "..", "cli", "main.js");

function run(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { input, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("kuscia-iac review (the real executable)", function () {
  const accepted = path.join(EXAMPLES_DIR, "accepted");
  const refused = path.join(EXAMPLES_DIR, "refused");

  it("exits 0 on the accepted examples", () => {
    const r = run(["review", accepted]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, / 0 refused, /);
  });

  it("exits 1 on all examples and refuses exactly the refused ones", () => {
    const r = run(["review", "--format", "json", EXAMPLES_DIR]);
    assert.equal(r.code, 1, r.stderr);
    const report = JSON.parse(r.stdout) as { results: { file: string; allowed: boolean; index: number; violations: { rule: string; line: number }[] }[]; summary: Record<string, number> };
    const refusedDocs = new Set(report.results.filter((x) => !x.allowed).map((x) => `${x.file}#${x.index}`));
    const expected = new Set(loadExamples("refused").map((d) => `${d.file}#${d.index}`));
    assert.equal(report.summary.refused, expected.size);
    assert.deepEqual([...refusedDocs].sort(), [...expected].sort());
    for (const res of report.results) {
      const isRefusedFile = res.file.includes(`${path.sep}refused${path.sep}`);
      assert.equal(!res.allowed, isRefusedFile, `${res.file}#${res.index}`);
    }
    assert.ok(report.summary.skipped >= 1, "the unlabelled ConfigMap is skipped");
    assert.ok(report.results.every((x) => x.violations.every((v) => v.line >= 1)));
  });

  it("prints one JSON document with the documented fields", () => {
    const r = run(["review", "-f", "json", path.join(refused, "interopconfigs.yaml")]);
    const report = JSON.parse(r.stdout);
    const first = report.results[0];
    for (const k of ["file", "index", "apiVersion", "kind", "name", "namespace", "allowed", "violations", "warnings", "patch"]) assert.ok(k in first || k === "namespace", k);
    assert.deepEqual(Object.keys(report.summary).sort(), ["audits", "files", "inputErrors", "objects", "refused", "skipped", "skippedFiles", "skippedFilesByReason", "warnings"]);
    assert.deepEqual(report.skippedFiles, []);
    assert.deepEqual(report.errors, []);
    assert.deepEqual(first.violations[0], { path: "spec.members[1]", rule: "interop.members", message: first.violations[0].message, line: 11 });
  });

  it("names file and line in text output", () => {
    const r = run(["review", path.join(refused, "domains.yaml")]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /domains\.yaml:6: error Domain\/Alice_1: metadata\.name: "Alice_1" is not a valid domain ID.*\[domain\.name\]/);
  });

  it("reads standard input with -", () => {
    const r = run(["review", "-"], "apiVersion: kuscia.secretflow/v1alpha1\nkind: InteropConfig\nmetadata:\n  name: x\nspec:\n  host: bob\n  members: [bob]\n");
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^-:7: error InteropConfig\/x: spec\.members\[0\]/m);
  });

  it("counts unknown kinds as skipped and exits 0", () => {
    const r = run(["review", "-"], "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: d\n");
    assert.equal(r.code, 0);
    assert.match(r.stdout, /2 objects: 0 refused, 0 warnings, 2 skipped/);
  });

  it("exits 2 and names file and line for unparseable YAML, and still reviews the rest", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "kuscia-iac-review-"));
    writeFileSync(path.join(dir, "bad.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n");
    mkdirSync(path.join(dir, "sub"));
    writeFileSync(path.join(dir, "sub", "ok.yml"), "apiVersion: kuscia.secretflow/v1alpha1\nkind: InteropConfig\nmetadata:\n  name: x\nspec:\n  host: bob\n  members: [alice]\n");
    writeFileSync(path.join(dir, "notes.txt"), "not a manifest");
    const r = run(["review", dir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.yaml:\d+: not valid YAML/);
    assert.match(r.stdout, /2 files, 1 object: .*; 1 input error \(on standard error\)$/m);
  });

  it("exits 2 for a missing path and for an unknown format", () => {
    assert.equal(run(["review", "/no/such/dir"]).code, 2);
    assert.match(run(["review", "/no/such/dir"]).stderr, /\/no\/such\/dir: cannot read: no such file or directory/);
    assert.equal(run(["review", "--format", "xml", accepted]).code, 2);
    assert.equal(run(["review"]).code, 2);
  });

  it("exits 1 on warnings only with --fail-on-warning", () => {
    assert.equal(run(["review", accepted]).code, 0);
    assert.equal(run(["review", "--fail-on-warning", accepted]).code, 1);
  });

  it("writes JUnit XML with one failure per refused object", () => {
    const r = run(["review", "-f", "junit", refused]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="kuscia-iac review" tests="(\d+)" failures="\1" errors="0">/);
    assert.equal((r.stdout.match(/<failure /g) ?? []).length, loadExamples("refused").length);
  });

  it("writes SARIF 2.1.0 with rules and located results", () => {
    const r = run(["review", "-f", "sarif", path.join(refused, "routes.yaml")]);
    const sarif = JSON.parse(r.stdout);
    assert.equal(sarif.version, "2.1.0");
    const run0 = sarif.runs[0];
    assert.ok(run0.tool.driver.rules.length > 50);
    assert.ok(run0.results.length >= 11);
    for (const res of run0.results) {
      assert.equal(run0.tool.driver.rules[res.ruleIndex].id, res.ruleId);
      assert.ok(res.locations[0].physicalLocation.region.startLine >= 1);
    }
  });

  it("gives each SARIF rule the configured action as its default level", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "kuscia-iac-sarif-"));
    const config = path.join(dir, "policy.yaml");
    writeFileSync(config, "apiVersion: kuscia-iac.secretflow/v1alpha1\nkind: PolicyConfiguration\nrules:\n  cdr.token: warn\n  domain.name: audit\n  cdr.mtls: off\n");
    const level = (args: string[]) => {
      const sarif = JSON.parse(run(["review", "-f", "sarif", ...args, path.join(refused, "routes.yaml")]).stdout);
      const rules = sarif.runs[0].tool.driver.rules as { id: string; defaultConfiguration: { level: string; enabled?: boolean } }[];
      return (id: string) => rules.find((r) => r.id === id)!.defaultConfiguration;
    };
    const plain = level([]);
    assert.deepEqual(plain("cdr.token"), { level: "error" });
    assert.deepEqual(plain("domain.name"), { level: "error" });
    const configured = level(["--config", config]);
    assert.deepEqual(configured("cdr.token"), { level: "warning" });
    assert.deepEqual(configured("domain.name"), { level: "note" });
    assert.deepEqual(configured("cdr.mtls"), { level: "none", enabled: false });
    assert.deepEqual(configured("cdr.endpoint"), plain("cdr.endpoint"), "a rule the file does not name keeps its default");
  });

  it("marks SARIF findings an exception covers as suppressed (external, with the exception), and audit findings as plain notes", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "kuscia-iac-sarif-"));
    const config = path.join(dir, "policy.yaml");
    writeFileSync(config, "rules:\n  cdr.endpoint: audit\nexceptions:\n  - name: legacy-routes\n    reason: migrating to mTLS by June\n    match: {kinds: [ClusterDomainRoute]}\n    rules: [cdr.token]\n");
    const sarif = JSON.parse(run(["review", "-f", "sarif", "--config", config, path.join(refused, "routes.yaml")]).stdout);
    const results = sarif.runs[0].results as { ruleId: string; level: string; suppressions?: unknown }[];
    const token = results.filter((r) => r.ruleId === "cdr.token");
    const endpoint = results.filter((r) => r.ruleId === "cdr.endpoint");
    assert.ok(token.length > 0 && endpoint.length > 0, JSON.stringify(results.map((r) => r.ruleId)));
    for (const r of token) {
      assert.equal(r.level, "note");
      assert.deepEqual(r.suppressions, [{ kind: "external", justification: "exception legacy-routes: migrating to mTLS by June" }]);
    }
    for (const r of endpoint) {
      assert.equal(r.level, "note");
      assert.equal(r.suppressions, undefined, "audit is recorded, not suppressed");
    }
    assert.ok(results.some((r) => r.level === "error"));
    for (const r of results.filter((x) => x.level !== "note")) assert.equal(r.suppressions, undefined);
  });

  it("has --help on every command", () => {
    for (const args of [["--help"], ["review", "--help"], ["rules", "--help"]]) {
      const r = run(args);
      assert.equal(r.code, 0, args.join(" "));
      assert.match(r.stdout, /Usage: kuscia-iac/);
    }
    assert.match(run(["review", "--help"]).stdout, /Exit status:/);
  });

  it("lists the rules, each with its page", () => {
    const r = run(["rules", "-f", "json"]);
    const rules = JSON.parse(r.stdout) as { id: string; page: string }[];
    assert.ok(rules.some((x) => x.id === "nodeconfig.domain-key"));
    const root = path.resolve(__dirname, "..", "..", "..", "..");
    for (const x of rules) {
      assert.equal(x.page, `docs/rules/${x.id}.md`);
      assert.ok(existsSync(path.join(root, x.page)), `${x.page} exists`);
    }
    assert.match(run(["rules"]).stdout, /Each rule has a page: docs\/rules\/<rule>\.md/);
  });
});

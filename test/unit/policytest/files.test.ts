/**
 * `kuscia-iac test` files: errors that name the file, the line, the case and the field; the
 * outcome checks; the outputs; --update; and exit codes.
 */
import { strict as assert } from "node:assert";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { runTests, type TestCommandOptions } from "../../../policytest/command";
import { findTestFiles } from "../../../policytest/load";

const DOMAIN = (name: string, spec = "{}") => `{apiVersion: kuscia.secretflow/v1alpha1, kind: Domain, metadata: {name: ${name}}, spec: ${spec}}`;

function dir(files: Record<string, string>): string {
  const d = mkdtempSync(path.join(tmpdir(), "kuscia-iac-policytest-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(d, name)), { recursive: true });
    writeFileSync(path.join(d, name), text);
  }
  return d;
}

async function run(paths: string[], o: Partial<TestCommandOptions> = {}) {
  let stdout = "";
  let stderr = "";
  const code = await runTests(paths, { format: "text", ...o }, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), stdoutIsTTY: false, stderrIsTTY: false });
  return { code, stdout, stderr };
}

const HEAD = "apiVersion: kuscia-iac.secretflow/v1alpha1\nkind: PolicyTest\n";

describe("kuscia-iac test: test files", () => {
  it("names file, line, case and field for each problem, and exits 2 before running anything", async () => {
    const d = dir({
      "t.kuscia-iac-test.yaml":
        HEAD +
        "cases:\n" +
        `  - name: bad outcome\n    object: ${DOMAIN("alice")}\n    expect: {outcome: denied}\n` +
        `  - name: typo\n    object: ${DOMAIN("alice")}\n    expct: {outcome: allowed}\n    expect: {outcome: allowed}\n` +
        `  - name: no object\n    expect: {outcome: allowed}\n` +
        `  - name: bad date\n    now: yesterday\n    object: ${DOMAIN("alice")}\n    expect: {outcome: allowed}\n`,
    });
    const r = await run([d]);
    assert.equal(r.code, 2);
    const f = path.join(d, "t.kuscia-iac-test.yaml");
    assert.match(r.stderr, new RegExp(`${f}:6: cases\\[0\\] \\(bad outcome\\): cases\\[0\\]\\.expect\\.outcome: found "denied", expected one of "allowed", "refused", "warned", "audited"`));
    assert.match(r.stderr, new RegExp(`${f}:\\d+: cases\\[1\\] \\(typo\\): cases\\[1\\]\\.expct: is not a known field`));
    assert.match(r.stderr, new RegExp(`${f}:\\d+: cases\\[3\\] \\(bad date\\): cases\\[3\\]\\.now: found "yesterday", expected a date-time value; an RFC 3339 date-time`));
    assert.equal(r.stdout, "");
  });

  it("checks what the schema cannot: the object's source, documents, UPDATE's old object, unique names, the configuration", async () => {
    const d = dir({
      "m.yaml": `${DOMAIN("a")}\n---\n${DOMAIN("b")}\n`,
      "bad-policy.yaml": "rules: {no.such.rule: deny}\n",
      "t.kuscia-iac-test.yaml":
        HEAD +
        "cases:\n" +
        `  - name: a\n    expect: {outcome: allowed}\n` +
        `  - name: b\n    file: m.yaml\n    expect: {outcome: allowed}\n` +
        `  - name: c\n    file: m.yaml\n    document: 3\n    expect: {outcome: allowed}\n` +
        `  - name: c\n    operation: UPDATE\n    object: ${DOMAIN("a")}\n    expect: {outcome: allowed}\n` +
        `  - name: e\n    file: missing.yaml\n    expect: {outcome: allowed}\n` +
        `  - name: f\n    configuration: bad-policy.yaml\n    object: ${DOMAIN("a")}\n    expect: {outcome: allowed}\n` +
        `  - name: g\n    configuration: {kusciaVersion: v1.0}\n    kusciaVersion: v1.1\n    object: ${DOMAIN("a")}\n    expect: {outcome: allowed}\n` +
        `  - name: h\n    references: [{files: x.yaml}]\n    object: ${DOMAIN("a")}\n    expect: {outcome: allowed}\n`,
    });
    const r = await run([path.join(d, "t.kuscia-iac-test.yaml")]);
    assert.equal(r.code, 2);
    const lines = r.stderr.trim().split("\n");
    const has = (re: RegExp) => assert.ok(lines.some((l) => re.test(l)), `${re} not in\n${r.stderr}`);
    has(/:4: cases\[0\] \(a\): object: is required: give the object inline \(object:\) or from a manifest \(file:, document:\)/);
    has(/cases\[1\] \(b\): document: m\.yaml holds 2 documents: say which with document: 1\.\.2/);
    has(/cases\[2\] \(c\): document: m\.yaml holds 2 documents, not 3/);
    has(/cases\[3\] \(c\): name: is also the name of cases\[2\]/);
    has(/cases\[3\] \(c\): oldObject: is required for an UPDATE/);
    has(/cases\[4\] \(e\): file: missing\.yaml: cannot read: no such file/);
    has(/cases\[5\] \(f\): configuration: .*bad-policy\.yaml.*no\.such\.rule/);
    has(/cases\[6\] \(g\): configuration: .* sets kusciaVersion "v1\.0", the test "v1\.1": give it in one place/);
    has(/cases\[7\] \(h\): references\[0\]: expected \{file: <manifest file>\} or an inline object with apiVersion and kind/);
  });

  it("reports every problem of a file at once, schema and semantic alike, in line order", async () => {
    const d = dir({
      "t.kuscia-iac-test.yaml":
        HEAD +
        "cases:\n" +
        `  - name: a\n    object: ${DOMAIN("alice")}\n    expect: {outcome: denied}\n` +
        `  - name: b\n    file: missing.yaml\n    expect: {outcome: refused, violations: [domain.nme]}\n` +
        `  - name: a\n    document: 0\n    expect: {outcome: allowed}\n`,
    });
    const r = await run([d]);
    assert.equal(r.code, 2);
    const lines = r.stderr.trim().split("\n");
    const expected = [
      /t\.kuscia-iac-test\.yaml:6: cases\[0\] \(a\): cases\[0\]\.expect\.outcome: found "denied"/,
      /t\.kuscia-iac-test\.yaml:8: cases\[1\] \(b\): file: missing\.yaml: cannot read: no such file/,
      /t\.kuscia-iac-test\.yaml:9: cases\[1\] \(b\): expect\.violations\[0\]: "domain\.nme" is no rule of the rule book/,
      /t\.kuscia-iac-test\.yaml:10: cases\[2\] \(a\): name: is also the name of cases\[0\]/,
      /t\.kuscia-iac-test\.yaml:10: cases\[2\] \(a\): object: is required/,
      /t\.kuscia-iac-test\.yaml:11: cases\[2\] \(a\): cases\[2\]\.document: found 0, expected a value >= 1/,
    ];
    assert.equal(lines.length, expected.length, r.stderr);
    expected.forEach((re, i) => assert.match(lines[i], re));
  });

  it("refuses a rule id no rule has, naming it and the closest ids there are", async () => {
    const d = dir({
      "t.kuscia-iac-test.yaml": HEAD + `cases:\n  - name: typo\n    object: ${DOMAIN("Alice_1")}\n    expect: {outcome: refused, violations: [domain.nme], warnings: [ref.kd.template-containr]}\n`,
    });
    const r = await run([d]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /:6: cases\[0\] \(typo\): expect\.violations\[0\]: "domain\.nme" is no rule of the rule book; closest: "domain\.name", /);
    assert.match(r.stderr, /:6: cases\[0\] \(typo\): expect\.warnings\[0\]: "ref\.kd\.template-containr" is no rule of the rule book; closest: "ref\.kd\.template-container", .*; `kuscia-iac rules` lists them all/);
    assert.equal(r.stdout, "", "nothing runs");
  });

  it("finds kuscia-iac-test.yaml and *.kuscia-iac-test.yaml in directories, not in hidden ones or node_modules", async () => {
    const ok = HEAD + `cases:\n  - name: x\n    object: ${DOMAIN("a")}\n    expect: {outcome: allowed}\n`;
    const d = dir({ "kuscia-iac-test.yaml": ok, "sub/a.kuscia-iac-test.yml": ok, "sub/other.yaml": "x: 1\n", ".hidden/kuscia-iac-test.yaml": ok, "node_modules/x/kuscia-iac-test.yaml": ok });
    assert.deepEqual((await findTestFiles([d])).map((f) => path.relative(d, f)), ["kuscia-iac-test.yaml", path.join("sub", "a.kuscia-iac-test.yml")]);
    const empty = dir({ "x.yaml": "a: 1\n" });
    const r = await run([empty]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no test files in .*kuscia-iac-test\.yaml/);
  });
});

describe("kuscia-iac test: outcomes", () => {
  const suite = (expect: string, extra = "") =>
    dir({
      "t.kuscia-iac-test.yaml":
        "# a comment that --update keeps\n" +
        HEAD +
        `now: "2026-12-01T00:00:00Z"\ncases:\n  - name: local domain\n    object: ${DOMAIN("alice")}\n    expect: ${expect}\n` +
        `  - name: bad name\n    object: ${DOMAIN("Alice_1")}\n    expect: {outcome: refused, violations: [domain.name]}\n${extra}`,
    });

  it("passes when the rule book gives what each case expects (lists and patch only when given)", async () => {
    const r = await run([suite("{outcome: allowed}")]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^1 file, 2 cases: 2 passed, 0 failed$/m);
  });

  it("fails (exit 1) on a different outcome, a list that differs, a patch that differs; each said", async () => {
    const r = await run([suite("{outcome: warned, warnings: [domain.partner-quota], patch: []}", "  - name: wrong rule\n    object: " + DOMAIN("Bob_2") + "\n    expect: {outcome: refused, violations: [domain.role]}\n")]);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /FAIL local domain .*\n {4}expected: outcome: expected warned, got allowed\n {4}expected: warnings: expected \[domain\.partner-quota\], got none \(missing domain\.partner-quota\)\n {4}expected: patch: expected \[\], got \[\{"op":"add","path":"\/spec\/interConnProtocols","value":\["kuscia"\]\}\]/);
    assert.match(r.stdout, /FAIL wrong rule .*\n {4}expected: violations: expected \[domain\.role\], got \[domain\.name\] \(missing domain\.role\) \(unexpected domain\.name\)\n {4}rule book: domain\.name: metadata\.name: "Bob_2"/);
    assert.match(r.stdout, /3 cases: 1 passed, 2 failed/);
  });

  it("writes JSON and JUnit", async () => {
    const d = suite("{outcome: warned}");
    const j = JSON.parse((await run([d], { format: "json" })).stdout);
    assert.deepEqual(j.summary, { files: 1, cases: 2, passed: 1, failed: 1, frontends: {} });
    assert.equal(j.suites[0].cases[0].observed.outcome, "allowed");
    assert.deepEqual(j.suites[0].cases[0].failures, ["outcome: expected warned, got allowed"]);
    const x = (await run([d], { format: "junit" })).stdout;
    assert.match(x, /<testsuites name="kuscia-iac test" tests="2" failures="1">/);
    assert.match(x, /<testcase classname="[^"]+" name="local domain">\n {6}<failure message="expected: outcome: expected warned, got allowed" type="expectation">/);
  });

  it("--update records what the rule book observed, keeps comments, writes atomically, and then passes", async () => {
    const d = suite("{outcome: warned}");
    const file = path.join(d, "t.kuscia-iac-test.yaml");
    const u = await run([d], { update: true });
    assert.equal(u.code, 0, u.stdout + u.stderr);
    assert.match(u.stderr, /recorded the observed outcome of 1 case$/m);
    const text = readFileSync(file, "utf8");
    assert.ok(text.startsWith("# a comment that --update keeps\n"));
    assert.match(text, /expect:\n {6}outcome: allowed\n {6}patch:\n {8}- op: add\n {10}path: \/spec\/interConnProtocols/);
    assert.deepEqual(readdirSync(d), ["t.kuscia-iac-test.yaml"], "no temporary file left");
    assert.equal((await run([d])).code, 0);
    // A second --update changes nothing.
    assert.match((await run([d], { update: true })).stderr, /every expectation already matched/);
    assert.equal(readFileSync(file, "utf8"), text);
  });
});

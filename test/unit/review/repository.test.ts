/**
 * `review DIR` on a real repository: what is not a Kubernetes manifest is skipped and
 * reported (with the reason, counted in every format), broken manifests stay errors,
 * --exclude and the ignore file, hidden and node_modules on request; SARIF URIs, help links
 * and fingerprints; GitHub annotations; and this repository itself.
 */
import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { runReview, type ReviewCommandOptions } from "../../../review/command";
import { artifactUri, FINGERPRINT } from "../../../review/format/sarif";
import { docsBaseUrl } from "../../../review/format";
import { ruleDocPath, ruleDocUrl } from "../../../policy/ruledocs";
import { rules } from "../../../policy";

const REPO = path.resolve(__dirname, "..", "..", "..", "..");
const MAIN = path.join(REPO, "dist", "cli", "main.js");

const badDomain = (name: string) => `apiVersion: kuscia.secretflow/v1alpha1\nkind: Domain\nmetadata:\n  name: ${name}\nspec: {}\n`;
const goodDomain = (name: string) => `apiVersion: kuscia.secretflow/v1alpha1\nkind: Domain\nmetadata:\n  name: ${name}\nspec: {}\n`;

function put(root: string, rel: string, content: string): string {
  const p = path.join(root, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, content);
  return p;
}

/** A repository as people have them: code, a chart, Pulumi projects, CI, dependencies, and manifests. */
function repository(): string {
  const root = mkdtempSync(path.join(tmpdir(), "kuscia-iac-repo-"));
  put(root, "package.json", JSON.stringify({ name: "x", version: "1.0.0" }));
  put(root, "tsconfig.json", '{\n  // comments, as tsc allows\n  "compilerOptions": { "strict": true, /* and trailing commas */ },\n}\n');
  put(root, "Pulumi.yaml", "name: infra\nruntime: nodejs\n");
  put(root, "chart/Chart.yaml", "apiVersion: v2\nname: app\nversion: 0.1.0\n");
  put(root, "chart/values.yaml", "replicas: 2\n");
  put(root, "chart/templates/deployment.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n  labels:\n    {{- include \"labels\" . | nindent 4 }}\n");
  put(root, "ansible/site.yml", "- hosts: all\n  tasks:\n    - name: {{ broken\n");
  put(root, ".github/workflows/ci.yml", "on: push\njobs: {}\n");
  put(root, ".hidden/domain.yaml", badDomain("Hidden_Bad"));
  put(root, "node_modules/dep/domain.yaml", badDomain("Dep_Bad"));
  put(root, "manifests/domains.yaml", badDomain("Bad_Name") + "---\n" + goodDomain("alice"));
  put(root, "manifests/generated/domain.yaml", badDomain("Generated_Bad"));
  put(root, "README.md", "# not read\n");
  return root;
}

async function rev(paths: string[], opts: Partial<ReviewCommandOptions> = {}) {
  let stdout = "";
  let stderr = "";
  const code = await runReview(paths, { format: "text", ...opts }, { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), stdoutIsTTY: false, stderrIsTTY: false });
  return { code, stdout, stderr };
}

describe("review: a whole repository", () => {
  it("skips what is not a manifest, says why, and reviews the manifests (exit 1, not 2)", async () => {
    const root = repository();
    const j = await rev([root], { cwd: root, format: "json" });
    assert.equal(j.code, 1, j.stderr);
    const report = JSON.parse(j.stdout) as { results: { name: string }[]; skippedFiles: { path: string; reason: string; detail?: string }[]; summary: Record<string, unknown> };
    assert.deepEqual(report.results.map((x) => x.name).sort(), ["Bad_Name", "Generated_Bad", "alice"]);
    const why = new Map(report.skippedFiles.map((s) => [path.relative(root, s.path).replace(/\/$/, ""), s.reason]));
    assert.deepEqual(Object.fromEntries([...why].sort()), {
      ".github": "hidden",
      ".hidden": "hidden",
      "Pulumi.yaml": "not-a-manifest",
      "ansible/site.yml": "template",
      "chart/Chart.yaml": "not-a-manifest",
      "chart/templates": "helm-chart-templates",
      "chart/values.yaml": "not-a-manifest",
      node_modules: "node_modules",
      "package.json": "not-a-manifest",
      "tsconfig.json": "not-a-manifest",
    });
    assert.equal(report.summary.skippedFiles, 10);
    assert.deepEqual(report.summary.skippedFilesByReason, { hidden: 2, node_modules: 1, "helm-chart-templates": 1, "not-a-manifest": 5, template: 1 });
  });

  it("counts the skips in every format", async () => {
    const root = repository();
    const text = await rev([root], { cwd: root });
    assert.match(text.stdout, /chart\/templates\/: skipped Helm chart templates/);
    assert.match(text.stdout, /package\.json: skipped not a Kubernetes manifest: no document has apiVersion or kind/);
    assert.match(text.stdout, /; 10 files or folders skipped \(hidden 2, node_modules 1, helm-chart-templates 1, not-a-manifest 5, template 1\)\n$/);
    const junit = (await rev([root], { cwd: root, format: "junit" })).stdout;
    assert.match(junit, /<testsuite name="skipped files" tests="10" failures="0" skipped="10">/);
    assert.equal(junit.match(/<skipped message=/g)?.length, 10);
    const sarif = JSON.parse((await rev([root], { cwd: root, format: "sarif" })).stdout);
    assert.equal(sarif.runs[0].invocations[0].toolExecutionNotifications.length, 10);
    assert.equal(sarif.runs[0].properties.skippedFiles, 10);
    const github = (await rev([root], { cwd: root, format: "github" })).stdout;
    assert.match(github, /^::notice title=kuscia-iac%3A 10 files or folders not reviewed \(2 hidden%2C 1 node_modules%2C 1 helm-chart-templates%2C 5 not-a-manifest%2C 1 template\)::/m);
  });

  it("keeps a broken manifest an error (exit 2): a syntax error, or apiVersion without kind", async () => {
    for (const [name, content, message] of [
      ["broken.yaml", "apiVersion: kuscia.secretflow/v1alpha1\nkind: Domain\nmetadata:\n  name: [x\n", /broken\.yaml:\d+: not valid YAML/],
      ["nokind.yaml", "apiVersion: kuscia.secretflow/v1alpha1\nmetadata:\n  name: x\n", /nokind\.yaml:1: document 1 is not a Kubernetes object: kind is missing/],
      ["second.yaml", "name: x\n---\n" + badDomain("y"), /second\.yaml:1: document 1 is not a Kubernetes object/],
    ] as const) {
      const root = repository();
      put(root, `manifests/${name}`, content);
      const r = await rev([root], { cwd: root });
      assert.equal(r.code, 2, `${name}: ${r.stdout}`);
      assert.match(r.stderr, message);
    }
  });

  it("still refuses a non-manifest named on the command line (the user asked for it)", async () => {
    const root = repository();
    const r = await rev([path.join(root, "package.json")], { cwd: root });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /package\.json:1: document 1 is not a Kubernetes object/);
    // A hidden file or one in node_modules named explicitly is read.
    const h = await rev([path.join(root, ".hidden", "domain.yaml"), path.join(root, "node_modules")], { cwd: root, format: "json" });
    assert.equal(h.code, 1);
    assert.deepEqual(JSON.parse(h.stdout).results.map((x: { name: string }) => x.name), ["Hidden_Bad", "Dep_Bad"]);
  });

  it("reads hidden folders and node_modules when asked", async () => {
    const root = repository();
    const names = async (o: Partial<ReviewCommandOptions>) => (JSON.parse((await rev([root], { cwd: root, format: "json", ...o })).stdout).results as { name: string }[]).map((x) => x.name).sort();
    assert.deepEqual(await names({ includeHidden: true }), ["Bad_Name", "Generated_Bad", "Hidden_Bad", "alice"]);
    assert.deepEqual(await names({ includeNodeModules: true }), ["Bad_Name", "Dep_Bad", "Generated_Bad", "alice"]);
    // The workflow under .github is read, and skipped as no manifest.
    const r = JSON.parse((await rev([root], { cwd: root, format: "json", includeHidden: true })).stdout);
    assert.ok(r.skippedFiles.some((s: { path: string; reason: string }) => s.path.endsWith(path.join(".github", "workflows", "ci.yml")) && s.reason === "not-a-manifest"));
  });

  it("leaves out what --exclude and the ignore file name, and says which pattern matched", async () => {
    const root = repository();
    const ex = await rev([root], { cwd: root, format: "json", exclude: ["manifests/generated/"] });
    assert.deepEqual(JSON.parse(ex.stdout).results.map((x: { name: string }) => x.name).sort(), ["Bad_Name", "alice"]);
    assert.ok(JSON.parse(ex.stdout).skippedFiles.some((s: { reason: string; detail: string }) => s.reason === "excluded" && s.detail === "--exclude: manifests/generated/"));

    put(root, ".kuscia-iac-ignore", "# generated by CI\n**/generated/\n*.yaml\n!manifests/domains.yaml\n");
    const ig = await rev([root], { cwd: root, format: "json" });
    const report = JSON.parse(ig.stdout);
    assert.deepEqual(report.results.map((x: { name: string }) => x.name).sort(), ["Bad_Name", "alice"]);
    assert.ok(report.skippedFiles.some((s: { path: string; detail: string }) => s.path.endsWith(`generated${path.sep}`) && s.detail === ".kuscia-iac-ignore: **/generated/"));
    assert.ok(report.skippedFiles.some((s: { path: string; detail: string }) => s.path.endsWith("Pulumi.yaml") && s.detail === ".kuscia-iac-ignore: *.yaml"));

    // --ignore-file names another file, whose patterns are relative to its own folder (as .gitignore's):
    // it replaces the default one, and cannot reach outside its folder.
    const other = put(root, "manifests/review-ignore", "/generated/\n");
    const named = await rev([root], { cwd: root, format: "json", ignoreFile: other });
    assert.equal(named.code, 1, named.stderr);
    assert.deepEqual(JSON.parse(named.stdout).results.map((x: { name: string }) => x.name).sort(), ["Bad_Name", "alice"]);
    const outside = put(root, "ci/review-ignore", "../manifests/\n");
    assert.equal(JSON.parse((await rev([root], { cwd: root, format: "json", ignoreFile: outside })).stdout).results.length, 3);
    const missing = await rev([root], { cwd: root, ignoreFile: path.join(root, "nope") });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope: cannot read the ignore file: no such file/);
  });

  it("judges non-manifests the same with --jobs 2", async () => {
    const root = repository();
    const one = JSON.parse((await rev([root], { cwd: root, format: "json" })).stdout);
    const two = JSON.parse((await rev([root], { cwd: root, format: "json", jobs: 2 })).stdout);
    assert.deepEqual(two, one);
  });
});

describe("review: SARIF a code-scanning service accepts", () => {
  it("percent-encodes artifact URIs: #, %, spaces, non-ASCII; absolute paths as file: URIs", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "kuscia-iac-uri-"));
    const names = ["a#b.yaml", "100%.yaml", "with space.yaml", "域名.yaml"];
    for (const n of names) put(root, path.join("dir x", n), badDomain("Bad_Name"));
    const sarif = JSON.parse((await rev([root], { format: "sarif" })).stdout);
    const uris = sarif.runs[0].results.map((r: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) => r.locations[0].physicalLocation.artifactLocation.uri) as string[];
    assert.equal(uris.length, names.length);
    for (const u of uris) {
      assert.match(u, /^file:\/\/\/[A-Za-z0-9\-._~%/!$&'()*+,;=:@]+$/, u); // RFC 3986 characters only
      const back = decodeURIComponent(new URL(u).pathname);
      assert.ok(names.some((n) => back === path.join(root, "dir x", n)), back);
    }
    assert.equal(artifactUri("dir x/a#b.yaml"), "dir%20x/a%23b.yaml");
    assert.equal(artifactUri("./100%.yaml"), "100%25.yaml");
    assert.equal(artifactUri("C:\\repo\\a b.yaml"), "file:///C:/repo/a%20b.yaml");
    assert.equal(artifactUri("-"), "stdin");
  });

  it("gives every rule a helpUri to its page, from the one function the page generator uses", async () => {
    const sarif = JSON.parse((await rev([path.join(REPO, "examples", "manifests", "refused", "domains.yaml")], { format: "sarif" })).stdout);
    const driverRules = sarif.runs[0].tool.driver.rules as { id: string; helpUri: string }[];
    assert.equal(driverRules.length, rules().length);
    for (const r of driverRules) {
      assert.equal(r.helpUri, ruleDocUrl(r.id, docsBaseUrl()));
      assert.ok(r.helpUri.endsWith(`/${ruleDocPath(r.id)}`) && new URL(r.helpUri).protocol === "https:", r.helpUri);
    }
    assert.equal(ruleDocPath("domain.name"), "docs/rules/domain.name.md");
  });

  it("fingerprints each result stably: moved lines and changed values keep it, other findings differ", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "kuscia-iac-fp-"));
    const f = put(root, "d.yaml", badDomain("Bad_Name") + "---\n" + badDomain("Other_Bad"));
    const prints = async () => (JSON.parse((await rev([f], { format: "sarif" })).stdout).runs[0].results as { ruleId: string; partialFingerprints: Record<string, string>; locations: { physicalLocation: { region: { startLine: number } } }[] }[]);
    const before = await prints();
    put(root, "d.yaml", "# a comment\n\n" + badDomain("Bad_Name") + "---\n" + badDomain("Other_Bad"));
    const after = await prints();
    assert.notDeepEqual(after.map((r) => r.locations[0].physicalLocation.region.startLine), before.map((r) => r.locations[0].physicalLocation.region.startLine));
    assert.deepEqual(after.map((r) => r.partialFingerprints), before.map((r) => r.partialFingerprints));
    const all = before.map((r) => r.partialFingerprints[FINGERPRINT]);
    assert.equal(new Set(all).size, all.length, "distinct findings, distinct fingerprints");
    assert.ok(all.every((x) => /^[0-9a-f]{64}$/.test(x)));
  });
});

describe("review --format github", () => {
  it("writes one workflow command per finding, escaped as GitHub's toolkit escapes", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "kuscia-iac-gh-"));
    const f = put(root, "a,b:c.yaml", badDomain("Bad_Name"));
    const r = await rev([f], { format: "github" });
    assert.equal(r.code, 1);
    const first = r.stdout.split("\n")[0];
    assert.ok(first.startsWith(`::error file=${f.replace(/,/g, "%2C").replace(/:/g, "%3A")},line=4,title=kuscia-iac domain.name::Domain/Bad_Name: metadata.name: `), first);
    assert.doesNotMatch(first.slice(2), /::.*\n/);
    assert.match(r.stdout, /^kuscia-iac: 1 file, 1 object: 1 refused/m);
  });
});

describe("review --format sarif . on this repository", function () {
  this.timeout(120_000);
  it("exits 1 (refused examples), not 2, and reports what it skipped", () => {
    const r = spawnSync(process.execPath, [MAIN, "review", "--format", "sarif", "."], { cwd: REPO, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    assert.equal(r.status, 1, r.stderr.slice(0, 2000));
    const run = JSON.parse(r.stdout).runs[0];
    const skipped = run.invocations[0].toolExecutionNotifications.map((n: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }) => n.locations[0].physicalLocation.artifactLocation.uri) as string[];
    for (const u of ["package.json", "node_modules/", "charts/kuscia-iac/templates/", "charts/kuscia-iac/Chart.yaml"]) assert.ok(skipped.includes(u), `${u} not in ${skipped.join(" ")}`);
    assert.ok(run.results.length > 100);
  });
});

import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";

const MAIN = path.resolve(__dirname, "..", "..", "..", "cli", "main.js");

function run(args: string[]) {
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const DOMAINS = `apiVersion: kuscia.secretflow/v1alpha1
kind: Domain
metadata:
  name: alice
spec: {}
`;
const KD = `apiVersion: kuscia.secretflow/v1alpha1
kind: KusciaDeployment
metadata:
  name: serving
  namespace: cross-domain
spec:
  initiator: alice
  inputConfig: "{}"
  parties:
  - domainID: alice
    appImageRef: serving-image
  - domainID: bob
    appImageRef: serving-image
`;

describe("kuscia-iac review --references", function () {
  const dir = mkdtempSync(path.join(tmpdir(), "kuscia-iac-refs-"));
  writeFileSync(path.join(dir, "domains.yaml"), DOMAINS);
  writeFileSync(path.join(dir, "kd.yaml"), KD);

  it("is off by default: one file at a time says nothing about others", () => {
    const r = run(["review", dir]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /ref\./);
  });

  it("checks the files given as one set, with the line of the referring field", () => {
    const r = run(["review", "--references", dir]);
    assert.equal(r.code, 0, r.stderr);
    const kd = path.join(dir, "kd.yaml");
    assert.ok(r.stdout.includes(`${kd}:11: warning KusciaDeployment/cross-domain/serving: spec.parties[0].appImageRef: names AppImage "serving-image", which does not exist;`), r.stdout);
    assert.ok(r.stdout.includes(`${kd}:12: warning KusciaDeployment/cross-domain/serving: spec.parties[1].domainID: names Domain "bob", which does not exist;`), r.stdout);
    assert.match(r.stdout, /: 0 refused, 3 warnings/);
    assert.equal(run(["review", "--references", "--fail-on-warning", dir]).code, 1);
  });

  it("runs the pre-flight checks over the same set: a party role without a deploy template, with the role's line", () => {
    const d = mkdtempSync(path.join(tmpdir(), "kuscia-iac-preflight-"));
    writeFileSync(path.join(d, "domains.yaml"), `${DOMAINS}---\napiVersion: kuscia.secretflow/v1alpha1\nkind: Domain\nmetadata:\n  name: bob\nspec: {}\n`);
    writeFileSync(path.join(d, "appimage.yaml"), ["apiVersion: kuscia.secretflow/v1alpha1", "kind: AppImage", "metadata:", "  name: psi-image", "spec:", "  image: {name: secretflow/psi, tag: '1'}", "  deployTemplates:", "  - name: psi", "    role: server", "    replicas: 1", "    spec: {containers: [{name: psi, workingDir: /work}]}", ""].join("\n"));
    const kj = ["apiVersion: kuscia.secretflow/v1alpha1", "kind: KusciaJob", "metadata:", "  name: psi", "  namespace: cross-domain", "spec:", "  initiator: alice", "  tasks:", "  - alias: psi", "    taskID: psi-1", "    appImage: psi-image", "    taskInputConfig: '{}'", "    parties:", "    - domainID: alice", "      role: server", "    - domainID: bob", "      role: client", ""].join("\n");
    writeFileSync(path.join(d, "job.yaml"), kj);
    const r = run(["review", "--references", d]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes(`${path.join(d, "job.yaml")}:17: warning KusciaJob/cross-domain/psi: spec.tasks[0].parties[1].role: AppImage "psi-image" has no deploy template for role "client"`), r.stdout);
    assert.match(r.stdout, /\[ref\.kj\.deploy-template\]/);
  });

  it("follows the policy configuration", () => {
    const cfg = path.join(mkdtempSync(path.join(tmpdir(), "kuscia-iac-refs-config-")), "policy.yaml");
    writeFileSync(cfg, "rules:\n  ref.kd.domain: deny\n  ref.kd.appimage: off\n");
    const r = run(["review", "--references", "--config", cfg, "--format", "json", dir]);
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout);
    const kd = out.results.find((x: { name: string }) => x.name === "serving");
    assert.deepEqual(kd.violations.map((v: { rule: string; line: number }) => `${v.rule}:${v.line}`), ["ref.kd.domain:12"]);
    assert.deepEqual(kd.warnings, []);
    assert.equal(out.summary.refused, 1);
  });
  it("warns about a party override naming no container of its AppImage's deploy template, at the name's line (ref.kd.template-container)", () => {
    const example = path.resolve(__dirname, "..", "..", "..", "..", "examples", "manifests", "accepted", "party-overrides.yaml");
    const r = run(["review", "--references", "--format", "json", example]);
    assert.equal(r.code, 0, r.stderr);
    const found = (JSON.parse(r.stdout).results as { name: string; warnings: { rule: string; path: string; line: number }[] }[]).flatMap((x) => x.warnings.filter((w) => w.rule === "ref.kd.template-container").map((w) => `${x.name} ${w.path} ${w.line}`));
    assert.deepEqual(found, ["overrides-misnamed spec.parties[0].template.spec.containers[0].name 67"]);
  });
});

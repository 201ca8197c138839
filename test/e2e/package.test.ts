/**
 * The npm package as users get it: `npm pack`, then install the tarball into a fresh
 * project outside the repository (with the peer dependencies at the versions the
 * repository develops against, from the npm registry), and use it from there: the
 * `kuscia-iac review` CLI on the repository's accepted and refused examples, a mocked
 * Pulumi program that creates a component from the installed package, and the provider
 * plugin's start. deploy/Dockerfile installs this same tarball (test/unit/deploy).
 */
import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { run } from "./harness/procs";
import { REPO } from "./harness/tools";

const pkg = JSON.parse(readFileSync(path.join(REPO, "package.json"), "utf8")) as {
  name: string;
  version: string;
  bin: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** What the mocked program prints: every registration, and what a refused component threw. */
interface ProgramReport {
  resolved: string;
  registered: { type: string; name: string; inputs: Record<string, unknown> }[];
  refused: string;
}

// Plain CommonJS, as a user's compiled program would be; runs with cwd = the fresh project.
const PROGRAM = `
const pulumi = require("@pulumi/pulumi");
const registered = [];
pulumi.runtime.setMocks({
  newResource: (a) => { registered.push({ type: a.type, name: a.name, inputs: a.inputs }); return { id: a.name + "-id", state: a.inputs }; },
  call: (a) => a.inputs,
}, "package-check", "dev", false);
const kia = require("kuscia-iac");
new kia.Domain("alice", { resourceQuota: { podMaxCount: 10 } });
// A refusal is registered as a resource whose check fails (components/refusal.ts), not thrown.
new kia.Domain("Alice_1", {});
// Registrations resolve asynchronously: report once nothing is left to run.
process.once("beforeExit", () => {
  const refusal = registered.find((r) => /Refusal$/.test(r.type));
  console.log(JSON.stringify({ resolved: require.resolve("kuscia-iac"), registered, refused: refusal ? String(refusal.inputs.message) : "" }));
});
`;

describe("e2e: the npm package, installed from its tarball into a fresh project", function () {
  this.timeout(600_000);
  let work: string;
  let tarball: string;
  let project: string;
  const bin = (name: string) => path.join(project, "node_modules", ".bin", name);

  before(async function () {
    work = realpathSync(mkdtempSync(path.join(tmpdir(), "kuscia-iac-package-")));
    // dist/ is current: this file runs from it. `prepare` (tsc) is what would rebuild it.
    const out = execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], { cwd: REPO, encoding: "utf8" });
    tarball = path.join(work, (JSON.parse(out) as { filename: string }[])[0].filename);
    project = path.join(work, "project");
    execFileSync("mkdir", [project]);
    writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "package-check", version: "1.0.0", private: true }));
    // --ignore-scripts: @pulumi/kubernetes's install script only fetches its provider
    // plugin from GitHub, which this program (mocked) does not use.
    const peers = ["@pulumi/pulumi", "@pulumi/kubernetes"].map((p) => `${p}@${pkg.devDependencies[p]}`);
    const r = await run("npm", ["install", "--ignore-scripts", "--no-audit", "--no-fund", tarball, ...peers], { cwd: project, timeoutMs: 540_000 });
    assert.equal(r.code, 0, `npm install failed:\n${r.stderr}${r.stdout}`);
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("ships the built library, CLI, provider, CRDs, README and LICENSE, and no tests or benchmarks", () => {
    const files = execFileSync("tar", ["tzf", tarball], { encoding: "utf8" }).trim().split("\n").map((f) => f.replace(/^package\//, ""));
    for (const f of ["LICENSE", "README.md", "package.json", "dist/components/index.js", "dist/components/index.d.ts", pkg.bin["kuscia-iac"], pkg.bin["pulumi-resource-kuscia-iac"], "crds/kuscia/kuscia.secretflow_domains.yaml", "provider/schema.json"]) {
      assert.ok(files.includes(f), `${f} is not in ${path.basename(tarball)}`);
    }
    const unwanted = files.filter((f) => /^(dist\/(test|bench|tools)\/|test\/|bench\/|examples\/)|\.ts$(?<!\.d\.ts)|\.map$/.test(f));
    assert.deepEqual(unwanted, []);
    assert.match(readFileSync(path.join(project, "node_modules", pkg.name, "LICENSE"), "utf8"), /Apache License\s+Version 2\.0/);
  });

  it("kuscia-iac review accepts the accepted examples (exit 0)", async () => {
    const dir = path.join(REPO, "examples", "manifests", "accepted");
    const r = await run(bin("kuscia-iac"), ["review", dir], { cwd: project });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.doesNotMatch(r.stdout, /\berror\b/);
  });

  it("kuscia-iac review refuses a refused example (exit 1) and says why", async () => {
    const r = await run(bin("kuscia-iac"), ["review", path.join(REPO, "examples", "manifests", "refused", "domains.yaml")], { cwd: project });
    assert.equal(r.code, 1, r.stderr + r.stdout);
    assert.match(r.stdout, /error Domain\/Alice_1: metadata\.name: "Alice_1" is not a valid domain ID: .* \[domain\.name\]/);
  });

  it("kuscia-iac --version is the package version", async () => {
    const r = await run(bin("kuscia-iac"), ["--version"], { cwd: project });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), pkg.version);
  });

  it("a mocked Pulumi program creates a component from the installed package", async () => {
    writeFileSync(path.join(project, "index.js"), PROGRAM);
    const r = await run(process.execPath, ["index.js"], { cwd: project, timeoutMs: 120_000 });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const report = JSON.parse(r.stdout.trim().split("\n").pop()!) as ProgramReport;
    assert.equal(report.resolved, path.join(project, "node_modules", pkg.name, "dist", "components", "index.js"));
    const types = report.registered.map((x) => x.type);
    assert.ok(types.includes("kuscia-iac:index:Domain"), `no component registered: ${types.join(", ")}`);
    // The default emit mode: what Kuscia's controller would make of a Domain.
    const ns = report.registered.find((x) => x.type === "kubernetes:core/v1:Namespace");
    assert.ok(ns, `no Namespace among ${types.join(", ")}`);
    assert.equal((ns.inputs.metadata as { name: string }).name, "alice");
    const quota = report.registered.find((x) => x.type === "kubernetes:core/v1:ResourceQuota");
    assert.ok(quota, `no ResourceQuota among ${types.join(", ")}`);
    assert.deepEqual(quota.inputs.spec, { hard: { pods: "10" } });
    assert.match(report.refused, /metadata\.name: "Alice_1" is not a valid domain ID/);
  });

  it("the provider plugin starts from the installed package and prints its port", async () => {
    const main = path.join(project, "node_modules", pkg.name, pkg.bin["pulumi-resource-kuscia-iac"]);
    assert.ok(existsSync(bin("pulumi-resource-kuscia-iac")));
    const r = await run(process.execPath, ["-e", `
      const { spawn } = require("node:child_process");
      const p = spawn(process.execPath, [${JSON.stringify(main)}], { stdio: ["ignore", "pipe", "inherit"] });
      p.stdout.once("data", (d) => { process.stdout.write(d); p.kill(); });
    `], { cwd: project, timeoutMs: 60_000 });
    assert.match(r.stdout.trim(), /^\d+$/, `no port printed: ${r.stderr}${r.stdout}`);
  });
});
